using System.Globalization;
using System.Text;
using OptOut.Core.Index;
using OptOut.Samples;

namespace CopyCalibration;

/// <summary>Runs the searches and writes docs/copy-detection.md.</summary>
public sealed class Report(Options options, Corpus corpus, PairScores scores, IReadOnlyList<string> itemNames, string modelId, long[] copyBytes, double fingerprintSeconds, FingerprintCache cache)
{
    private const double TargetRecall = 0.95;
    private const double TargetPrecision = 0.99;
    private const int LimitedRadius = 16;
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;
    private readonly Calibrator calibrator = new(scores);
    private readonly StringBuilder md = new();
    private static Alteration[] Alts => PairScores.Alterations;

    public string Build()
    {
        var searchClock = System.Diagnostics.Stopwatch.StartNew();
        // The rule shipped as CopyRule's defaults must suit the engine as it is: IndexSearcher fetches every row
        // within max(HashAlone, HashWithCosine) bits from the hash index, and a hash-only clause is what finds
        // copies in an index whose vectors come from another model.
        var chosenSearch = calibrator.Search(TargetPrecision, TargetRecall, maxSearchRadius: LimitedRadius, minHashAlone: 0);
        var free = calibrator.Search(TargetPrecision, TargetRecall);
        var hashOnly = calibrator.Search(TargetPrecision, TargetRecall, allowCosine: false);
        var cosineOnly = calibrator.Search(TargetPrecision, TargetRecall, allowHash: false);
        var halfA = calibrator.Search(TargetPrecision, TargetRecall, q => q % 2 == 0, maxSearchRadius: LimitedRadius, minHashAlone: 0);
        var halfB = calibrator.Search(TargetPrecision, TargetRecall, q => q % 2 == 1, maxSearchRadius: LimitedRadius, minHashAlone: 0);
        var precisionFloors = new[] { 0.999, 0.995, 0.99, 0.98, 0.95, 0.90 };
        var limitedFloors = precisionFloors.Select(p => (p, calibrator.Search(p, TargetRecall, maxSearchRadius: LimitedRadius, minHashAlone: 0))).ToList();
        var freeFloors = precisionFloors.Select(p => (p, calibrator.Search(p, TargetRecall))).ToList();
        // Is the module's default on the trade-off's edge? The rule with the fewest false matches finding every alteration at least as often.
        var before = calibrator.Evaluate(CopyRule.Default);
        var dominating = calibrator.Search(0, TargetRecall, maxSearchRadius: LimitedRadius, minHashAlone: 0, atLeastFound: before.Found);
        var searchSeconds = searchClock.Elapsed.TotalSeconds;
        long rulesTried = new[] { chosenSearch, free, hashOnly, cosineOnly, halfA, halfB, dominating }.Concat(limitedFloors.Select(f => f.Item2)).Concat(freeFloors.Select(f => f.Item2)).Sum(r => r.RulesTried);

        var chosen = chosenSearch.Best is { } b ? calibrator.Evaluate(Calibrator.ToRule(b)) : null;
        var freeBest = free.Best is { } fb ? calibrator.Evaluate(Calibrator.ToRule(fb)) : null;
        bool met = chosen is not null && chosen.MinRecall >= TargetRecall && chosen.Precision >= TargetPrecision;

        md.AppendLine("# Copy detection: calibrating the copy rule");
        md.AppendLine();
        md.AppendLine("Written by `bench/CopyCalibration.ps1` (the console app `bench/CopyCalibration`); rerun it to refresh every figure");
        md.AppendLine("below. The rule being calibrated is `CopyRule` (`src/OptOut.Core/Index/CopyRule.cs`): a row is a copy of the");
        md.AppendLine("query picture when");
        md.AppendLine();
        md.AppendLine("    hashDistance <= HashAlone  OR  cosine >= CosineAlone  OR  (hashDistance <= HashWithCosine AND cosine >= CosineWithHash)");
        md.AppendLine();
        md.AppendLine($"Target (issue): recall >= {F(TargetRecall, 2)} on each alteration at overall precision >= {F(TargetPrecision, 2)}.");
        md.AppendLine();

        var dominatingRule = dominating.Best is { } dmr ? calibrator.Evaluate(Calibrator.ToRule(dmr)) : null;
        WriteResultSummary(chosen, met, freeBest, before, dominatingRule);
        WriteMethod(chosenSearch, rulesTried, searchSeconds);
        WriteChosen(chosen, halfA, halfB);
        WriteBaselines(chosen, freeBest, hashOnly, cosineOnly, before, dominatingRule);
        WriteFloors(limitedFloors, freeFloors);
        WriteDistributions(chosen);
        WriteCeilings(chosen);
        WriteEngineNotes();
        return md.ToString();
    }

