using System.Globalization;
using OpenCvSharp;

namespace OptOut.Core.Matching;

/// <summary>
/// Tells a copy from a look-alike. A candidate that the fingerprints brought up is aligned with the query
/// (local features matched one to one, a similarity transform fitted with RANSAC, the query also tried
/// mirrored; or, for pictures of the same proportions, a plain stretch), and the aligned pixels are then
/// compared: a copy agrees pixel for pixel whatever was done to it, a different drawing of the same
/// subject does not. Stateless apart from its options; safe to use from several threads.
/// </summary>
public sealed class GeometricVerifier
{
    // When each path's aligned pixels agree: after a keypoint fit, after the stretch, after the pixel search.
    private readonly PixelThresholds alignedThresholds, stretchThresholds, searchThresholds;

    /// <summary>A verifier with <paramref name="options"/> (null: the calibrated <see cref="VerifierOptions.Default"/>).</summary>
    public GeometricVerifier(VerifierOptions? options = null)
    {
        Options = options ?? VerifierOptions.Default;
        Options.Validate();
        // OpenCV's code paths are chosen for this machine before its first use (OpenCvTuning).
        _ = OpenCvAvailability.UnavailableReason;
        alignedThresholds = new(Options.MinNcc, Options.MinTrimmedNcc, Options.MinRegionNcc);
        stretchThresholds = new(Options.MinStretchNcc, Options.MinStretchTrimmedNcc, Options.MinRegionNcc);
        searchThresholds = new(Options.MinSearchNcc, Options.MinSearchTrimmedNcc, Options.MinSearchRegionNcc);
    }

    /// <summary>The settings in use.</summary>
    public VerifierOptions Options { get; }

    /// <summary>Prepares a decoded picture with this verifier's options.</summary>
    public VerifiablePicture Prepare(Imaging.DecodedImage image, LocalFeatures? storedFeatures = null) =>
        VerifiablePicture.FromDecoded(image, Options, storedFeatures);

    /// <summary>Is <paramref name="candidate"/> a copy of <paramref name="query"/>? Both must have been prepared with this verifier's options.</summary>
    public Verification Verify(VerifiablePicture query, VerifiablePicture candidate, VerificationTimings? timings = null) =>
        Verify(query, candidate, timings, searchWanted: null);

    /// <summary>
    /// As <see cref="Verify(VerifiablePicture, VerifiablePicture, VerificationTimings)"/>; <paramref name="searchWanted"/>, when given, is asked
    /// before the pixel search runs (only when the earlier stages did not verify), so that what it reads (the pictures'
    /// keypoints) is not waited for by a candidate the stretch settles.
    /// </summary>
    internal Verification Verify(VerifiablePicture query, VerifiablePicture candidate, VerificationTimings? timings, Func<bool>? searchWanted)
    {
        OpenCvTuning.OnThisThread();
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(candidate);
        if (query.Options.WorkingSide != Options.WorkingSide || query.Options.FeatureKind != Options.FeatureKind
            || candidate.Options.WorkingSide != Options.WorkingSide || candidate.Options.FeatureKind != Options.FeatureKind)
        {
            throw new ArgumentException("Both pictures must be prepared with the verifier's feature kind and working side.");
        }

        int smallest = Math.Min(Math.Min(query.Width, query.Height), Math.Min(candidate.Width, candidate.Height));
        if (smallest < Options.MinimumSide)
        {
            return Verification.Rejected(NotVerifiedReason.TooSmall,
                $"too small to verify: {query.Width}x{query.Height} and {candidate.Width}x{candidate.Height}; verification needs at least {Options.MinimumSide} px on the short side of each");
        }

        var first = VerifyOnce(query, candidate, timings, searchWanted, out double closest);
        if (first.IsVerified || !Options.ThickenHairlines || !(closest >= Options.MinHairlineAgreement) || !query.IsHairline) return first;
        // A hairline drawing: a second look with its lines and the candidate's thickened (LineArt), which gives
        // keypoints where there were next to none and forgives a fraction of a pixel of misalignment. Both
        // thickened views are owned by their pictures (a row verified against several claims reuses its own).
        var second = VerifyOnce(query.Thickened, candidate.Thickened, timings, searchWanted, out _);
        // Refuted on both looks: the first look's answer stands, the second's reading kept beside it for a reviewer.
        return second.IsVerified
            ? second with { Detail = "a hairline drawing, compared with its lines thickened: " + second.Detail, LinesThickened = true }
            : first with { Detail = $"{first.Detail}; with the lines thickened (a hairline drawing): {second.Detail}" };
    }

