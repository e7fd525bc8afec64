// Writes a match report of N matches (real JPEG files as the training set's images, a fifth of them with
// verification evidence) with thumbnails embedded and in a folder, and a baseline: a plain HTML table of
// the same rows without thumbnails or script. Each is written and then opened in headless Chromium
// (Debian's chromium) R times; the medians of the writer's time, DOMContentLoaded, the first screen
// painted, load and every card built are printed, with the first screen's ratio to the baseline's.
using System.Diagnostics;
using System.Globalization;
using System.Text;
using OptOut.Core.Datasets;
using OptOut.Core.Imaging;
using OptOut.Core.Matching;
using OptOut.Core.Reports;
using PuppeteerSharp;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

var matchCount = Arg("--matches", 10_000);
var repetitions = Arg("--repetitions", 3);
var perWork = Arg("--per-work", 100);
// --reuse: open the pages a previous run wrote (writer times are not measured again).
var reuse = args.Contains("--reuse");
var chromium = Environment.GetEnvironmentVariable("OPTOUT_CHROMIUM") ?? "/usr/bin/chromium";
var root = Path.Combine(Path.GetTempPath(), "optout-report-bench");
var images = Path.Combine(root, $"images-{matchCount}");
Directory.CreateDirectory(images);

var works = matchCount / perWork;
var watch = Stopwatch.StartNew();
Parallel.For(0, matchCount + works, i => MakeImage(Path.Combine(images, $"{i:D6}.jpg"), i));
Console.WriteLine($"inputs: {matchCount:N0} training-set JPEGs (400x300) and {works} works ready in {watch.Elapsed.TotalSeconds:F1} s ({Environment.ProcessorCount} cores)");

var matches = new List<ReportMatch>(matchCount);
for (var i = 0; i < matchCount; i++)
{
    var work = Path.Combine(images, $"{matchCount + i / perWork:D6}.jpg");
    Verification? v = i % 5 == 0
        ? new Verification
        {
            IsVerified = true, Method = VerificationMethod.Geometric, Reason = NotVerifiedReason.None, Detail = "bench", Matches = 120, Inliers = 96,
            Scale = 1, RotationDegrees = 3, Ncc = 0.93, TrimmedNcc = 0.97, Overlap = 0.8,
            QueryRegion = new ImageRegion(20, 10, 300, 250), CandidateRegion = new ImageRegion(40, 20, 300, 250),
        }
        : null;
    matches.Add(new ReportMatch
    {
        Query = work, QuerySha256 = "ab".PadRight(64, '0'), Dataset = $"set-{i % 3}", Key = $"{i:D9}", Url = $"https://cdn{i % 7}.example/img/{i}.jpg",
        Caption = $"a picture <number {i}> & \"quotes\" from a crawl", Width = 400, Height = 300, MatchKind = v is null ? (i % 2 == 0 ? "Similar" : "Copy") : "Copy",
        Similarity = 0.8 + i % 100 / 500.0, HashDistance = i % 30, Image = new ImageLocation(Path.Combine(images, $"{i:D6}.jpg")), Verification = v,
    });
}
var header = new ReportHeader { Claimant = "Bench", IndexPath = "/bench/index.db", Models = ["ResNet18"], Works = [] };

