namespace OptOut.Core.Matching;

/// <summary>
/// Settings of <see cref="GeometricVerifier"/>. The defaults are the calibrated ones
/// (docs/copy-detection.md, "Verification"); the others exist for the calibration to compare.
/// </summary>
public sealed record VerifierOptions
{
    /// <summary>The calibrated settings.</summary>
    public static VerifierOptions Default { get; } = new();

    /// <summary>The keypoint detector and descriptor (SIFT, calibrated).</summary>
    public LocalFeatureKind FeatureKind { get; init; } = LocalFeatureKind.Sift;

    /// <summary>Longest side of the working frame: larger pictures are scaled down to it (area averaging) before anything else; smaller ones are used as they are.</summary>
    public int WorkingSide { get; init; } = 512;

    /// <summary>Most keypoints kept a picture (the strongest).</summary>
    public int MaxFeatures { get; init; } = 1000;

    /// <summary>SIFT's contrast threshold; below OpenCV's 0.04 so that flat clip art (few, low-contrast blobs) still gives keypoints.</summary>
    public double SiftContrastThreshold { get; init; } = 0.02;

    /// <summary>Below this many pixels on its short side, a picture is not verified either way (<see cref="NotVerifiedReason.TooSmall"/>).</summary>
    public int MinimumSide { get; init; } = 64;

    /// <summary>Lowe's ratio (best / second best descriptor distance) a one-to-one match must also pass; 1 or more turns it off.</summary>
    public double RatioThreshold { get; init; } = 1.0;

    /// <summary>RANSAC reprojection threshold, in working-frame pixels.</summary>
    public double RansacThreshold { get; init; } = 3.0;

    /// <summary>RANSAC iterations a fit.</summary>
    public int RansacIterations { get; init; } = 2000;

    /// <summary>Fewest inliers a geometric fit needs before its pixels are compared.</summary>
    public int MinInliers { get; init; } = 6;

    /// <summary>Plausible working-frame scale of a fit (candidate frame / query frame); outside it the fit is degenerate.</summary>
    public double MinScale { get; init; } = 0.25;
    /// <summary>Largest plausible working-frame scale of a fit.</summary>
    public double MaxScale { get; init; } = 4.0;

    /// <summary>Fewest distinct inlier positions (3 px apart), on each side, for a fit not to count as collapsed.</summary>
    public int MinDistinctInliers { get; init; } = 5;

    /// <summary>Smallest spread of the inliers in the query's working frame (root of the determinant of their covariance, over the frame's short side); below it the fit hangs on a clump of points.</summary>
    public double MinInlierSpread { get; init; } = 0.02;

    /// <summary>
    /// Refine an alignment by its pixels (<see cref="PoseRefinement"/>, OpenCV's ECC) when its aligned pixels do
    /// not agree yet but come within <see cref="RefineFromNcc"/>: a keypoint fit from few inliers or a pixel-search
    /// pose on its grid can sit a pixel or a percent off, which costs a small copy's sharp lines its agreement.
    /// </summary>
    public bool RefineAlignment { get; init; } = true;

    /// <summary>Pixel agreement (the higher of NCC and NCC outside one region) from which an alignment that does not verify is refined.</summary>
    public double RefineFromNcc { get; init; } = 0.8;

    /// <summary>Farthest a refinement may move a corner of the query, as a share of its long side (but always 4 px: on a small picture a share is a pixel or two); further, the refined pose is not used.</summary>
    public double MaxRefinementShift { get; init; } = 0.03;

    /// <summary>Most a refined pose may depart from a similarity (shear or uneven stretch, relative to its scale); more, it is not used.</summary>
    public double MaxRefinementShear { get; init; } = 0.03;

    /// <summary>Pixel agreement that verifies a geometric fit.</summary>
    public double MinNcc { get; init; } = 0.97;

