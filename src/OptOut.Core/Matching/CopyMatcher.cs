using System.Collections.Concurrent;
using System.Diagnostics;
using OptOut.Core.Datasets;
using OptOut.Core.Fingerprinting;
using OptOut.Core.Imaging;
using OptOut.Core.Index;

namespace OptOut.Core.Matching;

/// <summary>
/// Finds a picture's copies in the index, in stages. Candidates come from the same SHA-256 or MD5,
/// perceptual-hash neighbours, and the vector index (the picture and its extra views); then each
/// candidate is decided in order: the same file is <see cref="MatchKind.Exact"/>; the fingerprint rule
/// (<see cref="CopyRule"/>) only proposes; the row's own pixels, read where the index says they lie,
/// are verified geometrically against the query's (<see cref="GeometricVerifier"/>), and only a
/// verified candidate is a <see cref="MatchKind.Copy"/>. A candidate that cannot be verified (no local
/// image, too small, OpenCV unavailable) is <see cref="MatchKind.Similar"/> with the reason, never a copy.
/// </summary>
public sealed class CopyMatcher : IDisposable
{
    /// <summary>
    /// Rows verified in full besides those the rule accepts, the hash neighbours and each view's top rows: the plain
    /// query's first this many by embedding cosine that none of those ways brings; the rest of its ranking, down to
    /// <see cref="DefaultRankingDepth"/>, is screened by stored keypoints first. Until the fourteenth round
    /// (docs/copy-detection.md) the top 20 were verified in full (at 10 without a screen, "Sixth round", Rotate recall
    /// fell from 0.860 to 0.693); so counted, 3 finds the same 1,467 of 1,500 copies at the same precision (2 loses two
    /// cropped copies unless ScreenFromKeypoints holds them).
    /// </summary>
    public const int DefaultCandidateDepth = 3;

    /// <summary>
    /// The pixel search runs only for pairs where a picture has fewer keypoints than this
    /// (<see cref="PictureVerification.PixelSearchBelowKeypoints"/>): docs/copy-detection.md, "Speed, second pass".
    /// </summary>
    public const int DefaultPixelSearchBelowKeypoints = 50;

    /// <summary>
    /// Angles (degrees) of the rotated views every query is turned by unless a matcher is told otherwise
    /// (<see cref="ViewAngles"/>): the picture turned by the Rotate alteration's angle both ways, each view's top
    /// <see cref="ViewCandidateDepth"/> rows by cosine verified beside the plain query's top <see cref="CandidateDepth"/>.
    /// Rotate recall 0.887 -> 0.967 and Watermark 0.867 -> 0.887 at the same precision (docs/copy-detection.md,
    /// "Ninth round"), for two more model runs a query.
    /// </summary>
    public static readonly IReadOnlyList<float> CalibratedViewAngles = [-4f, 4f];

    /// <summary>
    /// Rows verified for each extra view of a query (rotated, centre cut) by its cosine rank: a view's first few
    /// rows hold what it is for (a turned copy ranks first against the view turned as it was), while the
    /// plain query's <see cref="CandidateDepth"/> covers the rest (docs/copy-detection.md, "Eighth round", depth).
    /// </summary>
    public const int DefaultViewCandidateDepth = 3;

    /// <summary>
    /// How deep the plain query's cosine ranking is looked at: its rows beyond <see cref="DefaultCandidateDepth"/> are
    /// verified only when their stored keypoints fit the query's with <see cref="DefaultScreenInliers"/> inliers (no pixel
    /// is read otherwise), unless the query has fewer than <see cref="DefaultScreenFromKeypoints"/> keypoints or the row
    /// no stored features: then they are verified in full, as every row of this depth was before the fourteenth round
    /// (docs/copy-detection.md), so that a plain query, or an index imported without features, loses nothing.
    /// </summary>
    public const int DefaultRankingDepth = 20;

    /// <summary>
    /// How deep each extra view's cosine ranking is looked at beyond <see cref="DefaultViewCandidateDepth"/>: those
    /// rows are verified only when their stored keypoints fit the query's with <see cref="DefaultScreenInliers"/>
    /// inliers (no pixel is read otherwise). A watermark moves the embedding: watermarked copies that a turned view
    /// ranked 7th to 13th verify as strong fits (docs/copy-detection.md, "Twelfth round"). A query with fewer
    /// keypoints than that (a flag, an outline) has its screened rows verified in full ("Thirteenth round").
    /// </summary>
    public const int DefaultScreenedViewDepth = 20;

