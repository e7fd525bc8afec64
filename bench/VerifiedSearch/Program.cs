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
// did before issue 13) and CopyMatcher (fingerprint, candidates, verification with features extracted from
// each candidate's file). Then, for every candidate the matcher verified, the cost of its local features
// both ways: extracted from its pixels at query time, or read back from stored LocalFeatures bytes.
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
var indexPath = Path.Combine(options.Work, "index.db");
foreach (var old in Directory.EnumerateFiles(options.Work, "index.db*")) File.Delete(old);
using var store = IndexStore.Open(indexPath);
var importClock = Stopwatch.StartNew();
var summary = new TrainingSetImporter(store, fingerprinter, model.ModelId, _ => { }).Import("clipart", [dataset], CancellationToken.None);
importClock.Stop();
Console.WriteLine(string.Create(culture, $"index: {summary.Rows:N0} rows imported in {importClock.Elapsed.TotalSeconds:F1} s ({summary.Rows / importClock.Elapsed.TotalSeconds:F1} rows/s, fingerprints included)"));

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

using var matcher = new CopyMatcher(store);
var hashes = PerceptualHashIndex.Load(store);
using var vectors = VectorIndex.Open(store);
var rule = CopyRule.For(model.ModelId);
var thresholdMs = new List<double>();
var matcherMs = new List<double>();
int ruleFound = 0, verifiedFound = 0, ruleFalse = 0, verifiedFalse = 0;
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
Row("query, CopyMatcher (fingerprint + candidates + verification, features extracted at query time)", matcherMs);
Row("candidate: decode its file", decodeMs);
Row("candidate: prepare + SIFT extraction from pixels (a)", extractMs);
Row("candidate: prepare + stored LocalFeatures read back (b)", storedMs);
Console.WriteLine(string.Create(culture, $"ratio matcher / threshold-only (medians): {Median(matcherMs) / Median(thresholdMs):F1}"));
Console.WriteLine(string.Create(culture, $"stored features (b): median {Median(bytes):N0} bytes a row, p90 {Percentile(bytes, 0.9):N0}; import cost = extraction (a) per row"));
Console.WriteLine(string.Create(culture, $"originals found: threshold-only {ruleFound}/{queryFiles.Count} (+{ruleFalse} other rows called copies), CopyMatcher {verifiedFound}/{queryFiles.Count} (+{verifiedFalse} other rows verified)"));
return 0;

void Row(string what, List<double> values) =>
    Console.WriteLine(string.Create(culture, $"| {what} | {Median(values):F1} | {Percentile(values, 0.9):F1} | {values.Count} |"));

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
        if (args.Length % 2 != 0 || !map.ContainsKey("models") || !map.ContainsKey("source") || !map.ContainsKey("work")) return null;
        return new Args(Path.GetFullPath(map["models"]), Path.GetFullPath(map["source"]), Path.GetFullPath(map["work"]),
            map.TryGetValue("rows", out var r) ? int.Parse(r, CultureInfo.InvariantCulture) : 2000,
            map.TryGetValue("queries", out var q) ? int.Parse(q, CultureInfo.InvariantCulture) : 20);
    }
}