var launch = new LaunchOptions { ExecutablePath = chromium, Headless = true, Args = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"], Timeout = 120_000, ProtocolTimeout = 600_000 };
await using var browser = await Puppeteer.LaunchAsync(launch);

// "Rendered" is the first screen of cards painted: the Element Timing API's renderTime of the first
// card's text (the baseline's first row), and never before DOMContentLoaded. The second figure is every
// card built: the report's script builds them all for printing (beforeprint), timed to the next frame.
const string FirstPaint = """
    new Promise(done => {
      new PerformanceObserver(list => { const e = list.getEntries().find(x => x.identifier === 'first-card'); if (e) done(e.renderTime || e.loadTime); })
        .observe({ type: 'element', buffered: true });
      setTimeout(() => done(-1), 10000);
    })
    """;
const string BuildAll = """
    (async () => {
      const start = performance.now();
      window.dispatchEvent(new Event('beforeprint'));
      await new Promise(done => requestAnimationFrame(() => setTimeout(done, 0)));
      return [performance.now() - start, document.querySelectorAll('article.m, tr.row').length];
    })()
    """;

var variants = new[] { "baseline table", "report, thumbnails in folder", "report, thumbnails embedded" };
var written = new Dictionary<string, (string Path, double Write, long HtmlBytes, long Bytes)>();
foreach (var variant in variants)
{
    // Written once (the thumbnails of 10,000 pictures take minutes on two cores), opened R times.
    var folder = Path.Combine(root, $"run-{matchCount}-{variant.Replace(' ', '-').Replace(",", "")}");
    var path = Path.Combine(folder, "report.html");
    var write = double.NaN;
    if (!(reuse && File.Exists(path)))
    {
        if (Directory.Exists(folder)) Directory.Delete(folder, true);
        Directory.CreateDirectory(folder);
        watch.Restart();
        if (variant.StartsWith("baseline", StringComparison.Ordinal))
        {
            WriteBaseline(path, matches);
        }
        else
        {
            var storage = variant.EndsWith("folder", StringComparison.Ordinal) ? ThumbnailStorage.Folder : ThumbnailStorage.Embedded;
            using var writer = new StreamWriter(path, false, new UTF8Encoding(false), 1 << 16);
            new MatchReportWriter(new ThumbnailMaker(storage, storage == ThumbnailStorage.Folder ? Path.Combine(folder, "report_files") : null, ImageLimits.Default))
                .Write(writer, header, matches, [], path);
        }
        write = watch.Elapsed.TotalMilliseconds;
    }
    var htmlBytes = new FileInfo(path).Length;
    var thumbnails = Path.Combine(folder, "report_files");
    written[variant] = (path, write, htmlBytes, htmlBytes + (Directory.Exists(thumbnails) ? new DirectoryInfo(thumbnails).EnumerateFiles().Sum(f => f.Length) : 0));
    Console.WriteLine($"{variant}: written in {F(write)} ms");
}

// One unmeasured open first (a fresh browser's first paint waits for its compositor to start), then the
// pages in turn, round after round, so each round's pages share the machine's load of the moment.
await Open(written[variants[0]].Path, variants[0]);
var figures = variants.ToDictionary(v => v, _ => (Dcl: new List<double>(), First: new List<double>(), Load: new List<double>(), All: new List<double>(), Built: new List<double>()));
for (var r = 0; r < repetitions; r++)
{
    foreach (var variant in variants)
    {
        var (dcl, first, load, all, built) = await Open(written[variant].Path, variant);
        var f = figures[variant];
        f.Dcl.Add(dcl); f.First.Add(first); f.Load.Add(load); f.All.Add(all); f.Built.Add(built);
    }
}
var rows = new List<Row>();
foreach (var variant in variants)
{
    var f = figures[variant];
    var w = written[variant];
    rows.Add(new Row(variant, w.Write, Median(f.Dcl), Median(f.First), Median(f.Load), Median(f.All), (int)Median(f.Built), w.Bytes, w.HtmlBytes));
    Console.WriteLine($"{variant}: DOMContentLoaded {string.Join(" / ", f.Dcl.Select(F))} ms; first screen painted {string.Join(" / ", f.First.Select(F))} ms; load {string.Join(" / ", f.Load.Select(F))} ms; every card built {string.Join(" / ", f.All.Select(F))} ms");
}

var table = new StringBuilder();
table.AppendLine(CultureInfo.InvariantCulture, $"{matchCount:N0} matches ({works} works x {perWork}); each page written once, opened {repetitions} times in turn, medians; Chromium {chromium}; {Environment.ProcessorCount} cores; load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]} at the end").AppendLine();
table.AppendLine("| Page | Writer (ms) | DOMContentLoaded (ms) | first screen painted (ms) | load (ms) | every card built (ms) | cards built at load | HTML (MB) | with thumbnails (MB) | first screen vs baseline |");
table.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
var baseline = rows[0].First;
foreach (var row in rows)
{
    table.AppendLine(CultureInfo.InvariantCulture, $"| {row.Name} | {F(row.Write)} | {F(row.Dcl)} | {F(row.First)} | {F(row.Load)} | {F(row.All)} | {row.BuiltAtLoad:N0} | {row.HtmlBytes / 1e6:F1} | {row.Bytes / 1e6:F1} | {row.First / baseline:F2}x |");
}
Console.WriteLine();
Console.Write(table);
// --markdown FILE: the table is also written there (bench/Report.Bench.ps1 puts it into docs/report.md).
if (Array.IndexOf(args, "--markdown") is var at and >= 0 && at + 1 < args.Length) File.WriteAllText(args[at + 1], table.ToString());

async Task<(double Dcl, double First, double Load, double All, int BuiltAtLoad)> Open(string path, string variant)
{
    var page = await browser.NewPageAsync();
    await page.SetViewportAsync(new ViewPortOptions { Width = 1280, Height = 900 });
    await page.GoToAsync(new Uri(path).AbsoluteUri, new NavigationOptions { WaitUntil = [WaitUntilNavigation.Load], Timeout = 600_000 });
    var timing = await page.EvaluateExpressionAsync<double[]>("(() => { const n = performance.getEntriesByType('navigation')[0]; return [n.domContentLoadedEventEnd, n.loadEventEnd]; })()");
    var painted = await page.EvaluateExpressionAsync<double>(FirstPaint);
    if (painted < 0) throw new InvalidOperationException($"{variant}: the first card's paint was not reported");
    var builtAtLoad = await page.EvaluateExpressionAsync<int>("document.querySelectorAll('article.m, tr.row').length");
    var built = await page.EvaluateExpressionAsync<double[]>(BuildAll);
    if ((int)built[1] != matches.Count) throw new InvalidOperationException($"{variant}: {built[1]} cards in the page after building all, expected {matches.Count}");
    await page.CloseAsync();
    // The baseline's rows are all built by the parser: its "every card" is its load.
    var all = variant.StartsWith("baseline", StringComparison.Ordinal) ? timing[1] : timing[1] + built[0];
    return (timing[0], Math.Max(timing[0], painted), timing[1], all, builtAtLoad);
}

static string F(double ms) => ms.ToString("F0", CultureInfo.InvariantCulture);

static double Median(List<double> values)
{
    var sorted = values.Order().ToList();
    return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
}

int Arg(string name, int fallback)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
}

