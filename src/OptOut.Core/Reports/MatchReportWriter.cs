using System.Globalization;
using System.Reflection;
using System.Security.Cryptography;
using OptOut.Core.Matching;

namespace OptOut.Core.Reports;

/// <summary>
/// Writes the match report: one HTML document, streamed to its writer group by group (never held whole).
/// The header, counts and toolbar are HTML; each group's matches are a JSON data block
/// (<see cref="ReportJson"/>) that the embedded script renders as cards when they scroll into view, or
/// all at once before printing. Every untrusted string is escaped, links go only to http(s), and the
/// Content-Security-Policy allows no network and only the page's own style and script (by nonce).
/// </summary>
public sealed class MatchReportWriter
{
    // Thumbnails of one slice of a group are made in parallel, then written in order.
    private const int SliceSize = 64;
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;
    private static readonly Lazy<string> Style = new(() => Resource("report.css"));
    private static readonly Lazy<string> Script = new(() => Resource("report.js"));

    private readonly ThumbnailMaker thumbnails;
    private readonly List<ReportProblem> problems = [];

    /// <summary>A writer that shows rows' pictures through <paramref name="thumbnails"/>.</summary>
    public MatchReportWriter(ThumbnailMaker thumbnails) => this.thumbnails = thumbnails;

    /// <summary>Writes the report for <paramref name="matches"/> and <paramref name="violations"/>; pictures that cannot be shown are listed in the summary's problems.</summary>
    /// <param name="path">The HTML file's path, for the summary only.</param>
    public MatchReportSummary Write(TextWriter output, ReportHeader header, IReadOnlyList<ReportMatch> matches, IReadOnlyList<ReportViolation> violations, string path, CancellationToken cancellationToken = default)
    {
        problems.Clear();
        var groups = Group(matches);
        var works = new List<string>();
        var seenWorks = new HashSet<string>(StringComparer.Ordinal);
        foreach (var w in header.Works.Concat(groups.Where(g => g.IsWork).Select(g => g.Query)))
        {
            if (seenWorks.Add(w)) works.Add(w);
        }
        var found = new HashSet<string>(groups.Where(g => g.IsWork).Select(g => g.Query), StringComparer.Ordinal);
        var notFound = works.Where(w => !found.Contains(w)).ToList();
        var datasets = header.Datasets.Count > 0
            ? header.Datasets.Distinct(StringComparer.Ordinal).ToList()
            : matches.Select(m => m.Dataset).Concat(violations.Select(v => v.Dataset)).Distinct(StringComparer.Ordinal).ToList();
        var summary = new MatchReportSummary
        {
            Path = path,
            Works = works.Count,
            WorksFound = works.Count - notFound.Count,
            WorksNotFound = notFound.Count,
            Datasets = datasets.Count,
            Matches = matches.Count,
            VerifiedCopies = matches.Count(m => m.Verification?.IsVerified == true),
            Violations = violations.Count,
        };

        var nonce = Convert.ToBase64String(RandomNumberGenerator.GetBytes(18));
        WriteHead(output, header, nonce);
        WriteSummary(output, header, summary, datasets, matches);
        WriteToolbar(output, matches);
        // The cards are built by the page's own script from the data blocks; without scripts say so
        // rather than show groups that look empty.
        output.Write("<noscript><p class=\"noscript\">This report draws its match cards with its own script, which is switched off: " +
            "only the summary and the works not found are shown. Open it with JavaScript on, or export the matches with " +
            "<code>Find-TrainedImage | Export-Csv</code>.</p></noscript>\n");
        output.Write("<main id=\"groups\">\n");
        var index = 0;
        for (var g = 0; g < groups.Count; g++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            WriteGroup(output, groups[g], g, ref index, cancellationToken);
        }
        output.Write("</main>\n");
        WriteNotFound(output, notFound);
        WriteViolations(output, violations);
        output.Write($"<footer><p>Written by OptOut on {HtmlText.Escape(header.CreatedAt.ToString("yyyy-MM-dd HH:mm zzz", Invariant))}. The decisions you mark are exported by the buttons above; Import-MatchReview reads them back.</p></footer>\n");
        output.Write($"<script nonce=\"{nonce}\">\n{Script.Value}\n</script>\n</body>\n</html>\n");
        output.Flush();
        return summary with { Thumbnails = thumbnails.Count, Problems = problems.ToList() };
    }

