using System.Diagnostics;
using System.Globalization;
using System.Text;
using OptOut.Core.Fingerprinting;
using OptOut.Core.Imaging;
using OptOut.Core.Index;
using OptOut.Core.Matching;
using OptOut.Samples;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace CopyCalibration;

/// <summary>
/// --verify: the threshold rule against the rule plus geometric verification, same images, same run. Writes
/// its own markdown (the section "Verification" of docs/copy-detection.md).
/// </summary>
public static class VerificationExperiment
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static string Run(Options options, Corpus corpus, Fingerprint[] queryPrints, IReadOnlyList<(string Name, Fingerprint[] Prints)> candidateViews, Func<string, byte[], Fingerprint> take,
        Func<Image<Rgb24>, Alteration, byte[]> encode, Func<string, byte[], PictureFingerprint> fingerprint, Action<string> log)
    {
        var clock = Stopwatch.StartNew();
        var alterations = Alterations.All;
        log($"Verification: fingerprinting {corpus.HardNegatives.Count} hard negatives and the copies of {alterations.Count} alterations...");
        var items = new List<VerifyItem>();
        foreach (var d in corpus.Distractors)
        {
            var content = d.Content;
            items.Add(new VerifyItem(d.RelativePath, d.RelativePath, -1, null, take(d.Path, content), () => content));
        }
        foreach (var h in corpus.HardNegatives)
        {
            var content = h.Content;
            items.Add(new VerifyItem(h.RelativePath, h.RelativePath, -1, null, take(h.Path, content), () => content));
        }
        var copyBytes = new long[alterations.Count];
        for (int q = 0; q < corpus.Queries.Count; q++)
        {
            var original = corpus.Queries[q];
            using var decoded = ImageLoader.Decode(original.Content, original.Path, ImageLimits.Default);
            for (int a = 0; a < alterations.Count; a++)
            {
                var alteration = alterations[a];
                using var copy = Alterations.Apply(decoded.Pixels, alteration);
                var bytes = encode(copy, alteration);
                copyBytes[a] += bytes.Length;
                var print = take($"{original.RelativePath}#{alteration}", bytes);
                int query = q;
                // Regenerated when verified rather than kept: 1,500 encoded copies would hold ~100 MB.
                items.Add(new VerifyItem($"{original.RelativePath} ({alteration})", original.RelativePath, q, alteration, print, () =>
                {
                    using var again = ImageLoader.Decode(corpus.Queries[query].Content, corpus.Queries[query].Path, ImageLimits.Default);
                    using var altered = Alterations.Apply(again.Pixels, alteration);
                    return encode(altered, alteration);
                }));
            }
        }
        double fingerprintSeconds = clock.Elapsed.TotalSeconds;

        var derivatives = DerivativeWorks.Load(DerivativeWorks.DefaultPath);
        var stage = new VerificationStage(corpus.Queries, queryPrints, items, options.CandidateTop, options.Threads) { Derivatives = derivatives, Views = candidateViews };
        stage.ScorePairs();
        _ = stage.IsDerivative(0, 0); // fills the group tables before the parallel counting
        int candidatePairs = stage.Candidates.Sum(c => c.Count);
        var inCandidates = new int[alterations.Count];
        int worstRank = 0;
        for (int q = 0; q < corpus.Queries.Count; q++)
        {
            foreach (var i in stage.Candidates[q].Where(i => stage.IsCopy(q, i))) inCandidates[VerificationReport.IndexOf(items[i].Alteration!.Value)]++;
            int n = items.Count;
            foreach (var i in Enumerable.Range(0, n).Where(i => stage.IsCopy(q, i)))
            {
                int rank = 1 + Enumerable.Range(0, n).Count(j => stage.Cosine[q * n + j] > stage.Cosine[q * n + i]);
                worstRank = Math.Max(worstRank, rank);
            }
        }
        log($"  {candidatePairs} candidate pairs for {corpus.Queries.Count} queries ({clock.Elapsed.TotalSeconds:F0} s)");
        var candidateTable = CandidateViewsTable(stage, corpus.Queries.Count);

        // The search's coarse floor open, so that every pair's coarse correlation is in the evidence.
        var basis = (options.RegionShare > 0
                ? VerifierOptions.Default with { MaxRegionShare = options.RegionShare, MaxStrongFitRegionShare = Math.Max(options.RegionShare, VerifierOptions.Default.MaxStrongFitRegionShare) }
                : VerifierOptions.Default)
            with { MinSearchCoarseScore = double.NegativeInfinity };
        log("Verifying the candidate pairs (SIFT)...");
        var (withViews, timings, verifySeconds) = stage.Gather(basis, _ => true, log);
        WriteEvidence(Path.ChangeExtension(options.VerifyMarkdown, ".evidence.tsv"), stage, withViews);
        // The grid counts the plain query's candidates (as the fourth round did); the candidates the
        // rotated views add are counted apart below.
        var evidence = withViews.Where(e => stage.PlainCandidates[e.Query].Contains(e.Item)).ToList();
        var report = new VerificationReport(stage);
        int queries = corpus.Queries.Count;
        Func<int, bool> all = _ => true, even = q => q % 2 == 0, odd = q => q % 2 == 1;
        int evenCount = (queries + 1) / 2, oddCount = queries / 2;

        var ruleAlone = report.RuleAlone(CopyRule.Default, all);
        var (chosen, tried) = report.Search(evidence, all, queries, VerificationReport.TargetPrecision);
        var (at999, _) = report.Search(evidence, all, queries, 0.999);
        var (at99, _) = report.Search(evidence, all, queries, 0.99);
        var (onEven, _) = report.Search(evidence, even, evenCount, VerificationReport.TargetPrecision);
        var (onOdd, _) = report.Search(evidence, odd, oddCount, VerificationReport.TargetPrecision);
        var prototype = report.Count(VerificationReport.Prototype, evidence, all, queries);

        var md = new StringBuilder();
        md.AppendLine("## Verification: the threshold rule against the rule plus geometric verification");
        md.AppendLine();
        md.AppendLine($"Written by `CopyCalibration --verify` ({DateTime.UtcNow:yyyy-MM-dd}); figures of one run.");
        md.AppendLine();
        md.AppendLine("**Pairs.** The index holds the distractors, the hard negatives and every original's altered copies. The threshold rule");
        md.AppendLine("(`CopyRule.Default`) is counted over every (original, item) pair. The verifier sees the candidate pairs: per original the top");
        md.AppendLine($"{options.CandidateTop} items by cosine, every item within {VerificationStage.HashCandidateRadius} bits of hash distance, and every pair the rule accepts; a pair is a copy when");
        md.AppendLine("verified. Hard negatives are the pairs whose file names share a word of four letters or more (same subject or same artist, e.g.");
        md.AppendLine("`apple_bitten_dan_gerhard` and `apple_with_worm_dan_gerh`); false matches among them are counted in brackets.");
        md.AppendLine($"**Derivative works** are the pairs of files a person has looked at and listed in `bench/CopyCalibration/derivative-works.tsv` ({stage.Derivatives.Groups} groups:");
        md.AppendLine(string.Join("; ", stage.Derivatives.List().Select(g => $"{g.Name}: {g.Kind}")) + ").");
        md.AppendLine("A match between two files of one group is neither a copy of the query nor an error: it is counted apart (\"derivative works matched\"),");
        md.AppendLine("\"precision\" leaves those pairs out and \"precision, derivative works counted false\" counts them as false matches. Every other false match is an error, looked at or not.");
        md.AppendLine();
        md.AppendLine($"- Originals: {queries}; distractors: {corpus.Distractors.Count}; hard negatives: {corpus.HardNegatives.Count} (up to {options.HardPerQuery} per original, taken before the distractors); ");
        md.AppendLine($"  alterations: {alterations.Count} ({string.Join(", ", alterations)}); index: {items.Count} items, {(long)queries * items.Count:N0} pairs.");
        md.AppendLine($"- Candidate pairs: {candidatePairs:N0} ({(double)candidatePairs / queries:F1} per original); true copies among them: {inCandidates.Sum()}/{queries * alterations.Count} " +
            $"({string.Join(", ", Enumerable.Range(0, alterations.Count).Where(a => inCandidates[a] < queries).Select(a => $"{alterations[a]} {inCandidates[a]}/{queries}"))}{(inCandidates.All(c => c == queries) ? "all" : "")} ); worst cosine rank of a true copy among all items: {worstRank}.");
        if (candidateTable.Length > 0) md.Append(candidateTable);
        md.AppendLine($"- Verifier: {basis.FeatureKind} {basis.MaxFeatures} keypoints (contrast threshold {basis.SiftContrastThreshold}) at {basis.WorkingSide} px, mutual nearest neighbours, RANSAC similarity ({basis.RansacThreshold} px, {basis.RansacIterations} iterations),");
        md.AppendLine($"  degenerate fits refused (scale outside [{basis.MinScale}, {basis.MaxScale}], fewer than {basis.MinDistinctInliers} distinct inlier positions, spread under {basis.MinInlierSpread} of the short side),");
        md.AppendLine($"  query also mirrored; pixels blurred (sigma {basis.BlurSigma}) and correlated where the query has content (also outside one rectangle of disagreement of at most {basis.MaxRegionShare} of the pixels), and their colours compared (75th percentile of the CIE a*b* distance; gray pictures not compared). Every stage ran on every candidate pair (thresholds open),");
        md.AppendLine($"  then {tried:N0} threshold combinations were counted (grid: `VerificationReport.Grid`). Fingerprints {fingerprintSeconds:F0} s, verification {verifySeconds:F0} s on {options.Threads} threads.");
        md.AppendLine();
        md.AppendLine($"Target (issue): recall >= {VerificationReport.TargetRecall} on each alteration at precision >= {VerificationReport.TargetPrecision} over all pairs.");
        md.AppendLine();
        md.AppendLine(VerificationReport.Header());
        md.AppendLine(VerificationReport.Row($"(i) threshold rule alone, CopyRule.Default: {Describe(CopyRule.Default)}", ruleAlone));
        if (chosen is not null) md.AppendLine(VerificationReport.Row($"(ii) rule + verification, chosen at precision >= {VerificationReport.TargetPrecision}: {chosen}", report.Count(chosen, evidence, all, queries)));
        if (at999 is not null) md.AppendLine(VerificationReport.Row($"rule + verification at precision >= 0.999: {at999}", report.Count(at999, evidence, all, queries)));
        if (at99 is not null) md.AppendLine(VerificationReport.Row($"rule + verification at precision >= 0.99: {at99}", report.Count(at99, evidence, all, queries)));
        md.AppendLine(VerificationReport.Row($"rule + verification, the issue's prototype thresholds: {VerificationReport.Prototype}", prototype));
        md.AppendLine();
        md.AppendLine("Recall below 0.95 in bold. Mirror and ResizeCropJpeg are new alterations (the rule was calibrated without them).");
        md.AppendLine();
        if (stage.Views.Count > 0)
        {
            md.AppendLine($"**With the candidates of the rotated query views** ({string.Join(", ", stage.Views.Select(v => v.Name))}: {withViews.Count - evidence.Count:N0} more pairs verified), the same rules:");
            md.AppendLine();
            md.AppendLine(VerificationReport.Header());
            if (chosen is not null) md.AppendLine(VerificationReport.Row($"chosen at precision >= {VerificationReport.TargetPrecision} (above)", report.Count(chosen, withViews, all, queries)));
            if (at99 is not null) md.AppendLine(VerificationReport.Row("chosen at precision >= 0.99 (above)", report.Count(at99, withViews, all, queries)));
            var (viewsChosen, _) = report.Search(withViews, all, queries, VerificationReport.TargetPrecision);
            if (viewsChosen is not null) md.AppendLine(VerificationReport.Row($"chosen again over these pairs at precision >= {VerificationReport.TargetPrecision}: {viewsChosen}", report.Count(viewsChosen, withViews, all, queries)));
            md.AppendLine();
        }
        if (onEven is not null && onOdd is not null)
        {
            md.AppendLine("**Held-out check** (thresholds chosen on the even-numbered originals, counted on the odd ones, and the reverse):");
            md.AppendLine();
            md.AppendLine(VerificationReport.Header());
            md.AppendLine(VerificationReport.Row($"chosen on even: {onEven}; on even", report.Count(onEven, evidence, even, evenCount)));
            md.AppendLine(VerificationReport.Row("... same on odd (held out)", report.Count(onEven, evidence, odd, oddCount)));
            md.AppendLine(VerificationReport.Row($"chosen on odd: {onOdd}; on odd", report.Count(onOdd, evidence, odd, oddCount)));
            md.AppendLine(VerificationReport.Row("... same on even (held out)", report.Count(onOdd, evidence, even, evenCount)));
            md.AppendLine();
        }

        if (chosen is not null)
        {
            WriteFalseMatches(md, stage, evidence, report.Count(chosen, evidence, all, queries), "under the chosen rule");
            WriteSizes(md, stage, evidence, chosen);
            WriteMisses(md, stage, evidence, chosen);
        }
        WriteTimings(md, timings, withViews.Count);

        if (options.CompareKinds.Length > 0 && chosen is not null)
        {
            Func<int, bool> subset = q => q % options.CompareEvery == 0;
            int subsetCount = Enumerable.Range(0, queries).Count(subset);
            md.AppendLine($"### Detector comparison ({subsetCount} originals: every {options.CompareEvery}th; same candidates)");
            md.AppendLine();
            md.AppendLine("Each detector's own best thresholds on this subset (same grid, precision >= 0.995); extraction and matching times are means over the run.");
            md.AppendLine();
            md.AppendLine("| detector | " + string.Join(" | ", VerificationReport.Alts) + " | min recall | precision | false | keypoints a picture (median) | bytes a picture (median) | extraction ms | matching ms a pair | thresholds |");
            md.AppendLine("| --- |" + string.Concat(Enumerable.Repeat(" ---: |", VerificationReport.Alts.Count + 6)) + " --- |");
            foreach (var kind in new[] { LocalFeatureKind.Sift }.Concat(options.CompareKinds))
            {
                var kindOptions = basis with { FeatureKind = kind };
                var (kindEvidence, kindTimings, _) = kind == LocalFeatureKind.Sift ? (evidence, timings, 0.0) : stage.Gather(kindOptions, subset, log);
                var (kindRule, _) = report.Search(kindEvidence, subset, subsetCount, VerificationReport.TargetPrecision);
                var counts = kindRule is null ? null : report.Count(kindRule, kindEvidence, subset, subsetCount);
                var keypoints = kindEvidence.Select(e => e.Plain.CandidateKeypoints).Order().ToList();
                int medianKeypoints = keypoints.Count == 0 ? 0 : keypoints[keypoints.Count / 2];
                int bytesPer = 16 + medianKeypoints * (4 + LocalFeatures.DescriptorLengthOf(kind));
                string cells = counts is null ? string.Join(" | ", Enumerable.Repeat("-", VerificationReport.Alts.Count + 3))
                    : string.Join(" | ", Enumerable.Range(0, VerificationReport.Alts.Count).Select(a => F(counts.Recall(a), 3))) + $" | {F(counts.MinRecall, 3)} | {F(counts.Precision, 4)} | {counts.False}";
                md.AppendLine($"| {kind} | {cells} | {medianKeypoints} | {bytesPer:N0} | {F(kindTimings.ExtractionMs / Math.Max(1, kindTimings.Extractions), 1)} | {F(kindTimings.MatchingMs / Math.Max(1, kindTimings.MatchingRuns), 2)} | {kindRule?.ToString() ?? "none reaches the precision"} |");
            }
            md.AppendLine();
        }

        if (options.SizeSweep > 0 && chosen is not null)
        {
            md.Append(SizeSweep.Write(corpus, chosen.ToOptions(basis) with { MinimumSide = 1 }, options.SizeSweep, 5, encode, log));
        }
        if (options.SpeedQueries > 0 && chosen is not null)
        {
            SpeedProbe.Write(md, stage, chosen.ToOptions(basis), fingerprint, options.SpeedQueries, options.SpeedCandidates, log);
        }
        log($"Verification experiment done ({clock.Elapsed.TotalSeconds:F0} s).");
        return md.ToString();
    }

    /// <summary>Candidate recall per alteration: the plain query's candidates, each rotated view added alone, and all together.</summary>
    private static string CandidateViewsTable(VerificationStage stage, int queries)
    {
        if (stage.Views.Count == 0) return "";
        var alts = VerificationReport.Alts;
        var sb = new StringBuilder();
        sb.AppendLine("- Candidates of the rotated query views (top K by cosine of each view, beside the plain query's candidates): true copies among the candidates, and the candidate pairs:");
        sb.AppendLine();
        sb.AppendLine($"  | candidates | {string.Join(" | ", alts)} | candidate pairs |");
        sb.AppendLine($"  | --- |{string.Concat(Enumerable.Repeat(" ---: |", alts.Count + 1))}");
        void Line(string name, Func<int, int, bool> has)
        {
            var found = new int[alts.Count];
            long pairs = 0;
            for (int q = 0; q < queries; q++)
            {
                for (int i = 0; i < stage.Items.Count; i++)
                {
                    if (!has(q, i)) continue;
                    pairs++;
                    if (stage.IsCopy(q, i)) found[VerificationReport.IndexOf(stage.Items[i].Alteration!.Value)]++;
                }
            }
            sb.AppendLine($"  | {name} | {string.Join(" | ", found.Select(f => $"{f}/{queries}"))} | {pairs:N0} |");
        }
        Line("plain query (top K, hash, rule)", (q, i) => stage.PlainCandidates[q].Contains(i));
        for (int v = 0; v < stage.Views.Count; v++)
        {
            int view = v;
            Line($"plain + {stage.Views[v].Name}", (q, i) => stage.PlainCandidates[q].Contains(i) || stage.ViewCandidates[view][q].Contains(i));
        }
        if (stage.Views.Count > 1) Line("plain + every view", (q, i) => stage.PlainCandidates[q].Contains(i) || Enumerable.Range(0, stage.Views.Count).Any(v => stage.ViewCandidates[v][q].Contains(i)));
        sb.AppendLine();
        return sb.ToString();
    }

    private static void WriteFalseMatches(StringBuilder md, VerificationStage stage, List<PairEvidence> evidence, VerifyCounts counts, string when)
    {
        var byPair = evidence.ToDictionary(e => (e.Query, e.Item));
        void Table(List<(int Query, int Item)> pairs, bool group)
        {
            if (pairs.Count == 0)
            {
                md.AppendLine("none.");
                md.AppendLine();
                return;
            }
            md.AppendLine($"| original | item | {(group ? "derivative group" : "hard negative")} | stretch NCC / trimmed / colour | inliers (plain, mirrored) | NCC / trimmed / colour (best fit) | overlap | pixel search NCC / colour (scale) | item size |");
            md.AppendLine("| --- | --- | --- | --- | --- | --- | --- | --- | --- |");
            foreach (var (q, i) in pairs.Take(60))
            {
                var e = byPair[(q, i)];
                var best = (e.Mirrored.Ncc > e.Plain.Ncc) ? e.Mirrored : e.Plain;
                string third = group ? stage.Derivatives.SharedGroup(stage.Queries[q].RelativePath, stage.Items[i].RelativePath) ?? "" : stage.IsHard(q, i) ? "yes" : "";
                md.AppendLine($"| {stage.Queries[q].RelativePath} | {stage.Items[i].Name} | {third} | {(e.Stretch is null ? "-" : $"{F(e.Stretch.Ncc, 3)} / {F(e.Stretch.TrimmedNcc, 3)} / {F(e.Stretch.ColourDifference, 1)}")} | {e.Plain.Inliers}, {e.Mirrored.Inliers} | {F(best.Ncc, 3)} / {F(best.TrimmedNcc, 3)} / {F(best.ColourDifference, 1)}{(best.Mirrored ? " (mirrored)" : "")} | {F(best.Overlap, 2)} | {SearchCell(e)} | {e.ItemShortSide} px short side |");
            }
            md.AppendLine();
        }
        md.AppendLine($"**False matches {when}** ({counts.False}; every one listed):");
        md.AppendLine();
        Table(counts.FalsePairs, group: false);
        md.AppendLine($"**Derivative works matched {when}** ({counts.Derivative}; reported apart, not hidden):");
        md.AppendLine();
        Table(counts.DerivativePairs ?? [], group: true);
    }

    private static string SearchCell(PairEvidence e) =>
        e.Search is { } s ? $"{F(s.Ncc, 3)} / {F(s.ColourDifference, 1)} ({F(s.Scale, 2)}{(s.Mirrored ? ", mirrored" : "")}, overlap {F(s.Overlap, 2)})" : "not run";

    private static void WriteMisses(StringBuilder md, VerificationStage stage, List<PairEvidence> evidence, VerificationRule rule)
    {
        var byPair = evidence.ToDictionary(e => (e.Query, e.Item));
        var misses = new List<string>();
        for (int q = 0; q < stage.Queries.Count; q++)
        {
            for (int i = 0; i < stage.Items.Count; i++)
            {
                if (!stage.IsCopy(q, i)) continue;
                if (!byPair.TryGetValue((q, i), out var e)) { misses.Add($"| {stage.Items[i].Name} | not a candidate | | | |"); continue; }
                if (rule.Accepts(e)) continue;
                var best = (e.Mirrored.Ncc > e.Plain.Ncc) ? e.Mirrored : e.Plain;
                misses.Add($"| {stage.Items[i].Name} | {best.Reason} | {e.Plain.Inliers}, {e.Mirrored.Inliers} | {F(best.Ncc, 3)} / {F(best.TrimmedNcc, 3)} | {(e.Stretch is null ? "-" : $"{F(e.Stretch.Ncc, 3)} / {F(e.Stretch.TrimmedNcc, 3)}")} | {SearchCell(e)} | {e.QueryShortSide} / {e.ItemShortSide} px |");
            }
        }
        md.AppendLine($"**Copies missed under the chosen rule** ({misses.Count}):");
        md.AppendLine();
        if (misses.Count == 0) { md.AppendLine("none."); md.AppendLine(); return; }
        md.AppendLine("| copy | best fit's reason | inliers (plain, mirrored) | NCC / trimmed | stretch NCC / trimmed | pixel search NCC (scale) | short sides (original / copy) |");
        md.AppendLine("| --- | --- | --- | --- | --- | --- | --- |");
        foreach (var m in misses.Take(60)) md.AppendLine(m);
        md.AppendLine();
    }

    private static void WriteSizes(StringBuilder md, VerificationStage stage, List<PairEvidence> evidence, VerificationRule rule)
    {
        var open = rule with { MinSide = 1 };
        int[] edges = [0, 32, 48, 64, 96, 128, 200, int.MaxValue];
        md.AppendLine($"**By picture size** (the chosen rule without its size floor; short side of the smaller picture of the pair):");
        md.AppendLine();
        md.AppendLine("| short side | candidate pairs | unrelated pairs verified | true copies | copies verified |");
        md.AppendLine("| --- | ---: | ---: | ---: | ---: |");
        for (int b = 0; b + 1 < edges.Length; b++)
        {
            var bucket = evidence.Where(e => e.ShortSide >= edges[b] && e.ShortSide < edges[b + 1]).ToList();
            int unrelatedVerified = bucket.Count(e => !stage.IsCopy(e.Query, e.Item) && open.Accepts(e));
            int copies = bucket.Count(e => stage.IsCopy(e.Query, e.Item));
            int copiesVerified = bucket.Count(e => stage.IsCopy(e.Query, e.Item) && open.Accepts(e));
            string label = edges[b + 1] == int.MaxValue ? $">= {edges[b]}" : $"{edges[b]}-{edges[b + 1] - 1}";
            md.AppendLine($"| {label} | {bucket.Count} | {unrelatedVerified} | {copies} | {copiesVerified} |");
        }
        md.AppendLine();
    }

    private static void WriteTimings(StringBuilder md, VerificationTimings t, int pairs)
    {
        md.AppendLine($"Stage costs in this run (means over {pairs:N0} pairs, every stage forced, {Environment.ProcessorCount} cores shared by 2 threads): " +
            $"extraction {F(t.ExtractionMs / Math.Max(1, t.Extractions), 1)} ms a candidate picture ({t.Extractions}), matching {F(t.MatchingMs / Math.Max(1, t.MatchingRuns), 2)} ms ({t.MatchingRuns}), " +
            $"RANSAC {F(t.RansacMs / Math.Max(1, t.RansacRuns), 2)} ms ({t.RansacRuns}), aligned NCC {F(t.NccMs / Math.Max(1, t.NccRuns), 2)} ms ({t.NccRuns}), stretch {F(t.StretchMs / Math.Max(1, t.StretchRuns), 2)} ms ({t.StretchRuns}).");
        md.AppendLine();
    }

    /// <summary>Every candidate pair's figures, for analysis beyond the report.</summary>
    private static void WriteEvidence(string path, VerificationStage stage, List<PairEvidence> evidence)
    {
        using var writer = new StreamWriter(path, false, new UTF8Encoding(false));
        writer.WriteLine("query\titem\tclass\thard\tquery_side\titem_side\thash\tcosine\tstretch_ncc\tstretch_trimmed\tplain_reason\tplain_matches\tplain_inliers\tplain_scale\tplain_ncc\tplain_trimmed\tplain_overlap\tmirror_reason\tmirror_matches\tmirror_inliers\tmirror_ncc\tmirror_trimmed\tmirror_overlap\tsearch_ncc\tsearch_trimmed\tsearch_overlap\tsearch_scale\tsearch_rotation\tsearch_mirrored\tstretch_colour\tplain_colour\tmirror_colour\tsearch_colour\tstretch_region\tstretch_region_share\tplain_region\tplain_region_share\tmirror_region\tmirror_region_share\tsearch_region\tsearch_region_share\tsearch_coarse\tcandidates\tplain_rotation\tmirror_rotation\tmirror_scale\tquery_shift\titem_shift\tplain_rank\tview_rank\tplain_wide_region\tplain_wide_region_share\tmirror_wide_region\tmirror_wide_region_share\tthickened\trefined\tquery_keypoints\tplain_detail");
        int n = stage.Items.Count;
        foreach (var e in evidence)
        {
            var item = stage.Items[e.Item];
            string cls = stage.IsCopy(e.Query, e.Item) ? item.Alteration.ToString()! : "unrelated";
            writer.WriteLine(string.Join('\t', stage.Queries[e.Query].RelativePath, item.Name, cls, stage.IsHard(e.Query, e.Item) ? "1" : "0", e.QueryShortSide, e.ItemShortSide,
                stage.Distance[e.Query * n + e.Item], F(stage.Cosine[e.Query * n + e.Item], 4), F(e.Stretch?.Ncc ?? double.NaN, 4), F(e.Stretch?.TrimmedNcc ?? double.NaN, 4),
                e.Plain.Reason, e.Plain.Matches, e.Plain.Inliers, F(e.Plain.Scale, 3), F(e.Plain.Ncc, 4), F(e.Plain.TrimmedNcc, 4), F(e.Plain.Overlap, 3),
                e.Mirrored.Reason, e.Mirrored.Matches, e.Mirrored.Inliers, F(e.Mirrored.Ncc, 4), F(e.Mirrored.TrimmedNcc, 4), F(e.Mirrored.Overlap, 3),
                F(e.Search?.Ncc ?? double.NaN, 4), F(e.Search?.TrimmedNcc ?? double.NaN, 4), F(e.Search?.Overlap ?? double.NaN, 3), F(e.Search?.Scale ?? double.NaN, 3),
                F(e.Search?.RotationDegrees ?? double.NaN, 2), e.Search is null ? "" : e.Search.Mirrored ? "1" : "0",
                F(e.Stretch?.ColourDifference ?? double.NaN, 1), F(e.Plain.ColourDifference, 1), F(e.Mirrored.ColourDifference, 1), F(e.Search?.ColourDifference ?? double.NaN, 1),
                F(e.Stretch?.RegionNcc ?? double.NaN, 4), F(e.Stretch?.RegionShare ?? double.NaN, 3), F(e.Plain.RegionNcc, 4), F(e.Plain.RegionShare, 3),
                F(e.Mirrored.RegionNcc, 4), F(e.Mirrored.RegionShare, 3), F(e.Search?.RegionNcc ?? double.NaN, 4), F(e.Search?.RegionShare ?? double.NaN, 3),
                F(e.Search?.SearchCoarseScore ?? double.NaN, 4), stage.PlainCandidates[e.Query].Contains(e.Item) ? "plain" : "view",
                F(e.Plain.RotationDegrees, 2), F(e.Mirrored.RotationDegrees, 2), F(e.Mirrored.Scale, 3), F(e.QueryShift, 4), F(e.ItemShift, 4),
                stage.PlainRanks[e.Query].GetValueOrDefault(e.Item), stage.ViewRanks[e.Query].TryGetValue(e.Item, out var viewRank) ? viewRank.ToString(CultureInfo.InvariantCulture) : "-",
                F(e.Plain.WideRegionNcc, 4), F(e.Plain.WideRegionShare, 3), F(e.Mirrored.WideRegionNcc, 4), F(e.Mirrored.WideRegionShare, 3),
                e.ThickenedOnly is { } thick ? (thick ? "1" : "0") : "-", Refined(e), e.Plain.QueryKeypoints, e.Plain.Detail));
        }
    }

    // Which alignments were refined by pixels (VerifierOptions.RefineAlignment): p(lain fit), m(irrored fit), s(earch); '-' none.
    private static string Refined(PairEvidence e)
    {
        string flags = (e.Plain.PoseRefined ? "p" : "") + (e.Mirrored.PoseRefined ? "m" : "") + (e.Search?.PoseRefined == true ? "s" : "");
        return flags.Length == 0 ? "-" : flags;
    }

    private static string Describe(CopyRule r) =>
        $"hash <= {r.HashAlone} or cosine >= {r.CosineAlone.ToString("F3", Inv)} or (hash <= {r.HashWithCosine} and cosine >= {r.CosineWithHash.ToString("F3", Inv)})";

    private static string F(double v, int digits) => VerificationReport.F(v, digits);
}
