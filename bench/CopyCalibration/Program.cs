using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using CopyCalibration;
using OptOut.Core.Embedding;
using OptOut.Core.Fingerprinting;
using OptOut.Core.Imaging;
using OptOut.Samples;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.Processing;

// CopyCalibration --models <dir> --source <dir> --markdown <file> [--queries 150] [--distractors 2000]
//                  [--min-query-side 200] [--jpeg-quality 95] [--threads 2] [--cache <file>]
var options = Options.Parse(args);
if (options is null)
{
    Console.Error.WriteLine(Options.Usage);
    return 2;
}

var clock = Stopwatch.StartNew();
Console.Error.WriteLine($"Selecting images under {options.Source}...");
var corpus = Corpus.Select(options.Source, options.Queries, options.Distractors, options.MinQuerySide, options.Verify ? options.HardPerQuery : 0, options.ExtraDistractors);
Console.Error.WriteLine($"{corpus.Unique} distinct images (+{corpus.ExtraDistinct} from {options.ExtraDistractors.Length} extra folders); {corpus.Queries.Count} originals, {corpus.Distractors.Count} distractors ({clock.Elapsed.TotalSeconds:F0} s).");

if (options.SizeSweepOnly > 0)
{
    // The product's verifier without its size floor: where the floor should be.
    var sweep = SizeSweep.Write(corpus, OptOut.Core.Matching.VerifierOptions.Default with { MinimumSide = 1 }, options.SizeSweepOnly, 5,
        (image, alteration) => Encode(image, alteration, options.JpegQuality), line => Console.Error.WriteLine(line));
    File.WriteAllText(options.Markdown, sweep);
    Console.Error.WriteLine($"Size sweep written to {options.Markdown} ({clock.Elapsed.TotalSeconds:F0} s).");
    return 0;
}

if (options.DevEvery > 0)
{
    DevCheck.Run(corpus, options.DevEvery, (image, alteration) => Encode(image, alteration, options.JpegQuality), line => Console.Error.WriteLine(line));
    return 0;
}

// One image at a time, the model using the cores, and inference inside a no-GC region: EmbeddingModel.Run
// passes a `new RunOptions()` it does not keep alive, so a garbage collection during inference can finalize the
// options while ONNX Runtime still uses them (a segmentation fault; see docs/copy-detection.md).
using var model = new EmbeddingModel(EmbeddingModelSpec.Default(options.Models), intraOpThreads: options.Threads);
var fingerprinter = new Fingerprinter(model, ImageLimits.Default);
// The cache is tied to what the engine computes, not to its build: three originals fingerprinted afresh
// (hash, embedding to 3 decimals) must come out the same, so an engine change elsewhere (the verifier)
// keeps the cache while a change to decoding, hashing or the model starts a new one.
var probe = string.Join(";", corpus.Queries.Take(3).Select(q =>
{
    var print = CompleteWithoutCollection(fingerprinter, fingerprinter.Prepare(q.Path, q.Content));
    return $"{print.PerceptualHash:x16}:{string.Join(",", print.Embedding.Select(v => MathF.Round(v, 3).ToString("F3", CultureInfo.InvariantCulture)))}";
}));
// The alterations are stamped by what they produce (every alteration of the first original, encoded), not
// by their assembly's build id: a deterministic build's id changes with the checkout's path, so another
// worktree of the same source would otherwise start the 10,000-distractor cache (an hour) afresh.
string alterationStamp;
using (var first = ImageLoader.Decode(corpus.Queries[0].Content, corpus.Queries[0].Path, ImageLimits.Default))
using (var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256))
{
    foreach (var alteration in Alterations.All)
    {
        using var altered = Alterations.Apply(first.Pixels, alteration);
        sha.AppendData(Encode(altered, alteration, options.JpegQuality));
    }
    alterationStamp = Convert.ToHexString(sha.GetHashAndReset())[..16];
}
var engineStamp = $"{model.ModelId}|{Convert.ToHexString(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(probe)))[..16]}|alterations:{alterationStamp}|q{options.JpegQuality}";
Console.Error.WriteLine($"Engine stamp {engineStamp}.");
using var cache = new FingerprintCache(options.CachePath, engineStamp);
Console.Error.WriteLine($"Fingerprint cache {cache.Path}: {cache.LoadedEntries} entries reused.");

if (options.CachedDistractorsOnly)
{
    corpus = corpus.KeepDistractors(d => cache.Contains(d.Sha256));
    Console.Error.WriteLine($"Distractors with a cached fingerprint only: {corpus.Distractors.Count} of {corpus.DistractorsAsked} kept.");
}