    /// <summary>Inliers a screened row's stored keypoints must fit with before it is verified (<see cref="DefaultRankingDepth"/>, <see cref="DefaultScreenedViewDepth"/>).</summary>
    public const int DefaultScreenInliers = 15;

    /// <summary>
    /// Keypoints a query needs before the rows its plain ranking holds beyond <see cref="DefaultCandidateDepth"/> are
    /// screened: a plainer query (a flag, an outline, a small icon) may have copies that only the stretch or the pixel
    /// search verifies, with a handful of inliers, so those rows are verified in full. 64: with the depth counted by rank
    /// alone, 50 loses a cropped and a ResizeCropJpeg copy of the calibration (drawings of 28-50 keypoints ranked 11th-13th
    /// with fits of 4-13 inliers), 56 to 100 none (docs/copy-detection.md, "Fourteenth round").
    /// </summary>
    public const int DefaultScreenFromKeypoints = 64;

    /// <summary>Hash distance within which a row is verified whatever its cosine.</summary>
    public const int HashCandidateRadius = 16;

    private readonly IndexStore store;
    private readonly Action<long, long>? buildProgress;
    private readonly ImageLimits limits;
    private readonly PictureVerification pictures;
    private PerceptualHashIndex? hashes;
    private VectorIndex? vectors;

    /// <summary>A matcher over <paramref name="store"/>: <paramref name="verifier"/> null uses the calibrated defaults, <paramref name="limits"/> null <see cref="ImageLimits.Default"/> for reading rows' pixels; <paramref name="buildProgress"/> (done, total) is told while the vector index is built on first use.</summary>
    public CopyMatcher(IndexStore store, GeometricVerifier? verifier = null, ImageLimits? limits = null, Action<long, long>? buildProgress = null)
    {
        this.store = store;
        this.buildProgress = buildProgress;
        this.limits = limits ?? ImageLimits.Default;
        Verifier = verifier ?? new GeometricVerifier();
        pictures = new PictureVerification(Verifier, this.limits) { PixelSearchBelowKeypoints = DefaultPixelSearchBelowKeypoints };
    }

    /// <summary>The verifier every candidate goes through.</summary>
    public GeometricVerifier Verifier { get; }

    /// <summary>The index searched.</summary>
    public IndexStore Store => store;

    /// <summary>The plain query's rows verified in full, by cosine rank, beyond those another way brings (<see cref="DefaultCandidateDepth"/>).</summary>
    public int CandidateDepth { get; init; } = DefaultCandidateDepth;

    /// <summary>Rows verified for each of a query's extra views by cosine rank (<see cref="DefaultViewCandidateDepth"/>).</summary>
    public int ViewCandidateDepth { get; init; } = DefaultViewCandidateDepth;

    /// <summary>How deep the plain query's ranking is looked at (<see cref="DefaultRankingDepth"/>); its rows beyond <see cref="CandidateDepth"/> are screened.</summary>
    public int RankingDepth { get; init; } = DefaultRankingDepth;

    /// <summary>How deep each extra view's ranking is screened by stored keypoints (<see cref="DefaultScreenedViewDepth"/>); at most <see cref="ViewCandidateDepth"/>: none.</summary>
    public int ScreenedViewDepth { get; init; } = DefaultScreenedViewDepth;

    /// <summary>
    /// Inliers a screened row's stored keypoints must fit with before it is verified (<see cref="DefaultScreenInliers"/>).
    /// A query with fewer keypoints than this has its screened rows verified in full, so raising it turns the screen
    /// off for more queries (every query's, past the query's keypoint count).
    /// </summary>
    public int ScreenInliers { get; init; } = DefaultScreenInliers;

    /// <summary>Keypoints a query needs before the rows its plain ranking holds beyond <see cref="CandidateDepth"/> are screened rather than verified in full (<see cref="DefaultScreenFromKeypoints"/>).</summary>
    public int ScreenFromKeypoints { get; init; } = DefaultScreenFromKeypoints;

    /// <summary>Angles (degrees) every query of this matcher is also turned by (<see cref="QueryFingerprinter"/>), besides the views a caller's fingerprinter adds; <see cref="CalibratedViewAngles"/> by default, empty for the plain query alone.</summary>
    public IReadOnlyList<float> ViewAngles { get; init; } = CalibratedViewAngles;

    /// <summary>Whether candidates' features stored at import are used (true) or always extracted from their pixels (for comparing the two).</summary>
    public bool UseStoredFeatures { get; init; } = true;

