using OptOut.Core.Index;
using OptOut.Samples;

namespace CopyCalibration;

/// <summary>
/// Every (query, indexed item) pair's hash distance and cosine, with the truth: item is a copy of the
/// query or not. Queries are the originals; the index holds the distractors and every original's copies.
/// </summary>
public sealed class PairScores
{
    public static readonly Alteration[] Alterations = OptOut.Samples.Alterations.Standard.ToArray();

    public PairScores(int queries, int items)
    {
        QueryCount = queries;
        ItemCount = items;
        Distance = new byte[queries * items];
        Cosine = new float[queries * items];
        CopyOf = new int[items];
        AlterationOf = new int[items];
        Array.Fill(CopyOf, -1);
        Array.Fill(AlterationOf, -1);
    }

    public int QueryCount { get; }
    public int ItemCount { get; }
    public byte[] Distance { get; }
    public float[] Cosine { get; }

    /// <summary>For each item: the query it copies, or -1 for a distractor.</summary>
    public int[] CopyOf { get; }

    /// <summary>For each item: its alteration (index into <see cref="Alterations"/>), or -1.</summary>
    public int[] AlterationOf { get; }

    /// <summary>Class of a pair for the counts: 0 = unrelated, 1 + alteration for a true copy.</summary>
    public int ClassOf(int query, int item) => CopyOf[item] == query ? 1 + AlterationOf[item] : 0;

    public static PairScores Compute(IReadOnlyList<Fingerprint> queries, IReadOnlyList<Fingerprint> items, int[] copyOf, int[] alterationOf)
    {
        var scores = new PairScores(queries.Count, items.Count);
        copyOf.CopyTo(scores.CopyOf, 0);
        alterationOf.CopyTo(scores.AlterationOf, 0);
        Parallel.For(0, queries.Count, new ParallelOptions { MaxDegreeOfParallelism = 2 }, q =>
        {
            var query = queries[q];
            int at = q * items.Count;
            for (int i = 0; i < items.Count; i++)
            {
                scores.Distance[at + i] = (byte)ulong.PopCount(query.Hash ^ items[i].Hash);
                scores.Cosine[at + i] = OptOut.Core.Embedding.VectorMath.Cosine(query.Embedding, items[i].Embedding);
            }
        });
        return scores;
    }
}

/// <summary>A rule's counts: true copies found per alteration, and false matches.</summary>
public sealed record Evaluation(CopyRule Rule, int[] Found, int PerAlteration, long FalseMatches)
{
    public long TruePositives => Found.Sum();
    public double Recall(int alteration) => PerAlteration == 0 ? double.NaN : (double)Found[alteration] / PerAlteration;
    public double MinRecall => Enumerable.Range(0, Found.Length).Min(Recall);
    public double OverallRecall => (double)TruePositives / (PerAlteration * Found.Length);
    public double Precision => TruePositives + FalseMatches == 0 ? 1.0 : (double)TruePositives / (TruePositives + FalseMatches);
}

/// <summary>
/// Searches the rule's four parameters over a grid, counting with cumulative histograms of (hash
/// distance, cosine in thousandths) so each rule costs a few dozen look-ups; the rules reported are
/// then re-counted exactly on the raw pairs with <see cref="CopyRule.IsCopy"/>.
/// </summary>
public sealed class Calibrator
{
    public const int Off = -1;
    private const int Bins = 1001;          // cosine bins of 0.001: floor(c * 1000), 0..1000
    private const int CosineOff = Bins;     // threshold index that admits nothing

    private readonly PairScores scores;

    public Calibrator(PairScores scores) => this.scores = scores;

    public static CopyRule Rule(int hashAlone, int cosineAloneThousandths, int hashWithCosine, int cosineWithHashThousandths) => new()
    {
        HashAlone = hashAlone,
        CosineAlone = cosineAloneThousandths >= CosineOff ? float.PositiveInfinity : cosineAloneThousandths / 1000f,
        HashWithCosine = hashWithCosine,
        CosineWithHash = cosineWithHashThousandths >= CosineOff ? float.PositiveInfinity : cosineWithHashThousandths / 1000f,
    };