var alterations = PairScores.Alterations;
var queryPrints = new Fingerprint[corpus.Queries.Count];
var copyPrints = new Fingerprint[corpus.Queries.Count, alterations.Length];
var copyBytes = new long[alterations.Length];
var distractorPrints = new Fingerprint[corpus.Distractors.Count];
var progress = new Progress(corpus.Queries.Count * (1 + alterations.Length) + corpus.Distractors.Count
    + (options.Verify ? corpus.HardNegatives.Count + corpus.Queries.Count * OptOut.Samples.Alterations.All.Count + corpus.Distractors.Count : 0));

Fingerprint Take(string name, byte[] content)
{
    var sha = Convert.ToHexString(SHA256.HashData(content)).ToLowerInvariant();
    if (!cache.TryGet(sha, out var fingerprint))
    {
        // The module's own path: decode (limits, orientation, transparency onto white), hash, embed.
        var prepared = fingerprinter.Prepare(name, content);
        var print = CompleteWithoutCollection(fingerprinter, prepared);
        fingerprint = new Fingerprint(print.PerceptualHash, print.Width, print.Height, print.Embedding);
        cache.Add(sha, fingerprint);
    }
    progress.Step();
    return fingerprint;
}

if (options.FingerprintOnly)
{
    Prefetch.Run(corpus, Take, (image, alteration) => Encode(image, alteration, options.JpegQuality), line => Console.Error.WriteLine(line));
    return 0;
}
Console.Error.WriteLine("Fingerprinting the originals and their altered copies...");
for (int q = 0; q < corpus.Queries.Count; q++)
{
    var original = corpus.Queries[q];
    queryPrints[q] = Take(original.Path, original.Content);
    // The copies start from the picture as the module decodes it (flattened onto white), as a scraper
    // that converts to JPEG would; each is stored encoded and fingerprinted from those bytes.
    using var decoded = ImageLoader.Decode(original.Content, original.Path, ImageLimits.Default);
    for (int a = 0; a < alterations.Length; a++)
    {
        using var copy = Alterations.Apply(decoded.Pixels, alterations[a]);
        var bytes = Encode(copy, alterations[a], options.JpegQuality);
        copyBytes[a] += bytes.Length;
        copyPrints[q, a] = Take($"{original.RelativePath}#{alterations[a]}", bytes);
    }
}
Console.Error.WriteLine("Fingerprinting the distractors...");
for (int d = 0; d < corpus.Distractors.Count; d++)
{
    distractorPrints[d] = Take(corpus.Distractors[d].Path, corpus.Distractors[d].Content);
}
var fingerprintSeconds = clock.Elapsed.TotalSeconds;
Console.Error.WriteLine($"Fingerprints done: {cache.Misses} computed, {cache.Hits} from the cache ({fingerprintSeconds:F0} s).");

// The index: distractors first, then every original's copies.
var items = new List<Fingerprint>(distractorPrints);
var itemNames = corpus.Distractors.Select(d => d.RelativePath).ToList();
var copyOf = new List<int>(Enumerable.Repeat(-1, distractorPrints.Length));
var alterationOf = new List<int>(Enumerable.Repeat(-1, distractorPrints.Length));
for (int q = 0; q < corpus.Queries.Count; q++)
{
    for (int a = 0; a < alterations.Length; a++)
    {
        items.Add(copyPrints[q, a]);
        itemNames.Add($"{corpus.Queries[q].RelativePath} ({alterations[a]})");
        copyOf.Add(q);
        alterationOf.Add(a);
    }
}
var scores = PairScores.Compute(queryPrints, items, copyOf.ToArray(), alterationOf.ToArray());

// Experiments (--query-rotations "-6,-3,3,6", --query-crops "0.9,0.8"): each original is also
// fingerprinted as the engine's own query views make it (Fingerprinter.ViewAngles, ViewCentreCuts: what
// Find-TrainedImage -IncludeRotated / -IncludeCropped search with), one view at a time, and a pair scores
// its best view (least hash distance, highest cosine).
Fingerprint[] QueryViewPrints(string tag, Fingerprinter viewPrinter)
{
    Fingerprint ViewOf(SourceImage original)
    {
        var prepared = viewPrinter.Prepare(original.Path, original.Content);
        var view = prepared.Views is [var only] ? only : throw new InvalidOperationException($"expected one view of {original.Path}");
        return new Fingerprint(view.PerceptualHash, prepared.Width, prepared.Height, model.Embed(view.ModelInput));
    }
    // Views are stamped by what they compute (the first three originals' views made afresh), like the engine
    // stamp above: a change to how the engine turns or cuts a view starts new views, not a new cache.
    var probes = string.Join(";", corpus.Queries.Take(3).Select(ViewOf).Select(v =>
        $"{v.Hash:x16}:{string.Join(",", v.Embedding.Select(e => MathF.Round(e, 3).ToString("F3", CultureInfo.InvariantCulture)))}"));
    var stamp = Convert.ToHexString(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(probes)))[..8];
    var prints = new Fingerprint[corpus.Queries.Count];
    for (int q = 0; q < corpus.Queries.Count; q++)
    {
        var original = corpus.Queries[q];
        var key = Convert.ToHexString(SHA256.HashData(original.Content)).ToLowerInvariant() + "#" + tag + "@" + stamp;
        if (!cache.TryGet(key, out var print))
        {
            print = ViewOf(original);
            cache.Add(key, print);
        }
        prints[q] = print;
        progress.Step();
    }
    return prints;
}