    /// <summary>
    /// Trimmed pixel agreement (<see cref="Verification.TrimmedNcc"/>) that verifies a geometric fit on its
    /// own; off by default since the fifth calibration round: it forgave a sibling's different symbol as
    /// readily as a watermark, and <see cref="MinRegionNcc"/> took its place (docs/copy-detection.md).
    /// </summary>
    public double MinTrimmedNcc { get; init; } = double.PositiveInfinity;

    /// <summary>
    /// Pixel agreement outside the one region of disagreement (<see cref="Verification.RegionNcc"/>) that
    /// verifies a geometric fit or a stretch on its own (a watermarked copy). 0.99, the fifth calibration
    /// round's row E: against the trimmed clause it replaced, precision 0.9887 -> 0.9943 (16 -> 8 false
    /// matches), Watermark 0.800 -> 0.813, Crop, Pad and ResizeCropJpeg 0.013-0.020 lower.
    /// </summary>
    public double MinRegionNcc { get; init; } = 0.99;

    /// <summary>
    /// The same for a pixel-search alignment, which no keypoints back; off by default (the fifth round's
    /// row E: with it on, precision fell from 0.9943 to 0.9929 for no Watermark copy more).
    /// </summary>
    public double MinSearchRegionNcc { get; init; } = double.PositiveInfinity;

    /// <summary>
    /// Inliers from which a keypoint fit counts as strong (with <see cref="StrongFitInlierRatio"/>): its
    /// aligned pixels may then agree (<see cref="MinStrongFitRegionNcc"/>) outside a wider region
    /// (<see cref="MaxStrongFitRegionShare"/>). A watermark wider than the general cap spoils the pixels of a
    /// copy whose keypoints agree by the dozen.
    /// </summary>
    public int StrongFitInliers { get; init; } = 40;

    /// <summary>Share of the one-to-one matches that must be inliers for a fit to count as strong.</summary>
    public double StrongFitInlierRatio { get; init; } = 0.75;

    /// <summary>
    /// Pixel agreement outside one region of up to <see cref="MaxStrongFitRegionShare"/> of the pixels that
    /// verifies a strong keypoint fit (<see cref="StrongFitInliers"/>; positive infinity: off). 0.99, the
    /// general region clause's bar, since the fifth session: a strong fit earns a wider region, not a lower bar
    /// (Watermark 0.887 -> 0.900, the same 2 false matches and derivative works; 0.98-0.997 all give the same).
    /// 0.97 with the general cap (0.25) from the sixth calibration round until then (docs/copy-detection.md).
    /// </summary>
    public double MinStrongFitRegionNcc { get; init; } = 0.99;

    /// <summary>
    /// Inliers from which a keypoint fit counts as a medium one (with <see cref="MediumFitInlierRatio"/>): its
    /// aligned pixels may agree outside the strong fit's wider region (<see cref="MaxStrongFitRegionShare"/>) at a
    /// higher bar (<see cref="MinMediumFitRegionNcc"/>). A watermark band spoils a third of a small icon's pixels while
    /// its keypoints agree by the dozen and a half, not by forty. 15, 60% of the matches and 0.995: Watermark 0.940 ->
    /// 0.960 (arrow-down-red, java, target_with_arrow), one false match more (two moon phases of one set, 28 of 32
    /// inliers, 0.998 outside a third of the pixels); 12-15 inliers, 0.5-0.6 and 0.99-0.995 give the same
    /// (docs/copy-detection.md, "Fourteenth round").
    /// </summary>
    public int MediumFitInliers { get; init; } = 15;

    /// <summary>Share of the one-to-one matches that must be inliers for a fit to count as a medium one (<see cref="MediumFitInliers"/>).</summary>
    public double MediumFitInlierRatio { get; init; } = 0.6;

    /// <summary>
    /// Pixel agreement outside one region of up to <see cref="MaxStrongFitRegionShare"/> of the pixels that verifies a
    /// medium keypoint fit (<see cref="MediumFitInliers"/>; positive infinity: off).
    /// </summary>
    public double MinMediumFitRegionNcc { get; init; } = 0.995;