    /// <summary>When set, where each query's time goes is added to it (benchmarks).</summary>
    internal MatcherStatistics? Statistics
    {
        get => pictures.Statistics;
        init => pictures = new PictureVerification(Verifier, limits) { Statistics = value, PixelSearchBelowKeypoints = pictures.PixelSearchBelowKeypoints };
    }

    /// <summary>See <see cref="DefaultPixelSearchBelowKeypoints"/>; 0 runs the pixel search whenever the keypoints did not verify.</summary>
    public int PixelSearchBelowKeypoints
    {
        get => pictures.PixelSearchBelowKeypoints;
        init => pictures = new PictureVerification(Verifier, limits) { Statistics = pictures.Statistics, PixelSearchBelowKeypoints = value };
    }

    /// <summary>
    /// The query picture made ready for verification while it is fingerprinted
    /// (<see cref="Fingerprinter.QueryPicture"/>), its local features extracted at once on another thread
    /// (its mirror image's made from them), so that they overlap the embedding; null where OpenCV is not loadable.
    /// </summary>
    public IDisposable? PrepareQuery(DecodedImage decoded)
    {
        if (VerificationUnavailable is not null) return null;
        var picture = Verifier.Prepare(decoded);
        _ = Task.Run(() =>
        {
            try
            {
                _ = picture.Features;
                if (Verifier.Options.TryMirrored) _ = picture.MirroredFeatures;
            }
            catch (ObjectDisposedException)
            {
                // The query was done with before its features were needed.
            }
        });
        return picture;
    }

    /// <summary>
    /// <paramref name="fingerprinter"/> made ready for this matcher's queries: each picture prepared for
    /// verification on the same decode (<see cref="PrepareQuery"/>) and turned by <see cref="ViewAngles"/>
    /// as well as by the fingerprinter's own angles (<c>-IncludeRotated</c>'s wider set adds to them, so
    /// that it loses nothing the default views find).
    /// </summary>
    public Fingerprinter QueryFingerprinter(Fingerprinter fingerprinter)
    {
        ArgumentNullException.ThrowIfNull(fingerprinter);
        var ready = fingerprinter.WithQueryPicture(PrepareQuery);
        var angles = ready.ViewAngles.Concat(ViewAngles).Distinct().Order().ToList();
        return angles.Count == ready.ViewAngles.Count ? ready : ready.WithViewAngles(angles);
    }

    /// <summary>The query's fingerprint made by <see cref="QueryFingerprinter"/>: the caller disposes <see cref="PictureFingerprint.Picture"/>.</summary>
    public PictureFingerprint FingerprintQuery(Fingerprinter fingerprinter, string path) =>
        QueryFingerprinter(fingerprinter).Fingerprint(path);

    /// <summary>Why copies cannot be verified in this process (OpenCV did not load), or null.</summary>
    public static string? VerificationUnavailable => OpenCvAvailability.UnavailableReason;