void AddQueryViews(string tag, Fingerprinter viewPrinter)
{
    var prints = QueryViewPrints(tag, viewPrinter);
    var variant = PairScores.Compute(prints, items, copyOf.ToArray(), alterationOf.ToArray());
    for (int at = 0; at < scores.Distance.Length; at++)
    {
        scores.Distance[at] = Math.Min(scores.Distance[at], variant.Distance[at]);
        scores.Cosine[at] = Math.Max(scores.Cosine[at], variant.Cosine[at]);
    }
}
foreach (var angle in options.QueryRotations)
{
    Console.Error.WriteLine($"Fingerprinting the originals' views rotated by {angle} degrees...");
    AddQueryViews($"view-rotate{angle}", new Fingerprinter(model, ImageLimits.Default) { ViewAngles = [angle] });
}
// The calibration's own Crop copies keep 0.84 of each side, centred.
foreach (var keep in options.QueryCrops)
{
    Console.Error.WriteLine($"Fingerprinting the originals' centre cuts ({keep} of each side)...");
    AddQueryViews($"view-crop{keep}", new Fingerprinter(model, ImageLimits.Default) { ViewCentreCuts = [keep] });
}
WritePairs(Path.Combine(Path.GetDirectoryName(options.CachePath)!, "pairs.tsv"), scores, corpus, itemNames);
if (options.Verify)
{
    // Candidates from query views turned by these angles (--candidate-rotations), beside the plain query's:
    // measured as candidate recall per alteration and the pairs they add (docs/copy-detection.md, fifth round).
    var candidateViews = new List<(string Name, Fingerprint[] Prints)>();
    foreach (var angle in options.CandidateRotations)
    {
        Console.Error.WriteLine($"Fingerprinting the originals' views rotated by {angle} degrees (candidates)...");
        candidateViews.Add(($"rotated {angle.ToString(CultureInfo.InvariantCulture)} deg",
            QueryViewPrints($"view-rotate{angle}", new Fingerprinter(model, ImageLimits.Default) { ViewAngles = [angle] })));
    }
    // Centre cuts, as -IncludeCropped makes them (Fingerprinter.CentreCutShares): what they add with verification.
    foreach (var keep in options.CandidateCuts)
    {
        Console.Error.WriteLine($"Fingerprinting the originals' centre cuts ({keep} of each side, candidates)...");
        candidateViews.Add(($"centre cut {keep.ToString(CultureInfo.InvariantCulture)}",
            QueryViewPrints($"view-crop{keep}", new Fingerprinter(model, ImageLimits.Default) { ViewCentreCuts = [keep] })));
    }
    // The second stage, written to its own file (a section of docs/copy-detection.md).
    var section = VerificationExperiment.Run(options, corpus, queryPrints, candidateViews, Take, (image, alteration) => Encode(image, alteration, options.JpegQuality),
        (name, content) => CompleteWithoutCollection(fingerprinter, fingerprinter.Prepare(name, content)), line => Console.Error.WriteLine(line));
    Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(options.VerifyMarkdown))!);
    File.WriteAllText(options.VerifyMarkdown, section, new System.Text.UTF8Encoding(false));
    Console.Error.WriteLine($"Verification section written to {options.VerifyMarkdown}.");
}
var report = new Report(options, corpus, scores, itemNames, model.ModelId, copyBytes, fingerprintSeconds, cache);
var markdown = report.Build();
Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(options.Markdown))!);
File.WriteAllText(options.Markdown, markdown, new System.Text.UTF8Encoding(false));
Console.Out.Write(markdown);
Console.Error.WriteLine($"Written to {options.Markdown} ({clock.Elapsed.TotalSeconds:F0} s in all).");
return 0;