    // The stretch, the keypoint fits and the pixel search in turn, as Verify describes; closest: the best pixel
    // agreement any of them read (NCC, outside one region, the search's coarse correlation), -2 when none.
    private Verification VerifyOnce(VerifiablePicture query, VerifiablePicture candidate, VerificationTimings? timings, Func<bool>? searchWanted, out double closest)
    {
        double seen = -2;
        Verification Note(Verification v)
        {
            seen = Math.Max(seen, Math.Max(Nan(v.Ncc), Math.Max(Nan(v.RegionNcc), Nan(v.SearchCoarseScore))));
            return v;
        }
        try
        {
            // The cheap comparison first: a copy of the same proportions (re-encoded, resized, recoloured,
            // watermarked) is settled without keypoints, which plain pictures may not have.
            var stretch = VerifyStretch(query, candidate, timings);
            if (stretch is not null) Note(stretch);
            if (stretch is { IsVerified: true }) return stretch;

            var best = BestOf(stretch, Note(VerifyGeometric(query, candidate, mirrored: false, timings)));
            if (best.IsVerified) return best;
            if (Options.TryMirrored) best = BestOf(best, Note(VerifyGeometric(query, candidate, mirrored: true, timings)));
            if (best.IsVerified || !Options.PixelSearch || searchWanted?.Invoke() == false) return best;
            if (SearchUnplaceable(query, candidate) is { } unplaceable) return best with { Detail = $"{best.Detail}; {unplaceable}" };
            // Keypoints could not align it (a plain picture): search by pixels. A keypoint fit whose pixels
            // disagree stays the answer unless the search does better, so its evidence is not lost.
            var searched = Note(VerifySearch(query, candidate, timings));
            if (searched.IsVerified) return searched;
            // The search stopped after its coarse pass: the keypoint path's reason stands, and the
            // search's own reading is kept beside it.
            if (searched.Reason == NotVerifiedReason.NoGeometricFit && !double.IsNaN(searched.SearchCoarseScore)) return best with { Detail = $"{best.Detail}; {searched.Detail}" };
            // A flat picture gives the search nothing to correlate (NaN): the keypoint path's reason stands.
            if (double.IsNaN(searched.Ncc)) return best;
            var chosen = BestOf(best, searched);
            // When the search's answer stands, the keypoint path's reason (a degenerate fit, too few
            // matches) is still evidence a reviewer wants: it is kept in the detail.
            return ReferenceEquals(chosen, searched) && best.Reason != NotVerifiedReason.None
                ? searched with { Detail = $"{searched.Detail}; keypoints: {best.Detail}" }
                : chosen;
        }
        finally
        {
            closest = seen;
        }
    }

    /// <summary>
    /// The pixel search alone (<see cref="VerificationMethod.PixelSearch"/>): the best alignment found by
    /// correlating pixels over scales and small rotations, as is and mirrored, then the aligned pixels
    /// compared as for a keypoint fit. No size check (<see cref="Verify(VerifiablePicture, VerifiablePicture, VerificationTimings)"/> does it): for calibration and diagnostics.
    /// </summary>
    internal Verification VerifySearch(VerifiablePicture query, VerifiablePicture candidate, VerificationTimings? timings = null)
    {
        OpenCvTuning.OnThisThread();
        long start = VerificationTimings.Start();
        var (hypotheses, coarse) = AlignmentSearch.Find(query, candidate, Options);
        double searchMinOverlap = Math.Max(Options.MinOverlap, Options.MinSearchOverlap);
        Verification? best = null;
        foreach (var hypothesis in hypotheses)
        {
            var (agreement, overlap, queryBox, colour, m, refined) = RefinedAgreement(query, candidate, hypothesis.QueryToCandidate, hypothesis.Mirrored, searchThresholds.Agree);
            var (workingScale, rotation) = ScaleAndRotation(m);
            double sourceScale = workingScale * query.WorkingScale / candidate.WorkingScale;
            bool grayAgrees = overlap >= searchMinOverlap && searchThresholds.Agree(agreement);
            bool agrees = grayAgrees && ColourAgrees(colour);
            string found = F($"found by pixels{(hypothesis.Mirrored ? " mirrored" : "")} (correlation {hypothesis.Score:F3}){(refined ? ", refined by pixels" : "")}, scale {sourceScale:F3}, rotation {rotation:F1} deg");
            var v = new Verification
            {
                IsVerified = agrees,
                Method = agrees ? VerificationMethod.PixelSearch : VerificationMethod.None,
                Reason = agrees ? NotVerifiedReason.None : NotVerifiedReason.PixelsDisagree,
                Detail = agrees
                    ? F($"{found}; aligned pixels agree: NCC {agreement.Ncc:F3}, trimmed {agreement.TrimmedNcc:F3}, outside one region {agreement.RegionNcc:F3}, {ColourText(colour)}, over {overlap:P0} of the query")
                    : grayAgrees ? F($"{found}; {ColoursDiffer(agreement, colour)}")
                    : overlap < searchMinOverlap ? F($"{found}; the candidate covers {overlap:P0} of the query, less than {searchMinOverlap:P0} (a part, not a copy, when no keypoints back the alignment)")
                    : F($"{found}; aligned pixels disagree: {searchThresholds.Shortfall(agreement)}"),
                Scale = sourceScale,
                RotationDegrees = rotation,
                TranslationX = m[2] / candidate.WorkingScale,
                TranslationY = m[5] / candidate.WorkingScale,
                Mirrored = hypothesis.Mirrored,
                Ncc = agreement.Ncc,
                TrimmedNcc = agreement.TrimmedNcc,
                RegionNcc = agreement.RegionNcc,
                RegionShare = agreement.RegionShare,
                ColourDifference = colour,
                Overlap = overlap,
                QueryRegion = ToSource(queryBox, query, hypothesis.Mirrored),
                CandidateRegion = ToSource(QueryFrameInCandidate(m, query, candidate), candidate, mirrored: false),
                SearchCoarseScore = hypothesis.CoarseScore,
                PoseRefined = refined,
            };
            if (best is null || (v.IsVerified && !best.IsVerified) || (v.IsVerified == best.IsVerified && Nan(v.Ncc) > Nan(best.Ncc))) best = v;
        }
        timings?.Search(start);
        if (best is not null) return best;
        if (double.IsNegativeInfinity(coarse)) return Verification.Rejected(NotVerifiedReason.NoGeometricFit, "the pixel search found no alignment (the pictures are too small for its smallest scale)");
        return Verification.Rejected(NotVerifiedReason.NoGeometricFit,
            F($"the pixel search found no alignment: its best coarse correlation {coarse:F3} is below {Options.MinSearchCoarseScore:F3}")) with { SearchCoarseScore = coarse };
    }

