using System.Collections.Concurrent;

namespace OptOut.Core.SiteReservations;

/// <summary>
/// Local copies of many sites' reservation files, one subfolder a host (<c>ROOT/example.com/robots.txt</c>,
/// <c>ai.txt</c>, <c>.well-known/tdmrep.json</c>, <c>headers.txt</c>), for the gate's Site rule. A host
/// without a folder has no site-level reservation. Each host's files are read once, on first use, by
/// any of the threads checking shards.
/// </summary>
public sealed class SiteReservationFolders
{
    private readonly string root;
    private readonly ConcurrentDictionary<string, SiteReservationChecker?> checkers = new(StringComparer.Ordinal);

    /// <summary>The site folders under <paramref name="root"/>; throws <see cref="DirectoryNotFoundException"/> when it does not exist.</summary>
    public SiteReservationFolders(string root)
    {
        if (!Directory.Exists(root)) throw new DirectoryNotFoundException($"The site reservation folder '{root}' does not exist.");
        this.root = root;
    }

    /// <summary>Why the site reserves <paramref name="url"/> (the signals that do, with their lines), or null when it does not.</summary>
    /// <param name="host">The URL's host, lower case.</param>
    /// <exception cref="InvalidDataException">The host's tdmrep.json is not a rules array.</exception>
    public string? Reservation(string url, string host)
    {
        if (host.Length == 0 || host.Contains('/') || host.Contains('\\') || host.StartsWith('.')) return null;
        var checker = checkers.GetOrAdd(host, h =>
        {
            var folder = Path.Combine(root, h);
            return Directory.Exists(folder) ? SiteReservationChecker.FromFolder(folder) : null;
        });
        if (checker is null) return null;
        IReadOnlyList<SiteSignal> signals;
        try
        {
            signals = checker.Check(url);
        }
        catch (ArgumentException)
        {
            return null; // not an http(s) URL: no site speaks for it
        }
        var reserving = signals.Where(s => s.Reserves).ToList();
        return reserving.Count == 0 ? null : "the site reserves it: " + string.Join("; ", reserving.Select(s => $"{s.Source} {s.Detail}"));
    }
}
