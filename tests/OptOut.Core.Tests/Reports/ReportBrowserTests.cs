using System.Collections.Concurrent;
using System.Globalization;
using OptOut.Core.Reports;
using PuppeteerSharp;
using PuppeteerSharp.Media;

namespace OptOut.Core.Tests.Reports;

/// <summary>
/// The report rendered in headless Chromium: the DOM holds every match and its evidence, nothing from the
/// data runs, no request leaves the page, the review buttons and keys work and their export reads back,
/// the page fits a phone, prints cleanly, and the screenshots the docs show are taken here.
/// </summary>
public sealed class ReportBrowserTests : IAsyncLifetime
{
    private static readonly Lazy<ReportScenario> Shared = new(ReportScenario.Build);
    private readonly string downloads = TestEnvironment.NewScratchFolder();
    private IBrowser? browser;

    public async Task InitializeAsync()
    {
        if (Chromium.Executable is not null) browser = await Chromium.LaunchAsync(downloads);
    }

    public async Task DisposeAsync()
    {
        if (browser is not null) await browser.CloseAsync();
    }

    /// <summary>A page with every console message, page error, dialog and request recorded.</summary>
    private sealed class Watched
    {
        public required IPage Page { get; init; }
        public ConcurrentQueue<string> Errors { get; } = new();
        public ConcurrentQueue<string> Console { get; } = new();
        public ConcurrentQueue<string> Dialogs { get; } = new();
        public ConcurrentQueue<string> Requests { get; } = new();
    }

    private async Task<Watched> OpenAsync(string path, int width = 1280, int height = 900, bool mobile = false)
    {
        var page = await browser!.NewPageAsync();
        var watched = new Watched { Page = page };
        page.Console += (_, e) =>
        {
            watched.Console.Enqueue($"{e.Message.Type}: {e.Message.Text}");
            if (e.Message.Type is ConsoleType.Error or ConsoleType.Warning) watched.Errors.Enqueue(e.Message.Text);
        };
        page.PageError += (_, e) => watched.Errors.Enqueue(e.Message);
        page.Dialog += async (_, e) => { watched.Dialogs.Enqueue(e.Dialog.Message); await e.Dialog.Dismiss(); };
        await page.SetRequestInterceptionAsync(true);
        page.Request += async (_, e) =>
        {
            watched.Requests.Enqueue(e.Request.Url);
            // Only the report and its own thumbnail folder may load; anything else would be a leak.
            if (e.Request.Url.StartsWith("file://", StringComparison.Ordinal) || e.Request.Url.StartsWith("data:", StringComparison.Ordinal)) await e.Request.ContinueAsync();
            else await e.Request.AbortAsync();
        };
        await page.SetViewportAsync(new ViewPortOptions { Width = width, Height = height, IsMobile = mobile, HasTouch = mobile, DeviceScaleFactor = 1 });
        await page.GoToAsync(new Uri(path).AbsoluteUri, WaitUntilNavigation.Load);
        return watched;
    }

    // The page builds cards as they near the screen; printing builds every card of the current view.
    private static Task BuildAllAsync(IPage page) => page.EvaluateExpressionAsync("window.dispatchEvent(new Event('beforeprint'))");

    private static void AssertQuiet(Watched watched, string folder)
    {
        Assert.Empty(watched.Errors);
        Assert.Empty(watched.Dialogs);
        Assert.DoesNotContain(watched.Console, m => m.Contains("XSS", StringComparison.Ordinal));
        var allowed = new Uri(folder + Path.DirectorySeparatorChar).AbsoluteUri;
        // data: thumbnails are part of the page; every other request must be the report or its own folder.
        Assert.All(watched.Requests.Where(url => !url.StartsWith("data:image/jpeg;base64,", StringComparison.Ordinal)), url => Assert.StartsWith(allowed, url));
    }

    private static string Written(ThumbnailStorage storage, out string folder, IEnumerable<ReportMatch>? matches = null)
    {
        var scenario = Shared.Value;
        folder = TestEnvironment.NewScratchFolder();
        var path = Path.Combine(folder, "report.html");
        if (matches is null)
        {
            scenario.Write(path, storage);
        }
        else
        {
            using var writer = new StreamWriter(path);
            new MatchReportWriter(new ThumbnailMaker(storage, storage == ThumbnailStorage.Folder ? Path.Combine(folder, "report_files") : null, Imaging.ImageLimits.Default))
                .Write(writer, scenario.Header with { Claimant = "Jane Doe", Title = "Jane Doe's works in two scraped sets" }, matches.ToList(), [], path);
        }
        return path;
    }