    /// <summary>Why the pixel search cannot place this pair (a picture of bands: <see cref="VerifierOptions.MaxSearchShiftAgreement"/>), or null.</summary>
    internal string? SearchUnplaceable(VerifiablePicture query, VerifiablePicture candidate)
    {
        if (double.IsPositiveInfinity(Options.MaxSearchShiftAgreement)) return null;
        foreach (var (picture, which) in new[] { (query, "query"), (candidate, "candidate") })
        {
            double itself = picture.ShiftAgreement;
            if (itself >= Options.MaxSearchShiftAgreement)
            {
                return F($"the pixel search was not tried: the {which} looks the same shifted by a tenth of its size (NCC {itself:F3} with itself, at least {Options.MaxSearchShiftAgreement:F2}), so no alignment of it is unique");
            }
        }
        return null;
    }

    private static double Nan(double v) => double.IsNaN(v) ? -2 : v;

    // A pose's scale (the root of its linear part's determinant: a refined pose may be a little affine) and its
    // rotation in degrees; image rows grow downwards, so a positive angle in these coordinates turns clockwise on screen.
    private static (double Scale, double RotationDegrees) ScaleAndRotation(double[] m) =>
        (Math.Sqrt(Math.Abs(m[0] * m[4] - m[1] * m[3])), -Math.Atan2(m[3], m[0]) * 180 / Math.PI);

    // The evidence's transform: the pose (query working frame to candidate's) in each picture's own pixels.
    private static Verification WithTransform(Verification evidence, double[] pose, VerifiablePicture query, VerifiablePicture candidate)
    {
        var (workingScale, rotation) = ScaleAndRotation(pose);
        return evidence with
        {
            Scale = workingScale * query.WorkingScale / candidate.WorkingScale,
            RotationDegrees = rotation,
            TranslationX = pose[2] / candidate.WorkingScale,
            TranslationY = pose[5] / candidate.WorkingScale,
        };
    }

    // Verified beats not; then the one that got further (pixels compared beats a rejected fit), then the higher NCC or more inliers.
    private static Verification BestOf(Verification? a, Verification b)
    {
        if (a is null) return b;
        if (a.IsVerified != b.IsVerified) return a.IsVerified ? a : b;
        int Stage(Verification v) => v.Reason switch
        {
            NotVerifiedReason.None or NotVerifiedReason.PixelsDisagree or NotVerifiedReason.TurnedWeakFit => 4,
            NotVerifiedReason.DegenerateFit => 3,
            NotVerifiedReason.NoGeometricFit => 2,
            NotVerifiedReason.TooFewMatches => 1,
            _ => 0,
        };
        if (Stage(a) != Stage(b)) return Stage(a) > Stage(b) ? a : b;
        double na = double.IsNaN(a.Ncc) ? -2 : a.Ncc, nb = double.IsNaN(b.Ncc) ? -2 : b.Ncc;
        if (na != nb) return na > nb ? a : b;
        return b.Inliers > a.Inliers ? b : a;
    }