// Runs the model with garbage collection suspended (a few MB of budget; the model's managed allocations are small).
static PictureFingerprint CompleteWithoutCollection(Fingerprinter fingerprinter, PreparedImage prepared)
{
    bool region = GC.TryStartNoGCRegion(16L << 20);
    try
    {
        return fingerprinter.Complete(prepared);
    }
    finally
    {
        if (region && System.Runtime.GCSettings.LatencyMode == System.Runtime.GCLatencyMode.NoGCRegion) GC.EndNoGCRegion();
    }
}

// Every true copy and every unrelated pair close by either signal, for analysis beyond the report.
static void WritePairs(string path, PairScores scores, Corpus corpus, List<string> itemNames)
{
    using var writer = new StreamWriter(path, false, new System.Text.UTF8Encoding(false));
    writer.WriteLine("query\titem\tclass\thash\tcosine");
    for (int q = 0; q < scores.QueryCount; q++)
    {
        for (int i = 0; i < scores.ItemCount; i++)
        {
            int at = q * scores.ItemCount + i, cls = scores.ClassOf(q, i);
            int d = scores.Distance[at];
            float c = scores.Cosine[at];
            if (cls == 0 && d > 16 && c < 0.85f) continue;
            var kind = cls == 0 ? "unrelated" : PairScores.Alterations[cls - 1].ToString();
            writer.WriteLine(string.Join('\t', corpus.Queries[q].RelativePath, itemNames[i], kind, d.ToString(CultureInfo.InvariantCulture), c.ToString("F4", CultureInfo.InvariantCulture)));
        }
    }
}

static byte[] Encode(Image copy, Alteration alteration, int jpegQuality)
{
    using var stream = new MemoryStream();
    if (Alterations.IsJpegRoundTrip(alteration))
    {
        // The alteration ends with a JPEG q70 round trip itself; stored losslessly so it is not compressed twice.
        copy.SaveAsPng(stream, new PngEncoder());
    }
    else
    {
        copy.SaveAsJpeg(stream, new JpegEncoder { Quality = jpegQuality });
    }
    return stream.ToArray();
}