    /// <summary>
    /// Largest share of the compared pixels a strong keypoint fit's rectangle of disagreement may hold
    /// (<see cref="MinStrongFitRegionNcc"/>). 0.35: the calibration's watermark band, an eighth of the height
    /// across the whole width, holds a third of a wide drawing's content pixels; a fit whose keypoints agree by the
    /// dozen is what lets that much be left out (a weak fit keeps <see cref="MaxRegionShare"/>).
    /// </summary>
    public double MaxStrongFitRegionShare { get; init; } = 0.35;

    /// <summary>
    /// Largest turn (degrees, either way) a keypoint fit may give the picture and still verify without being
    /// strong (<see cref="StrongFitInliers"/>, <see cref="StrongFitInlierRatio"/>); positive infinity: off. A
    /// pictogram turned a quarter or a half turn is another sign (an arrow pointing elsewhere, a band flag
    /// upside down is another flag), and a plain picture's few keypoints fit such a turn as readily as a copy.
    /// A picture that looks the same turned (<see cref="TurnSymmetry"/>: NCC with itself at least
    /// <see cref="MinNcc"/>) is exempt. 20, the eighth calibration round: one false match and four derivative
    /// works fewer (arrows and corner ornaments a quarter or half turn apart), no copy lost
    /// (docs/copy-detection.md, "Eighth round").
    /// </summary>
    public double MaxWeakFitRotation { get; init; } = 20;

    /// <summary>Largest share of the compared pixels the rectangle left out of <see cref="Verification.RegionNcc"/> may hold (0.25: a watermark band of an eighth of the height, cut on cell edges, fits with room).</summary>
    public double MaxRegionShare { get; init; } = 0.25;

    /// <summary>
    /// A query that is a hairline drawing (<see cref="LineArt"/>: dark strokes about a pixel wide on a light page)
    /// and a candidate that does not verify get a second look with both pictures' lines thickened: scaled to the
    /// working frame such lines are too faint for keypoints and too thin to correlate after a fraction of a pixel
    /// of misalignment (docs/copy-detection.md, tenth round).
    /// </summary>
    public bool ThickenHairlines { get; init; } = true;

    /// <summary>
    /// A hairline pair gets the second look only when the first look's best pixel agreement (NCC, outside one region,
    /// or the pixel search's coarse correlation) reaches this; below it the candidate is unrelated and the second look
    /// (a whole verification again, with a keypoint extraction) is skipped. 0.5: the calibration's ten copies verified
    /// only on the second look read 0.64-0.99 on the first, and about two thirds of the unrelated pairs of hairline
    /// queries below 0.6 (docs/copy-detection.md, tenth round).
    /// </summary>
    public double MinHairlineAgreement { get; init; } = 0.5;

    /// <summary>Largest difference of aspect ratio (relative) for the direct stretch comparison.</summary>
    public double StretchAspectTolerance { get; init; } = 0.05;

    /// <summary>Pixel agreement that verifies a direct stretch (stricter: no keypoints back it).</summary>
    public double MinStretchNcc { get; init; } = 0.95;

    /// <summary>Trimmed pixel agreement that verifies a direct stretch on its own; off by default (the calibration found no threshold that kept precision).</summary>
    public double MinStretchTrimmedNcc { get; init; } = double.PositiveInfinity;

    /// <summary>Smallest share of the query the aligned candidate must cover for its pixels to be compared.</summary>
    public double MinOverlap { get; init; } = 0.2;

    /// <summary>Gaussian blur (sigma, working-frame pixels) applied to both pictures before the correlation, so resampling and JPEG noise do not count.</summary>
    public double BlurSigma { get; init; } = 1.0;

    /// <summary>Compare pixels only where the query has content (not its plain background, when it has one): a shared white page must not make two drawings agree.</summary>
    public bool CorrelateQueryContentOnly { get; init; } = true;

