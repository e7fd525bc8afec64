namespace OptOut.Core.SiteReservations;

/// <summary>
/// Reads a local copy of a site's reservation files (robots.txt, ai.txt, .well-known/tdmrep.json, and a
/// file of response headers, "Name: value" a line) and says, for a URL, which of them reserve it against
/// AI training: robots.txt when it disallows one of the AI-training crawlers (ai-crawlers.txt) or every
/// crawler; ai.txt when it disallows the path; TDMRep when the first matching rule has tdm-reservation 1;
/// the headers when X-Robots-Tag says noai or noimageai, or TDM-Reservation is 1.
/// </summary>
public sealed class SiteReservationChecker
{
    private readonly RobotsTxt? robots;
    private readonly RobotsTxt? aiTxt;
    private readonly IReadOnlyList<TdmRepRule>? tdmRep;
    private readonly IReadOnlyList<(string Name, string Value)> headers;
    private readonly IReadOnlyList<string> crawlers;

    /// <summary>A checker of the files' texts (each null when the site has none); <paramref name="crawlers"/> null: the maintained list of AI-training crawlers.</summary>
    public SiteReservationChecker(string? robotsTxt, string? aiTxt, string? tdmRepJson, string? headerLines, IReadOnlyList<string>? crawlers = null)
    {
        robots = robotsTxt is null ? null : RobotsTxt.Parse(robotsTxt);
        this.aiTxt = aiTxt is null ? null : RobotsTxt.Parse(aiTxt);
        tdmRep = tdmRepJson is null ? null : TdmRepFile.Parse(tdmRepJson);
        headers = headerLines is null ? [] : ParseHeaders(headerLines);
        this.crawlers = crawlers ?? AiCrawlers.All;
    }

    /// <summary>Reads the files a site folder holds: robots.txt, ai.txt, .well-known/tdmrep.json and headers.txt, each optional.</summary>
    /// <exception cref="InvalidDataException">None of them is there, or tdmrep.json is not a rules array.</exception>
    public static SiteReservationChecker FromFolder(string folder, string? headersFile = null)
    {
        string? Read(string relative)
        {
            var path = Path.Combine(folder, relative);
            return File.Exists(path) ? File.ReadAllText(path) : null;
        }
        var robots = Read("robots.txt");
        var ai = Read("ai.txt");
        var tdm = Read(Path.Combine(".well-known", "tdmrep.json"));
        var headers = headersFile is not null ? File.ReadAllText(headersFile) : Read("headers.txt");
        if (robots is null && ai is null && tdm is null && headers is null)
        {
            throw new InvalidDataException($"'{folder}' holds none of robots.txt, ai.txt, .well-known/tdmrep.json or headers.txt.");
        }
        return new SiteReservationChecker(robots, ai, tdm, headers);
    }

    /// <summary>The signals that reserve <paramref name="url"/> (http or https) against AI training; empty when none does.</summary>
    public IReadOnlyList<SiteSignal> Check(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            throw new ArgumentException($"'{url}' is not an http(s) URL.");
        }
        var path = uri.PathAndQuery;
        var signals = new List<SiteSignal>();
        if (robots is not null)
        {
            var refused = crawlers.Select(c => (Crawler: c, Decision: robots.Decide(c, path))).Where(d => !d.Decision.Allowed).ToList();
            signals.Add(refused.Count > 0
                ? new SiteSignal("robots.txt", true, $"disallows {string.Join(", ", refused.Select(r => r.Crawler))} (line {refused[0].Decision.Rule!.Line}: Disallow: {refused[0].Decision.Rule!.Pattern.Text}, group {refused[0].Decision.GroupAgent})")
                : new SiteSignal("robots.txt", false, "allows every AI-training crawler listed in ai-crawlers.txt"));
        }
        if (aiTxt is not null)
        {
            var decision = AiTxtFile.Decide(aiTxt, path);
            signals.Add(new SiteSignal("ai.txt", !decision.Allowed, decision.Rule is { } rule ? $"line {rule.Line}: {(rule.Allow ? "Allow" : "Disallow")}: {rule.Pattern.Text}" : "no rule matches"));
        }
        if (tdmRep is not null)
        {
            var rule = TdmRepFile.Decide(tdmRep, path);
            signals.Add(new SiteSignal("tdmrep.json", rule?.Reserved == true,
                rule is null ? "no location matches" : $"location {rule.Location.Text}: tdm-reservation {(rule.Reserved ? 1 : 0)}{(rule.Policy is null ? "" : $", tdm-policy {rule.Policy}")}"));
        }
        foreach (var (name, value) in headers)
        {
            if (name.Equals("X-Robots-Tag", StringComparison.OrdinalIgnoreCase))
            {
                var directives = value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
                var reserves = directives.Any(d => d.Equals("noai", StringComparison.OrdinalIgnoreCase) || d.Equals("noimageai", StringComparison.OrdinalIgnoreCase));
                signals.Add(new SiteSignal("X-Robots-Tag header", reserves, value));
            }
            else if (name.Equals("TDM-Reservation", StringComparison.OrdinalIgnoreCase))
            {
                signals.Add(new SiteSignal("TDM-Reservation header", value.Trim() == "1", value));
            }
        }
        return signals;
    }

    private static List<(string, string)> ParseHeaders(string text)
    {
        var headers = new List<(string, string)>();
        foreach (var line in text.Split('\n'))
        {
            var colon = line.IndexOf(':');
            if (colon <= 0 || line.StartsWith("HTTP/", StringComparison.OrdinalIgnoreCase)) continue;
            headers.Add((line[..colon].Trim(), line[(colon + 1)..].Trim()));
        }
        return headers;
    }
}
