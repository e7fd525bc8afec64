namespace OptOut.Core.Matching;

/// <summary>
/// The evidence for (or against) a candidate being a copy of the query picture: how it was aligned, the
/// transform that aligns it, and how well the aligned pixels agree. Coordinates are in each picture's own
/// decoded pixels; the transform maps a query point q to the candidate as
/// <c>c = Scale * Rotate(RotationDegrees) * q' + (TranslationX, TranslationY)</c>, where q' is q mirrored
/// left-right when <see cref="Mirrored"/> is set (x' = width - 1 - x).
/// </summary>
public sealed record Verification
{
    /// <summary>True when the candidate is a copy: aligned, and its pixels agree with the query's.</summary>
    public required bool IsVerified { get; init; }

    /// <summary>Which stage decided.</summary>
    public required VerificationMethod Method { get; init; }

    /// <summary>Why not, when <see cref="IsVerified"/> is false; <see cref="NotVerifiedReason.None"/> otherwise.</summary>
    public required NotVerifiedReason Reason { get; init; }

    /// <summary>The reason in words, with the figures that decided it.</summary>
    public required string Detail { get; init; }

    /// <summary>Keypoints found in the query (its mirrored view has as many) and in the candidate.</summary>
    public int QueryKeypoints { get; init; }
    /// <summary>Keypoints found in the candidate.</summary>
    public int CandidateKeypoints { get; init; }

    /// <summary>One-to-one descriptor matches of the best orientation (as is or mirrored).</summary>
    public int Matches { get; init; }

    /// <summary>Matches consistent with the fitted transform.</summary>
    public int Inliers { get; init; }

    /// <summary>Inliers / matches (0 when there are no matches).</summary>
    public double InlierRatio => Matches == 0 ? 0 : (double)Inliers / Matches;

    /// <summary>Candidate size relative to the query (0.5: a half-size copy); 0 when nothing was aligned.</summary>
    public double Scale { get; init; }

    /// <summary>Rotation of the candidate relative to the query, degrees anticlockwise as seen on screen, -180..180.</summary>
    public double RotationDegrees { get; init; }

    /// <summary>Horizontal offset of the transform, in candidate pixels.</summary>
    public double TranslationX { get; init; }
    /// <summary>Vertical offset of the transform, in candidate pixels.</summary>
    public double TranslationY { get; init; }

    /// <summary>The candidate is a mirror image (left-right) of the query.</summary>
    public bool Mirrored { get; init; }

    /// <summary>The alignment was refined by its pixels (<see cref="VerifierOptions.RefineAlignment"/>): the transform, the regions and the pixel figures are the refined pose's; the keypoint counts stay the fit's.</summary>
    public bool PoseRefined { get; init; }

    /// <summary>Normalised cross-correlation of the aligned, lightly blurred pixels over their overlap; NaN when not computed.</summary>
    public double Ncc { get; init; } = double.NaN;

    /// <summary>The same correlation over the best-agreeing 80% of those pixels (an overlay spoils part of a copy; a different drawing disagrees everywhere); NaN when not computed.</summary>
    public double TrimmedNcc { get; init; } = double.NaN;

    /// <summary>The same correlation over the pixels outside the one rectangle (at most <see cref="VerifierOptions.MaxRegionShare"/> of them) whose removal raises it most (<see cref="DisagreementRegion"/>): a watermark or logo spoils one place of a copy, a sibling drawing many; NaN when not computed.</summary>
    public double RegionNcc { get; init; } = double.NaN;

    /// <summary>Share of the compared pixels that rectangle held (0: none left out); NaN when not computed.</summary>
    public double RegionShare { get; init; } = double.NaN;

    /// <summary>
    /// For a keypoint fit, <see cref="RegionNcc"/> with a wider rectangle (at most <see cref="VerifierOptions.MaxStrongFitRegionShare"/>
    /// of the pixels), which only a strong or medium fit may leave out; NaN when not computed.
    /// </summary>
    public double WideRegionNcc { get; init; } = double.NaN;

    /// <summary>Share of the compared pixels that wider rectangle held; NaN when not computed.</summary>
    public double WideRegionShare { get; init; } = double.NaN;

    /// <summary>
    /// True when a strong or medium keypoint fit was verified by <see cref="WideRegionNcc"/> alone (no narrower clause
    /// agreed): the evidence to show is the wider region's.
    /// </summary>
    public bool ByWideRegion { get; init; }

    /// <summary>True when the copy was verified on a second look at a hairline drawing with its lines thickened (<see cref="VerifierOptions.ThickenHairlines"/>).</summary>
    public bool LinesThickened { get; init; }

    /// <summary>Chroma distance (CIE a*b*, 8-bit Lab units), 75th percentile over the aligned pixels (<see cref="ColourAgreement"/>); NaN when not computed (on any path whose gray pixels disagree: colour decides only between pictures whose gray pixels agree; unless <see cref="VerifierOptions.MeasureEveryFigure"/>) or when either picture is gray there.</summary>
    public double ColourDifference { get; init; } = double.NaN;

    /// <summary>Share of the query's area the aligned candidate covers (0..1).</summary>
    public double Overlap { get; init; }

    /// <summary>The pixel search's best coarse correlation (<see cref="VerifierOptions.MinSearchCoarseScore"/>); NaN when it did not run. For calibration.</summary>
    internal double SearchCoarseScore { get; init; } = double.NaN;

    /// <summary>The part of the query the candidate shows, in query pixels.</summary>
    public ImageRegion QueryRegion { get; init; }

    /// <summary>Where that part lies in the candidate, in candidate pixels.</summary>
    public ImageRegion CandidateRegion { get; init; }

    internal static Verification Rejected(NotVerifiedReason reason, string detail) => new()
    {
        IsVerified = false,
        Method = VerificationMethod.None,
        Reason = reason,
        Detail = detail,
    };
}
