using OptOut.Core.Registry;

namespace OptOut.Core.SiteReservations;

/// <summary>
/// The path patterns a site's reservation files must name for the registry's refusals on that site: the
/// whole site ('/') when the host or a parent domain is refused, else each refused URL's path (and query)
/// as an exact pattern. Content claims have no address and are not site-level signals.
/// </summary>
internal static class ClaimedSitePaths
{
    public static IReadOnlyList<string> For(string host, IEnumerable<StoredClaim> activeRefusals)
    {
        var paths = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var claim in activeRefusals)
        {
            if (claim.Decision != Decision.Refuse || claim.Status != ClaimStatus.Active) continue;
            if (claim.Kind == ClaimKind.Domain && (host == claim.Target || host.EndsWith("." + claim.Target, StringComparison.Ordinal)))
            {
                return ["/"];
            }
            if (claim.Kind == ClaimKind.Url && Uri.TryCreate(claim.Target, UriKind.Absolute, out var url) && string.Equals(url.Host, host, StringComparison.OrdinalIgnoreCase))
            {
                paths.Add(Exact(url.PathAndQuery));
            }
        }
        return [.. paths];
    }

    // A final '$' makes the pattern the one path, not every path it prefixes. robots.txt has no escape
    // for '*' (RFC 9309 keeps reserved characters and their percent-encodings distinct), so a '*' in a
    // refused path stays a wildcard: it reserves that path and its look-alikes, never less.
    private static string Exact(string pathAndQuery) => pathAndQuery + "$";
}