    /// <summary>
    /// Align by pixels when keypoints could not (<see cref="VerificationMethod.PixelSearch"/>): the candidate
    /// searched for inside the query and the query inside the candidate, over scales and small rotations.
    /// </summary>
    public bool PixelSearch { get; init; } = true;

    /// <summary>Smallest share of the outer picture's width the inner one may cover in the pixel search (0.55: a crop keeping 55% of the width, or a border of 45%).</summary>
    public double SearchMinFraction { get; init; } = 0.55;

    /// <summary>Largest rotation, in degrees either way, the pixel search tries (in steps of 3, then refined to half a degree).</summary>
    public double SearchMaxRotation { get; init; } = 6;

    /// <summary>
    /// Best correlation the pixel search's first pass (frames of 64 px, every pose) must reach before its
    /// poses are refined on larger frames; below it the search stops there (negative infinity: always
    /// refined). 0.75, from the sixth calibration round: every copy only the search verified read at least
    /// 0.891 there, and 88% of the unrelated pairs that reached the search read below 0.75, so their
    /// refining passes (about half the search's cost) are skipped (docs/copy-detection.md).
    /// </summary>
    public double MinSearchCoarseScore { get; init; } = 0.75;

    /// <summary>
    /// Pixel agreement that verifies a pixel-search alignment (no keypoints back it). 0.975 since the thirteenth
    /// calibration round: refined by its pixels (<see cref="RefineAlignment"/>), the lowest copy only the search
    /// verifies reads 0.984, unrelated pairs whose colours agree at most 0.954 (the EU flag drawn twice 0.970), and
    /// pairs refused only by their colours 0.973 but one (docs/copy-detection.md, "Thirteenth round"). 0.96 from the
    /// eighth round (with <see cref="MinSearchOverlap"/>, which refuses band flags aligned on one band), 0.99 before.
    /// Calibrated with the refinement on: without it, copies read lower and this is stricter than calibrated.
    /// </summary>
    public double MinSearchNcc { get; init; } = 0.975;

    /// <summary>
    /// Smallest share of the query a pixel-search alignment must cover (at least <see cref="MinOverlap"/>): an
    /// alignment without keypoints behind it that covers less than half the query is a part of it, which a band
    /// flag or a plain pictogram matches by chance (the Netherlands' red and white bands are Indonesia).
    /// </summary>
    public double MinSearchOverlap { get; init; } = 0.5;

    /// <summary>
    /// Agreement of a picture with itself shifted by a tenth of its size (<see cref="ShiftSymmetry"/>) from which
    /// the pixel search is not tried for a pair (either picture; positive infinity: off): a picture of bands has no
    /// unique alignment, and Luxembourg's bands placed on the Netherlands' read 0.97 (test
    /// <c>A_flag_of_the_same_bands_in_other_colours_does_not_verify</c>). 0.95: of the calibration's 150
    /// originals, the Netherlands and Catalonia read 1.000, the next (Singapore) 0.909.
    /// </summary>
    public double MaxSearchShiftAgreement { get; init; } = 0.95;

    /// <summary>Trimmed pixel agreement that verifies a pixel-search alignment on its own; off by default.</summary>
    public double MinSearchTrimmedNcc { get; init; } = double.PositiveInfinity;

    /// <summary>Largest chroma distance (<see cref="Verification.ColourDifference"/>) of aligned pixels that still agree: above it the candidate is another colouring (a recoloured sibling, another flag of one layout), whatever the gray pixels say. Gray pictures are not compared. 21: set by hand between brightened copies (up to 19.0) and the nearest colour look-alike (23.0) (docs/copy-detection.md, third round), not yet calibrated on the benchmark.</summary>
    public double MaxColourDifference { get; init; } = 21;

    /// <summary>
    /// Measure every figure even where it cannot change the answer (the colours on a path whose gray pixels
    /// disagree): for calibration, whose evidence is counted under other thresholds afterwards. Off by default.
    /// </summary>
    public bool MeasureEveryFigure { get; init; }