    /// <summary>
    /// The direct stretch alone: the candidate resized onto the query's frame (as is and mirrored), when
    /// their aspect ratios are within <see cref="VerifierOptions.StretchAspectTolerance"/>; null otherwise.
    /// No size check (<see cref="Verify(VerifiablePicture, VerifiablePicture, VerificationTimings)"/> does it): for calibration and diagnostics.
    /// </summary>
    internal Verification? VerifyStretch(VerifiablePicture query, VerifiablePicture candidate, VerificationTimings? timings = null)
    {
        OpenCvTuning.OnThisThread();
        double queryAspect = (double)query.Width / query.Height, candidateAspect = (double)candidate.Width / candidate.Height;
        if (Math.Abs(candidateAspect / queryAspect - 1) > Options.StretchAspectTolerance) return null;

        long start = VerificationTimings.Start();
        var queryGray = query.GrayOf(mirrored: false);
        using var stretched = new Mat();
        Cv2.Resize(candidate.GrayOf(mirrored: false), stretched, queryGray.Size(), 0, 0, InterpolationFlags.Area);
        var blurredQuery = QueryBlurred(query, mirrored: false, out var ownBlur);
        using var own = ownBlur;
        using var blurredStretched = PixelCorrelation.Blurred(stretched, Options.BlurSigma);
        var best = PixelCorrelation.MeasureBothBlurred(blurredQuery, blurredStretched, query.ContentMaskOf(mirrored: false), Options.MaxRegionShare);
        bool mirrored = false;
        if (Options.TryMirrored && !stretchThresholds.Agree(best))
        {
            using var flipped = new Mat();
            Cv2.Flip(blurredStretched, flipped, FlipMode.Y);
            var other = PixelCorrelation.MeasureBothBlurred(blurredQuery, flipped, query.ContentMaskOf(mirrored: false), Options.MaxRegionShare);
            if (stretchThresholds.Agree(other) || other.Ncc > best.Ncc || double.IsNaN(best.Ncc))
            {
                best = other;
                mirrored = true;
            }
        }
        // Flat on either side: the stretch cannot tell anything; the geometric path reports why.
        if (double.IsNaN(best.Ncc))
        {
            timings?.Stretch(start);
            return null;
        }
        bool grayAgrees = stretchThresholds.Agree(best);
        // Colour decides only between pictures whose gray pixels agree: not measured (NaN) for the rest, unless asked.
        double colour = grayAgrees || Options.MeasureEveryFigure ? StretchedColourDifference(query, candidate, mirrored) : double.NaN;
        timings?.Stretch(start);
        bool verified = grayAgrees && ColourAgrees(colour);
        double scale = Math.Sqrt((double)candidate.Width * candidate.Height / ((double)query.Width * query.Height));
        return new Verification
        {
            IsVerified = verified,
            Method = verified ? VerificationMethod.Stretch : VerificationMethod.None,
            Reason = verified ? NotVerifiedReason.None : NotVerifiedReason.PixelsDisagree,
            Detail = verified
                ? F($"stretched onto the query{(mirrored ? " mirrored" : "")}, pixels agree: NCC {best.Ncc:F3}, trimmed {best.TrimmedNcc:F3}, outside one region {best.RegionNcc:F3}, {ColourText(colour)}")
                : grayAgrees ? F($"stretched onto the query{(mirrored ? " mirrored" : "")}, {ColoursDiffer(best, colour)}")
                : F($"stretched onto the query, pixels disagree: {stretchThresholds.Shortfall(best)}"),
            Scale = scale,
            Mirrored = mirrored,
            Ncc = best.Ncc,
            TrimmedNcc = best.TrimmedNcc,
            RegionNcc = best.RegionNcc,
            RegionShare = best.RegionShare,
            ColourDifference = colour,
            Overlap = 1,
            QueryRegion = new ImageRegion(0, 0, query.Width, query.Height),
            CandidateRegion = new ImageRegion(0, 0, candidate.Width, candidate.Height),
        };
    }