    /// <summary>Exact counts of a rule over the pairs of the given queries (all when null).</summary>
    public Evaluation Evaluate(CopyRule rule, Func<int, bool>? queryFilter = null)
    {
        var found = new int[PairScores.Alterations.Length];
        long falseMatches = 0;
        int queries = 0;
        for (int q = 0; q < scores.QueryCount; q++)
        {
            if (queryFilter is not null && !queryFilter(q)) continue;
            queries++;
            int at = q * scores.ItemCount;
            for (int i = 0; i < scores.ItemCount; i++)
            {
                if (!rule.IsCopy(scores.Distance[at + i], scores.Cosine[at + i])) continue;
                int cls = scores.ClassOf(q, i);
                if (cls == 0) falseMatches++;
                else found[cls - 1]++;
            }
        }
        return new Evaluation(rule, found, queries, falseMatches);
    }

    /// <summary>One grid point's counts (from the histograms).</summary>
    public readonly record struct GridPoint(int HashAlone, int CosineAlone, int HashWithCosine, int CosineWithHash, int MinFound, int TotalFound, long FalseMatches);

    public sealed record SearchResult(GridPoint? Best, int QueriesUsed, long RulesTried, long RulesMeetingTarget, string How);

    /// <summary>
    /// Finds the rule that meets precision >= <paramref name="minPrecision"/> with the highest minimum
    /// recall over the alterations; ties go to more copies found overall, then fewer false matches, then
    /// the rule farthest inside the region of equally good rules (see <see cref="Margin"/>).
    /// <paramref name="allowHash"/> / <paramref name="allowCosine"/> restrict the search to one signal;
    /// <paramref name="maxSearchRadius"/> bounds max(HashAlone, HashWithCosine) (the radius IndexSearcher probes the
    /// hash index with) and <paramref name="minHashAlone"/> keeps a hash-only clause (0: identical hashes).
    /// </summary>
    public SearchResult Search(double minPrecision, double targetRecall, Func<int, bool>? queryFilter = null, bool allowHash = true, bool allowCosine = true, int maxSearchRadius = 64, int minHashAlone = Off, int[]? atLeastFound = null)
    {
        int classes = 1 + PairScores.Alterations.Length;
        // cum[k][d + 1][t]: pairs of class k with distance <= d and cosine bin >= t (d = -1 row is zero).
        var cum = new int[classes][][];
        for (int k = 0; k < classes; k++)
        {
            cum[k] = new int[66][];
            for (int d = 0; d < 66; d++) cum[k][d] = new int[Bins + 1];
        }
        int queries = 0;
        for (int q = 0; q < scores.QueryCount; q++)
        {
            if (queryFilter is not null && !queryFilter(q)) continue;
            queries++;
            int at = q * scores.ItemCount;
            for (int i = 0; i < scores.ItemCount; i++)
            {
                cum[scores.ClassOf(q, i)][scores.Distance[at + i] + 1][BinOf(scores.Cosine[at + i])]++;
            }
        }
        for (int k = 0; k < classes; k++)
        {
            for (int d = 1; d < 66; d++)
            {
                var row = cum[k][d];
                for (int t = Bins - 1; t >= 0; t--) row[t] += row[t + 1];           // suffix over cosine
                if (d > 1) for (int t = 0; t <= Bins; t++) row[t] += cum[k][d - 1][t]; // prefix over distance
            }
        }

        var hashAlones = allowHash ? Enumerable.Range(-1, 26).Where(h => h >= minHashAlone && h <= maxSearchRadius).ToArray() : [Off];
        var cosineAlones = allowCosine ? Enumerable.Range(0, 81).Select(i => 600 + 5 * i).Append(CosineOff).ToArray() : [CosineOff];
        var cosineWithHashes = Enumerable.Range(0, 140).Select(i => 300 + 5 * i).ToArray();
        int maxHashWithCosine = allowHash && allowCosine ? Math.Min(40, maxSearchRadius) : Off;

        long tried = 0, meeting = 0;
        var candidates = new List<GridPoint>();
        int bestMin = -1, bestTotal = -1;
        long bestFalse = long.MaxValue;
        var found = new int[classes - 1];

        void Consider(int ha, int ca, int hw, int cw)
        {
            tried++;
            int hwEff = Math.Max(ha, hw);
            int low = hw > ha ? Math.Min(ca, cw) : ca;
            long Count(int k)
            {
                var c = cum[k];
                return c[ha + 1][0] + (c[hwEff + 1][low] - c[ha + 1][low]) + (c[65][ca] - c[hwEff + 1][ca]);
            }
            long falseMatches = Count(0);
            int total = 0, min = int.MaxValue;
            for (int k = 1; k < classes; k++)
            {
                int f = (int)Count(k);
                found[k - 1] = f;
                total += f;
                min = Math.Min(min, f);
            }
            if (total + falseMatches > 0 && (double)total / (total + falseMatches) < minPrecision) return;
            int cmp;
            if (atLeastFound is not null)
            {
                for (int k = 0; k < found.Length; k++) if (found[k] < atLeastFound[k]) return;
                cmp = falseMatches != bestFalse ? bestFalse.CompareTo(falseMatches) : total != bestTotal ? total.CompareTo(bestTotal) : min.CompareTo(bestMin);
            }
            else
            {
                if (min >= targetRecall * queries) meeting++;
                cmp = min != bestMin ? min.CompareTo(bestMin) : total != bestTotal ? total.CompareTo(bestTotal) : bestFalse.CompareTo(falseMatches);
            }
            if (cmp < 0) return;
            if (cmp > 0)
            {
                candidates.Clear();
                bestMin = min; bestTotal = total; bestFalse = falseMatches;
            }
            candidates.Add(new GridPoint(ha, ca, hw, cw, min, total, falseMatches));
        }

        foreach (var ha in hashAlones)
        {
            foreach (var ca in cosineAlones)
            {
                Consider(ha, ca, Off, CosineOff);
                for (int hw = ha + 1; hw <= maxHashWithCosine; hw++)
                {
                    if (hw < 0) continue;
                    foreach (var cw in cosineWithHashes)
                    {
                        if (cw >= ca) break;
                        Consider(ha, ca, hw, cw);
                    }
                }
            }
        }

        if (candidates.Count == 0)
        {
            return new SearchResult(null, queries, tried, meeting, "no rule reaches the precision");
        }
        // Equally good rules form a region of the grid; the one with the widest margin (steps it can
        // move along every axis and stay in the region) is least tuned to this sample's extremes.
        var region = candidates.ToHashSet();
        var best = candidates.OrderByDescending(c => Margin(c, region)).ThenBy(c => c.HashAlone).ThenByDescending(c => c.CosineAlone)
            .ThenBy(c => c.HashWithCosine).ThenByDescending(c => c.CosineWithHash).First();
        return new SearchResult(best, queries, tried, meeting,
            $"{candidates.Count} grid rules tie on (minimum recall, copies found, false matches); the one deepest inside that region was taken");
    }