    /// <summary>
    /// Every Exact and Copy row of the picture, the rule's unverified candidates as Similar, and (when
    /// asked) other rows above <see cref="SearchOptions.MinimumSimilarity"/> as Similar; best first.
    /// The query's pixels are read from <see cref="PictureFingerprint.Path"/> when a candidate needs them.
    /// The query's own <see cref="PictureFingerprint.Views"/> (<see cref="QueryFingerprinter"/>) are searched too,
    /// or <paramref name="views"/> instead when given.
    /// </summary>
    public IReadOnlyList<CopyMatch> Find(PictureFingerprint query, SearchOptions options, IReadOnlyList<ImageView>? views = null)
    {
        ArgumentNullException.ThrowIfNull(query);
        var rule = options.Rule ?? CopyRule.For(query.ModelId);
        var all = new List<ImageView> { new(query.PerceptualHash, query.Embedding) };
        if ((views ?? query.Views) is { } extra) all.AddRange(extra);
        long started = Stopwatch.GetTimestamp();
        var candidates = Candidates(query, all, rule, options, out var plainRanking, out var ranked, out var screened);

        var sha256 = Convert.FromHexString(query.Sha256);
        var exactIds = store.FindBySha256(sha256, options.Dataset).Concat(store.FindByMd5(query.Md5, options.Dataset))
            .Select(r => r.Id).ToHashSet();

        // Rows only a view's deeper ranks bring (below every other way in): verified when their hash is near, as any
        // row is, or when their stored keypoints fit (the screen); never reported as look-alikes by that alone.
        var screenedOnly = screened.Keys.Where(id => !candidates.ContainsKey(id) && !exactIds.Contains(id)).ToHashSet();
        var rows = store.GetRows(candidates.Keys.Concat(exactIds).Concat(screenedOnly).Distinct().ToList(), options.Dataset);
        var decided = new List<CopyMatch>();
        var toVerify = new List<CopyMatch>();
        var toScreen = new List<CopyMatch>();
        // The plain query's rows that no other way brings to verification, by id (their rank decides below).
        var ranking = new Dictionary<long, CopyMatch>();
        var inPlainRanking = plainRanking.ToHashSet();
        foreach (var row in rows)
        {
            if (options.Datasets is { } datasets && !datasets.Contains(row.Dataset)) continue;
            bool onlyScreened = screenedOnly.Contains(row.Id);
            var candidate = onlyScreened ? default(CopyCandidate).WithSimilarity(screened[row.Id]) : candidates.GetValueOrDefault(row.Id);
            if (candidate.Distance is null && row.PerceptualHash is { } h) candidate = candidate.WithDistance(all.Min(v => PerceptualHash.Distance(h, v.PerceptualHash)));
            int? distance = candidate.Distance;
            float? similarity = candidate.Similarity;
            if (exactIds.Contains(row.Id))
            {
                decided.Add(new CopyMatch(row, MatchKind.Exact, similarity, distance));
                continue;
            }
            bool accepted = candidate.ProposedBy(rule);
            var match = new CopyMatch(row, MatchKind.Similar, similarity, distance) { RuleAccepted = accepted };
            if (accepted || ranked.Contains(row.Id) || distance <= HashCandidateRadius) toVerify.Add(match);
            else if (inPlainRanking.Contains(row.Id)) ranking[row.Id] = match;
            else if (screened.ContainsKey(row.Id) && row.Image is not null && UseStoredFeatures) toScreen.Add(match);
            else if (!onlyScreened && options.IncludeSimilar && similarity >= options.MinimumSimilarity) decided.Add(match);
        }

        // The plain query's first CandidateDepth rows that no other way brought are verified in full, the rest of its
        // ranking screened: counted so, the depth is not spent on the copies a hash or the rule brings anyway, and a
        // copy ranked below a crowd of the same picture's other copies (a watermarked one, whose stretch verifies it
        // where its keypoints may not fit) is still verified in full (docs/copy-detection.md, fourteenth round).
        var plainScreened = new HashSet<long>();
        int verifiedInFull = 0;
        foreach (var id in plainRanking)
        {
            if (!ranking.TryGetValue(id, out var match)) continue;
            // A row without local pixels is answered at once (not verifiable), so it takes nothing from the depth.
            if (match.Row.Image is null) toVerify.Add(match);
            else if (verifiedInFull++ < CandidateDepth) toVerify.Add(match);
            else
            {
                toScreen.Add(match);
                plainScreened.Add(id);
            }
        }

        double candidateMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        // A screened row whose keypoints do not fit comes back as it went (Similar, unverified), as a row never looked at.
        decided.AddRange(Verify(query, toVerify, toScreen, plainScreened, candidateMs).Where(m => m.Kind == MatchKind.Copy || m.RuleAccepted
            || (options.IncludeSimilar && (m.Similarity >= options.MinimumSimilarity || m.Similarity is null))));

        IEnumerable<CopyMatch> ordered = decided
            .OrderBy(m => m.Kind)
            .ThenByDescending(m => m.Similarity ?? -1)
            .ThenBy(m => m.HashDistance ?? 65)
            .ThenBy(m => m.Row.Id);
        return (options.Top is { } top ? ordered.Take(top) : ordered).ToList();
    }

