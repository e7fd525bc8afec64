using System.Diagnostics;
using System.Globalization;
using OptOut.Core.Embedding;
using OptOut.Core.Fingerprinting;
using OptOut.Core.Imaging;
using OptOut.Core.Index;
using OptOut.Core.Matching;
using OptOut.Samples;
using SixLabors.ImageSharp;

// VerifiedSearch --models <dir> --source <dir> [--work out/verified-search] [--sizes 1000,3000] [--features-up-to 3000] [--queries 20]
// Writes an img2dataset tar training set (TarDataset: the drawings of --source, then altered variants of
// them, 500 samples a shard) and imports its first N rows for each N of --sizes into an index of its own,
// with stored local features (Import-TrainingSet -LocalFeatures) up to --features-up-to rows; all of it
// kept under --work and reused by later runs. Then searches altered copies of --queries drawings (every
// alteration in turn) against each index, each query every way in turn in the same run: the
// threshold-only search (fingerprint + CopyRule on the index's candidates: what Find-TrainedImage did
// before issue 13, the baseline), CopyMatcher extracting each candidate's features from its tar member,
// and CopyMatcher with the features stored at import. Prints medians and p90 per query, the ratios to the
// baseline, where the matcher's time goes, and writes each way's answers (row and kind per query) to
// --work/kinds-<rows>-<way>.txt so that two builds' answers can be compared.
var options = Args.Parse(args);
if (options is null)
{
    Console.Error.WriteLine("usage: VerifiedSearch --models <dir> --source <dir> [--work out/verified-search] [--sizes 1000,3000] [--features-up-to 3000] [--queries 20] [--ways extracted,stored,stored-always-search,stored-top20,stored-plain|none] [--turns 2,3,6,8] [--turn-queries 40]");
    return 2;
}
var culture = CultureInfo.InvariantCulture;
Directory.CreateDirectory(options.Work);
var shards = Path.Combine(options.Work, "tars");
var queries = Path.Combine(options.Work, "queries");

// Distinct drawings (links to another file left out), sorted so every run writes the same rows.
var drawings = Directory.EnumerateFiles(options.Source, "*.png", SearchOption.AllDirectories)
    .Where(f => new FileInfo(f).LinkTarget is null).Order(StringComparer.Ordinal).ToList();
int largest = options.Sizes.Max();
var clock = Stopwatch.StartNew();
TarDataset.Write(shards, drawings, largest);
Console.WriteLine(string.Create(culture, $"dataset: {largest:N0} rows in {TarDataset.Shards(shards, largest).Count} tar shards from {drawings.Count:N0} drawings ({clock.Elapsed.TotalSeconds:F0} s, 0 when kept from an earlier run)"));

using var model = new EmbeddingModel(EmbeddingModelSpec.Default(options.Models), intraOpThreads: Environment.ProcessorCount);
var fingerprinter = new Fingerprinter(model, ImageLimits.Default);

// Queries: altered copies of drawings at least 200 px on the short side among the first rows of the smallest index.
var queryFiles = new List<(string Path, string OriginalUrl, Alteration Alteration)>();
Directory.CreateDirectory(queries);
for (int row = 0; row < Math.Min(options.Sizes.Min(), drawings.Count) && queryFiles.Count < options.Queries; row++)
{
    var info = Image.Identify(drawings[row]);
    if (Math.Min(info.Width, info.Height) < 200) continue;
    var alteration = Alterations.All[queryFiles.Count % Alterations.All.Count];
    var path = Path.Combine(queries, $"{queryFiles.Count:000}-{alteration}.png");
    if (!File.Exists(path))
    {
        using var flat = TarDataset.Flatten(drawings[row]);
        using var copy = Alterations.Apply(flat, alteration);
        copy.SaveAsPng(path);
    }
    queryFiles.Add((path, TarDataset.Url(row, drawings[row]), alteration));
}

Console.WriteLine(string.Create(culture, $"machine: {Environment.ProcessorCount} cores; load average at the start {LoadAverage()}"));
Console.WriteLine(string.Create(culture, $"queries: {queryFiles.Count} altered copies (every alteration in turn), one query at a time, each way in turn"));
foreach (var rows in options.Sizes.Order())
{
    bool withFeatures = rows <= options.FeaturesUpTo;
    using var store = OpenIndex(rows, withFeatures);
    if (options.Ways.Count > 0) Search(store, rows, withFeatures);
}
if (options.Turns.Count > 0)
{
    TurnCheck.Run(Path.Combine(options.Work, $"index-{options.Sizes.Min()}{(options.Sizes.Min() <= options.FeaturesUpTo ? "-features" : "")}.db"), options.Work, model, fingerprinter, drawings, options.Turns, options.TurnQueries);
}
Console.WriteLine(string.Create(culture, $"load average at the end {LoadAverage()}"));
return 0;