    [ChromiumFact]
    public async Task Every_match_is_shown_per_group_with_its_evidence_and_no_request_leaves_the_page()
    {
        var scenario = Shared.Value;
        var path = Written(ThumbnailStorage.Embedded, out var folder);
        var watched = await OpenAsync(path);
        var page = watched.Page;
        Assert.Equal(ReportData.Cards(File.ReadAllText(path)).Count, scenario.Matches.Count);
        await BuildAllAsync(page);

        var perGroup = await page.EvaluateExpressionAsync<int[]>("Array.from(document.querySelectorAll('section.group')).map(g => g.querySelectorAll('article.m').length)");
        var expected = scenario.Matches.GroupBy(m => m.Query).Select(g => g.Count()).ToArray();
        Assert.Equal(expected, perGroup);
        var shown = await page.EvaluateExpressionAsync<string[]>("Array.from(document.querySelectorAll('.group .shown')).map(s => s.textContent)");
        Assert.Equal(expected.Select(n => n.ToString(CultureInfo.InvariantCulture)), shown);
        var keys = await page.EvaluateExpressionAsync<string[]>("Array.from(document.querySelectorAll('article.m')).map(a => a.dataset.key)");
        Assert.Equal(scenario.Matches.Select(m => m.Key), keys);
        Assert.Equal("1 of 3 works not found in 3 datasets", await page.EvaluateExpressionAsync<string>("document.getElementById('headline').textContent"));
        Assert.Equal(1, await page.EvaluateExpressionAsync<int>("document.querySelectorAll('#not-found li').length"));

        // Evidence: one box on each picture of a verified copy, lying on its picture.
        var regions = scenario.Matches.Where(m => m.Verification is { } v && m.Image is not null)
            .Sum(m => (m.Verification!.QueryRegion.IsEmpty ? 0 : 1) + (m.Verification.CandidateRegion.IsEmpty ? 0 : 1));
        Assert.True(regions >= 10, $"{regions} regions");
        Assert.Equal(regions, await page.EvaluateExpressionAsync<int>("document.querySelectorAll('svg.region rect').length"));
        var misplaced = await page.EvaluateExpressionAsync<int>("""
            Array.from(document.querySelectorAll('svg.region')).filter(svg => {
              const img = svg.parentElement.querySelector('img').getBoundingClientRect(), box = svg.getBoundingClientRect();
              const rect = svg.querySelector('rect').getBoundingClientRect();
              return Math.abs(img.width - box.width) > 1 || Math.abs(img.height - box.height) > 1 || img.width < 20
                || rect.left < img.left - 2 || rect.right > img.right + 2 || rect.top < img.top - 2 || rect.bottom > img.bottom + 2;
            }).length
            """);
        Assert.Equal(0, misplaced);
        var loaded = await page.EvaluateExpressionAsync<int>("Array.from(document.images).filter(i => i.complete && i.naturalWidth > 0).length");
        Assert.True(loaded >= 3, $"{loaded} thumbnails decoded");
        Assert.Contains("mirrored left-right", await page.EvaluateExpressionAsync<string>("document.body.innerText"));
        AssertQuiet(watched, folder);
    }

    [ChromiumFact]
    public async Task Hostile_captions_and_urls_from_a_parquet_never_run_or_link()
    {
        var path = Written(ThumbnailStorage.Embedded, out var folder);
        var watched = await OpenAsync(path);
        var page = watched.Page;
        await BuildAllAsync(page);
        // Hover every link, caption and fact of the hostile rows: an injected handler would fire now.
        var hovered = 0;
        foreach (var element in await page.QuerySelectorAllAsync("article.m[data-dataset='hostile-set'] p.facts > :not(br)"))
        {
            await element.HoverAsync();
            hovered++;
        }
        Assert.True(hovered >= 3 * ReportScenario.HostileRows.Length, $"{hovered} elements hovered");
        await Task.Delay(300);

        // The page's own script runs; the data blocks are data (one a group), nothing from them became an element.
        Assert.Equal(1, await page.EvaluateExpressionAsync<int>("Array.from(document.scripts).filter(s => s.type !== 'application/json').length"));
        Assert.Equal(2, await page.EvaluateExpressionAsync<int>("document.querySelectorAll('script[type=\"application/json\"].group-data').length"));
        Assert.Equal(0, await page.EvaluateExpressionAsync<int>("document.querySelectorAll('main svg:not(.region), main article.m script, main iframe').length"));
        Assert.Equal(0, await page.EvaluateExpressionAsync<int>("document.querySelectorAll('[onerror],[onload],[onmouseover],[onclick]').length"));
        Assert.Equal(0, await page.EvaluateExpressionAsync<int>("Array.from(document.links).filter(a => !/^https?:$/.test(a.protocol)).length"));
        var captions = await page.EvaluateExpressionAsync<string[]>("Array.from(document.querySelectorAll('article.m[data-dataset=\"hostile-set\"] .caption')).map(c => c.textContent)");
        Assert.Equal(ReportScenario.HostileRows.Select(r => r.Caption), captions);
        var urls = await page.EvaluateExpressionAsync<string[]>("Array.from(document.querySelectorAll('article.m[data-dataset=\"hostile-set\"] .facts')).map(f => (f.querySelector('a, .unlinked') || {}).textContent)");
        Assert.Equal(ReportScenario.HostileRows.Select(r => r.Url), urls);
        var text = await page.EvaluateExpressionAsync<string>("document.body.innerText");
        Assert.Contains("<script>console.error('XSS-script')</script>", text);
        Assert.Contains("</script><script>console.error('XSS-json')</script><!--<script>", text);
        AssertQuiet(watched, folder);
    }