namespace CopyCalibration
{
    public sealed record Options(string Models, string Source, string Markdown, int Queries, int Distractors, int MinQuerySide, int JpegQuality, int Threads, string CachePath,
        float[] QueryRotations, float[] QueryCrops)
    {
        public const string Usage = "usage: CopyCalibration --models <dir> --source <dir> --markdown <file> [--queries 150] [--distractors 2000] [--min-query-side 200] [--jpeg-quality 95] [--threads 2] [--cache <file>] [--query-rotations \"-6,-3,3,6\"] [--query-crops \"0.9,0.8\"]"
            + " [--extra-distractors \"dir1,dir2\"] [--verify <markdown file>] [--hard-per-query 3] [--candidate-top 20] [--compare-kinds \"orb,akaze\"] [--compare-every 3] [--size-sweep 40] [--speed 20] [--speed-candidates 15] [--fingerprint-only 1] [--cached-distractors-only 1] [--candidate-rotations \"-4,4\"] [--candidate-cuts \"0.9,0.8\"] [--region-share 0.35] [--size-sweep-only 40]";

        /// <summary>Geometric verification experiment (--verify FILE): its section is written to <see cref="VerifyMarkdown"/>.</summary>
        public bool Verify => VerifyMarkdown.Length > 0;
        public string VerifyMarkdown { get; init; } = "";
        public int HardPerQuery { get; init; } = 3;
        public int CandidateTop { get; init; } = 20;
        public OptOut.Core.Matching.LocalFeatureKind[] CompareKinds { get; init; } = [];
        public int CompareEvery { get; init; } = 3;
        public int SizeSweep { get; init; }
        public int SpeedQueries { get; init; }
        public int SpeedCandidates { get; init; } = 15;

        /// <summary>Folders of other pictures (icon themes) that add distractors besides the source's own (--extra-distractors, comma-separated).</summary>
        public string[] ExtraDistractors { get; init; } = [];

        /// <summary>--fingerprint-only 1: fills the fingerprint cache (originals, every copy, hard negatives, then the distractors spread evenly) and exits, so that a run stopped early leaves an even sample.</summary>
        public bool FingerprintOnly { get; init; }

        /// <summary>--cached-distractors-only 1: distractors whose fingerprint is not in the cache are left out (the report says how many are kept).</summary>
        public bool CachedDistractorsOnly { get; init; }

        /// <summary>--region-share 0.35: the verifier's <see cref="OptOut.Core.Matching.VerifierOptions.MaxRegionShare"/> for the evidence (0: its default).</summary>
        public double RegionShare { get; init; }

        /// <summary>--candidate-rotations "-4,4": the verification's candidates also come from the query turned by these angles (top K by cosine of each view).</summary>
        public float[] CandidateRotations { get; init; } = [];

        /// <summary>--candidate-cuts "0.9,0.8": the verification's candidates also come from centre cuts of the query keeping these shares of each side (-IncludeCropped's views).</summary>
        public float[] CandidateCuts { get; init; } = [];

        /// <summary>--size-sweep-only N: only the size sweep (<see cref="SizeSweep"/>) of the product's verifier over N originals, written to --markdown, then exit.</summary>
        public int SizeSweepOnly { get; init; }

        /// <summary>--dev-every N: only the quick verifier check of <see cref="DevCheck"/> on every Nth original, then exit.</summary>
        public int DevEvery { get; init; }

        public static Options? Parse(string[] args)
        {
            var map = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            for (int i = 0; i + 1 < args.Length; i += 2)
            {
                if (!args[i].StartsWith("--", StringComparison.Ordinal)) return null;
                map[args[i][2..]] = args[i + 1];
            }
            if (args.Length % 2 != 0 || !map.TryGetValue("models", out var models) || !map.TryGetValue("source", out var source) || !map.TryGetValue("markdown", out var markdownArg)) return null;
            int Int(string key, int fallback) => map.TryGetValue(key, out var v) ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;
            var markdown = Path.GetFullPath(markdownArg);
            return new Options(
                Path.GetFullPath(models), Path.GetFullPath(source), markdown,
                Int("queries", 150), Int("distractors", 2000), Int("min-query-side", 200), Int("jpeg-quality", 95), Math.Max(1, Int("threads", 2)),
                Path.GetFullPath(map.TryGetValue("cache", out var c) ? c : Path.Combine("out", "copy-calibration", "fingerprints.cache")),
                map.TryGetValue("query-rotations", out var r) ? r.Split(',').Select(a => float.Parse(a, CultureInfo.InvariantCulture)).ToArray() : [],
                map.TryGetValue("query-crops", out var k) ? k.Split(',').Select(a => float.Parse(a, CultureInfo.InvariantCulture)).ToArray() : [])
            {
                VerifyMarkdown = map.TryGetValue("verify", out var v) ? Path.GetFullPath(v) : "",
                HardPerQuery = Int("hard-per-query", 3),
                CandidateTop = Int("candidate-top", 20),
                CompareKinds = map.TryGetValue("compare-kinds", out var kinds) && kinds.Length > 0
                    ? kinds.Split(',').Select(x => Enum.Parse<OptOut.Core.Matching.LocalFeatureKind>(x.Trim(), ignoreCase: true)).ToArray() : [],
                CompareEvery = Math.Max(1, Int("compare-every", 3)),
                SizeSweep = Int("size-sweep", 0),
                SpeedQueries = Int("speed", 0),
                SpeedCandidates = Int("speed-candidates", 15),
                DevEvery = Int("dev-every", 0),
                SizeSweepOnly = Int("size-sweep-only", 0),
                RegionShare = map.TryGetValue("region-share", out var rs) ? double.Parse(rs, CultureInfo.InvariantCulture) : 0,
                CandidateRotations = map.TryGetValue("candidate-rotations", out var cr) && cr.Length > 0
                    ? cr.Split(',').Select(a => float.Parse(a, CultureInfo.InvariantCulture)).ToArray() : [],
                CandidateCuts = map.TryGetValue("candidate-cuts", out var cc) && cc.Length > 0
                    ? cc.Split(',').Select(a => float.Parse(a, CultureInfo.InvariantCulture)).ToArray() : [],
                FingerprintOnly = Int("fingerprint-only", 0) != 0,
                CachedDistractorsOnly = Int("cached-distractors-only", 0) != 0,
                ExtraDistractors = map.TryGetValue("extra-distractors", out var extra) && extra.Length > 0
                    ? extra.Split(',').Select(x => Path.GetFullPath(x.Trim())).ToArray() : [],
            };
        }
    }

    /// <summary>A progress line on stderr every few seconds.</summary>
    public sealed class Progress(int total)
    {
        private readonly Stopwatch clock = Stopwatch.StartNew();
        private int done;
        private long lastReport;

        public void Step()
        {
            int now = Interlocked.Increment(ref done);
            long ms = clock.ElapsedMilliseconds;
            long last = Interlocked.Read(ref lastReport);
            if ((ms - last >= 10_000 || now == total) && Interlocked.CompareExchange(ref lastReport, ms, last) == last)
            {
                Console.Error.WriteLine($"  {now}/{total} images ({now / Math.Max(0.001, ms / 1000.0):F1}/s)");
            }
        }
    }
}