    /// <summary>
    /// Row ids with their best hash distance and similarity over the views; <paramref name="plainRanking"/>: the plain
    /// query's top rows by cosine, down to <see cref="RankingDepth"/> (at least <see cref="CandidateDepth"/>), best first
    /// (candidates, whose depth <see cref="Find"/> decides); <paramref name="ranked"/>: each extra view's top rows;
    /// <paramref name="screened"/>: each view's next rows, down to <see cref="ScreenedViewDepth"/>, with their best similarity
    /// (not candidates by that alone: only what their stored keypoints say lets them be verified).
    /// </summary>
    private Dictionary<long, CopyCandidate> Candidates(PictureFingerprint query, List<ImageView> all, CopyRule rule, SearchOptions options,
        out List<long> plainRanking, out HashSet<long> ranked, out Dictionary<long, float> screened)
    {
        var candidates = new Dictionary<long, CopyCandidate>();
        plainRanking = new List<long>();
        ranked = new HashSet<long>();
        screened = new Dictionary<long, float>();
        hashes ??= PerceptualHashIndex.Load(store);
        foreach (var view in all)
        {
            foreach (var (id, distance) in hashes.Search(view.PerceptualHash, rule.SearchRadius))
            {
                candidates[id] = candidates.GetValueOrDefault(id).WithDistance(distance);
            }
        }

        bool compareVectors = store.ModelId == query.ModelId;
        if (!compareVectors) return candidates;
        vectors ??= VectorIndex.Open(store, buildProgress);
        float floor = options.IncludeSimilar ? Math.Min(rule.SearchFloor, options.MinimumSimilarity) : rule.SearchFloor;
        for (int v = 0; v < all.Count; v++)
        {
            var view = all[v];
            var found = vectors.SearchAbove(view.Embedding, floor).ToList();
            // The plain query's whole ranking is candidates (Find verifies its first rows in full, screens the rest).
            int depth = v == 0 ? Math.Max(CandidateDepth, RankingDepth) : ViewCandidateDepth;
            int screenDepth = v == 0 ? depth : Math.Max(depth, ScreenedViewDepth);
            // With a dataset filter the top rows may all be elsewhere: look deeper so the filter leaves some.
            if (options.Dataset is not null || options.Datasets is not null)
            {
                depth *= 4;
                screenDepth *= 4;
            }
            var top = vectors.Search(view.Embedding, screenDepth);
            for (int rank = 0; rank < top.Count; rank++)
            {
                var (id, similarity) = top[rank];
                if (v == 0)
                {
                    found.Add((id, similarity));
                    plainRanking.Add(id);
                }
                else if (rank < depth)
                {
                    found.Add((id, similarity));
                    ranked.Add(id);
                }
                else
                {
                    screened[id] = Math.Max(similarity, screened.GetValueOrDefault(id, float.NegativeInfinity));
                }
            }
            foreach (var (id, similarity) in found)
            {
                candidates[id] = candidates.GetValueOrDefault(id).WithSimilarity(similarity);
            }
        }

        // Rows found by hash alone still report their similarity, read from their stored vectors.
        var missing = candidates.Where(c => c.Value.Similarity is null).Select(c => c.Key).ToList();
        foreach (var (id, vector) in store.GetEmbeddings(missing))
        {
            candidates[id] = candidates[id].WithSimilarity(all.Max(v => HalfVectors.Dot(vector, v.Embedding)));
        }
        return candidates;
    }

    /// <summary>
    /// Each candidate's pixels against the query's, and each screened row's when its stored keypoints fit (the
    /// others come back unchanged); the verified ones become copies.
    /// </summary>
    private IEnumerable<CopyMatch> Verify(PictureFingerprint query, List<CopyMatch> candidates, List<CopyMatch> screened, HashSet<long> plainScreened, double candidateMs)
    {
        if (candidates.Count + screened.Count == 0) return candidates;
        if (VerificationUnavailable is { } unavailable) return Unverified(candidates, screened, plainScreened, "not verified: " + unavailable);

        long started = Stopwatch.GetTimestamp();
        var picture = query.Picture as VerifiablePicture;
        string? queryProblem = null;
        if (picture is null)
        {
            try
            {
                using var decoded = ImageLoader.Load(query.Path, limits);
                picture = Verifier.Prepare(decoded);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ImageFileException)
            {
                queryProblem = $"not verified: the query picture '{query.Path}' could not be read ({e.Message})";
            }
        }
        if (picture is null) return Unverified(candidates, screened, plainScreened, queryProblem!);

        try
        {
            double queryPrepareMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            // Not waited for: the candidates' pixels are read and stretched while the query's keypoints may still be on their way
            // (extracted in the background only for a picture prepared with the fingerprint: PrepareQuery).
            if (ReferenceEquals(picture, query.Picture)) Statistics?.QueryFeaturesPending(!picture.HasFeatures);
            started = Stopwatch.GetTimestamp();
            var all = candidates.Concat(screened).ToList();
            var stored = UseStoredFeatures
                ? store.GetLocalFeatures(all.Where(c => c.Row.Image is not null).Select(c => c.Row.Id).ToList())
                : [];
            var results = new CopyMatch[all.Count];
            // A query with few keypoints (a flag, an outline, a small icon) may have copies that only the stretch or the
            // pixel search verifies, with a handful of inliers at most: its screened rows are verified in full instead,
            // those only a view ranked when it has fewer keypoints than the screen asks for, those the plain query ranked
            // when it has fewer than ScreenFromKeypoints (docs/copy-detection.md, thirteenth and fourteenth rounds).
            // Asked only by a screened row, so that no candidate waits for the query's keypoints it may not need.
            bool ViewRowsScreened() => picture.Features.Count >= Math.Max(ScreenInliers, Verifier.Options.MinInliers);
            bool QueryRowsScreened() => ViewRowsScreened() && picture.Features.Count >= ScreenFromKeypoints;
            Parallel.ForEach(Partitioner.Create(VerificationOrder(all, candidates.Count), EnumerablePartitionerOptions.NoBuffering),
                new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, i =>
            {
                var row = all[i].Row;
                bool rankedByPlainQuery = plainScreened.Contains(row.Id);
                bool screen = i >= candidates.Count && (rankedByPlainQuery ? QueryRowsScreened() : ViewRowsScreened());
                results[i] = VerifyOne(picture, all[i], stored.GetValueOrDefault(row.Id), screen, fullWithoutFeatures: rankedByPlainQuery);
            });
            Statistics?.Query(candidateMs, queryPrepareMs, Stopwatch.GetElapsedTime(started).TotalMilliseconds, tooPlainToScreen: plainScreened.Count > 0 && !QueryRowsScreened());
            return results;
        }
        finally
        {
            // A picture prepared with the fingerprint belongs to its caller; one decoded here does not outlive the query.
            if (!ReferenceEquals(picture, query.Picture)) picture.Dispose();
        }
    }