    [ChromiumFact]
    public async Task Review_by_buttons_and_keys_exports_decisions_that_read_back()
    {
        var scenario = Shared.Value;
        var path = Written(ThumbnailStorage.Embedded, out var folder);
        var watched = await OpenAsync(path);
        var page = watched.Page;
        await BuildAllAsync(page);

        await page.ClickAsync("#m0 button.mine");
        await page.ClickAsync("#m1 button.not");
        await page.ClickAsync("#m1 button.mine");   // changed mind
        await page.FocusAsync("#m2");
        await page.Keyboard.PressAsync("n");
        await page.Keyboard.PressAsync("j");         // to #m3
        await page.Keyboard.PressAsync("m");
        var hostile = scenario.Matches.FindIndex(m => m.Dataset == ReportScenario.Hostile);
        await page.ClickAsync($"#m{hostile} button.mine");
        Assert.Equal("4 mine, 1 not mine, " + (scenario.Matches.Count - 5) + " not reviewed", await page.EvaluateExpressionAsync<string>("document.getElementById('tally').textContent"));
        Assert.Equal("true", await page.EvaluateExpressionAsync<string>("document.querySelector('#m3 button.mine').getAttribute('aria-pressed')"));

        await page.ClickAsync("#export-json");
        await page.ClickAsync("#export-csv");
        var json = await DownloadedAsync("decisions.json");
        var csv = await DownloadedAsync("decisions.csv");
        foreach (var decisions in new[] { MatchReviewReader.Read(json), MatchReviewReader.Read(csv) })
        {
            Assert.Equal([0L, 1, 2, 3, hostile], decisions.Select(d => d.Id));
            Assert.Equal([true, true, false, true, true], decisions.Select(d => d.IsMine));
            foreach (var d in decisions)
            {
                var m = scenario.Matches[(int)d.Id];
                Assert.Equal(m with { Image = null, Verification = null }, d.Match);
                Assert.Equal((m.Query, m.QuerySha256, m.Dataset, m.Key, m.Url, m.Caption, m.MatchKind, m.Similarity, m.HashDistance, m.Width, m.Height),
                    (d.Match.Query, d.Match.QuerySha256, d.Match.Dataset, d.Match.Key, d.Match.Url, d.Match.Caption, d.Match.MatchKind, d.Match.Similarity, d.Match.HashDistance, d.Match.Width, d.Match.Height));
            }
        }
        AssertQuiet(watched, folder);
    }

    private async Task<string> DownloadedAsync(string name)
    {
        var file = Path.Combine(downloads, name);
        for (var i = 0; i < 100 && !File.Exists(file); i++) await Task.Delay(100);
        Assert.True(File.Exists(file), $"{name} was not downloaded");
        return file;
    }