    /// <summary>Try the query mirrored left-right too (mirrored copies are found only this way).</summary>
    public bool TryMirrored { get; init; } = true;

    internal void Validate()
    {
        if (WorkingSide is < 32 or > 8000) throw new ArgumentOutOfRangeException(nameof(WorkingSide), WorkingSide, "between 32 and 8000");
        if (MaxFeatures is < 8 or > 60000) throw new ArgumentOutOfRangeException(nameof(MaxFeatures), MaxFeatures, "between 8 and 60000");
        if (MinInliers < 3) throw new ArgumentOutOfRangeException(nameof(MinInliers), MinInliers, "at least 3");
        if (SearchMinFraction is <= 0.1 or > 1) throw new ArgumentOutOfRangeException(nameof(SearchMinFraction), SearchMinFraction, "above 0.1, at most 1");
        if (SearchMaxRotation is < 0 or > 45) throw new ArgumentOutOfRangeException(nameof(SearchMaxRotation), SearchMaxRotation, "between 0 and 45");
        if (!(MaxRegionShare is >= 0.01 and <= 0.5)) throw new ArgumentOutOfRangeException(nameof(MaxRegionShare), MaxRegionShare, "between 0.01 and 0.5");
        if (!(MaxStrongFitRegionShare >= MaxRegionShare && MaxStrongFitRegionShare <= 0.5))
        {
            throw new ArgumentOutOfRangeException(nameof(MaxStrongFitRegionShare), MaxStrongFitRegionShare, $"between {nameof(MaxRegionShare)} ({MaxRegionShare}) and 0.5");
        }
        if (StrongFitInlierRatio is < 0 or > 1) throw new ArgumentOutOfRangeException(nameof(StrongFitInlierRatio), StrongFitInlierRatio, "between 0 and 1");
        if (MediumFitInliers < 1) throw new ArgumentOutOfRangeException(nameof(MediumFitInliers), MediumFitInliers, "at least 1 (int.MaxValue: off)");
        if (MediumFitInlierRatio is < 0 or > 1) throw new ArgumentOutOfRangeException(nameof(MediumFitInlierRatio), MediumFitInlierRatio, "between 0 and 1");
        if (double.IsNaN(MinMediumFitRegionNcc)) throw new ArgumentOutOfRangeException(nameof(MinMediumFitRegionNcc), MinMediumFitRegionNcc, "a number (positive infinity: off)");
        if (MinSearchOverlap is < 0 or > 1) throw new ArgumentOutOfRangeException(nameof(MinSearchOverlap), MinSearchOverlap, "between 0 and 1");
        if (!(MaxWeakFitRotation >= 0)) throw new ArgumentOutOfRangeException(nameof(MaxWeakFitRotation), MaxWeakFitRotation, "at least 0 (positive infinity: off)");
        if (double.IsNaN(MinHairlineAgreement)) throw new ArgumentOutOfRangeException(nameof(MinHairlineAgreement), MinHairlineAgreement, "a number (negative infinity: every hairline pair gets the second look)");
        if (MinimumSide < 1) throw new ArgumentOutOfRangeException(nameof(MinimumSide), MinimumSide, "at least 1");
        if (double.IsNaN(RefineFromNcc)) throw new ArgumentOutOfRangeException(nameof(RefineFromNcc), RefineFromNcc, "a number (positive infinity: no alignment is refined; RefineAlignment = false says it plainly)");
        if (!(MaxRefinementShift is >= 0 and <= 0.5)) throw new ArgumentOutOfRangeException(nameof(MaxRefinementShift), MaxRefinementShift, "between 0 and 0.5");
        if (!(MaxRefinementShear is >= 0 and <= 0.5)) throw new ArgumentOutOfRangeException(nameof(MaxRefinementShear), MaxRefinementShear, "between 0 and 0.5");
    }
}
