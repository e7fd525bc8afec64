using System.Globalization;
using System.Text;
using OptOut.Core.Index;
using OptOut.Core.Matching;
using OptOut.Samples;

namespace CopyCalibration;

/// <summary>
/// Counts of a decision over the pairs: copies found per alteration, false matches (errors: how many of them
/// hard negatives) and matches between derivative works (reviewed list, <see cref="DerivativeWorks"/>), kept apart.
/// </summary>
public sealed record VerifyCounts(string Name, int[] Found, int Queries, long False, long FalseHard, List<(int Query, int Item)> FalsePairs, long Derivative = 0, List<(int Query, int Item)>? DerivativePairs = null)
{
    public int TotalFound => Found.Sum();
    public double Recall(int a) => Queries == 0 ? double.NaN : (double)Found[a] / Queries;
    public double MinRecall => Enumerable.Range(0, Found.Length).Min(Recall);

    /// <summary>Copies among the matches that are not derivative works (those are reported apart).</summary>
    public double Precision => TotalFound + False == 0 ? 1 : (double)TotalFound / (TotalFound + False);

    /// <summary>The same with derivative works counted as false matches.</summary>
    public double PrecisionAll => TotalFound + False + Derivative == 0 ? 1 : (double)TotalFound / (TotalFound + False + Derivative);
}

/// <summary>Writes the verification section of docs/copy-detection.md from the gathered evidence.</summary>
public sealed class VerificationReport(VerificationStage stage)
{
    public const double TargetPrecision = 0.995;
    public const double TargetRecall = 0.95;
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;
    public static readonly IReadOnlyList<Alteration> Alts = Alterations.All;

    /// <summary>The prototype's rule from the issue: NCC >= 0.93 with >= 6 inliers, or a stretch at NCC >= 0.95.</summary>
    public static VerificationRule Prototype { get; } = new(1, 6, 0.93, VerificationRule.Off, 0.95, VerificationRule.Off);

    public VerifyCounts RuleAlone(CopyRule rule, Func<int, bool> queryFilter)
    {
        var found = new int[Alts.Count];
        long falseMatches = 0, falseHard = 0;
        int queries = 0;
        var pairs = new List<(int, int)>();
        var derivative = new List<(int, int)>();
        int n = stage.Items.Count;
        for (int q = 0; q < stage.Queries.Count; q++)
        {
            if (!queryFilter(q)) continue;
            queries++;
            for (int i = 0; i < n; i++)
            {
                if (!rule.IsCopy(stage.Distance[q * n + i], stage.Cosine[q * n + i])) continue;
                if (stage.IsCopy(q, i)) found[Alts.ToList().IndexOf(stage.Items[i].Alteration!.Value)]++;
                else if (stage.IsDerivative(q, i)) derivative.Add((q, i));
                else
                {
                    falseMatches++;
                    if (stage.IsHard(q, i)) falseHard++;
                    pairs.Add((q, i));
                }
            }
        }
        return new VerifyCounts("rule", found, queries, falseMatches, falseHard, pairs, derivative.Count, derivative);
    }

    public VerifyCounts Count(VerificationRule rule, IReadOnlyList<PairEvidence> evidence, Func<int, bool> queryFilter, int queries, bool listFalse = true)
    {
        var found = new int[Alts.Count];
        long falseMatches = 0, falseHard = 0;
        var pairs = new List<(int, int)>();
        var derivative = new List<(int, int)>();
        foreach (var e in evidence)
        {
            if (!queryFilter(e.Query) || !rule.Accepts(e)) continue;
            if (stage.IsCopy(e.Query, e.Item)) found[IndexOf(stage.Items[e.Item].Alteration!.Value)]++;
            else if (stage.IsDerivative(e.Query, e.Item)) derivative.Add((e.Query, e.Item));
            else
            {
                falseMatches++;
                if (stage.IsHard(e.Query, e.Item)) falseHard++;
                if (listFalse) pairs.Add((e.Query, e.Item));
            }
        }
        return new VerifyCounts(rule.ToString(), found, queries, falseMatches, falseHard, pairs, derivative.Count, derivative);
    }