    private sealed record QueryGroup(string Query, bool IsWork, List<ReportMatch> Matches);

    private static List<QueryGroup> Group(IReadOnlyList<ReportMatch> matches)
    {
        var groups = new List<QueryGroup>();
        var byQuery = new Dictionary<(string, bool), QueryGroup>();
        foreach (var m in matches)
        {
            if (!byQuery.TryGetValue((m.Query, m.IsImageQuery), out var g))
            {
                g = new QueryGroup(m.Query, m.IsImageQuery, []);
                byQuery.Add((m.Query, m.IsImageQuery), g);
                groups.Add(g);
            }
            g.Matches.Add(m);
        }
        return groups;
    }

    private static void WriteHead(TextWriter o, ReportHeader header, string nonce)
    {
        o.Write("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
        // No network at all: images only from the page itself (data URIs) or its own folder; style and
        // script only the page's own, by nonce; no forms, frames, plugins or base URL.
        o.Write($"<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; img-src 'self' data:; style-src 'nonce-{nonce}'; script-src 'nonce-{nonce}'; base-uri 'none'; form-action 'none'\">\n");
        o.Write("<meta name=\"referrer\" content=\"no-referrer\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
        o.Write($"<title>{HtmlText.Escape(header.Title)}</title>\n<style nonce=\"{nonce}\">\n{Style.Value}\n</style>\n</head>\n");
    }

    private static void WriteSummary(TextWriter o, ReportHeader header, MatchReportSummary summary, List<string> datasets, IReadOnlyList<ReportMatch> matches)
    {
        o.Write($"<body data-claimant=\"{HtmlText.Escape(header.Claimant)}\" data-title=\"{HtmlText.Escape(header.Title)}\">\n<header id=\"top\">\n<h1>{HtmlText.Escape(header.Title)}</h1>\n");
        o.Write($"<p class=\"headline\" id=\"headline\">{HtmlText.Escape(summary.Headline)}</p>\n<dl class=\"about\">\n");
        Fact(o, "Claimant", header.Claimant ?? "(not given)");
        Fact(o, "Date", header.CreatedAt.ToString("yyyy-MM-dd HH:mm zzz", Invariant));
        Fact(o, "Index", header.IndexPath ?? "(not given)");
        Fact(o, "Model", header.Models.Count > 0 ? string.Join(", ", header.Models) : "(not given)");
        Fact(o, "Datasets", datasets.Count > 0 ? string.Join(", ", datasets) : "(none)");
        Fact(o, "Works found", $"{summary.WorksFound:N0} of {summary.Works:N0}");
        Fact(o, "Matches", $"{summary.Matches:N0} ({summary.VerifiedCopies:N0} verified copies; " +
            string.Join(", ", matches.GroupBy(m => m.MatchKind).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Count():N0} {g.Key}")) + ")");
        Fact(o, "Gate findings", summary.Violations.ToString("N0", Invariant));
        o.Write("</dl>\n</header>\n");
    }

    private static void WriteToolbar(TextWriter o, IReadOnlyList<ReportMatch> matches)
    {
        o.Write("<nav class=\"toolbar\" aria-label=\"Review\">\n");
        o.Write("<label>Dataset <select id=\"f-dataset\"><option value=\"\">all</option>");
        foreach (var d in matches.Select(m => m.Dataset).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
        {
            o.Write($"<option value=\"{HtmlText.Escape(d)}\">{HtmlText.Escape(d)}</option>");
        }
        o.Write("</select></label>\n<label>Kind <select id=\"f-kind\"><option value=\"\">all</option>");
        foreach (var k in matches.Select(m => m.MatchKind).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
        {
            o.Write($"<option value=\"{HtmlText.Escape(k)}\">{HtmlText.Escape(k)}</option>");
        }
        o.Write("</select></label>\n<label>Score at least <input id=\"f-score\" type=\"number\" step=\"0.01\" min=\"0\" inputmode=\"decimal\"></label>\n");
        o.Write("<label>Sort <select id=\"f-sort\"><option value=\"report\">as found</option><option value=\"score-desc\">score, highest first</option><option value=\"score-asc\">score, lowest first</option><option value=\"dataset\">dataset</option></select></label>\n");
        o.Write("<span id=\"tally\" role=\"status\" aria-live=\"polite\"></span>\n");
        o.Write("<button type=\"button\" id=\"export-json\">Export decisions (JSON)</button> <button type=\"button\" id=\"export-csv\">Export decisions (CSV)</button>\n");
        o.Write("<p class=\"keys\">Keys: <kbd>j</kbd>/<kbd>k</kbd> next/previous match, <kbd>m</kbd> mine, <kbd>n</kbd> not mine, <kbd>u</kbd> undecided.</p>\n</nav>\n");
    }

    private void WriteGroup(TextWriter o, QueryGroup group, int groupNumber, ref int index, CancellationToken cancellationToken)
    {
        Thumbnail? query = null;
        string? queryProblem = null;
        if (group.IsWork)
        {
            (query, queryProblem) = Picture(group.Query, () => new FileStream(group.Query, FileMode.Open, FileAccess.Read, FileShare.Read));
        }
        // The group's heading is HTML; its matches are data the page's script turns into cards as they
        // scroll into view, so 10,000 matches cost the browser a few screens of elements at load.
        o.Write($"<section class=\"group\" id=\"g{groupNumber}\" data-count=\"{group.Matches.Count}\">\n<div class=\"query\">");
        if (group.IsWork) WorkFigure(o, query, queryProblem);
        o.Write($"<div><h2>{(group.IsWork ? "" : "Search: ")}{HtmlText.Escape(group.IsWork ? Path.GetFileName(group.Query) : group.Query)}</h2>");
        if (group.IsWork)
        {
            o.Write($"<p class=\"path\">{HtmlText.Escape(group.Query)}</p><p class=\"sha\">SHA-256 {HtmlText.Escape(group.Matches[0].QuerySha256)}</p>");
        }
        o.Write($"<p class=\"count\"><span class=\"shown\">{group.Matches.Count:N0}</span> of {group.Matches.Count:N0} match{(group.Matches.Count == 1 ? "" : "es")}</p></div></div>\n");
        o.Write("<div class=\"matches\"></div><div class=\"more\" aria-hidden=\"true\"></div>\n<script type=\"application/json\" class=\"group-data\">");
        o.Write(ReportJson.GroupStart(group.Query, group.IsWork ? group.Matches[0].QuerySha256 : null, query, queryProblem));
        for (var start = 0; start < group.Matches.Count; start += SliceSize)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var slice = group.Matches.GetRange(start, Math.Min(SliceSize, group.Matches.Count - start));
            var pictures = new (Thumbnail?, string?)[slice.Count];
            Parallel.For(0, slice.Count, new ParallelOptions { CancellationToken = cancellationToken, MaxDegreeOfParallelism = Environment.ProcessorCount }, i =>
            {
                var image = slice[i].Image;
                pictures[i] = image is null ? (null, null) : Picture(image.ToString(), image.OpenRead);
            });
            for (var i = 0; i < slice.Count; i++)
            {
                var m = slice[i];
                var evidence = m.Verification is { } v ? TransformWords.Describe(v, query?.OriginalWidth ?? 0, query?.OriginalHeight ?? 0) : null;
                if (start + i > 0) o.Write(',');
                o.Write('\n');
                o.Write(ReportJson.Card(index++, m, pictures[i].Item1, pictures[i].Item2, evidence));
            }
        }
        o.Write(ReportJson.GroupEnd);
        o.Write("</script>\n</section>\n");
        if (group.IsWork) thumbnails.Forget(group.Query);
    }

    private (Thumbnail?, string?) Picture(string key, Func<Stream> open)
    {
        try
        {
            return (thumbnails.Get(key, open), null);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException or Imaging.ImageFileException)
        {
            lock (problems) problems.Add(new ReportProblem(key, e));
            return (null, e.Message);
        }
    }

    // The work's own thumbnail at the head of its group.
    private static void WorkFigure(TextWriter o, Thumbnail? t, string? problem)
    {
        o.Write("<figure class=\"t\">");
        if (t is null)
        {
            o.Write($"<div class=\"noimg\">Picture not shown: {HtmlText.Escape(problem ?? "unavailable")}</div>");
        }
        else
        {
            o.Write($"<div class=\"frame\"><img src=\"{HtmlText.Escape(t.Source)}\" width=\"{t.Width}\" height=\"{t.Height}\" alt=\"your work\" decoding=\"async\"></div>");
        }
        o.Write("<figcaption>your work</figcaption></figure>");
    }

    private static void WriteNotFound(TextWriter o, List<string> notFound)
    {
        o.Write($"<section class=\"notfound\" id=\"not-found\"><h2>Not found ({notFound.Count:N0})</h2>");
        if (notFound.Count == 0)
        {
            o.Write("<p>Every work searched has at least one match.</p>");
        }
        else
        {
            o.Write("<ul>");
            foreach (var w in notFound) o.Write($"<li>{HtmlText.Escape(w)}</li>");
            o.Write("</ul>");
        }
        o.Write("</section>\n");
    }

    private static void WriteViolations(TextWriter o, IReadOnlyList<ReportViolation> violations)
    {
        if (violations.Count == 0) return;
        o.Write($"<section class=\"violations\" id=\"violations\"><h2>Training-set gate findings ({violations.Count:N0})</h2><div class=\"scroll\"><table><thead><tr><th>Dataset</th><th>Shard</th><th>Row</th><th>Key</th><th>URL</th><th>Rule</th><th>Record</th><th>Claimant</th><th>Detail</th></tr></thead><tbody>\n");
        foreach (var v in violations)
        {
            o.Write($"<tr class=\"violation\"><td>{HtmlText.Escape(v.Dataset)}</td><td>{HtmlText.Escape(v.Shard)}</td><td>{v.Row.ToString(Invariant)}</td><td>{HtmlText.Escape(v.Key)}</td><td>");
            if (HtmlText.SafeHref(v.Url) is { } href)
            {
                o.Write($"<a href=\"{HtmlText.Escape(href)}\" rel=\"noopener noreferrer nofollow\" target=\"_blank\">{HtmlText.Escape(v.Url)}</a>");
            }
            else
            {
                o.Write(HtmlText.Escape(v.Url));
            }
            o.Write($"</td><td>{HtmlText.Escape(v.Rule)}</td><td>{HtmlText.Escape(v.RecordId)}</td><td>{HtmlText.Escape(v.Claimant)}</td><td>{HtmlText.Escape(v.Detail)}</td></tr>\n");
        }
        o.Write("</tbody></table></div></section>\n");
    }

    private static void Fact(TextWriter o, string name, string value) =>
        o.Write($"<dt>{HtmlText.Escape(name)}</dt><dd>{HtmlText.Escape(value)}</dd>");

    private static string Resource(string name)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("OptOut.Core.Reports." + name)
            ?? throw new InvalidOperationException($"The report's {name} is missing from OptOut.Core.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
