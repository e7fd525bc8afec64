// Writes a match report of N matches (real JPEG files as the training set's images, a fifth of them with
// verification evidence) with thumbnails embedded and in a folder, and a baseline: a plain HTML table of
// the same rows without thumbnails or script. Each is written and then opened in headless Chromium
// (Debian's chromium) R times; the medians of the writer's time, DOMContentLoaded and load are printed.
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

var rows = new List<(string Name, double Write, double Dcl, double Load, double Nav, long Bytes, long HtmlBytes)>();
foreach (var variant in new[] { "baseline table", "report, thumbnails in folder", "report, thumbnails embedded" })
{
    var write = new List<double>(); var dcl = new List<double>(); var load = new List<double>(); var nav = new List<double>();
    long bytes = 0, htmlBytes = 0;
    for (var r = 0; r < repetitions; r++)
    {
        // Written once (the thumbnails of 10,000 pictures take minutes on two cores), opened R times.
        var folder = Path.Combine(root, $"run-{variant.Replace(' ', '-').Replace(",", "")}");
        var path = Path.Combine(folder, "report.html");
        if (r == 0 && !(reuse && File.Exists(path)))
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
        write.Add(watch.Elapsed.TotalMilliseconds);
        bytes = new FileInfo(path).Length + (Directory.Exists(Path.Combine(folder, "report_files")) ? new DirectoryInfo(Path.Combine(folder, "report_files")).EnumerateFiles().Sum(f => f.Length) : 0);
        }
        htmlBytes = new FileInfo(path).Length;
        if (bytes == 0) bytes = htmlBytes + (Directory.Exists(Path.Combine(folder, "report_files")) ? new DirectoryInfo(Path.Combine(folder, "report_files")).EnumerateFiles().Sum(f => f.Length) : 0);
        var page = await browser.NewPageAsync();
        await page.SetViewportAsync(new ViewPortOptions { Width = 1280, Height = 900 });
        watch.Restart();
        await page.GoToAsync(new Uri(path).AbsoluteUri, new NavigationOptions { WaitUntil = [WaitUntilNavigation.Load], Timeout = 600_000 });
        nav.Add(watch.Elapsed.TotalMilliseconds);
        var timing = await page.EvaluateExpressionAsync<double[]>("(() => { const n = performance.getEntriesByType('navigation')[0]; return [n.domContentLoadedEventEnd, n.loadEventEnd]; })()");
        var cards = await page.EvaluateExpressionAsync<int>("document.querySelectorAll('article.m, tr.row').length");
        if (cards != matches.Count) throw new InvalidOperationException($"{variant}: {cards} rows in the page, expected {matches.Count}");
        dcl.Add(timing[0]);
        load.Add(timing[1]);
        await page.CloseAsync();
    }
    if (write.Count == 0) write.Add(double.NaN);
    rows.Add((variant, Median(write), Median(dcl), Median(load), Median(nav), bytes, htmlBytes));
    Console.WriteLine($"{variant}: write {string.Join(" / ", write.Select(F))} ms; DOMContentLoaded {string.Join(" / ", dcl.Select(F))} ms; load {string.Join(" / ", load.Select(F))} ms");
}

Console.WriteLine();
Console.WriteLine($"{matchCount:N0} matches ({works} works x {perWork}); each page written once, opened {repetitions} times, medians; Chromium {chromium}; {Environment.ProcessorCount} cores; load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]}");
Console.WriteLine("| Page | Writer (ms) | DOMContentLoaded (ms) | load (ms) | navigation wall (ms) | HTML (MB) | with thumbnails (MB) | load vs baseline |");
Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|");
var baseline = rows[0].Load;
foreach (var row in rows)
{
    Console.WriteLine($"| {row.Name} | {F(row.Write)} | {F(row.Dcl)} | {F(row.Load)} | {F(row.Nav)} | {row.HtmlBytes / 1e6:F1} | {row.Bytes / 1e6:F1} | {row.Load / baseline:F2}x |");
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
    foreach (var m in matches)
    {
        o.Write($"<tr class=\"row\"><td>{HtmlText.Escape(m.Query)}</td><td>{HtmlText.Escape(m.Dataset)}</td><td>{HtmlText.Escape(m.Key)}</td><td>{HtmlText.Escape(m.Url)}</td><td>{HtmlText.Escape(m.Caption)}</td><td>{m.MatchKind}</td><td>{m.Similarity}</td><td>{m.HashDistance}</td></tr>\n");
    }
    o.Write("</table></body></html>\n");
}