    /// <summary>
    /// The order <paramref name="all"/> is verified in, handed out one at a time: the candidates verified in full (the first
    /// <paramref name="fullCount"/>), largest pictures first, then the screened rows as they were ranked. A large picture's decode and frames
    /// cost most: begun first, they do not leave one core idle at the end while the other finishes them; and the screened
    /// rows, which need the query's keypoints, come last, when those are most likely ready (docs/copy-detection.md,
    /// fifteenth round).
    /// </summary>
    internal static IEnumerable<int> VerificationOrder(List<CopyMatch> all, int fullCount) =>
        Enumerable.Range(0, all.Count)
            .OrderBy(i => i >= fullCount)
            .ThenByDescending(i => i < fullCount ? (long)(all[i].Row.Width ?? 0) * (all[i].Row.Height ?? 0) : 0)
            .ThenBy(i => i);

    // Nothing could be verified: the candidates, and the plain query's rows that would have been screened (verified in
    // full before the screen reached them), say why; a view's deeper rows come back as they went, never looked at.
    private static IEnumerable<CopyMatch> Unverified(List<CopyMatch> candidates, List<CopyMatch> screened, HashSet<long> plainScreened, string why) =>
        candidates.Concat(screened.Where(m => plainScreened.Contains(m.Row.Id))).Select(c => c with { NotVerified = why })
            .Concat(screened.Where(m => !plainScreened.Contains(m.Row.Id)));

    // screen: a row ranked too deep to be verified unasked (it has a local image), verified only when its stored keypoints
    // fit (ScreenInliers); fullWithoutFeatures: verified in full when it has no stored features to screen by.
    private CopyMatch VerifyOne(VerifiablePicture query, CopyMatch candidate, byte[]? storedFeatures, bool screen, bool fullWithoutFeatures)
    {
        if (candidate.Row.Image is not { } image)
        {
            return candidate with { NotVerified = "not verified: the row has no local image (its dataset lists URLs or embeddings only)" };
        }
        var verdict = pictures.VerifyIfKeypointsFit(query, () => Read(image), image.ToString(), $"its image '{image}'", storedFeatures, screen ? ScreenInliers : null, fullWithoutFeatures);
        if (verdict is null) return candidate;
        return verdict.IsCopy == true
            ? candidate with { Kind = MatchKind.Copy, Verification = verdict.Verification }
            : candidate with { Verification = verdict.Verification, NotVerified = verdict.NotVerified };
    }

    private byte[] Read(ImageLocation image)
    {
        using var stream = image.OpenRead();
        if (stream.Length > limits.MaxFileBytes) throw new ImageTooLargeException(image.ToString(), stream.Length, limits);
        var bytes = new byte[stream.Length];
        stream.ReadExactly(bytes);
        return bytes;
    }

    /// <summary>Releases the vector index.</summary>
    public void Dispose() => vectors?.Dispose();
}
