using OptOut.Core.SiteReservations;
using Xunit;

namespace OptOut.Core.Tests.SiteReservations;

/// <summary>robots.txt, ai.txt, TDMRep and header signals: written, merged, and read back, robots.txt decisions compared with npm's robots-parser.</summary>
public class SiteReservationTests
{
    // Tricky on purpose: wildcards, end anchors, percent-escapes, a tie, combined groups, case, rules before any group.
    private const string TrickyRobots = """
        Disallow: /before-any-group
        User-agent: *
        Disallow: /private/
        Allow: /private/public$
        Disallow: /*.gif$
        Disallow: /search?q=
        Allow: /a
        Disallow: /a

        User-agent: GPTBot
        User-agent: ccbot
        Disallow: /
        Allow: /press/

        User-agent: gptbot
        Disallow: /press/embargo
        Disallow: /%7Euser/
        Disallow: /fish*.php

        User-agent: Empty
        Disallow:
        """;

    private static readonly string[] Paths =
    [
        "/", "/before-any-group", "/private/", "/private/x", "/private/public", "/private/public/more", "/img/a.gif", "/img/a.gif?x=1",
        "/img/a.gifx", "/search?q=cats", "/search", "/a", "/ab", "/press/", "/press/release", "/press/embargo/1", "/~user/page",
        "/%7euser/page", "/fish.php", "/fishheads/catfish.php?id=1", "/Fish.PHP",
    ];
    // Not compared: /robots.txt itself, which RFC 9309 (2.2.2) always allows and robots-parser does not special-case.

    private static readonly string[] Agents = ["Googlebot", "GPTBot", "CCBot", "Empty", "ClaudeBot"];

    [RobotsParserFact]
    public void Decisions_agree_with_robots_parser_on_tricky_patterns()
    {
        var robots = RobotsTxt.Parse(TrickyRobots);
        var queries = Agents.SelectMany(a => Paths.Select(p => (Agent: a, Url: "https://site.example" + p))).ToList();
        var theirs = RobotsParserJs.Decide(TrickyRobots, queries);

        var disagreements = queries.Select((q, i) => (q, Ours: robots.Decide(q.Agent, new Uri(q.Url).PathAndQuery).Allowed, Theirs: theirs[i]))
            .Where(d => d.Ours != d.Theirs)
            .Select(d => $"{d.q.Agent} {d.q.Url}: ours {d.Ours}, robots-parser {d.Theirs}")
            .ToList();
        Assert.Empty(disagreements);
        Assert.Equal(Agents.Length * Paths.Length, queries.Count);
    }

    [Fact]
    public void Rfc_9309_rules_are_followed()
    {
        var robots = RobotsTxt.Parse(TrickyRobots);
        Assert.False(robots.Decide("GPTBot", "/anything").Allowed);            // groups naming GPTBot are combined
        Assert.True(robots.Decide("GPTBot", "/press/release").Allowed);        // longer Allow wins
        Assert.False(robots.Decide("gptBOT", "/press/embargo/1").Allowed);     // agent case-insensitive
        Assert.True(robots.Decide("Googlebot", "/a").Allowed);                 // tie: allow wins
        Assert.True(robots.Decide("Googlebot", "/before-any-group").Allowed);  // a rule before any group counts for none
        Assert.False(robots.Decide("Googlebot", "/img/a.gif").Allowed);
        Assert.True(robots.Decide("Googlebot", "/img/a.gifx").Allowed);        // '$' anchors the end
        Assert.True(robots.Decide("Empty", "/private/x").Allowed);             // an empty Disallow allows all
        Assert.True(robots.Decide("GPTBot", "/robots.txt").Allowed);
        Assert.False(robots.Decide("GPTBot", "/%7euser/page").Allowed);        // escapes compared case-insensitively
    }

    [RobotsParserFact]
    public void A_merged_robots_txt_keeps_other_groups_byte_for_byte_reserves_every_crawler_and_replaces_itself()
    {
        const string existing = "# my site\nUser-agent: *\nDisallow: /tmp/\n\nSitemap: https://site.example/sitemap.xml\n";
        var (merged, conflicts) = RobotsTxtWriter.Merge(existing, AiCrawlers.All, ["/"]);
        var (again, _) = RobotsTxtWriter.Merge(merged, AiCrawlers.All, ["/"]);

        Assert.Empty(conflicts);
        Assert.StartsWith(existing, merged, StringComparison.Ordinal);
        Assert.Equal(merged, again);
        Assert.Equal(existing, RobotsTxtWriter.WithoutOurGroup(merged));
        var queries = AiCrawlers.All.Select(c => (c, "https://site.example/art/work.png")).Append(("Googlebot", "https://site.example/art/work.png")).ToList();
        var theirs = RobotsParserJs.Decide(merged, queries);
        Assert.All(theirs.Take(AiCrawlers.All.Count), allowed => Assert.False(allowed));
        Assert.True(theirs[^1]);
        Assert.Contains("img2dataset", AiCrawlers.All);
        Assert.Contains("GPTBot", AiCrawlers.All);
    }

    [Fact]
    public void An_existing_group_that_lets_a_crawler_in_is_reported_as_a_conflict()
    {
        const string existing = "User-agent: GPTBot\nAllow: /\n";
        var (_, conflicts) = RobotsTxtWriter.Merge(existing, ["GPTBot", "CCBot"], ["/"]);
        var conflict = Assert.Single(conflicts);
        Assert.StartsWith("GPTBot", conflict, StringComparison.Ordinal);
    }

    [Fact]
    public void Tdmrep_ai_txt_and_headers_are_written_and_read_back()
    {
        var tdm = TdmRepFile.Write(["/art/*", "/blog/*.png$"], "https://site.example/policy.json");
        var ai = AiTxtFile.Write(["/art/"]);
        var headers = "HTTP/1.1 200 OK\n" + string.Concat(HeaderSnippets.Headers(null).Select(h => $"{h.Name}: {h.Value}\n"));
        var checker = new SiteReservationChecker(null, ai, tdm, headers);

        var art = checker.Check("https://site.example/art/work.jpg");
        Assert.All(art, s => Assert.True(s.Reserves, s.Source));
        Assert.Equal(new[] { "ai.txt", "tdmrep.json", "TDM-Reservation header", "X-Robots-Tag header" }.Order(StringComparer.Ordinal), art.Select(s => s.Source).Order(StringComparer.Ordinal));
        var blog = new SiteReservationChecker(null, ai, tdm, null).Check("https://site.example/blog/a.png?size=2");
        Assert.All(blog, s => Assert.False(s.Reserves, s.Source));  // '$' does not match before a query
        Assert.Contains("tdm-policy https://site.example/policy.json", art.Single(s => s.Source == "tdmrep.json").Detail, StringComparison.Ordinal);
        Assert.Throws<InvalidDataException>(() => TdmRepFile.Parse("{\"location\": \"/\"}"));
    }

    [Fact]
    public void Header_snippets_name_both_headers_for_each_server()
    {
        foreach (var snippet in new[] { HeaderSnippets.Nginx("https://p.example/t.json"), HeaderSnippets.Apache(null), HeaderSnippets.Caddy(null) })
        {
            Assert.Contains("X-Robots-Tag", snippet, StringComparison.Ordinal);
            Assert.Contains("noai, noimageai", snippet, StringComparison.Ordinal);
            Assert.Contains("TDM-Reservation", snippet, StringComparison.Ordinal);
        }
        Assert.Contains("add_header TDM-Policy \"https://p.example/t.json\" always;", HeaderSnippets.Nginx("https://p.example/t.json"), StringComparison.Ordinal);
    }
}