IndexStore OpenIndex(int rows, bool withFeatures)
{
    var name = Path.Combine(options.Work, $"index-{rows}{(withFeatures ? "-features" : "")}.db");
    var done = name + ".done";
    if (File.Exists(done))
    {
        Console.WriteLine($"index of {rows:N0} rows kept from an earlier run: {File.ReadAllText(done).Trim()}");
        return IndexStore.Open(name);
    }
    foreach (var old in Directory.EnumerateFiles(options.Work, Path.GetFileName(name) + "*")) File.Delete(old);
    // The shards of a smaller index built the same way are its first ones: start from a copy of it and import the rest.
    var smaller = options.Sizes.Where(s => s < rows && (s <= options.FeaturesUpTo) == withFeatures)
        .Select(s => Path.Combine(options.Work, $"index-{s}{(withFeatures ? "-features" : "")}.db")).LastOrDefault(s => File.Exists(s + ".done"));
    if (smaller is not null)
    {
        foreach (var file in Directory.EnumerateFiles(options.Work, Path.GetFileName(smaller) + "*").Where(f => !f.EndsWith(".done", StringComparison.Ordinal)))
        {
            File.Copy(file, name + Path.GetFileName(file)[Path.GetFileName(smaller).Length..]);
        }
    }
    var store = IndexStore.Open(name);
    var started = Stopwatch.StartNew();
    var importer = new TrainingSetImporter(store, fingerprinter, model.ModelId, _ => { })
    {
        LocalFeatureExtraction = withFeatures ? StoredFeatureExtraction.For(VerifierOptions.Default) : null,
    };
    var summary = importer.Import("clipart", TarDataset.Shards(shards, rows), CancellationToken.None);
    var elapsed = started.Elapsed.TotalSeconds;
    long bytes = Directory.EnumerateFiles(options.Work, Path.GetFileName(name) + "*").Sum(f => new FileInfo(f).Length);
    var line = string.Create(culture, $"{(smaller is null ? "" : $"started from a copy of {Path.GetFileName(smaller)}; ")}{summary.Rows:N0} rows imported ({summary.Fingerprinted:N0} fingerprinted, {summary.Errors} errors), {(withFeatures ? "with" : "without")} stored features, imported in {elapsed:F0} s ({summary.Rows / elapsed:F2} rows/s, load average {LoadAverage()}), index files {bytes:N0} bytes");
    File.WriteAllText(done, line);
    Console.WriteLine($"index of {rows:N0} rows built: {line}");
    return store;
}