    private void WriteResultSummary(Evaluation? chosen, bool met, Evaluation? freeBest, Evaluation defaults, Evaluation? dominating)
    {
        md.AppendLine("## Result");
        md.AppendLine();
        if (chosen is null)
        {
            md.AppendLine($"No rule on the grid reaches precision {F(TargetPrecision, 2)} with any copy found.");
            md.AppendLine();
        }
        else
        {
            md.AppendLine($"Rule chosen by the target's criterion (precision >= {F(TargetPrecision, 2)}, then the highest minimum recall): **{Describe(chosen.Rule)}**.");
            md.AppendLine();
            md.AppendLine(met
                ? $"It meets the target: minimum recall {F(chosen.MinRecall, 3)}, precision {F(chosen.Precision, 4)}."
                : $"**The target is not met.** At precision >= {F(TargetPrecision, 2)} the best minimum recall is {F(chosen.MinRecall, 3)} " +
                  $"(overall recall {F(chosen.OverallRecall, 3)}, precision {F(chosen.Precision, 4)}); below {F(TargetRecall, 2)}: {string.Join(", ", Short(chosen))}. " +
                  "See \"Why the target is out of reach\" below.");
            md.AppendLine();
        }
        var rows = new List<(string, Evaluation)>();
        if (chosen is not null) rows.Add(("rule at the target precision", chosen));
        if (freeBest is not null && (chosen is null || freeBest.Rule != chosen.Rule)) rows.Add(($"best at precision >= {F(TargetPrecision, 2)} without the engine constraints: {Describe(freeBest.Rule)}", freeBest));
        rows.Add(($"CopyRule.Default of this build: {Describe(CopyRule.Default)}", defaults));
        WriteTable(rows);
        bool same = chosen is not null && chosen.Rule == CopyRule.Default;
        md.Append(same ? "CopyRule.Default is the rule at the target precision. " : "CopyRule.Default is not the rule at the target precision. ");
        if (dominating is not null && dominating.Rule == CopyRule.Default)
        {
            md.AppendLine("No rule on the grid (within the engine constraints) finds every alteration at least as often as");
            md.AppendLine("CopyRule.Default with fewer false matches: the default is the recall-first end of the trade-off below, the rule");
            md.AppendLine("at the target precision its precision-first end. Rows between them trade one for the other.");
        }
        else if (dominating is not null)
        {
            md.AppendLine($"A rule finds every alteration at least as often with fewer false matches: {Describe(dominating.Rule)} ({dominating.FalseMatches} against {defaults.FalseMatches}).");
        }
        md.AppendLine();
    }

    private static IEnumerable<string> Short(Evaluation e) =>
        Enumerable.Range(0, Alts.Length).Where(a => e.Recall(a) < TargetRecall).Select(a => $"{Alts[a]} {F(e.Recall(a), 3)}");

