using System.Collections.Concurrent;
using System.Diagnostics;
using OptOut.Core.Imaging;
using OptOut.Core.Index;
using OptOut.Core.Matching;
using OptOut.Samples;

namespace CopyCalibration;

/// <summary>One indexed item of the verification experiment: a distractor, a hard negative or an original's altered copy.</summary>
public sealed record VerifyItem(string Name, string RelativePath, int CopyOf, Alteration? Alteration, Fingerprint Print, Func<byte[]> Bytes);

/// <summary>
/// The second stage of the calibration: every candidate pair the fingerprints bring up (top K by cosine,
/// hash distance &lt;= 16, or accepted by the threshold rule) goes through <see cref="GeometricVerifier"/>.
/// </summary>
public sealed class VerificationStage(IReadOnlyList<SourceImage> queries, IReadOnlyList<Fingerprint> queryPrints, IReadOnlyList<VerifyItem> items, int candidateTop, int threads)
{
    /// <summary>Other views of each query (e.g. turned by a few degrees) whose top <c>candidateTop</c> items by cosine are candidates too.</summary>
    public IReadOnlyList<(string Name, Fingerprint[] Prints)> Views { get; init; } = [];

    /// <summary>Per query, the candidates the plain query brings (top K, hash, rule), before <see cref="Views"/> add theirs.</summary>
    public HashSet<int>[] PlainCandidates { get; private set; } = [];

    /// <summary>Per view and query, the top K items by that view's cosine.</summary>
    public HashSet<int>[][] ViewCandidates { get; private set; } = [];

    /// <summary>Per query, each candidate's rank (1 = best) by the plain query's cosine among all items.</summary>
    public Dictionary<int, int>[] PlainRanks { get; private set; } = [];

    /// <summary>Per query, the best rank (1 = best) each view candidate has in any view's cosine order; absent for items in no view's top.</summary>
    public Dictionary<int, int>[] ViewRanks { get; private set; } = [];

    public const int HashCandidateRadius = 16;

    /// <summary>Evidence is gathered with every threshold open, so the rules can be counted afterwards.</summary>
    public static VerifierOptions Permissive(VerifierOptions basis) => basis with
    {
        MinimumSide = 1,
        MinInliers = 5,
        MinDistinctInliers = 5,
        MinNcc = VerificationRule.Off,
        MinTrimmedNcc = VerificationRule.Off,
        MinStretchNcc = VerificationRule.Off,
        MinStretchTrimmedNcc = VerificationRule.Off,
        MinOverlap = 0,
        MinSearchNcc = VerificationRule.Off,
        MinRegionNcc = VerificationRule.Off,
        MaxColourDifference = double.PositiveInfinity,
        MeasureEveryFigure = true,
    };

    public IReadOnlyList<SourceImage> Queries => queries;
    public IReadOnlyList<VerifyItem> Items => items;

    public byte[] Distance { get; private set; } = [];
    public float[] Cosine { get; private set; } = [];

    /// <summary>Per query, the candidate items.</summary>
    public List<int>[] Candidates { get; private set; } = [];

