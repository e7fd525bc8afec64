using System.Text;

namespace OptOut.Core.SiteReservations;

/// <summary>
/// Adds a group that disallows AI-training crawlers to a site's robots.txt. The group sits between two
/// marker comments and is replaced on the next run; everything outside the markers is kept byte for
/// byte. Because RFC 9309 combines every group that names one crawler, an existing group that allows a
/// reserved crawler can override the reservation: the merged file is read back, and each crawler it
/// still lets in is reported as a conflict.
/// </summary>
public static class RobotsTxtWriter
{
    /// <summary>The comment line before OptOut's group.</summary>
    public const string BeginMarker = "# BEGIN OptOut AI-training reservation (New-SiteReservation replaces the lines up to END)";
    /// <summary>The comment line after OptOut's group.</summary>
    public const string EndMarker = "# END OptOut AI-training reservation";

    /// <summary><paramref name="existing"/> (null: no robots.txt yet) with OptOut's group disallowing <paramref name="paths"/> to <paramref name="crawlers"/>, and the crawlers other groups still let in.</summary>
    public static (string Text, IReadOnlyList<string> Conflicts) Merge(string? existing, IReadOnlyList<string> crawlers, IReadOnlyList<string> paths)
    {
        if (crawlers.Count == 0) throw new ArgumentException("Name at least one crawler.");
        foreach (var path in paths)
        {
            if (!path.StartsWith('/') && !path.StartsWith('*')) throw new ArgumentException($"The path pattern '{path}' must start with '/' or '*'.");
            if (path.Any(char.IsWhiteSpace) || path.Contains('#')) throw new ArgumentException($"The path pattern '{path}' holds a space or '#', which robots.txt cannot carry.");
        }
        foreach (var crawler in crawlers)
        {
            if (crawler.Length == 0 || crawler.Any(c => char.IsWhiteSpace(c) || c is '#' or ':')) throw new ArgumentException($"'{crawler}' is not a robots.txt user-agent token.");
        }

        var kept = WithoutOurGroup(existing ?? "");
        var builder = new StringBuilder(kept);
        if (kept.Length > 0 && !kept.EndsWith('\n')) builder.Append('\n');
        if (kept.Length > 0) builder.Append('\n');
        builder.Append(BeginMarker).Append('\n');
        foreach (var crawler in crawlers) builder.Append("User-agent: ").Append(crawler).Append('\n');
        foreach (var path in paths) builder.Append("Disallow: ").Append(path).Append('\n');
        builder.Append(EndMarker).Append('\n');
        var text = builder.ToString();

        var merged = RobotsTxt.Parse(text);
        var conflicts = new List<string>();
        foreach (var crawler in crawlers)
        {
            foreach (var path in paths)
            {
                var probe = ProbePath(path);
                var decision = merged.Decide(crawler, probe);
                if (decision.Allowed)
                {
                    conflicts.Add($"{crawler}: robots.txt line {decision.Rule?.Line} ('Allow: {decision.Rule?.Pattern.Text}') in another group for {decision.GroupAgent} still lets it fetch {probe}; RFC 9309 combines the groups that name one crawler and the more specific (or, when equal, the allowing) rule wins. Remove or narrow that line.");
                }
            }
        }
        return (text, conflicts);
    }

    /// <summary>The text without a group this writer added before (from its BEGIN line to its END line).</summary>
    public static string WithoutOurGroup(string text)
    {
        var begin = text.IndexOf(BeginMarker, StringComparison.Ordinal);
        if (begin < 0) return text;
        var end = text.IndexOf(EndMarker, begin, StringComparison.Ordinal);
        if (end < 0) throw new InvalidDataException("robots.txt has the OptOut BEGIN marker without its END marker; fix the file by hand.");
        var after = end + EndMarker.Length;
        if (after < text.Length && text[after] == '\r') after++;
        if (after < text.Length && text[after] == '\n') after++;
        // The blank line written before the group goes with it.
        var start = begin;
        if (start >= 2 && text[start - 1] == '\n' && text[start - 2] == '\n') start--;
        return text[..start] + text[after..];
    }

    // A concrete path the pattern covers, to read the merged file back with.
    private static string ProbePath(string pattern)
    {
        var path = pattern.TrimEnd('$').Replace("*", "x", StringComparison.Ordinal);
        return path.StartsWith('/') ? path : "/" + path;
    }
}
