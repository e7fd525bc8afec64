using System.Diagnostics;
using System.Globalization;
using OptOut.Core.Embedding;
using OptOut.Core.Fingerprinting;
using OptOut.Core.Imaging;
using OptOut.Core.Index;
using OptOut.Core.Matching;
using OptOut.Samples;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

// VerifiedSearch --models <dir> --source <dir> --work <dir> [--rows 2000] [--queries 20]
// Imports --rows drawings of --source (an image folder, e.g. /usr/share/openclipart/png) into a new index,
// then searches altered copies of --queries of them (every alteration in turn), each query twice in the same
// run: the threshold-only search (fingerprint + CopyRule on the index's candidates: what Find-TrainedImage
// did before issue 13), CopyMatcher extracting each candidate's features from its file, and CopyMatcher
// using the features stored at import. The drawings are imported twice, into an index without stored
// features and one with them (Import-TrainingSet -LocalFeatures): the import's cost both ways. Then, for
// every candidate the matcher verified, the cost of its local features both ways.
var options = Args.Parse(args);
if (options is null)
{
    Console.Error.WriteLine("usage: VerifiedSearch --models <dir> --source <dir> --work <dir> [--rows 2000] [--queries 20]");
    return 2;
}
var culture = CultureInfo.InvariantCulture;
Directory.CreateDirectory(options.Work);
var dataset = Path.Combine(options.Work, "dataset");
var queries = Path.Combine(options.Work, "queries");
if (Directory.Exists(dataset)) Directory.Delete(dataset, true);
if (Directory.Exists(queries)) Directory.Delete(queries, true);
Directory.CreateDirectory(dataset);
Directory.CreateDirectory(queries);