void Search(IndexStore store, int rows, bool withFeatures)
{
    var ways = new List<Way> { new("threshold-only search (fingerprint + CopyRule), the baseline", "threshold", null) };
    var extractStats = new MatcherStatistics();
    var storedStats = new MatcherStatistics();
    using var extracting = new CopyMatcher(store) { UseStoredFeatures = false, Statistics = extractStats };
    var alwaysStats = new MatcherStatistics();
    using var storedMatcher = withFeatures ? new CopyMatcher(store) { Statistics = storedStats } : null;
    using var alwaysSearching = withFeatures ? new CopyMatcher(store) { Statistics = alwaysStats, PixelSearchBelowKeypoints = 0 } : null;
    // The plain query's top 20 verified in full, as before the fourteenth calibration round screened its ranks 4-20, for its cost beside the default's.
    var fullTopStats = new MatcherStatistics();
    using var fullTop = withFeatures ? new CopyMatcher(store) { Statistics = fullTopStats, CandidateDepth = 20 } : null;
    if (options.Ways.Contains("extracted")) ways.Add(new("CopyMatcher, candidates' features extracted from their tar members (a)", "extracted", extracting));
    if (storedMatcher is not null && options.Ways.Contains("stored")) ways.Add(new("CopyMatcher (the default: the query and its views turned -4 and 4 degrees), candidates' features stored at import (b)", "stored", storedMatcher));
    if (alwaysSearching is not null && options.Ways.Contains("stored-always-search")) ways.Add(new("CopyMatcher as (b), the pixel search not gated by keypoints (c)", "stored-always-search", alwaysSearching));
    if (fullTop is not null && options.Ways.Contains("stored-top20")) ways.Add(new("CopyMatcher as (b), the plain query's top 20 by cosine verified in full, not its top 3 (d)", "stored-top20", fullTop));
    // The plain query alone, without the default's rotated views: what the views cost.
    var viewsStats = new MatcherStatistics();
    using var viewsMatcher = withFeatures ? new CopyMatcher(store) { Statistics = viewsStats, ViewAngles = [] } : null;
    if (viewsMatcher is not null && options.Ways.Contains("stored-plain")) ways.Add(new("CopyMatcher as (b), the plain query alone, no rotated views (e)", "stored-plain", viewsMatcher));

    var hashes = PerceptualHashIndex.Load(store);
    using var vectors = VectorIndex.Open(store);
    var rule = CopyRule.For(model.ModelId);
    // One warm-up query each way first: JIT, the vector index, OpenCV's first load.
    for (int pass = -1; pass < queryFiles.Count; pass++)
    {
        if (pass == 0) { extractStats.Clear(); storedStats.Clear(); alwaysStats.Clear(); fullTopStats.Clear(); viewsStats.Clear(); }
        var (path, original, _) = queryFiles[Math.Max(pass, 0)];
        foreach (var way in ways)
        {
            var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
            var started = Stopwatch.StartNew();
            List<(long Id, string? Url, string Kind)> answer;
            if (way.Matcher is null)
            {
                var print = fingerprinter.Fingerprint(path);
                var ids = hashes.Search(print.PerceptualHash, rule.SearchRadius).Select(h => h.Id)
                    .Concat(vectors.SearchAbove(print.Embedding, rule.SearchFloor).Select(v => v.Id)).Distinct().ToList();
                var embeddings = store.GetEmbeddings(ids);
                answer = store.GetRows(ids).Where(r => rule.IsCopy(r.PerceptualHash is { } h ? PerceptualHash.Distance(h, print.PerceptualHash) : null,
                    embeddings.TryGetValue(r.Id, out var e) ? HalfVectors.Dot(e, print.Embedding) : null))
                    .Select(r => (r.Id, r.Url, "Copy")).ToList();
            }
            else
            {
                answer = FindWith(way.Matcher, path)
                    .Select(m => (m.Row.Id, m.Row.Url, m.Kind.ToString())).ToList();
            }
            started.Stop();
            if (pass < 0) continue;
            way.Ms.Add(started.Elapsed.TotalMilliseconds);
            way.CpuMs.Add((Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalMilliseconds);
            way.Names.Add(Path.GetFileName(path));
            var copies = answer.Where(a => a.Kind is "Copy" or "Exact").ToList();
            way.Found += copies.Any(a => a.Url == original) ? 1 : 0;
            way.Others += copies.Count(a => a.Url != original);
            way.Answers.Add($"{Path.GetFileName(path)}: " + string.Join(", ", answer.OrderBy(a => a.Id).Select(a => $"{a.Id}={a.Kind}")));
        }
    }

    Console.WriteLine();
    Console.WriteLine(string.Create(culture, $"### {vectors.Count:N0} rows ({vectors.Kind} vector search), load average {LoadAverage()}"));
    Console.WriteLine();
    Console.WriteLine("| what | median ms | p90 ms | ratio to the baseline (medians) | CPU ms a query (median, all threads) | originals found | other rows called copies |");
    Console.WriteLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
    double baseline = Percentile(ways[0].Ms, 0.5);
    foreach (var way in ways)
    {
        Console.WriteLine(string.Create(culture, $"| query, {way.Label} | {Percentile(way.Ms, 0.5):F1} | {Percentile(way.Ms, 0.9):F1} | {Percentile(way.Ms, 0.5) / baseline:F2} | {Percentile(way.CpuMs, 0.5):F0} | {way.Found}/{queryFiles.Count} | {way.Others} |"));
        File.WriteAllLines(Path.Combine(options.Work, $"kinds-{rows}-{way.Key}.txt"), way.Answers);
        File.WriteAllLines(Path.Combine(options.Work, $"times-{rows}-{way.Key}.txt"), way.Names.Zip(way.Ms, (n, ms) => string.Create(culture, $"{n}\t{ms:F1}")));
    }
    foreach (var (label, stats) in new[] { ("(a)", extractStats), ("(b)", storedStats), ("(c)", alwaysStats), ("(d)", fullTopStats), ("(e)", viewsStats) })
    {
        if (stats.Queries == 0) continue;
        Console.WriteLine(string.Create(culture, $"matcher {label}, per query (means): {stats.Candidates / (double)stats.Queries:F1} candidates verified ({stats.StoredFeaturesUsed / (double)stats.Queries:F1} with stored features, {stats.Decoded / (double)stats.Queries:F1} decoded), {stats.SearchRuns / (double)stats.Queries:F1} reached the pixel search; {stats.PlainQueries} of {stats.Queries} queries too plain to screen by; {stats.Screened / (double)stats.Queries:F1} rows of the deeper ranks screened by stored keypoints ({stats.ScreenedIn / (double)stats.Queries:F2} let through, {stats.ScreenMs / Math.Max(1, stats.Screened):F2} ms a screened row, {stats.ScreenMs / stats.Queries:F1} ms a query summed over threads); candidate finding {stats.CandidateMs / stats.Queries:F1} ms, query picture prepared {stats.QueryPrepareMs / stats.Queries:F1} ms, verification wall {stats.VerifyWallMs / stats.Queries:F1} ms; per candidate (summed over threads) decode {stats.DecodeMs / Math.Max(1, stats.Candidates):F1} ms, prepare {stats.PrepareMs / Math.Max(1, stats.Candidates):F1} ms, verify {stats.VerifyMs / Math.Max(1, stats.Candidates):F1} ms of which pixel search {stats.SearchMs / Math.Max(1, stats.Candidates):F1} ms ({stats.SearchMs / Math.Max(1e-9, stats.VerifyMs):P0} of verify time)"));
        var t = stats.Stages;
        double per = Math.Max(1, stats.Candidates);
        Console.WriteLine(string.Create(culture, $"matcher {label}, query side (means): fingerprint with the query's features started {stats.FingerprintMs / stats.Queries:F1} ms, the query's keypoints still being extracted when verification began (not waited for) in {stats.QueryFeaturesPendingQueries} of {stats.Queries} queries; per candidate stages (summed over threads, ms a candidate / runs a candidate): stretch {t.StretchMs / per:F1} / {t.StretchRuns / per:F2}, matching {t.MatchingMs / per:F1} / {t.MatchingRuns / per:F2}, RANSAC {t.RansacMs / per:F1} / {t.RansacRuns / per:F2}, aligned comparison {t.NccMs / per:F1} / {t.NccRuns / per:F2}, pixel search {t.SearchMs / per:F1} / {t.SearchRuns / per:F2}, extraction {t.ExtractionMs / per:F1} / {t.Extractions / per:F2}"));
    }
}

IReadOnlyList<CopyMatch> FindWith(CopyMatcher matcher, string path)
{
    var started = Stopwatch.GetTimestamp();
    var print = matcher.FingerprintQuery(fingerprinter, path);
    matcher.Statistics?.Fingerprint(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
    using var picture = print.Picture;
    return matcher.Find(print, new SearchOptions());
}

static string LoadAverage() => File.ReadAllText("/proc/loadavg").Split(' ')[0];

static double Percentile(List<double> values, double p)
{
    if (values.Count == 0) return double.NaN;
    var sorted = values.Order().ToList();
    return sorted[(int)Math.Min(sorted.Count - 1, Math.Floor(p * sorted.Count))];
}

internal sealed record Way(string Label, string Key, CopyMatcher? Matcher)
{
    public List<double> Ms { get; } = new();
    public List<string> Answers { get; } = new();
    public List<string> Names { get; } = new();
    public List<double> CpuMs { get; } = new();
    public int Found { get; set; }
    public int Others { get; set; }
}

internal sealed record Args(string Models, string Source, string Work, IReadOnlyList<int> Sizes, int FeaturesUpTo, int Queries, IReadOnlySet<string> Ways)
{
    /// <summary>--turns "2,3,6,8": the turned-copies check (TurnCheck.cs), in a copy of the smallest index; --turn-queries drawings (40).</summary>
    public IReadOnlyList<float> Turns { get; init; } = [];
    public int TurnQueries { get; init; } = 40;

    public static Args? Parse(string[] args)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        for (int i = 0; i + 1 < args.Length; i += 2) map[args[i].TrimStart('-')] = args[i + 1];
        if (args.Length % 2 != 0 || !map.TryGetValue("models", out var models) || !map.TryGetValue("source", out var source)) return null;
        var sizes = (map.TryGetValue("sizes", out var s) ? s : "1000,3000").Split(',').Select(x => int.Parse(x, CultureInfo.InvariantCulture)).Order().ToList();
        return new Args(Path.GetFullPath(models), Path.GetFullPath(source), Path.GetFullPath(map.GetValueOrDefault("work", "out/verified-search")), sizes,
            map.TryGetValue("features-up-to", out var f) ? int.Parse(f, CultureInfo.InvariantCulture) : sizes.Max(),
            map.TryGetValue("queries", out var q) ? int.Parse(q, CultureInfo.InvariantCulture) : 20,
            (map.TryGetValue("ways", out var w) ? w : "extracted,stored,stored-always-search").Split(',', StringSplitOptions.RemoveEmptyEntries).Where(x => x != "none").ToHashSet(StringComparer.Ordinal))
        {
            Turns = map.TryGetValue("turns", out var t) ? t.Split(',').Select(x => float.Parse(x, CultureInfo.InvariantCulture)).ToList() : [],
            TurnQueries = map.TryGetValue("turn-queries", out var n) ? int.Parse(n, CultureInfo.InvariantCulture) : 40,
        };
    }
}
