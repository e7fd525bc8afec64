using System.Diagnostics;
using IndexBench;
using OptOut.Core.Datasets;
using OptOut.Core.Embedding;
using OptOut.Core.Fingerprinting;
using OptOut.Core.Gate;
using OptOut.Core.Imaging;
using OptOut.Core.Registry;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Jpeg;

namespace GateBench;

/// <summary>
/// The gate on a dataset of local images with content claims (issue 13): what verifying the rows the
/// fingerprint rule proposes costs, beside the work no content check can skip (fingerprinting every row)
/// and the gate without content claims, all on the same rows in the same process; verified with the claims' turned
/// views as Test-TrainingSet does, and without them.
///
/// The dataset is an image folder of <c>rows</c> openclipart pictures re-encoded as JPEG q90 (so no row has
/// a claimant's SHA-256: every finding goes through the fingerprint rule). Half the claims are the
/// originals of pictures in the folder, half of pictures that are not; each claim records its original file,
/// as <c>Add-OptOut -Path</c> does, so the gate can verify against it.
/// </summary>
public static class ContentGate
{
    public static Dictionary<string, object?> Run(string images, string work, string models, int rows, int claims, int threads, int reps)
    {
        var sources = Directory.EnumerateFiles(images, "*.png", SearchOption.AllDirectories)
            .Order(StringComparer.Ordinal)
            .DistinctBy(f => Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(f))))
            .Take(rows + claims / 2)
            .ToList();
        if (sources.Count < rows + claims / 2) throw new InvalidOperationException($"{images} holds {sources.Count} distinct pictures; {rows + claims / 2} needed");
        var dataset = Path.Combine(work, $"images-{rows}");
        WriteDataset(sources.Take(rows).ToList(), dataset);

        using var model = new EmbeddingModel(EmbeddingModelSpec.Default(models), intraOpThreads: threads);
        var fingerprinter = new Fingerprinter(model, ImageLimits.Default);
        // Claimed: every (rows / (claims / 2))-th picture of the folder, and as many pictures outside it.
        int present = claims / 2, step = rows / present;
        var claimed = Enumerable.Range(0, present).Select(i => sources[i * step]).Concat(sources.Skip(rows).Take(claims - present)).ToList();
        var active = new List<ActiveClaim>();
        var files = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var (file, i) in claimed.Select((f, i) => (f, i)))
        {
            var print = fingerprinter.Fingerprint(file);
            var id = $"content-{i}";
            active.Add(new ActiveClaim(id, Decision.Refuse, ClaimKind.Content, print.Sha256, print.PerceptualHash, print.Embedding, print.ModelId, "bench",
                Convert.ToHexString(print.Md5).ToLowerInvariant()));
            files[id] = file;
        }
        var withContent = ConsentRules.Load(active);
        var ruleOnly = new List<Violation>();
        var verified = new List<Violation>();
        var upright = new List<Violation>();
        // Claim i < present is of the folder's row i * step.
        bool OwnRow(Violation v) => int.Parse(v.RecordId!["content-".Length..], System.Globalization.CultureInfo.InvariantCulture) is var i && i < present && v.Row == i * step;
        var without = ConsentRules.Load([]);
        var kept = new List<Violation>();
        var turnSeconds = new Dictionary<string, List<double>> { ["GateVerified"] = [], ["GateVerifiedKeptViews"] = [] };
        // A cache of this run's own, filled before the timings (the first check's turns are GateVerified's cost).
        var cachePath = Path.Combine(work, $"turned-views-{Environment.ProcessId}.db");
        using (var cache = new TurnedViewCache(cachePath))
        using (var warming = new ContentPictures(files, ImageLimits.Default))
        {
            warming.AddTurnedViews(ConsentRules.Load(active), model, cache, out _);
            if (cache.Problem is { } problem) throw new InvalidOperationException(problem);
        }
        Measure.Log($"{rows} rows in {dataset}; {active.Count} content claims ({present} of pictures in the folder)");

        var result = new Dictionary<string, object?> { ["rows"] = rows, ["claims"] = active.Count, ["claims_present"] = present, ["threads"] = threads, ["reps"] = reps };
        var modes = new Dictionary<string, object?>
        {
            ["Fingerprint"] = Timed(reps, rows, "fingerprinted", () => Fingerprint(fingerprinter, dataset)),
            ["GateNoContent"] = Timed(reps, rows, "findings", () => Gate(dataset, without, fingerprinter, null, threads, null)),
            ["GateRuleOnly"] = Timed(reps, rows, "findings", () => Gate(dataset, withContent, fingerprinter, null, threads, ruleOnly)),
            ["GateVerifiedUpright"] = Timed(reps, rows, "findings", () =>
            {
                using var pictures = new ContentPictures(files, ImageLimits.Default);
                return Gate(dataset, withContent, fingerprinter, pictures, threads, upright);
            }),
            // What Test-TrainingSet did before the views were kept: the claims' pictures turned -4 and 4 degrees first (timed with the check).
            ["GateVerified"] = Timed(reps, rows, "findings", () =>
            {
                var rules = ConsentRules.Load(active);
                using var pictures = new ContentPictures(files, ImageLimits.Default);
                var clock = Stopwatch.StartNew();
                int turned = pictures.AddTurnedViews(rules, model);
                turnSeconds["GateVerified"].Add(clock.Elapsed.TotalSeconds);
                Measure.Log($"{turned} claims turned in {clock.Elapsed.TotalSeconds:F2} s");
                return Gate(dataset, rules, fingerprinter, pictures, threads, verified);
            }),
            // What Test-TrainingSet does on every check after the first: the turned views read from the cache
            // (TurnedViewCache; each claim's file still read and hashed), filled once before the timing.
            ["GateVerifiedKeptViews"] = Timed(reps, rows, "findings", () =>
            {
                var rules = ConsentRules.Load(active);
                using var pictures = new ContentPictures(files, ImageLimits.Default);
                var clock = Stopwatch.StartNew();
                using var cache = new TurnedViewCache(cachePath);
                int turned = pictures.AddTurnedViews(rules, model, cache, out int fromCache);
                turnSeconds["GateVerifiedKeptViews"].Add(clock.Elapsed.TotalSeconds);
                Measure.Log($"{turned} claims given views in {clock.Elapsed.TotalSeconds:F2} s ({fromCache} from the cache{(cache.Problem is { } p ? "; " + p : "")})");
                return Gate(dataset, rules, fingerprinter, pictures, threads, kept);
            }),
        };
        foreach (var (name, seconds) in turnSeconds)
        {
            var figures = (Dictionary<string, object?>)modes[name]!;
            figures["views_s"] = seconds.Select(v => Measure.Round(v)).ToList();
            figures["views_ms_a_claim"] = Math.Round(1000 * Measure.Median(seconds) / Math.Max(1, active.Count), 2);
        }
        // Which findings are the claimed picture's own row, and which are other rows (a near-duplicate drawing
        // in openclipart, or a false match): listed for review, since the folder's truth is only its own rows.
        foreach (var (name, found) in new[] { ("GateRuleOnly", ruleOnly), ("GateVerifiedUpright", upright), ("GateVerified", verified), ("GateVerifiedKeptViews", kept) })
        {
            var figures = (Dictionary<string, object?>)modes[name]!;
            var own = found.Where(v => OwnRow(v)).ToList();
            var others = found.Where(v => !OwnRow(v)).ToList();
            figures["own_rows_found"] = own.Count;
            figures["other_rows"] = others.Select(v => $"{claimed[int.Parse(v.RecordId!["content-".Length..], System.Globalization.CultureInfo.InvariantCulture)]} -> {sources[(int)v.Row]} ({v.Detail})").ToList();
        }
        double baseline = (double)((Dictionary<string, object?>)modes["Fingerprint"]!)["rows_per_s"]!;
        foreach (var (name, entry) in modes)
        {
            var figures = (Dictionary<string, object?>)entry!;
            figures["ratio_to_fingerprint"] = Math.Round((double)figures["rows_per_s"]! / baseline, 3);
            Measure.Log($"{name}: {figures["rows_per_s"]:N1} rows/s (x {figures["ratio_to_fingerprint"]} of fingerprinting alone); {string.Join(", ", figures.Where(kv => kv.Key is "findings" or "fingerprinted").Select(kv => $"{kv.Key} {kv.Value}"))}");
        }
        result["modes"] = modes;
        result["same_findings_kept_views"] = Findings(verified).SequenceEqual(Findings(kept));
        result["load_average"] = Measure.LoadAverage();
        foreach (var file in new[] { cachePath, cachePath + "-wal", cachePath + "-shm" }) File.Delete(file);
        return result;
    }

    // The folder is written once and kept: the pictures as the module decodes them (onto white), as JPEG q90.
    private static void WriteDataset(List<string> sources, string folder)
    {
        var done = Path.Combine(folder, ".done");
        if (File.Exists(done)) return;
        Directory.CreateDirectory(folder);
        for (int i = 0; i < sources.Count; i++)
        {
            using var decoded = ImageLoader.Load(sources[i], ImageLimits.Default);
            decoded.Pixels.SaveAsJpeg(Path.Combine(folder, $"{i:D6}.jpg"), new JpegEncoder { Quality = 90 });
        }
        File.WriteAllText(done, sources.Count.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    // Findings in one order (the shards report as they finish).
    private static IEnumerable<(long, string?, string)> Findings(List<Violation> found) =>
        found.Select(v => (v.Row, v.RecordId, v.Detail)).Order();

    // What no content check can skip: every row decoded, hashed and embedded, through the gate's own pipeline.
    private static long Fingerprint(Fingerprinter fingerprinter, string folder)
    {
        long done = 0;
        using var pipeline = new FingerprintPipeline(fingerprinter);
        foreach (var file in Directory.EnumerateFiles(folder, "*.jpg").Order(StringComparer.Ordinal))
        {
            pipeline.Submit(file);
            done += pipeline.TakeReady().Count(o => o.Fingerprint is not null);
        }
        done += pipeline.CompleteAndDrain().Count(o => o.Fingerprint is not null);
        return done;
    }

    // The findings are counted; the last repetition's are kept in found.
    private static long Gate(string folder, ConsentRules rules, Fingerprinter fingerprinter, ContentPictures? pictures, int threads, List<Violation>? found)
    {
        found?.Clear();
        var settings = new GateSettings { Dataset = "bench", Rules = rules, Fingerprinter = fingerprinter, ContentPictures = pictures };
        var gate = new TrainingSetGate(settings);
        long findings = 0;
        foreach (var e in gate.Run(DatasetDiscovery.Discover(folder), threads, null, TimeSpan.FromMilliseconds(250), CancellationToken.None))
        {
            if (e is ViolationsFound batch)
            {
                findings += batch.Violations.Count;
                found?.AddRange(batch.Violations);
            }
            else if (e is ShardChecked { Result.Failure: { } failure }) throw new InvalidOperationException("shard failed", failure);
        }
        return findings;
    }

    // run returns what it found: rows fingerprinted, or the gate's findings.
    private static Dictionary<string, object?> Timed(int reps, int rows, string counted, Func<long> run)
    {
        var walls = new List<double>();
        long findings = 0;
        for (int r = 0; r < reps; r++)
        {
            var clock = Stopwatch.StartNew();
            findings = run();
            walls.Add(clock.Elapsed.TotalSeconds);
        }
        return new Dictionary<string, object?>
        {
            ["wall_s"] = walls.Select(v => Measure.Round(v)).ToList(),
            ["rows_per_s"] = Math.Round(rows / Measure.Median(walls), 1),
            [counted] = findings,
        };
    }
}