    /// <summary>
    /// The geometric path alone, for one orientation of the query: match, fit, reject degenerate fits,
    /// compare the aligned pixels. No size check (<see cref="Verify(VerifiablePicture, VerifiablePicture, VerificationTimings)"/> does it): for calibration and diagnostics.
    /// </summary>
    internal Verification VerifyGeometric(VerifiablePicture query, VerifiablePicture candidate, bool mirrored, VerificationTimings? timings = null)
    {
        OpenCvTuning.OnThisThread();
        long start = VerificationTimings.Start();
        bool extracted = !candidate.HasFeatures;
        var queryFeatures = query.FeaturesOf(mirrored);
        var candidateFeatures = candidate.Features;
        if (extracted) timings?.Extraction(start);

        string side = mirrored ? "mirrored query" : "query";
        if (queryFeatures.Count < Options.MinInliers || candidateFeatures.Count < Options.MinInliers)
        {
            return Verification.Rejected(NotVerifiedReason.TooFewFeatures,
                $"too few keypoints to fit a transform: {queryFeatures.Count} in the query, {candidateFeatures.Count} in the candidate (at least {Options.MinInliers} each)") with
            { QueryKeypoints = queryFeatures.Count, CandidateKeypoints = candidateFeatures.Count, Mirrored = mirrored };
        }

        start = VerificationTimings.Start();
        var (queryPoints, candidatePoints) = MutualMatches(query, candidate, mirrored);
        timings?.Matching(start);
        var evidence = new Verification
        {
            IsVerified = false,
            Method = VerificationMethod.None,
            Reason = NotVerifiedReason.TooFewMatches,
            Detail = F($"{queryPoints.Length} one-to-one matches with the {side}, fewer than {Options.MinInliers}"),
            QueryKeypoints = queryFeatures.Count,
            CandidateKeypoints = candidateFeatures.Count,
            Matches = queryPoints.Length,
            Mirrored = mirrored,
        };
        if (queryPoints.Length < Options.MinInliers) return evidence;

        start = VerificationTimings.Start();
        using var inlierMask = new Mat();
        using var model = FitSimilarity(queryPoints, candidatePoints, inlierMask);
        timings?.Ransac(start);
        if (model is null)
        {
            return evidence with { Reason = NotVerifiedReason.NoGeometricFit, Detail = F($"no similarity fits the {queryPoints.Length} matches with the {side}") };
        }

        var m = new double[6];
        for (int r = 0; r < 2; r++) for (int c = 0; c < 3; c++) m[r * 3 + c] = model.At<double>(r, c);
        var inliers = InlierIndices(inlierMask);
        var (workingScale, fitRotation) = ScaleAndRotation(m);
        evidence = WithTransform(evidence, m, query, candidate) with { Inliers = inliers.Length };
        if (inliers.Length < Options.MinInliers)
        {
            return evidence with { Reason = NotVerifiedReason.NoGeometricFit, Detail = F($"{inliers.Length} inliers of {queryPoints.Length} matches with the {side}, fewer than {Options.MinInliers}") };
        }
        if (FitDegeneracy.Find(queryPoints, candidatePoints, inliers, workingScale, Math.Min(query.WorkingWidth, query.WorkingHeight), Options) is { } degenerate)
        {
            return evidence with { Reason = NotVerifiedReason.DegenerateFit, Detail = "degenerate fit: " + degenerate };
        }

        bool Reaches(int leastInliers, double leastRatio) => inliers.Length >= leastInliers && inliers.Length >= leastRatio * queryPoints.Length;
        bool strong = Reaches(Options.StrongFitInliers, Options.StrongFitInlierRatio);
        bool medium = Reaches(Options.MediumFitInliers, Options.MediumFitInlierRatio);
        // The bar a fit's pixels must reach outside the wider region: a strong fit's, else a medium fit's, else none.
        double wideBar = Math.Min(strong ? Options.MinStrongFitRegionNcc : double.PositiveInfinity, medium ? Options.MinMediumFitRegionNcc : double.PositiveInfinity);
        start = VerificationTimings.Start();
        var (agreement, overlap, queryBox, colour, pose, refined) = RefinedAgreement(query, candidate, m, mirrored,
            a => alignedThresholds.Agree(a) || a.WideRegionNcc >= wideBar);
        timings?.Ncc(start);
        var candidateBox = QueryFrameInCandidate(pose, query, candidate);
        evidence = WithTransform(evidence, pose, query, candidate) with
        {
            PoseRefined = refined,
            Ncc = agreement.Ncc,
            TrimmedNcc = agreement.TrimmedNcc,
            RegionNcc = agreement.RegionNcc,
            RegionShare = agreement.RegionShare,
            WideRegionNcc = agreement.WideRegionNcc,
            WideRegionShare = agreement.WideRegionShare,
            ColourDifference = colour,
            Overlap = overlap,
            QueryRegion = ToSource(queryBox, query, mirrored),
            CandidateRegion = ToSource(candidateBox, candidate, mirrored: false),
        };
        string fit = F($"{inliers.Length}/{queryPoints.Length} inliers with the {side}{(refined ? ", refined by pixels" : "")}, scale {evidence.Scale:F3}, rotation {evidence.RotationDegrees:F1} deg");
        if (overlap < Options.MinOverlap)
        {
            return evidence with { Reason = NotVerifiedReason.PixelsDisagree, Detail = F($"{fit}; the candidate covers {overlap:P0} of the query, less than {Options.MinOverlap:P0}") };
        }
        // The keypoints' own rotation decides whether a weak fit is turned (the refined pose, which follows the
        // pixels, may differ by a degree or two and must not carry a fit across the limit either way).
        if (!strong && Math.Abs(fitRotation) > Options.MaxWeakFitRotation)
        {
            // Unless the query looks the same turned: then the turn tells nothing and the fit is judged as an upright one.
            double itself = TurnSymmetry.Agreement(query.GrayOf(mirrored), query.ContentMaskOf(mirrored), fitRotation, Options.BlurSigma, Options.MaxRegionShare);
            if (!(itself >= Options.MinNcc))
            {
                return evidence with
                {
                    Reason = NotVerifiedReason.TurnedWeakFit,
                    Detail = F($"{fit}; the keypoints turn it {fitRotation:F1} deg, and a fit turned more than {Options.MaxWeakFitRotation:F0} deg must be strong ({Options.StrongFitInliers} inliers, {Options.StrongFitInlierRatio:P0} of the matches) unless the query looks the same turned (NCC with itself {itself:F3} < {Options.MinNcc:F2}): a turned pictogram is another sign"),
                };
            }
        }
        bool agrees = alignedThresholds.Agree(agreement);
        bool wideAgrees = agreement.WideRegionNcc >= wideBar;
        // The tier whose bar is the one applied (the lower of those the fit reaches).
        string tier = strong && Options.MinStrongFitRegionNcc <= wideBar ? "strong" : "medium";
        if (!agrees && !wideAgrees)
        {
            string wideClause = double.IsFinite(wideBar)
                ? F($" and, for this {tier} fit, outside one region of up to {Options.MaxStrongFitRegionShare:P0} {agreement.WideRegionNcc:F3} < {wideBar:0.00##}")
                : "";
            return evidence with { Reason = NotVerifiedReason.PixelsDisagree, Detail = F($"{fit}; aligned pixels disagree: {alignedThresholds.Shortfall(agreement)}{wideClause}") };
        }
        if (!ColourAgrees(colour))
        {
            return evidence with { Reason = NotVerifiedReason.PixelsDisagree, Detail = F($"{fit}; {ColoursDiffer(agreement, colour)}") };
        }
        return evidence with
        {
            IsVerified = true,
            Method = VerificationMethod.Geometric,
            Reason = NotVerifiedReason.None,
            ByWideRegion = !agrees,
            Detail = F($"{fit}; aligned pixels agree{(agrees ? "" : $" as a {tier} fit's")}: NCC {agreement.Ncc:F3}, trimmed {agreement.TrimmedNcc:F3}, outside one region {agreement.RegionNcc:F3}")
                + (agrees ? "" : F($" (of up to {Options.MaxStrongFitRegionShare:P0}: {agreement.WideRegionNcc:F3}, leaving out {agreement.WideRegionShare:P0})"))
                + F($", {ColourText(colour)}, over {overlap:P0} of the query"),
        };
    }

    /// <summary>
    /// Whether the candidate's keypoints fit the query's, as is or mirrored (when tried), with at least
    /// <paramref name="inliers"/> inliers, reading no pixel: a candidate known by stored features is not decoded. A
    /// cheap first look at rows ranked too deep to verify them all (<see cref="CopyMatcher.ScreenInliers"/>). The
    /// same fits as <see cref="VerifyGeometric"/>'s; an orientation with fewer matches than that is not fitted.
    /// </summary>
    internal bool FitsWithInliers(VerifiablePicture query, VerifiablePicture candidate, int inliers)
    {
        OpenCvTuning.OnThisThread();
        int needed = Math.Max(inliers, Options.MinInliers);
        foreach (var mirrored in Options.TryMirrored ? new[] { false, true } : new[] { false })
        {
            if (query.FeaturesOf(mirrored).Count < needed || candidate.Features.Count < needed) continue;
            var (queryPoints, candidatePoints) = MutualMatches(query, candidate, mirrored);
            if (queryPoints.Length < needed) continue;
            using var inlierMask = new Mat();
            using var model = FitSimilarity(queryPoints, candidatePoints, inlierMask);
            if (model is not null && InlierIndices(inlierMask).Length >= needed) return true;
        }
        return false;
    }

    // The similarity from query to candidate RANSAC fits to the matched points (inliers marked in inlierMask), or null.
    private Mat? FitSimilarity(Point2f[] queryPoints, Point2f[] candidatePoints, Mat inlierMask)
    {
        using var from = InputArray.Create(queryPoints);
        using var to = InputArray.Create(candidatePoints);
        var model = Cv2.EstimateAffinePartial2D(from, to, inlierMask,
            RobustEstimationAlgorithms.RANSAC, Options.RansacThreshold, (ulong)Options.RansacIterations, 0.995, 10);
        if (model is null || !model.Empty()) return model;
        model.Dispose();
        return null;
    }

    // The one-to-one matches of the query (mirrored when asked) with the candidate, as point pairs in their working frames.
    private (Point2f[] Query, Point2f[] Candidate) MutualMatches(VerifiablePicture query, VerifiablePicture candidate, bool mirrored)
    {
        var queryFeatures = query.FeaturesOf(mirrored);
        var candidateFeatures = candidate.Features;
        return LocalFeatures.IsBinary(queryFeatures.Kind)
            ? MutualMatches(query.DescriptorsOf(mirrored), candidate.DescriptorsOf(mirrored: false), queryFeatures, candidateFeatures)
            : MutualMatches(queryFeatures, candidateFeatures);
    }

    /// <summary>
    /// Matches that are each other's nearest neighbour (and pass the ratio test when it is on), as point pairs:
    /// for 8-bit descriptors under L2 (SIFT's), from one pass over every pair (<see cref="DescriptorNeighbours"/>,
    /// the same matches as the two matcher passes below at about half the cost).
    /// </summary>
    private (Point2f[] Query, Point2f[] Candidate) MutualMatches(LocalFeatures queryFeatures, LocalFeatures candidateFeatures)
    {
        var found = DescriptorNeighbours.Find(queryFeatures.Descriptors, queryFeatures.Count, candidateFeatures.Descriptors, candidateFeatures.Count, queryFeatures.DescriptorLength);
        var q = new List<Point2f>(queryFeatures.Count);
        var c = new List<Point2f>(queryFeatures.Count);
        for (int i = 0; i < queryFeatures.Count; i++)
        {
            int best = found.NearestCandidate[i];
            if (best < 0 || found.NearestQuery[best] != i) continue;
            if (Options.RatioThreshold < 1 && candidateFeatures.Count > 1 && found.NearestDistance[i] >= Options.RatioThreshold * found.SecondDistance[i]) continue;
            q.Add(new Point2f(queryFeatures.X[i], queryFeatures.Y[i]));
            c.Add(new Point2f(candidateFeatures.X[best], candidateFeatures.Y[best]));
        }
        return (q.ToArray(), c.ToArray());
    }

    /// <summary>As above, for binary descriptors (Hamming), by OpenCV's brute-force matcher both ways.</summary>
    private (Point2f[] Query, Point2f[] Candidate) MutualMatches(Mat queryDescriptors, Mat candidateDescriptors, LocalFeatures queryFeatures, LocalFeatures candidateFeatures)
    {
        using var matcher = new BFMatcher(NormTypes.Hamming, crossCheck: false);
        var forward = matcher.KnnMatch(queryDescriptors, candidateDescriptors, 2);
        var backward = matcher.Match(candidateDescriptors, queryDescriptors);
        var bestQueryFor = new int[candidateFeatures.Count];
        Array.Fill(bestQueryFor, -1);
        foreach (var b in backward) bestQueryFor[b.QueryIdx] = b.TrainIdx;

        var q = new List<Point2f>(forward.Length);
        var c = new List<Point2f>(forward.Length);
        foreach (var pair in forward)
        {
            if (pair.Length == 0) continue;
            var best = pair[0];
            if (bestQueryFor[best.TrainIdx] != best.QueryIdx) continue;
            if (Options.RatioThreshold < 1 && pair.Length > 1 && best.Distance >= Options.RatioThreshold * pair[1].Distance) continue;
            q.Add(new Point2f(queryFeatures.X[best.QueryIdx], queryFeatures.Y[best.QueryIdx]));
            c.Add(new Point2f(candidateFeatures.X[best.TrainIdx], candidateFeatures.Y[best.TrainIdx]));
        }
        return (q.ToArray(), c.ToArray());
    }

    private static int[] InlierIndices(Mat mask)
    {
        var result = new List<int>();
        int rows = mask.Rows;
        for (int i = 0; i < rows; i++)
        {
            if (mask.At<byte>(i) != 0) result.Add(i);
        }
        return result.ToArray();
    }

    // A gray picture (NaN) has no colour to disagree with: a gray copy of a coloured work is still a copy.
    private bool ColourAgrees(double colourDifference) => !(colourDifference > Options.MaxColourDifference);

    private static string ColourText(double colourDifference) =>
        double.IsNaN(colourDifference) ? "colour not compared (gray)" : F($"colour distance {colourDifference:F1}");

    private string ColoursDiffer(PixelAgreement gray, double colourDifference) =>
        F($"gray pixels agree (NCC {gray.Ncc:F3}, trimmed {gray.TrimmedNcc:F3}) but the colours differ: chroma distance {colourDifference:F1} > {Options.MaxColourDifference:F1} (another colouring of the same drawing or layout)");

    private static double StretchedColourDifference(VerifiablePicture query, VerifiablePicture candidate, bool mirrored)
    {
        var queryColour = query.ColourOf(mirrored: false);
        using var stretched = new Mat();
        Cv2.Resize(candidate.ColourOf(mirrored: false), stretched, queryColour.Size(), 0, 0, InterpolationFlags.Area);
        if (mirrored) Cv2.Flip(stretched, stretched, FlipMode.Y);
        return ColourAgreement.Difference(queryColour, stretched, query.ContentMaskOf(mirrored: false));
    }

    /// <summary>
    /// <see cref="AlignedAgreement"/> under the pose <paramref name="queryToCandidate"/>, and, when its pixels do not
    /// agree yet but come within <see cref="VerifierOptions.RefineFromNcc"/>, under the pose refined by pixels
    /// (<see cref="PoseRefinement"/>): the refined one is kept when it agrees better (a higher NCC, or agreement).
    /// </summary>
    private (PixelAgreement Agreement, double Overlap, Rect QueryBox, double ColourDifference, double[] Pose, bool Refined) RefinedAgreement(
        VerifiablePicture query, VerifiablePicture candidate, double[] queryToCandidate, bool mirrored, Func<PixelAgreement, bool> grayAgrees)
    {
        using var model = Mat.FromPixelData(2, 3, MatType.CV_64FC1, queryToCandidate);
        var first = AlignedAgreement(query, candidate, model, mirrored, grayAgrees);
        var unrefined = (first.Agreement, first.Overlap, first.QueryBox, first.ColourDifference, queryToCandidate, false);
        double closest = Math.Max(Nan(first.Agreement.Ncc), Nan(first.Agreement.RegionNcc));
        if (!Options.RefineAlignment || grayAgrees(first.Agreement) || !(closest >= Options.RefineFromNcc)) return unrefined;
        var pose = PoseRefinement.Refine(query.GrayOf(mirrored), candidate.GrayOf(mirrored: false), queryToCandidate, Options.MaxRefinementShift, Options.MaxRefinementShear);
        if (pose is null) return unrefined;
        using var refinedModel = Mat.FromPixelData(2, 3, MatType.CV_64FC1, pose);
        var second = AlignedAgreement(query, candidate, refinedModel, mirrored, grayAgrees);
        bool better = grayAgrees(second.Agreement) || Nan(second.Agreement.Ncc) > Nan(first.Agreement.Ncc);
        return better ? (second.Agreement, second.Overlap, second.QueryBox, second.ColourDifference, pose, true) : unrefined;
    }

    /// <summary>
    /// The candidate warped into the query's frame; NCC where both have pixels (and the query has content), the
    /// share of the query covered, the covered box in the query's working frame, and the colour difference:
    /// measured only when <paramref name="grayAgrees"/> says the gray pixels agree on this path (colour decides
    /// nothing otherwise, and most candidates then never make their colour frame), or every figure is asked for.
    /// </summary>
    private (PixelAgreement Agreement, double Overlap, Rect QueryBox, double ColourDifference) AlignedAgreement(VerifiablePicture query, VerifiablePicture candidate, Mat queryToCandidate, bool mirrored, Func<PixelAgreement, bool> grayAgrees)
    {
        var queryGray = query.GrayOf(mirrored);
        var candidateGray = candidate.GrayOf(mirrored: false);
        var size = queryGray.Size();
        using var warped = new Mat();
        Cv2.WarpAffine(candidateGray, warped, queryToCandidate, size, InterpolationFlags.Linear | InterpolationFlags.WarpInverseMap, BorderTypes.Constant, Scalar.All(0));
        using var ones = new Mat(candidateGray.Size(), MatType.CV_8UC1, Scalar.All(255));
        using var valid = new Mat();
        Cv2.WarpAffine(ones, valid, queryToCandidate, size, InterpolationFlags.Nearest | InterpolationFlags.WarpInverseMap, BorderTypes.Constant, Scalar.All(0));
        var box = Cv2.BoundingRect(valid);
        double overlap = (double)Cv2.CountNonZero(valid) / (size.Width * size.Height);
        PixelCorrelation.KeepBlurInside(valid, Options.BlurSigma);
        var content = Options.CorrelateQueryContentOnly ? query.ContentMaskOf(mirrored) : null;
        if (content is not null) Cv2.BitwiseAnd(valid, content, valid);
        var blurredQuery = QueryBlurred(query, mirrored, out var ownBlur);
        using var own = ownBlur;
        var agreement = PixelCorrelation.MeasureBlurred(blurredQuery, warped, valid, Options.BlurSigma, Options.MaxRegionShare, Options.MaxStrongFitRegionShare);
        double colour = double.NaN;
        if (Options.MeasureEveryFigure || grayAgrees(agreement))
        {
            using var warpedColour = new Mat();
            Cv2.WarpAffine(candidate.ColourOf(mirrored: false), warpedColour, queryToCandidate, size, InterpolationFlags.Linear | InterpolationFlags.WarpInverseMap, BorderTypes.Constant, Scalar.All(0));
            colour = ColourAgreement.Difference(query.ColourOf(mirrored), warpedColour, valid);
        }
        return (agreement, overlap, box, colour);
    }

    // The query's blurred frame, kept by the picture when it was prepared with this verifier's blur (as it is
    // but for experiments); otherwise made here and handed back in ownBlur for the caller to free.
    private Mat QueryBlurred(VerifiablePicture query, bool mirrored, out Mat? ownBlur)
    {
        if (query.Options.BlurSigma == Options.BlurSigma)
        {
            ownBlur = null;
            return query.BlurredGrayOf(mirrored);
        }
        ownBlur = PixelCorrelation.Blurred(query.GrayOf(mirrored), Options.BlurSigma);
        return ownBlur;
    }

    /// <summary>The query's working frame mapped into the candidate's working frame, clipped to it.</summary>
    private static Rect QueryFrameInCandidate(double[] m, VerifiablePicture query, VerifiablePicture candidate)
    {
        double minX = double.MaxValue, minY = double.MaxValue, maxX = double.MinValue, maxY = double.MinValue;
        foreach (var (x, y) in new[] { (0.0, 0.0), (query.WorkingWidth, 0.0), (0.0, query.WorkingHeight), ((double)query.WorkingWidth, (double)query.WorkingHeight) })
        {
            double cx = m[0] * x + m[1] * y + m[2], cy = m[3] * x + m[4] * y + m[5];
            minX = Math.Min(minX, cx); maxX = Math.Max(maxX, cx); minY = Math.Min(minY, cy); maxY = Math.Max(maxY, cy);
        }
        int left = (int)Math.Floor(Math.Max(0, minX)), top = (int)Math.Floor(Math.Max(0, minY));
        int right = (int)Math.Ceiling(Math.Min(candidate.WorkingWidth, maxX)), bottom = (int)Math.Ceiling(Math.Min(candidate.WorkingHeight, maxY));
        return right <= left || bottom <= top ? default : new Rect(left, top, right - left, bottom - top);
    }

    private static ImageRegion ToSource(Rect box, VerifiablePicture picture, bool mirrored)
    {
        if (box.Width <= 0 || box.Height <= 0) return ImageRegion.Empty;
        int x = box.X;
        if (mirrored) x = picture.WorkingWidth - (box.X + box.Width);
        double s = picture.WorkingScale;
        int left = (int)Math.Floor(x / s), top = (int)Math.Floor(box.Y / s);
        int right = Math.Min(picture.Width, (int)Math.Ceiling((x + box.Width) / s)), bottom = Math.Min(picture.Height, (int)Math.Ceiling((box.Y + box.Height) / s));
        return new ImageRegion(left, top, right - left, bottom - top);
    }

    private static string F(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