    public void ScorePairs()
    {
        int n = items.Count;
        Distance = new byte[queries.Count * n];
        Cosine = new float[queries.Count * n];
        Candidates = new List<int>[queries.Count];
        PlainCandidates = new HashSet<int>[queries.Count];
        ViewCandidates = Views.Select(_ => new HashSet<int>[queries.Count]).ToArray();
        PlainRanks = new Dictionary<int, int>[queries.Count];
        ViewRanks = new Dictionary<int, int>[queries.Count];
        Parallel.For(0, queries.Count, new ParallelOptions { MaxDegreeOfParallelism = threads }, q =>
        {
            int at = q * n;
            for (int i = 0; i < n; i++)
            {
                Distance[at + i] = (byte)ulong.PopCount(queryPrints[q].Hash ^ items[i].Print.Hash);
                Cosine[at + i] = OptOut.Core.Embedding.VectorMath.Cosine(queryPrints[q].Embedding, items[i].Print.Embedding);
            }
            var order = Enumerable.Range(0, n).OrderByDescending(i => Cosine[at + i]).ToList();
            var top = order.Take(candidateTop);
            var near = Enumerable.Range(0, n).Where(i => Distance[at + i] <= HashCandidateRadius || CopyRule.Default.IsCopy(Distance[at + i], Cosine[at + i]));
            PlainCandidates[q] = top.Union(near).ToHashSet();
            var all = new HashSet<int>(PlainCandidates[q]);
            var viewCosine = new float[n];
            var viewRanks = new Dictionary<int, int>();
            for (int v = 0; v < Views.Count; v++)
            {
                var viewPrint = Views[v].Prints[q];
                for (int i = 0; i < n; i++) viewCosine[i] = OptOut.Core.Embedding.VectorMath.Cosine(viewPrint.Embedding, items[i].Print.Embedding);
                var viewTop = Enumerable.Range(0, n).OrderByDescending(i => viewCosine[i]).Take(candidateTop).ToList();
                for (int r = 0; r < viewTop.Count; r++) viewRanks[viewTop[r]] = Math.Min(viewRanks.GetValueOrDefault(viewTop[r], int.MaxValue), r + 1);
                ViewCandidates[v][q] = viewTop.ToHashSet();
                all.UnionWith(ViewCandidates[v][q]);
            }
            Candidates[q] = all.OrderBy(i => i).ToList();
            var plainRanks = new Dictionary<int, int>();
            for (int r = 0; r < order.Count; r++)
            {
                if (all.Contains(order[r])) plainRanks[order[r]] = r + 1;
            }
            PlainRanks[q] = plainRanks;
            ViewRanks[q] = viewRanks;
        });
    }

    public bool IsCopy(int query, int item) => items[item].CopyOf == query;

    /// <summary>The reviewed derivative works (<see cref="DerivativeWorks"/>); none unless given.</summary>
    public DerivativeWorks Derivatives { get; init; } = new();

    /// <summary>Not a copy of the query, but a derivative work of it (the reviewed list).</summary>
    public bool IsDerivative(int query, int item)
    {
        if (items[item].CopyOf == query) return false;
        groupOfQuery ??= queries.Select(q => Derivatives.GroupOf(q.RelativePath)).ToArray();
        groupOfItem ??= items.Select(i => Derivatives.GroupOf(i.RelativePath)).ToArray();
        return groupOfQuery[query] is { } group && group == groupOfItem[item] && queries[query].RelativePath != items[item].RelativePath;
    }

    private string?[]? groupOfQuery;
    private string?[]? groupOfItem;

    public bool IsHard(int query, int item) => items[item].CopyOf != query && Corpus.ShareTitleWord(queries[query].RelativePath, items[item].RelativePath);

