using System.Text.RegularExpressions;
using OptOut.Core.Imaging;
using OptOut.Core.Reports;
using SixLabors.ImageSharp;

namespace OptOut.Core.Tests.Reports;

/// <summary>The report's HTML as written: counts, every match, evidence, escaping, thumbnails, CSP.</summary>
public class MatchReportWriterTests
{
    private static readonly Lazy<ReportScenario> Shared = new(ReportScenario.Build);

    [Fact]
    public void The_report_counts_works_not_found_and_lists_every_match()
    {
        var scenario = Shared.Value;
        var path = Path.Combine(TestEnvironment.NewScratchFolder(), "report.html");
        var summary = scenario.Write(path, ThumbnailStorage.Embedded);
        var html = File.ReadAllText(path);

        Assert.Equal((3, 2, 1, 3), (summary.Works, summary.WorksFound, summary.WorksNotFound, summary.Datasets));
        Assert.Equal("1 of 3 works not found in 3 datasets", summary.Headline);
        Assert.Contains("<p class=\"headline\" id=\"headline\">1 of 3 works not found in 3 datasets</p>", html);
        var cards = ReportData.Cards(html);
        Assert.Equal(scenario.Matches.Select(m => (m.Dataset, m.Key, m.Caption)), cards.Select(c => (c.Text("dataset")!, c.Text("key"), c.Text("caption"))));
        Assert.Equal(Enumerable.Range(0, scenario.Matches.Count), cards.Select(c => c.GetProperty("id").GetInt32()));
        Assert.Equal(2, Regex.Count(html, "<section class=\"group\""));
        Assert.Equal(scenario.Matches.GroupBy(m => m.Query).Select(g => g.Key), ReportData.Groups(html).Select(g => g.Text("query")));
        Assert.Equal(scenario.Matches.GroupBy(m => m.Query).Select(g => $"data-count=\"{g.Count()}\""), Regex.Matches(html, "data-count=\"\\d+\"").Select(m => m.Value));
        Assert.Contains($"<li>{HtmlText.Escape(scenario.NotFoundWork)}</li>", html);
        Assert.Single(Regex.Matches(html, "<tr class=\"violation\">"));
        Assert.Empty(summary.Problems);
        // The cards are drawn by script: a reader without scripts is told so, before the groups.
        Assert.True(html.IndexOf("<noscript>", StringComparison.Ordinal) is var at && at > 0 && at < html.IndexOf("<main id=\"groups\">", StringComparison.Ordinal));
    }

    [Fact]
    public void Verified_copies_have_their_regions_drawn_on_both_pictures_and_the_transform_in_words()
    {
        var scenario = Shared.Value;
        var path = Path.Combine(TestEnvironment.NewScratchFolder(), "report.html");
        var summary = scenario.Write(path, ThumbnailStorage.Embedded);
        var html = File.ReadAllText(path);
        var cards = ReportData.Cards(html);

        var verified = scenario.Matches.Where(m => m.Verification?.IsVerified == true).ToList();
        Assert.True(verified.Count >= 5, $"{verified.Count} of the 6 real copies verified");
        Assert.Equal(verified.Count, summary.VerifiedCopies);
        static int[] Box(OptOut.Core.Matching.ImageRegion r) => [r.X, r.Y, r.Width, r.Height];
        static int[]? Drawn(System.Text.Json.JsonElement v, string name) => v.TryGetProperty(name, out var r) ? r.EnumerateArray().Select(x => x.GetInt32()).ToArray() : null;
        for (var i = 0; i < scenario.Matches.Count; i++)
        {
            var m = scenario.Matches[i];
            if (m.Verification is not { IsVerified: true } v) continue;
            var drawn = cards[i].GetProperty("v");
            Assert.True(drawn.GetProperty("ok").GetBoolean());
            Assert.Equal(Box(v.QueryRegion), Drawn(drawn, "q"));
            Assert.Equal(Box(v.CandidateRegion), Drawn(drawn, "c"));
            Assert.StartsWith("Verified copy (", drawn.Text("text"));
        }
        var mirrored = scenario.Matches.FindIndex(m => m.Caption == "re-post (Mirror)");
        Assert.True(scenario.Matches[mirrored].Verification!.Mirrored);
        Assert.Matches("^Verified copy \\([a-z]+\\): .*mirrored left-right", cards[mirrored].GetProperty("v").Text("text"));
        Assert.Contains(cards, c => c.TryGetProperty("v", out var v) && v.Text("text")!.Contains("not mirrored", StringComparison.Ordinal));
        // The Similar row and the URL-only rows carry no evidence; URL-only rows have no picture.
        Assert.Equal(verified.Count + scenario.Matches.Count(m => m.Verification is { IsVerified: false }), cards.Count(c => c.TryGetProperty("v", out _)));
        Assert.Equal(ReportScenario.HostileRows.Length, cards.Count(c => !c.TryGetProperty("pic", out _)));
        Assert.All(cards.Where(c => c.TryGetProperty("pic", out _)), c => Assert.StartsWith("data:image/jpeg;base64,", c.GetProperty("pic").Text("src")));
    }