    public static int IndexOf(Alteration a) => Alts.ToList().IndexOf(a);

    public static IEnumerable<VerificationRule> Grid()
    {
        double off = VerificationRule.Off;
        foreach (var side in new[] { 64, 96, 128 })
        foreach (var inliers in new[] { 6, 8, 10, 12 })
        foreach (var ncc in new[] { 0.93, 0.95, 0.96, 0.97, off })
        foreach (var trimmed in new[] { 0.995, off })
        foreach (var stretch in new[] { 0.95, 0.96, 0.97, 0.98, off })
        foreach (var search in new[] { 0.97, 0.98, 0.99, off })
        foreach (var colour in new[] { 8.0, 12, 16, 20, 24, double.PositiveInfinity })
        foreach (var region in new[] { 0.97, 0.98, 0.99, 0.995, off })
            yield return new VerificationRule(side, inliers, ncc, trimmed, stretch, off, 0.2, search, colour, region);
    }

    /// <summary>The rule with precision >= <paramref name="minPrecision"/> and the best minimum recall, then most copies, then fewest false matches, then the strictest.</summary>
    public (VerificationRule? Rule, long Tried) Search(IReadOnlyList<PairEvidence> evidence, Func<int, bool> queryFilter, int queries, double minPrecision)
    {
        var relevant = evidence.Where(e => queryFilter(e.Query)).ToList();
        VerificationRule? best = null;
        (double Min, int Total, long False, int Side, int Inliers) bestKey = (-1, -1, long.MaxValue, 0, 0);
        long tried = 0;
        var found = new int[Alts.Count];
        foreach (var rule in Grid())
        {
            tried++;
            Array.Clear(found);
            long falseMatches = 0;
            foreach (var e in relevant)
            {
                if (!rule.Accepts(e)) continue;
                if (stage.IsCopy(e.Query, e.Item)) found[IndexOf(stage.Items[e.Item].Alteration!.Value)]++;
                else if (!stage.IsDerivative(e.Query, e.Item)) falseMatches++;
            }
            int total = found.Sum();
            if (total + falseMatches == 0 || (double)total / (total + falseMatches) < minPrecision) continue;
            var key = ((double)found.Min() / queries, total, falseMatches, rule.MinSide, rule.MinInliers);
            bool better = key.Item1 != bestKey.Min ? key.Item1 > bestKey.Min
                : key.total != bestKey.Total ? key.total > bestKey.Total
                : key.falseMatches != bestKey.False ? key.falseMatches < bestKey.False
                : key.MinSide != bestKey.Side ? key.MinSide > bestKey.Side
                : key.MinInliers > bestKey.Inliers;
            if (better)
            {
                best = rule;
                bestKey = key;
            }
        }
        return (best, tried);
    }

    public static string Row(string label, VerifyCounts c)
    {
        var cells = Enumerable.Range(0, Alts.Count).Select(a => c.Recall(a) < TargetRecall ? $"**{F(c.Recall(a), 3)}**" : F(c.Recall(a), 3));
        return $"| {label} | {string.Join(" | ", cells)} | {F(c.MinRecall, 3)} | {F(c.Precision, 4)} | {F(c.PrecisionAll, 4)} | {c.TotalFound}/{c.Queries * Alts.Count} | {c.False} ({c.FalseHard}) | {c.Derivative} |";
    }

    public static string Header() =>
        $"| rule | {string.Join(" | ", Alts)} | min recall | precision | precision, derivative works counted false | copies found | false matches (hard negatives) | derivative works matched |{Environment.NewLine}| --- |{string.Concat(Enumerable.Repeat(" ---: |", Alts.Count + 6))}";

    public static string F(double v, int digits) => double.IsNaN(v) ? "-" : v.ToString("F" + digits, Inv);
}