    /// <summary>Smallest number of grid steps the point can move along any single axis, either way, and stay in the region (capped at 10).</summary>
    private static int Margin(GridPoint p, HashSet<GridPoint> region)
    {
        int margin = 10;
        int Steps(Func<int, GridPoint> at)
        {
            int s = 0;
            while (s < 10 && region.Contains(at(s + 1))) s++;
            return s;
        }
        // Hash thresholds move by 1, cosine thresholds by 5 thousandths; an axis that is switched off does not count.
        if (p.HashAlone != Off)
        {
            margin = Math.Min(margin, Steps(s => p with { HashAlone = p.HashAlone + s }));
            margin = Math.Min(margin, Steps(s => p with { HashAlone = p.HashAlone - s }));
        }
        if (p.CosineAlone != CosineOff)
        {
            margin = Math.Min(margin, Steps(s => p with { CosineAlone = p.CosineAlone + 5 * s }));
            margin = Math.Min(margin, Steps(s => p with { CosineAlone = p.CosineAlone - 5 * s }));
        }
        if (p.HashWithCosine != Off)
        {
            margin = Math.Min(margin, Steps(s => p with { HashWithCosine = p.HashWithCosine + s }));
            margin = Math.Min(margin, Steps(s => p with { HashWithCosine = p.HashWithCosine - s }));
            margin = Math.Min(margin, Steps(s => p with { CosineWithHash = p.CosineWithHash + 5 * s }));
            margin = Math.Min(margin, Steps(s => p with { CosineWithHash = p.CosineWithHash - 5 * s }));
        }
        return margin;
    }

    public static CopyRule ToRule(GridPoint p) => Rule(p.HashAlone, p.CosineAlone, p.HashWithCosine, p.HashWithCosine == Off ? CosineOff : p.CosineWithHash);

    private static int BinOf(float cosine) => Math.Clamp((int)MathF.Floor(cosine * 1000f), 0, Bins - 1);
}