    /// <summary>Runs the verifier over the candidate pairs of the queries <paramref name="queryFilter"/> keeps.</summary>
    public (List<PairEvidence> Evidence, VerificationTimings Timings, double Seconds) Gather(VerifierOptions basis, Func<int, bool> queryFilter, Action<string> log)
    {
        var clock = Stopwatch.StartNew();
        var options = Permissive(basis);
        var verifier = new GeometricVerifier(options);
        // The second look at hairline drawings is a decision, not a figure: counted with the product's own thresholds
        // (on this run's features and regions), its time kept out of the stages' timings.
        var product = new GeometricVerifier(VerifierOptions.Default with
        {
            FeatureKind = basis.FeatureKind, WorkingSide = basis.WorkingSide, MaxFeatures = basis.MaxFeatures,
            MaxRegionShare = basis.MaxRegionShare, MaxStrongFitRegionShare = basis.MaxStrongFitRegionShare,
        });
        var timings = new VerificationTimings();
        var queryTimings = new VerificationTimings();
        var pictures = new VerifiablePicture?[queries.Count];
        try
        {
            Parallel.For(0, queries.Count, new ParallelOptions { MaxDegreeOfParallelism = threads }, q =>
            {
                if (!queryFilter(q)) return;
                using var decoded = ImageLoader.Decode(queries[q].Content, queries[q].Path, ImageLimits.Default);
                var picture = verifier.Prepare(decoded);
                _ = picture.Features;
                _ = picture.MirroredFeatures;
                pictures[q] = picture;
            });
            log($"  {pictures.Count(p => p is not null)} query pictures prepared ({clock.Elapsed.TotalSeconds:F0} s)");

            var byItem = new Dictionary<int, List<int>>();
            for (int q = 0; q < queries.Count; q++)
            {
                if (pictures[q] is null) continue;
                foreach (var i in Candidates[q])
                {
                    if (!byItem.TryGetValue(i, out var list)) byItem[i] = list = [];
                    list.Add(q);
                }
            }
            var evidence = new ConcurrentBag<PairEvidence>();
            var perThread = new ConcurrentBag<VerificationTimings>();
            int done = 0, total = byItem.Count;
            long lastReport = 0;
            Parallel.ForEach(byItem, new ParallelOptions { MaxDegreeOfParallelism = threads }, () => new VerificationTimings(), (entry, _, local) =>
            {
                var item = items[entry.Key];
                using var decoded = ImageLoader.Decode(item.Bytes(), item.Name, ImageLimits.Default);
                using var candidate = verifier.Prepare(decoded);
                foreach (var q in entry.Value)
                {
                    var query = pictures[q]!;
                    var stretch = verifier.VerifyStretch(query, candidate, local);
                    var plain = verifier.VerifyGeometric(query, candidate, mirrored: false, local);
                    var mirrored = verifier.VerifyGeometric(query, candidate, mirrored: true, local);
                    // The search runs in the verifier only when the keypoints did not verify; here whenever
                    // no fit reached the pixel comparison with a high NCC, so that its thresholds can be counted.
                    bool settled = Math.Max(Best(plain), Best(mirrored)) >= 0.99 || (stretch is { } st && st.Ncc >= 0.99);
                    var search = settled ? null : verifier.VerifySearch(query, candidate, local);
                    bool? thickenedOnly = query.IsHairline ? product.Verify(query, candidate).LinesThickened : null;
                    evidence.Add(new PairEvidence(q, entry.Key, Math.Min(query.Width, query.Height), Math.Min(candidate.Width, candidate.Height), stretch, plain, mirrored, search,
                        query.ShiftAgreement, candidate.ShiftAgreement) { ThickenedOnly = thickenedOnly });
                }
                int now = Interlocked.Increment(ref done);
                long ms = clock.ElapsedMilliseconds, last = Interlocked.Read(ref lastReport);
                if (ms - last >= 15_000 && Interlocked.CompareExchange(ref lastReport, ms, last) == last) log($"  {now}/{total} candidate items verified ({clock.Elapsed.TotalSeconds:F0} s)");
                return local;
            }, local => perThread.Add(local));
            foreach (var t in perThread) Merge(timings, t);
            return (evidence.OrderBy(e => e.Query).ThenBy(e => e.Item).ToList(), timings, clock.Elapsed.TotalSeconds);
        }
        finally
        {
            foreach (var p in pictures) p?.Dispose();
        }
    }

    // A fit every rule of the grid accepts (most inliers and strictest NCC it asks for): the search would not run after it.
    private static double Best(Verification v) =>
        v.Reason is NotVerifiedReason.None or NotVerifiedReason.PixelsDisagree && !double.IsNaN(v.Ncc) && v.Inliers >= 12 && v.Overlap >= 0.2 ? v.Ncc : -2;

    private static void Merge(VerificationTimings into, VerificationTimings from) => into.Add(from);
}