static void MakeImage(string path, int seed)
{
    if (File.Exists(path)) return;
    var random = new Random(seed);
    using var image = new Image<Rgb24>(400, 300, new Rgb24((byte)random.Next(256), (byte)random.Next(256), (byte)random.Next(256)));
    for (var k = 0; k < 6; k++)
    {
        var colour = new Rgb24((byte)random.Next(256), (byte)random.Next(256), (byte)random.Next(256));
        int left = random.Next(350), top = random.Next(250), width = 20 + random.Next(150), height = 20 + random.Next(120);
        for (var y = top; y < Math.Min(300, top + height); y++)
        {
            for (var x = left; x < Math.Min(400, left + width); x++) image[x, y] = colour;
        }
    }
    image.SaveAsJpeg(path + ".tmp");
    File.Move(path + ".tmp", path, true);
}

// The baseline: the same rows as a plain table, escaped, with no thumbnails, evidence or script.
static void WriteBaseline(string path, List<ReportMatch> matches)
{
    using var o = new StreamWriter(path, false, new UTF8Encoding(false), 1 << 16);
    o.Write("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>baseline</title></head><body><table><tr><th>Query</th><th>Dataset</th><th>Key</th><th>URL</th><th>Caption</th><th>Kind</th><th>Similarity</th><th>Distance</th></tr>\n");
    var firstRow = true;
    foreach (var m in matches)
    {
        o.Write($"<tr class=\"row\"><td{(firstRow ? " elementtiming=\"first-card\"" : "")}>{HtmlText.Escape(m.Query)}</td><td>{HtmlText.Escape(m.Dataset)}</td><td>{HtmlText.Escape(m.Key)}</td><td>{HtmlText.Escape(m.Url)}</td><td>{HtmlText.Escape(m.Caption)}</td><td>{m.MatchKind}</td><td>{m.Similarity}</td><td>{m.HashDistance}</td></tr>\n");
        firstRow = false;
    }
    o.Write("</table></body></html>\n");
}

internal sealed record Row(string Name, double Write, double Dcl, double First, double Load, double All, int BuiltAtLoad, long Bytes, long HtmlBytes);