    [Fact]
    public void Untrusted_text_is_escaped_and_only_http_urls_are_links()
    {
        var scenario = Shared.Value;
        var path = Path.Combine(TestEnvironment.NewScratchFolder(), "report.html");
        scenario.Write(path, ThumbnailStorage.Embedded);
        var html = File.ReadAllText(path);

        // The page's own script and one data block a group; nothing from the data can end a block.
        var blocks = ReportData.Blocks(html);
        Assert.Equal(2, blocks.Count);
        Assert.Equal(1 + blocks.Count, Regex.Count(html, "<script"));
        Assert.All(blocks, b => Assert.DoesNotContain('<', b));
        Assert.All(blocks, b => Assert.DoesNotContain('>', b));
        var outside = ReportData.WithoutScripts(html);
        Assert.DoesNotContain("<img src=x", outside);
        Assert.DoesNotContain("<svg onload", outside);
        Assert.DoesNotContain("href=\"javascript:", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("href=\"data:", html, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("&lt;script&gt;console.error(&#39;XSS-script&#39;)&lt;/script&gt;", html); // the gate finding's detail
        Assert.Contains("grapes &lt;b&gt;&amp;amp; &quot;x&#39;.png", html);
        // Captions and URLs come back from the data exactly; the only link is the http(s) one the writer allowed
        // (the attribute-breaking URL is one http link, percent-encoded by the URI).
        var hostile = ReportData.Cards(html).Where(c => c.Text("dataset") == ReportScenario.Hostile).ToList();
        Assert.Equal(ReportScenario.HostileRows.Select(r => (r.Url, r.Caption)), hostile.Select(c => (c.Text("url")!, c.Text("caption")!)));
        Assert.Equal(ReportScenario.HostileRows.Select(r => HtmlText.SafeHref(r.Url)), hostile.Select(c => c.Text("href")));
        Assert.Contains("https://evil.example/a.jpg%22%20onmouseover=%22console.error('XSS-attr')", hostile.Select(c => c.Text("href")));
        foreach (Match a in Regex.Matches(outside, "<a href=\"([^\"]*)\""))
        {
            Assert.Matches("^https?://", a.Groups[1].Value);
        }
        var csp = Regex.Match(html, "<meta http-equiv=\"Content-Security-Policy\" content=\"([^\"]+)\">").Groups[1].Value;
        Assert.StartsWith("default-src 'none'; img-src 'self' data:;", csp);
        var nonce = Regex.Match(csp, "script-src 'nonce-([^']+)'").Groups[1].Value;
        Assert.Contains($"<script nonce=\"{nonce}\">", html);
        Assert.DoesNotContain("http://", Regex.Replace(outside, "<a href=\"[^\"]*\"", ""));
    }

    [Fact]
    public void Thumbnails_are_bounded_and_a_folder_holds_them_when_asked()
    {
        var scenario = Shared.Value;
        var folder = TestEnvironment.NewScratchFolder();
        var path = Path.Combine(folder, "big report.html");
        var summary = scenario.Write(path, ThumbnailStorage.Folder);
        var html = File.ReadAllText(path);

        var files = Directory.GetFiles(Path.Combine(folder, "big report_files"));
        Assert.Equal(summary.Thumbnails, files.Length);
        Assert.Equal(2 + scenario.Matches.Count(m => m.Image is not null) - 1, files.Length); // two works; the Similar row reuses a copy's file
        foreach (var file in files)
        {
            var info = Image.Identify(file);
            Assert.True(Math.Max(info.Width, info.Height) <= ThumbnailMaker.MaxSide, $"{file}: {info.Width}x{info.Height}");
        }
        Assert.Contains("src=\"big%20report_files/t000001.jpg\"", html);
        Assert.DoesNotContain("data:image", ReportData.WithoutScripts(html));
        Assert.All(ReportData.Blocks(html), b => Assert.DoesNotContain("data:image", b));
        var sources = ReportData.Cards(html).Where(c => c.TryGetProperty("pic", out _)).Select(c => c.GetProperty("pic").Text("src")!).ToList();
        Assert.All(sources, s => Assert.Matches("^big%20report_files/t\\d{6}\\.jpg$", s));
        Assert.All(sources, s => Assert.True(File.Exists(Path.Combine(folder, Uri.UnescapeDataString(s)))));
    }

    [Fact]
    public void A_picture_that_cannot_be_read_is_named_in_the_page_and_the_summary()
    {
        var scenario = Shared.Value;
        var folder = TestEnvironment.NewScratchFolder();
        var broken = Path.Combine(folder, "truncated.jpg");
        File.WriteAllBytes(broken, File.ReadAllBytes(scenario.Matches[0].Image!.Path).AsSpan(0, 300).ToArray());
        var match = scenario.Matches[0] with { Image = new Datasets.ImageLocation(broken), Verification = null };
        var path = Path.Combine(folder, "report.html");
        using (var writer = new StreamWriter(path))
        {
            var summary = new MatchReportWriter(new ThumbnailMaker(ThumbnailStorage.Embedded, null, ImageLimits.Default))
                .Write(writer, scenario.Header, [match, scenario.Matches[1] with { Image = new Datasets.ImageLocation(Path.Combine(folder, "moved.jpg")) }], [], path);
            Assert.Equal(2, summary.Problems.Count);
            Assert.IsType<ImageDecodeException>(summary.Problems.Single(p => p.Target == broken).Error);
            Assert.IsType<FileNotFoundException>(summary.Problems.Single(p => p.Target != broken).Error);
        }
        var problems = ReportData.Cards(File.ReadAllText(path)).Select(c => c.GetProperty("pic").Text("problem")).ToList();
        Assert.Equal(2, problems.Count(p => p is not null));
    }

    [Theory]
    [InlineData("https://example.com/a b.jpg", "https://example.com/a%20b.jpg")]
    [InlineData("http://example.com/", "http://example.com/")]
    [InlineData("javascript:alert(1)", null)]
    [InlineData(" JavaScript:alert(1)", null)]
    [InlineData("data:text/html,<b>", null)]
    [InlineData("file:///etc/passwd", null)]
    [InlineData("//example.com/a.jpg", null)]
    [InlineData("relative/a.jpg", null)]
    [InlineData("", null)]
    public void Only_absolute_http_and_https_urls_are_linked(string url, string? expected) => Assert.Equal(expected, HtmlText.SafeHref(url));

    [Fact]
    public void Escape_covers_every_character_that_ends_text_or_an_attribute() =>
        Assert.Equal("&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;\n\tz", HtmlText.Escape("<a href=\"x\" title='y'>&\n\t\u0000z"));
}