    /// <summary>600 matches in three groups: cards are built as they near the screen, all of them on the way down, ahead of j, and for a PDF.</summary>
    [ChromiumFact]
    public async Task A_large_report_builds_its_cards_as_they_are_scrolled_to_and_all_of_them_for_print()
    {
        var scenario = Shared.Value;
        var many = Enumerable.Range(0, 600).Select(i => new ReportMatch
        {
            Query = scenario.Works[i / 200], QuerySha256 = $"{i / 200:D2}".PadRight(64, 'a'), Dataset = $"set-{i % 3}", Key = $"k{i:D4}",
            Url = $"https://cdn.example/{i}.jpg", Caption = $"<b>row {i}</b>", MatchKind = i % 2 == 0 ? "Copy" : "Similar", Similarity = 0.5 + i % 50 / 100.0,
        }).ToList();
        var path = Written(ThumbnailStorage.Embedded, out var folder, many);
        const string Built = "document.querySelectorAll('article.m').length";

        var watched = await OpenAsync(path);
        var page = watched.Page;
        var atLoad = await page.EvaluateExpressionAsync<int>(Built);
        Assert.InRange(atLoad, 1, many.Count / 2);
        Assert.Equal($"0 mine, 0 not mine, {many.Count} not reviewed", await page.EvaluateExpressionAsync<string>("document.getElementById('tally').textContent"));
        var built = atLoad;
        for (var i = 0; i < 400 && built < many.Count; i++)
        {
            await page.EvaluateExpressionAsync("window.scrollBy(0, 1500)");
            await Task.Delay(50);
            built = await page.EvaluateExpressionAsync<int>(Built);
        }
        Assert.Equal(many.Count, built);
        Assert.Equal(many.Select(m => m.Key), await page.EvaluateExpressionAsync<string[]>("Array.from(document.querySelectorAll('article.m')).map(a => a.dataset.key)"));
        Assert.Equal(many.Select(m => m.Caption), await page.EvaluateExpressionAsync<string[]>("Array.from(document.querySelectorAll('article.m .caption')).map(c => c.textContent)"));
        AssertQuiet(watched, folder);
        await page.CloseAsync();

        // j from the last card built moves to the next match, building it first; a decision on it is exported.
        watched = await OpenAsync(path);
        page = watched.Page;
        atLoad = await page.EvaluateExpressionAsync<int>(Built);
        await page.FocusAsync($"#m{atLoad - 1}");
        await page.Keyboard.PressAsync("j");
        Assert.Equal($"m{atLoad}", await page.EvaluateExpressionAsync<string>("document.activeElement.id"));
        await page.Keyboard.PressAsync("m");
        await page.Keyboard.PressAsync("k");
        Assert.Equal($"m{atLoad - 1}", await page.EvaluateExpressionAsync<string>("document.activeElement.id"));
        Assert.Equal($"1 mine, 0 not mine, {many.Count - 1} not reviewed", await page.EvaluateExpressionAsync<string>("document.getElementById('tally').textContent"));
        AssertQuiet(watched, folder);
        await page.CloseAsync();

        // Printing to PDF (no event sent by the test) builds every card first.
        watched = await OpenAsync(path);
        page = watched.Page;
        Assert.True(await page.EvaluateExpressionAsync<int>(Built) < many.Count);
        var pdf = await page.PdfDataAsync(new PdfOptions { Format = PaperFormat.A4 });
        Assert.True(pdf.AsSpan(0, 5).SequenceEqual("%PDF-"u8));
        Assert.Equal(many.Count, await page.EvaluateExpressionAsync<int>(Built));
        AssertQuiet(watched, folder);
    }

    [ChromiumFact]
    public async Task Filters_and_sorting_by_dataset_kind_and_score()
    {
        var scenario = Shared.Value;
        var path = Written(ThumbnailStorage.Embedded, out var folder);
        var watched = await OpenAsync(path);
        var page = watched.Page;
        // Filtering builds the cards again; the print path builds all of the current view, which are then counted.
        const string Visible = "(window.dispatchEvent(new Event('beforeprint')), document.querySelectorAll('article.m').length)";

        await page.SelectAsync("#f-dataset", ReportScenario.Tarred);
        Assert.Equal(scenario.Matches.Count(m => m.Dataset == ReportScenario.Tarred), await page.EvaluateExpressionAsync<int>(Visible));
        await page.SelectAsync("#f-dataset", "");
        await page.SelectAsync("#f-kind", "Similar");
        Assert.Equal(1, await page.EvaluateExpressionAsync<int>(Visible));
        await page.SelectAsync("#f-kind", "");
        await page.TypeAsync("#f-score", "0.9");
        Assert.Equal(scenario.Matches.Count(m => m.Similarity >= 0.9), await page.EvaluateExpressionAsync<int>(Visible));
        await page.ClickAsync("#f-score", new PuppeteerSharp.Input.ClickOptions { Count = 3 });
        await page.Keyboard.PressAsync("Backspace");
        await page.SelectAsync("#f-sort", "score-asc");
        await BuildAllAsync(page);
        var scores = await page.EvaluateExpressionAsync<string[]>("Array.from(document.querySelectorAll('section.group')[0].querySelectorAll('article.m')).map(a => a.dataset.i)");
        var group = scenario.Matches.Select((m, i) => (m, i)).Where(x => x.m.Query == scenario.Matches[0].Query)
            .OrderBy(x => x.m.Similarity ?? double.NegativeInfinity).ThenBy(x => x.i).Select(x => x.i.ToString(CultureInfo.InvariantCulture));
        Assert.Equal(group, scores);
        var first = await page.EvaluateExpressionAsync<string>("document.querySelectorAll('section.group')[1].querySelector('article.m').dataset.kind");
        Assert.Equal("Similar", first);
        Assert.Equal(scenario.Matches.Count, await page.EvaluateExpressionAsync<int>(Visible));
        AssertQuiet(watched, folder);
    }