    private void WriteMethod(Calibrator.SearchResult full, long rulesTried, double searchSeconds)
    {
        int q = corpus.Queries.Count, d = corpus.Distractors.Count, n = scores.ItemCount;
        md.AppendLine("## Method");
        md.AppendLine();
        md.AppendLine($"- **Images:** real clip-art from Debian's `openclipart-png` ({options.Source}). Of {corpus.FilesSeen} PNG entries,");
        md.AppendLine($"  {corpus.SymlinksSkipped} symbolic links, {corpus.DuplicateContentSkipped} byte-identical duplicates and {corpus.SameFamilySkipped} variants of an already kept drawing");
        md.AppendLine($"  (same file name but for a trailing number, e.g. `flask_01`/`flask_02`) were dropped{(corpus.Unreadable > 0 ? $", {corpus.Unreadable} unreadable files" : "")}{(corpus.OverLimits > 0 ? $", and {corpus.OverLimits} over the module's decoding limits (ImageLimits.Default)" : "")},");
        md.AppendLine($"  leaving {corpus.Unique} distinct images, sorted by relative path. **{q} originals** are taken at an even stride");
        md.AppendLine($"  from the {corpus.QueryEligible} of at least {options.MinQuerySide} px on the short side (artwork an artist would register), and");
        md.AppendLine($"  **{d} unrelated images (distractors)** at an even stride from all the others, any size.");
        var sides = corpus.Queries.Select(x => (double)Math.Min(x.Width, x.Height)).ToArray();
        md.AppendLine($"  Originals' short side: median {Pct(sides, 50):F0} px, from {sides.Min():F0} to {sides.Max():F0}.");
        md.AppendLine("- **Copies:** each original is decoded as the module decodes it (`ImageLoader`: transparency flattened onto white),");
        md.AppendLine("  altered with `OptOut.Samples.Alterations.Apply`, encoded as a scraper would store it, and fingerprinted from");
        md.AppendLine($"  those bytes (`Fingerprinter.Prepare` + `Complete`). Stored as JPEG quality {options.JpegQuality} (img2dataset's default), except");
        md.AppendLine("  Reencode, whose alteration is itself the JPEG q70 round trip, stored losslessly (PNG):");
        md.AppendLine();
        md.AppendLine("  | alteration | what it does | mean stored size |");
        md.AppendLine("  | --- | --- | --- |");
        string[] what =
        [
            "JPEG quality 70 round trip",
            "half width and height",
            "8% cut off each side (71% of the area kept)",
            "white border, 10% of the width/height each side",
            "translucent white band with dark blocks across the lower third",
            "grayscale (BT.709 luma)",
            "rotated 4 degrees (canvas grows; black corners), cut back to the original size from the top left",
            "brightness x 1.2",
        ];
        for (int a = 0; a < Alts.Length; a++)
        {
            md.AppendLine($"  | {Alts[a]} | {what[a]} | {copyBytes[a] / (double)q / 1024:F0} KiB |");
        }
        md.AppendLine($"- **Fingerprints:** the module's perceptual hash (64-bit DCT, docs/fingerprints.md) and the bundled model");
        md.AppendLine($"  `{modelId}` (512-d, L2-normalised, cosine = dot product), through `new Fingerprinter(model, ImageLimits.Default)`.");
        md.AppendLine($"  {cache.Misses} images fingerprinted in this run, {cache.Hits} taken from the cache (`out/copy-calibration/`), {fingerprintSeconds:F0} s.");
        md.AppendLine($"- **Index and pairs:** the index holds the {d} distractors and the {q * Alts.Length} copies ({n} items). Each original is a query");
        md.AppendLine($"  against every item: {(long)q * n:N0} pairs, of which {q * Alts.Length} are true copies (one per query and alteration) and");
        md.AppendLine($"  {(long)q * n - q * Alts.Length:N0} unrelated (the distractors and the other originals' copies).");
        md.AppendLine("- **Measures:** recall of an alteration = copies of that alteration found / originals; precision = true copies among");
        md.AppendLine("  all pairs the rule calls copies, over all alterations and queries. A pair between two different originals that");
        md.AppendLine("  happen to look alike counts as a false match (see the closest unrelated pairs below).");
        md.AppendLine($"- **Search:** HashAlone off or 0..24; CosineAlone off or 0.600..1.000; HashWithCosine off or HashAlone+1..40;");
        md.AppendLine($"  CosineWithHash 0.300..0.995 below CosineAlone; cosine steps 0.005. {rulesTried:N0} rules counted in {searchSeconds:F1} s");
        md.AppendLine("  (all the searches of this page) from cumulative histograms; every rule shown is recounted exactly with");
        md.AppendLine($"  `CopyRule.IsCopy`. Choice: precision >= {F(TargetPrecision, 2)}, then the highest minimum recall over the alterations, then");
        md.AppendLine("  the most copies found, then the fewest false matches; equally good rules form a region of the grid and the");
        md.AppendLine("  one deepest inside it (most grid steps from its edge along every axis) is taken, to depend least on this");
        md.AppendLine($"  sample's extremes. {full.RulesMeetingTarget:N0} grid rules met the full target; {full.How}.");
        md.AppendLine($"- **Engine constraints on the rule:** max(HashAlone, HashWithCosine) <= {LimitedRadius}, because `IndexSearcher`");
        md.AppendLine("  fetches every row within that many bits from the hash index (see the share of unrelated pairs within 24 or 28");
        md.AppendLine("  bits below: a wider radius reads a large part of the index for every query); and HashAlone >= 0, so that");
        md.AppendLine("  identical hashes still count where the index's vectors come from another model and only hashes compare.");
        md.AppendLine("  The best rule without these constraints is shown beside it.");
        md.AppendLine();
    }

    private void WriteChosen(Evaluation? chosen, Calibrator.SearchResult halfA, Calibrator.SearchResult halfB)
    {
        md.AppendLine("## Rule at the target precision");
        md.AppendLine();
        if (chosen is null)
        {
            md.AppendLine("None: no grid rule reaches the precision.");
            md.AppendLine();
            return;
        }
        var r = chosen.Rule;
        md.AppendLine("```csharp");
        md.AppendLine($"new CopyRule {{ HashAlone = {r.HashAlone}, CosineAlone = {FloatLiteral(r.CosineAlone)}, HashWithCosine = {r.HashWithCosine}, CosineWithHash = {FloatLiteral(r.CosineWithHash)} }}");
        md.AppendLine("```");
        md.AppendLine();
        md.AppendLine($"{chosen.TruePositives} of {chosen.PerAlteration * Alts.Length} copies found, {chosen.FalseMatches} false matches among {(long)scores.QueryCount * scores.ItemCount - scores.QueryCount * Alts.Length:N0} unrelated pairs.");
        md.AppendLine();
        md.AppendLine("**Held-out check.** The same search (same constraints) on the even-numbered originals only, its rule then counted on the odd-numbered");
        md.AppendLine("ones (whose copies it never saw), and the reverse:");
        md.AppendLine();
        var rows = new List<(string, Evaluation)>();
        if (halfA.Best is { } a)
        {
            var rule = Calibrator.ToRule(a);
            rows.Add(($"chosen on even: {Describe(rule)}; on even", calibrator.Evaluate(rule, q => q % 2 == 0)));
            rows.Add(("... same rule on odd (held out)", calibrator.Evaluate(rule, q => q % 2 == 1)));
        }
        if (halfB.Best is { } b)
        {
            var rule = Calibrator.ToRule(b);
            rows.Add(($"chosen on odd: {Describe(rule)}; on odd", calibrator.Evaluate(rule, q => q % 2 == 1)));
            rows.Add(("... same rule on even (held out)", calibrator.Evaluate(rule, q => q % 2 == 0)));
        }
        rows.Add(("rule chosen on all originals, counted on even", calibrator.Evaluate(r, q => q % 2 == 0)));
        rows.Add(("rule chosen on all originals, counted on odd", calibrator.Evaluate(r, q => q % 2 == 1)));
        WriteTable(rows);
        md.AppendLine("Each half has half the originals but still every distractor, so its precision is measured on about half as");
        md.AppendLine("many unrelated pairs; a held-out figure below the full-set one shows how much the choice fits this sample.");
        md.AppendLine();
    }

    private void WriteBaselines(Evaluation? chosen, Evaluation? freeBest, Calibrator.SearchResult hashOnly, Calibrator.SearchResult cosineOnly, Evaluation before, Evaluation? dominating)
    {
        md.AppendLine("## Baselines (same images, same run)");
        md.AppendLine();
        var rows = new List<(string, Evaluation)>();
        if (chosen is not null) rows.Add(("rule at the target precision", chosen));
        if (freeBest is not null) rows.Add(($"best without the engine constraints: {Describe(freeBest.Rule)}", freeBest));
        rows.Add(($"CopyRule.Default of this build: {Describe(CopyRule.Default)}", before));
        if (dominating is not null) rows.Add(($"fewest false matches finding each alteration at least as often as CopyRule.Default (engine constraints): {Describe(dominating.Rule)}", dominating));
        rows.Add(("hash alone, distance <= 10 (imagededup's default)", calibrator.Evaluate(Calibrator.Rule(10, 1001, Calibrator.Off, 1001))));
        rows.Add(("cosine alone >= 0.90 (imagededup's CNN default)", calibrator.Evaluate(Calibrator.Rule(Calibrator.Off, 900, Calibrator.Off, 1001))));
        if (hashOnly.Best is { } h) rows.Add(($"best hash alone at precision >= {F(TargetPrecision, 2)}: {Describe(Calibrator.ToRule(h))}", calibrator.Evaluate(Calibrator.ToRule(h))));
        if (cosineOnly.Best is { } c) rows.Add(($"best cosine alone at precision >= {F(TargetPrecision, 2)}: {Describe(Calibrator.ToRule(c))}", calibrator.Evaluate(Calibrator.ToRule(c))));
        WriteTable(rows);
    }

    private void WriteFloors(List<(double Precision, Calibrator.SearchResult Result)> limited, List<(double Precision, Calibrator.SearchResult Result)> free)
    {
        md.AppendLine("## Trade-off: best minimum recall at other precision floors");
        md.AppendLine();
        md.AppendLine($"With the engine constraints (hash radius <= {LimitedRadius}, HashAlone >= 0):");
        md.AppendLine();
        WriteFloorRows(limited);
        md.AppendLine("Without them:");
        md.AppendLine();
        WriteFloorRows(free);
    }

    private void WriteFloorRows(List<(double Precision, Calibrator.SearchResult Result)> floors)
    {
        var rows = new List<(string, Evaluation)>();
        foreach (var (p, result) in floors)
        {
            if (result.Best is { } g) rows.Add(($"precision >= {F(p, 3)}: {Describe(Calibrator.ToRule(g))}", calibrator.Evaluate(Calibrator.ToRule(g))));
            else rows.Add(($"precision >= {F(p, 3)}: none", new Evaluation(new CopyRule(), new int[Alts.Length], scores.QueryCount, 0)));
        }
        WriteTable(rows);
    }

    private void WriteDistributions(Evaluation? chosen)
    {
        int q = scores.QueryCount, n = scores.ItemCount;
        var topUnrelatedCosine = new double[q];
        var nearestUnrelatedHash = new double[q];
        var negDist = new long[65];
        var cosineThresholds = new[] { 0.80, 0.85, 0.90, 0.92, 0.95, 0.97 };
        var negCos = new long[cosineThresholds.Length];
        var copyDist = Alts.Select(_ => new List<double>()).ToArray();
        var copyCos = Alts.Select(_ => new List<double>()).ToArray();
        var beatsByCosine = new int[Alts.Length];
        var beatsByHash = new int[Alts.Length];
        var topByCosine = new List<(float C, int D, int Q, int I)>();
        var topByHash = new List<(float C, int D, int Q, int I)>();
        for (int qi = 0; qi < q; qi++)
        {
            float top = -1; int nearest = 65;
            int at = qi * n;
            for (int i = 0; i < n; i++)
            {
                int cls = scores.ClassOf(qi, i);
                float c = scores.Cosine[at + i]; int dd = scores.Distance[at + i];
                if (cls != 0)
                {
                    copyDist[cls - 1].Add(dd);
                    copyCos[cls - 1].Add(c);
                    continue;
                }
                top = Math.Max(top, c);
                nearest = Math.Min(nearest, dd);
                negDist[dd]++;
                for (int t = 0; t < cosineThresholds.Length; t++) if (c >= cosineThresholds[t]) negCos[t]++;
                if (c >= 0.85f) topByCosine.Add((c, dd, qi, i));
                if (dd <= 14) topByHash.Add((c, dd, qi, i));
            }
            topUnrelatedCosine[qi] = top;
            nearestUnrelatedHash[qi] = nearest;
            for (int i = 0; i < n; i++)
            {
                int cls = scores.ClassOf(qi, i);
                if (cls == 0) continue;
                if (scores.Cosine[at + i] > top) beatsByCosine[cls - 1]++;
                if (scores.Distance[at + i] < nearest) beatsByHash[cls - 1]++;
            }
        }

        md.AppendLine("## Score distributions");
        md.AppendLine();
        md.AppendLine("Copies against their own original (one per original and alteration). Percentiles are nearest-rank; for cosine the");
        md.AppendLine("low end matters (p5 = the copy 5% of the way up from the worst), for hash distance the high end. \"Beats every");
        md.AppendLine("unrelated\" = the copy scores better than every unrelated item scores against the same original, i.e. a ranking");
        md.AppendLine("would put it first even where no single threshold can keep it.");
        md.AppendLine();
        md.AppendLine("| alteration | hash p50 | hash p90 | hash p95 | hash max | hash <= 10 | cosine min | cosine p5 | cosine p10 | cosine p50 | cosine >= 0.90 | beats every unrelated (cosine) | beats every unrelated (hash) |");
        md.AppendLine("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
        for (int a = 0; a < Alts.Length; a++)
        {
            var hd = copyDist[a].ToArray(); var cs = copyCos[a].ToArray();
            md.AppendLine($"| {Alts[a]} | {Pct(hd, 50):F0} | {Pct(hd, 90):F0} | {Pct(hd, 95):F0} | {hd.Max():F0} | {F(hd.Count(x => x <= 10) / (double)q, 3)} | " +
                          $"{F(cs.Min(), 3)} | {F(Pct(cs, 5), 3)} | {F(Pct(cs, 10), 3)} | {F(Pct(cs, 50), 3)} | {F(cs.Count(x => x >= 0.90) / (double)q, 3)} | " +
                          $"{F(beatsByCosine[a] / (double)q, 3)} | {F(beatsByHash[a] / (double)q, 3)} |");
        }
        md.AppendLine();
        long negatives = (long)q * n - q * Alts.Length;
        md.AppendLine($"Unrelated pairs ({negatives:N0}). Per original, its most similar unrelated item by cosine: median {F(Pct(topUnrelatedCosine, 50), 3)}, p90 {F(Pct(topUnrelatedCosine, 90), 3)},");
        md.AppendLine($"p95 {F(Pct(topUnrelatedCosine, 95), 3)}, max {F(topUnrelatedCosine.Max(), 3)}; its nearest unrelated item by hash: median {Pct(nearestUnrelatedHash, 50):F0}, p10 {Pct(nearestUnrelatedHash, 10):F0},");
        md.AppendLine($"p5 {Pct(nearestUnrelatedHash, 5):F0}, min {nearestUnrelatedHash.Min():F0} bits.");
        md.AppendLine();
        md.AppendLine("| unrelated pairs with | " + string.Join(" | ", new[] { 4, 6, 8, 10, 12, 16, 20, 24, 28 }.Select(k => $"hash <= {k}")) + " | " + string.Join(" | ", cosineThresholds.Select(t => $"cosine >= {F(t, 2)}")) + " |");
        md.AppendLine("| --- |" + string.Concat(Enumerable.Repeat(" --- |", 9 + cosineThresholds.Length)));
        long Cum(int k) => negDist.Take(k + 1).Sum();
        md.AppendLine("| count | " + string.Join(" | ", new[] { 4, 6, 8, 10, 12, 16, 20, 24, 28 }.Select(k => Cum(k).ToString("N0", Inv))) + " | " + string.Join(" | ", negCos.Select(x => x.ToString("N0", Inv))) + " |");
        md.AppendLine();

        md.AppendLine("Closest unrelated pairs by cosine (a few may be the same drawing published twice under different names):");
        md.AppendLine();
        WritePairs(topByCosine.OrderByDescending(x => x.C).ThenBy(x => x.D).Take(12), chosen);
        md.AppendLine("Closest unrelated pairs by hash distance:");
        md.AppendLine();
        WritePairs(topByHash.OrderBy(x => x.D).ThenByDescending(x => x.C).Take(12), chosen);
    }

    private void WriteCeilings(Evaluation? chosen)
    {
        int q = scores.QueryCount, n = scores.ItemCount, copies = q * Alts.Length;
        var unrelatedCos = new List<float>();
        var unrelatedDist = new int[65];
        for (int qi = 0; qi < q; qi++)
        {
            int at = qi * n;
            for (int i = 0; i < n; i++)
            {
                if (scores.ClassOf(qi, i) != 0) continue;
                unrelatedDist[scores.Distance[at + i]]++;
                if (scores.Cosine[at + i] >= 0.5f) unrelatedCos.Add(scores.Cosine[at + i]);
            }
        }
        long negatives = (long)q * n - copies;
        // Precision >= P with every copy found allows this many false matches.
        int budget = (int)Math.Floor(copies * (1 - TargetPrecision) / TargetPrecision + 1e-9);
        unrelatedCos.Sort((a, b) => b.CompareTo(a));
        float cosineBar = unrelatedCos.Count > budget ? unrelatedCos[budget] : 0.5f;      // the (budget+1)-th highest
        int hashBar = 0;                                                                  // smallest distance with more than budget pairs at or below
        for (long acc = 0; hashBar <= 64; hashBar++) { acc += unrelatedDist[hashBar]; if (acc > budget) break; }

        md.AppendLine("## Why the target is out of reach");
        md.AppendLine();
        md.AppendLine($"Precision >= {F(TargetPrecision, 2)} with all {copies} copies found allows at most {budget} false matches among {negatives:N0} unrelated");
        md.AppendLine($"pairs (one in {negatives / Math.Max(1, budget):N0}). A cosine threshold that admits no more than {budget} must lie above {F(cosineBar, 3)} (the");
        md.AppendLine($"{budget + 1}th most similar unrelated pair); a hash threshold must stay below {hashBar} bits ({budget + 1} unrelated pairs are within {hashBar}).");
        md.AppendLine("The share of each alteration's copies beyond those bars is the most either signal alone can find at that precision:");
        md.AppendLine();
        md.AppendLine($"| alteration | cosine > {F(cosineBar, 3)} | hash < {hashBar} | either | rule at the target precision |");
        md.AppendLine("| --- | ---: | ---: | ---: | ---: |");
        for (int a = 0; a < Alts.Length; a++)
        {
            int byCos = 0, byHash = 0, either = 0;
            for (int qi = 0; qi < q; qi++)
            {
                int at = qi * n;
                for (int i = 0; i < n; i++)
                {
                    if (scores.ClassOf(qi, i) != a + 1) continue;
                    bool c = scores.Cosine[at + i] > cosineBar, h = scores.Distance[at + i] < hashBar;
                    if (c) byCos++;
                    if (h) byHash++;
                    if (c || h) either++;
                }
            }
            string Cell(int x) => x / (double)q < TargetRecall ? $"**{F(x / (double)q, 3)}**" : F(x / (double)q, 3);
            md.AppendLine($"| {Alts[a]} | {Cell(byCos)} | {Cell(byHash)} | {Cell(either)} | {(chosen is null ? "n/a" : Cell(chosen.Found[a]))} |");
        }
        md.AppendLine();
        md.AppendLine("(\"either\" can admit up to twice the budget of false matches, so it is an upper bound.) Two things set the bars:");
        md.AppendLine();
        md.AppendLine("- **Unrelated images that look alike.** The closest unrelated pairs listed above are, looked at, mostly different");
        md.AppendLine("  drawings of one series: road signs in the same red triangle, one stick figure in different poses, flags of the");
        md.AppendLine("  same layout (tricolours, the Catalan stripes of Roussillon and Catalunya), one drawing in several colours. The");
        md.AppendLine("  bundled ResNet18 embedding (ImageNet classification features, averaged over the picture) describes what is");
        md.AppendLine("  drawn rather than which drawing it is, and scores such siblings as high as, or higher than, a cropped, rotated");
        md.AppendLine("  or watermarked copy of the query itself; the 64-bit DCT hash sees only the coarse layout, which siblings share.");
        md.AppendLine("- **Alterations that move both signals.** Crop, Pad and Rotate change the framing, so the hash moves by 16-22 bits");
        md.AppendLine("  (median above), as far as unrelated pictures; Rotate also adds black corners. The watermark band covers an eighth");
        md.AppendLine("  of the picture with dark blocks, and Gray removes the colour the embedding relies on: their cosines fall to the");
        md.AppendLine("  range of the look-alikes. Gray copies keep their hash, so the hash clause finds them; the others have no such help.");
        md.AppendLine();
    }

    private void WriteEngineNotes()
    {
        int q = scores.QueryCount, n = scores.ItemCount;
        long negatives = 0, within16 = 0, within24 = 0, within28 = 0, nearHashFarCosine = 0, identical = 0;
        for (int qi = 0; qi < q; qi++)
        {
            int at = qi * n;
            for (int i = 0; i < n; i++)
            {
                if (scores.ClassOf(qi, i) != 0) continue;
                negatives++;
                int d = scores.Distance[at + i];
                if (d <= 16) within16++;
                if (d <= 24) within24++;
                if (d <= 28) within28++;
                if (d <= 2 && scores.Cosine[at + i] < 0.8f) nearHashFarCosine++;
                if (d == 0) identical++;
            }
        }
        md.AppendLine("## Engine notes");
        md.AppendLine();
        md.AppendLine("- **Crash in `EmbeddingModel.Run` (fix needed in `src/OptOut.Core/Embedding/EmbeddingModel.cs`).** It calls");
        md.AppendLine("  `preprocess.Run(new RunOptions(), ...)` and `session.Run(new RunOptions(), ...)`. `RunOptions` is a `SafeHandle`;");
        md.AppendLine("  ONNX Runtime's managed `Run` hands only `options.Handle` to the native `OrtRun`, so nothing keeps the object");
        md.AppendLine("  alive during inference, and a garbage collection then can finalize it and free the native options while");
        md.AppendLine("  `OrtRun` uses them: a segmentation fault inside `libonnxruntime.so`, at random, more often when other threads");
        md.AppendLine("  allocate (decoding) while the model runs. It crashed 2 of the first 4 runs of this benchmark (2 images in flight,");
        md.AppendLine("  default GC settings); with `DOTNET_GCgen0size=0x40000` (frequent collections) it crashed 3 runs out of 3 within about");
        md.AppendLine("  50 images, and 0 out of 2 (280 images each) once both calls used `using var runOptions = new RunOptions();`.");
        md.AppendLine("  This benchmark works around it without touching the engine: one image at a time, and `Fingerprinter.Complete`");
        md.AppendLine("  inside `GC.TryStartNoGCRegion` (3 clean runs out of 3 under the same setting).");
        md.AppendLine($"- **Hash search radius.** `IndexSearcher` probes the hash index with `CopyRule.SearchRadius` = max(HashAlone,");
        md.AppendLine($"  HashWithCosine). Of the unrelated pairs here, {F(within16 * 100.0 / negatives, 2)}% are within 16 bits, {F(within24 * 100.0 / negatives, 1)}% within 24 and");
        md.AppendLine($"  {F(within28 * 100.0 / negatives, 1)}% within 28: a rule with HashWithCosine at 24-28 (what the search prefers without constraints)");
        md.AppendLine("  would read that share of the whole index for every query. The combined clause needs no hash search at all:");
        md.AppendLine("  its rows have cosine >= CosineWithHash >= SearchFloor, so the vector search already returns them and their");
        md.AppendLine("  distance is computed from the stored hash. Probing the hash index with HashAlone only would let the rule use");
        md.AppendLine("  a wide HashWithCosine at no cost (the row \"best without the engine constraints\" shows what that buys).");
        md.AppendLine($"- **Flat pictures give unstable hashes.** {identical} unrelated pairs have identical hashes and {nearHashFarCosine} are within 2 bits while");
        md.AppendLine("  their cosine is below 0.8 (e.g. a striped flag and a plain one, above): when the low-frequency DCT coefficients");
        md.AppendLine("  are all close to their median, the bits say little. A hash-only verdict could require a minimum spread of the");
        md.AppendLine("  coefficients (stored as a confidence with the hash), or keep a cosine floor on hash matches as the combined clause does.");
        md.AppendLine();
    }

    private void WritePairs(IEnumerable<(float C, int D, int Q, int I)> pairs, Evaluation? chosen)
    {
        md.AppendLine("| original | unrelated item | hash | cosine | copy by the rule at the target precision | copy by CopyRule.Default |");
        md.AppendLine("| --- | --- | --- | --- | --- | --- |");
        foreach (var (c, d, qi, i) in pairs)
        {
            bool called = chosen is not null && chosen.Rule.IsCopy(d, c);
            md.AppendLine($"| {corpus.Queries[qi].RelativePath} | {itemNames[i]} | {d} | {F(c, 3)} | {(called ? "yes" : "no")} | {(CopyRule.Default.IsCopy(d, c) ? "yes" : "no")} |");
        }
        md.AppendLine();
    }

    private void WriteTable(IEnumerable<(string Name, Evaluation E)> rows)
    {
        md.AppendLine("| rule | " + string.Join(" | ", Alts.Select(a => a.ToString())) + " | min recall | precision | copies found | false matches |");
        md.AppendLine("| --- |" + string.Concat(Enumerable.Repeat(" ---: |", Alts.Length + 4)));
        foreach (var (name, e) in rows)
        {
            var cells = Enumerable.Range(0, Alts.Length).Select(a => e.Recall(a) < TargetRecall ? $"**{F(e.Recall(a), 3)}**" : F(e.Recall(a), 3));
            md.AppendLine($"| {name} | {string.Join(" | ", cells)} | {F(e.MinRecall, 3)} | {F(e.Precision, 4)} | {e.TruePositives}/{e.PerAlteration * Alts.Length} | {e.FalseMatches} |");
        }
        md.AppendLine();
        md.AppendLine($"Recall below {F(TargetRecall, 2)} in bold.");
        md.AppendLine();
    }

    public static string Describe(CopyRule r)
    {
        var parts = new List<string>();
        if (r.HashAlone >= 0) parts.Add($"hash <= {r.HashAlone}");
        if (!float.IsPositiveInfinity(r.CosineAlone)) parts.Add($"cosine >= {F(r.CosineAlone, 3)}");
        if (r.HashWithCosine > r.HashAlone && !float.IsPositiveInfinity(r.CosineWithHash) && r.CosineWithHash < r.CosineAlone)
            parts.Add($"(hash <= {r.HashWithCosine} and cosine >= {F(r.CosineWithHash, 3)})");
        return parts.Count == 0 ? "nothing" : string.Join(" or ", parts);
    }

    private static string FloatLiteral(float v) => float.IsPositiveInfinity(v) ? "float.PositiveInfinity" : v.ToString("0.000", Inv) + "f";
    private static string F(double v, int decimals) => double.IsNaN(v) ? "n/a" : v.ToString("F" + decimals, Inv);

    private static double Pct(double[] values, double percent)
    {
        if (values.Length == 0) return double.NaN;
        var sorted = values.OrderBy(x => x).ToArray();
        int rank = (int)Math.Ceiling(percent / 100 * sorted.Length);
        return sorted[Math.Clamp(rank, 1, sorted.Length) - 1];
    }
}