// Drawings spread over the whole collection, at least 200 px on the short side for the queries.
var all = Directory.EnumerateFiles(options.Source, "*.png", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList();
int step = Math.Max(1, all.Count / options.Rows);
var chosen = all.Where((_, i) => i % step == 0).Take(options.Rows).ToList();
for (int i = 0; i < chosen.Count; i++) File.Copy(chosen[i], Path.Combine(dataset, $"{i:00000}-{Path.GetFileName(chosen[i])}"));

using var model = new EmbeddingModel(EmbeddingModelSpec.Default(options.Models), intraOpThreads: Environment.ProcessorCount);
var fingerprinter = new Fingerprinter(model, ImageLimits.Default);
foreach (var old in Directory.EnumerateFiles(options.Work, "index*.db*")) File.Delete(old);
var (plainStore, plainImport, summary) = Import("index-plain.db", null);
var (store, featuresImport, _) = Import("index-features.db", StoredFeatureExtraction.For(VerifierOptions.Default));
using var plainStoreInUse = plainStore;
using var storeInUse = store;
// A new index's rows are numbered from 1.
var storedBytes = store.GetLocalFeatures(Enumerable.Range(1, (int)summary.Rows).Select(i => (long)i).ToList()).Values.Select(b => (double)b.Length).ToList();
long IndexBytes(string name) => Directory.EnumerateFiles(options.Work, name + "*").Sum(f => new FileInfo(f).Length);

// Queries: altered copies of originals at least 200 px on the short side, every alteration in turn.
var alterations = Enum.GetValues<Alteration>();
var queryFiles = new List<(string Path, string Original, Alteration Alteration)>();
foreach (var file in Directory.EnumerateFiles(dataset).Order(StringComparer.Ordinal))
{
    if (queryFiles.Count >= options.Queries) break;
    using var loaded = Image.Load<Rgba32>(file);
    if (Math.Min(loaded.Width, loaded.Height) < 200) continue;
    using var flat = new Image<Rgb24>(loaded.Width, loaded.Height, Color.White);
    flat.Mutate(c => c.DrawImage(loaded, 1f));
    var alteration = alterations[queryFiles.Count % alterations.Length];
    using var copy = Alterations.Apply(flat, alteration);
    var path = Path.Combine(queries, $"{queryFiles.Count:000}-{alteration}.png");
    copy.SaveAsPng(path);
    queryFiles.Add((path, file, alteration));
}

using var matcher = new CopyMatcher(store) { UseStoredFeatures = false };
using var storedMatcher = new CopyMatcher(store);
var hashes = PerceptualHashIndex.Load(store);
using var vectors = VectorIndex.Open(store);
var rule = CopyRule.For(model.ModelId);
var thresholdMs = new List<double>();
var matcherMs = new List<double>();
var storedMatcherMs = new List<double>();
int ruleFound = 0, verifiedFound = 0, ruleFalse = 0, verifiedFalse = 0, storedFound = 0, storedFalse = 0;
var verifiedRows = new HashSet<long>();  // candidates, for the feature costs
// One warm-up query each way: JIT, the vector index, OpenCV's first load.
for (int pass = -1; pass < queryFiles.Count; pass++)
{
    var (path, original, _) = queryFiles[Math.Max(pass, 0)];
    var clock = Stopwatch.StartNew();
    var print = fingerprinter.Fingerprint(path);
    var ids = hashes.Search(print.PerceptualHash, rule.SearchRadius).Select(h => h.Id)
        .Concat(vectors.SearchAbove(print.Embedding, rule.SearchFloor).Select(v => v.Id)).Distinct().ToList();
    var embeddings = store.GetEmbeddings(ids);
    var ruleCopies = store.GetRows(ids).Where(r => rule.IsCopy(r.PerceptualHash is { } h ? PerceptualHash.Distance(h, print.PerceptualHash) : null,
        embeddings.TryGetValue(r.Id, out var e) ? HalfVectors.Dot(e, print.Embedding) : null)).ToList();
    clock.Stop();
    if (pass >= 0)
    {
        thresholdMs.Add(clock.Elapsed.TotalMilliseconds);
        ruleFound += ruleCopies.Any(r => r.Url == original) ? 1 : 0;
        ruleFalse += ruleCopies.Count(r => r.Url != original);
    }

    clock.Restart();
    var matches = matcher.Find(fingerprinter.Fingerprint(path), new SearchOptions());
    clock.Stop();
    if (pass >= 0)
    {
        matcherMs.Add(clock.Elapsed.TotalMilliseconds);
        var copies = matches.Where(m => m.Kind == MatchKind.Copy).ToList();
        verifiedFound += copies.Any(m => m.Row.Url == original) ? 1 : 0;
        verifiedFalse += copies.Count(m => m.Row.Url != original);
        // The rows the matcher verifies besides the rule's: its top rows by cosine.
        foreach (var (id, _) in vectors.Search(print.Embedding, matcher.CandidateDepth)) verifiedRows.Add(id);
    }

    clock.Restart();
    var storedMatches = storedMatcher.Find(fingerprinter.Fingerprint(path), new SearchOptions());
    clock.Stop();
    if (pass >= 0)
    {
        storedMatcherMs.Add(clock.Elapsed.TotalMilliseconds);
        var copies = storedMatches.Where(m => m.Kind == MatchKind.Copy).ToList();
        storedFound += copies.Any(m => m.Row.Url == original) ? 1 : 0;
        storedFalse += copies.Count(m => m.Row.Url != original);
    }
}

// The candidates' features both ways: extracted from the decoded pixels, or stored bytes read back.
var extractMs = new List<double>();
var storedMs = new List<double>();
var decodeMs = new List<double>();
var bytes = new List<double>();
foreach (var row in store.GetRows(verifiedRows.ToList()))
{
    var file = row.Image!.Path;
    var clock = Stopwatch.StartNew();
    using var decoded = ImageLoader.Load(file, ImageLimits.Default);
    decodeMs.Add(clock.Elapsed.TotalMilliseconds);
    clock.Restart();
    using var picture = matcher.Verifier.Prepare(decoded);
    var features = picture.Features;
    extractMs.Add(clock.Elapsed.TotalMilliseconds);
    var serialized = features.ToBytes();
    bytes.Add(serialized.Length);
    clock.Restart();
    using var again = matcher.Verifier.Prepare(decoded, LocalFeatures.FromBytes(serialized));
    _ = again.Features;
    storedMs.Add(clock.Elapsed.TotalMilliseconds);
}

Console.WriteLine(string.Create(culture, $"machine: {Environment.ProcessorCount} cores; load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]}"));
Console.WriteLine(string.Create(culture, $"queries: {queryFiles.Count} altered copies (every alteration in turn) against {summary.Rows:N0} rows; one query at a time"));
Console.WriteLine("| what | median ms | p90 ms | n |");
Console.WriteLine("| --- | ---: | ---: | ---: |");
Row("query, threshold-only search (fingerprint + CopyRule), the baseline", thresholdMs);
Row("query, CopyMatcher, candidates' features extracted at query time (a)", matcherMs);
Row("query, CopyMatcher, candidates' features stored at import (b)", storedMatcherMs);
Row("candidate: decode its file", decodeMs);
Row("candidate: prepare + SIFT extraction from pixels (a)", extractMs);
Row("candidate: prepare + stored LocalFeatures read back (b)", storedMs);
Console.WriteLine(string.Create(culture, $"ratio to threshold-only (medians): matcher (a) {Median(matcherMs) / Median(thresholdMs):F2}, matcher (b) {Median(storedMatcherMs) / Median(thresholdMs):F2}; (a) / (b) {Median(matcherMs) / Median(storedMatcherMs):F2}"));
Console.WriteLine(string.Create(culture, $"import without features: {summary.Rows / plainImport.TotalSeconds:F2} rows/s ({plainImport.TotalSeconds:F1} s), index files {IndexBytes("index-plain.db"):N0} bytes"));
Console.WriteLine(string.Create(culture, $"import with features:    {summary.Rows / featuresImport.TotalSeconds:F2} rows/s ({featuresImport.TotalSeconds:F1} s), index files {IndexBytes("index-features.db"):N0} bytes; time ratio {featuresImport.TotalSeconds / plainImport.TotalSeconds:F2}"));
Console.WriteLine(string.Create(culture, $"stored features: {storedBytes.Count:N0} of {summary.Rows:N0} rows, median {Median(storedBytes):N0} bytes a row, p90 {Percentile(storedBytes, 0.9):N0}"));
Console.WriteLine(string.Create(culture, $"originals found: threshold-only {ruleFound}/{queryFiles.Count} (+{ruleFalse} other rows called copies), CopyMatcher (a) {verifiedFound}/{queryFiles.Count} (+{verifiedFalse} other rows verified), CopyMatcher (b) {storedFound}/{queryFiles.Count} (+{storedFalse})"));
return 0;

void Row(string what, List<double> values) =>
    Console.WriteLine(string.Create(culture, $"| {what} | {Median(values):F1} | {Percentile(values, 0.9):F1} | {values.Count} |"));

(IndexStore Store, TimeSpan Elapsed, ImportSummary Summary) Import(string name, Func<DecodedImage, byte[]?>? extraction)
{
    var opened = IndexStore.Open(Path.Combine(options.Work, name));
    var clock = Stopwatch.StartNew();
    var result = new TrainingSetImporter(opened, fingerprinter, model.ModelId, _ => { }) { LocalFeatureExtraction = extraction }
        .Import("clipart", [dataset], CancellationToken.None);
    return (opened, clock.Elapsed, result);
}

static double Median(List<double> values) => Percentile(values, 0.5);

static double Percentile(List<double> values, double p)
{
    if (values.Count == 0) return double.NaN;
    var sorted = values.Order().ToList();
    return sorted[(int)Math.Min(sorted.Count - 1, Math.Floor(p * sorted.Count))];
}

internal sealed record Args(string Models, string Source, string Work, int Rows, int Queries)
{
    public static Args? Parse(string[] args)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        for (int i = 0; i + 1 < args.Length; i += 2) map[args[i].TrimStart('-')] = args[i + 1];
        if (args.Length % 2 != 0 || !map.TryGetValue("models", out var models) || !map.TryGetValue("source", out var source)
            || !map.TryGetValue("work", out var work)) return null;
        return new Args(Path.GetFullPath(models), Path.GetFullPath(source), Path.GetFullPath(work),
            map.TryGetValue("rows", out var r) ? int.Parse(r, CultureInfo.InvariantCulture) : 2000,
            map.TryGetValue("queries", out var q) ? int.Parse(q, CultureInfo.InvariantCulture) : 20);
    }
}