    [ChromiumFact]
    public async Task Thumbnails_from_the_folder_load_from_the_report_s_own_folder_only()
    {
        var path = Written(ThumbnailStorage.Folder, out var folder);
        var watched = await OpenAsync(path);
        await Task.Delay(500);
        var loaded = await watched.Page.EvaluateExpressionAsync<int>("Array.from(document.images).filter(i => i.complete && i.naturalWidth > 0).length");
        Assert.True(loaded >= 3, $"{loaded} thumbnails loaded from the folder: " + string.Join(" | ", watched.Errors));
        Assert.Contains(watched.Requests, url => url.Contains("/report_files/t0", StringComparison.Ordinal));
        AssertQuiet(watched, folder);
    }

    [ChromiumFact]
    public async Task The_page_fits_a_phone_and_prints_without_its_controls()
    {
        var path = Written(ThumbnailStorage.Embedded, out var folder);
        var watched = await OpenAsync(path, 390, 844, mobile: true);
        var page = watched.Page;
        Assert.True(await page.EvaluateExpressionAsync<int>("document.documentElement.scrollWidth") <= 390, "wider than the phone");

        await page.EmulateMediaTypeAsync(MediaType.Print);
        Assert.Equal("none", await page.EvaluateExpressionAsync<string>("getComputedStyle(document.querySelector('.toolbar')).display"));
        var text = await page.EvaluateExpressionAsync<string>("document.body.innerText");
        Assert.Contains("Jane <Doe>", text);
        Assert.Contains("/tmp/index.db", text);
        Assert.Contains("ResNet18@test", text);
        var pdf = await page.PdfDataAsync(new PdfOptions { Format = PaperFormat.A4, PrintBackground = true });
        Assert.True(pdf.Length > 10_000 && pdf.AsSpan(0, 5).SequenceEqual("%PDF-"u8), $"{pdf.Length} bytes");
        // Printing built every card first (beforeprint).
        Assert.Equal(Shared.Value.Matches.Count, await page.EvaluateExpressionAsync<int>("document.querySelectorAll('article.m').length"));
        AssertQuiet(watched, folder);
    }

    /// <summary>The screenshots docs/report.md and the README show: the verified copies of two works, at desktop and phone width.</summary>
    [ChromiumFact]
    public async Task Screenshots_for_the_docs()
    {
        var scenario = Shared.Value;
        var path = Written(ThumbnailStorage.Embedded, out var folder, scenario.Matches.Where(m => m.Dataset != ReportScenario.Hostile));
        var images = Path.Combine(TestEnvironment.RepositoryRoot, "docs", "images");
        Directory.CreateDirectory(images);
        foreach (var (name, width, height, mobile) in new[] { ("report-desktop.png", 1280, 1100, false), ("report-phone.png", 390, 1400, true) })
        {
            var watched = await OpenAsync(path, width, height, mobile);
            await watched.Page.ClickAsync("#m0 button.mine");
            // Cards are built as they near the screen: on a narrow one the second work's may not be yet.
            for (var i = 0; i < 50 && !await watched.Page.EvaluateExpressionAsync<bool>("!!document.querySelector('#m4 button.not')"); i++)
            {
                await watched.Page.EvaluateExpressionAsync("window.scrollBy(0, window.innerHeight)");
                await Task.Delay(100);
            }
            await watched.Page.ClickAsync("#m4 button.not");
            // (WaitForFunctionAsync compiles its function in the page, which the report's CSP forbids.)
            for (var i = 0; i < 50 && !await watched.Page.EvaluateExpressionAsync<bool>("Array.from(document.images).every(i => i.complete)"); i++) await Task.Delay(100);
            await watched.Page.EvaluateExpressionAsync("window.scrollTo(0, 0)");
            var file = Path.Combine(images, name);
            await watched.Page.ScreenshotAsync(file, new ScreenshotOptions { FullPage = false });
            Assert.True(new FileInfo(file).Length > 20_000);
            AssertQuiet(watched, folder);
            await watched.Page.CloseAsync();
        }
    }
}
