using OptOut.Core.Matching;

namespace CopyCalibration;

/// <summary>
/// What the verifier measured on one candidate pair, with permissive thresholds so that every stage ran
/// (the stretch when the proportions allow it, the geometric path as is and mirrored): the decision rules
/// are then counted from these figures without verifying again.
/// </summary>
public sealed record PairEvidence(int Query, int Item, int QueryShortSide, int ItemShortSide, Verification? Stretch, Verification Plain, Verification Mirrored, Verification? Search = null,
    double QueryShift = double.NaN, double ItemShift = double.NaN)
{
    /// <summary>
    /// For a hairline query (<see cref="VerifiablePicture"/>'s line-art test), whether the product's verifier
    /// (its defaults) verified the pair only on its second look with the lines thickened; null for other queries.
    /// </summary>
    public bool? ThickenedOnly { get; init; }

    public int ShortSide => Math.Min(QueryShortSide, ItemShortSide);
}

/// <summary>Thresholds of a verification decision counted over <see cref="PairEvidence"/>.</summary>
public sealed record VerificationRule(int MinSide, int MinInliers, double MinNcc, double MinTrimmedNcc, double MinStretchNcc, double MinStretchTrimmedNcc, double MinOverlap = 0.2, double MinSearchNcc = 9, double MaxColour = double.PositiveInfinity, double MinRegionNcc = 9)
{
    public const double Off = 9;

    public bool Accepts(PairEvidence e)
    {
        if (e.ShortSide < MinSide) return false;
        if (e.Stretch is { } s && (s.Ncc >= MinStretchNcc || s.TrimmedNcc >= MinStretchTrimmedNcc || s.RegionNcc >= MinRegionNcc) && ColourAgrees(s)) return true;
        if (Geometric(e.Plain) || Geometric(e.Mirrored)) return true;
        // The pixel search runs only when the keypoints could not verify (the verifier's order).
        return e.Search is { } search && search.Overlap >= MinOverlap && (search.Ncc >= MinSearchNcc || search.RegionNcc >= MinRegionNcc) && ColourAgrees(search);
    }

    // NaN (a gray picture) has no colour to disagree with.
    private bool ColourAgrees(Verification v) => !(v.ColourDifference > MaxColour);

    private bool Geometric(Verification v) =>
        v.Reason is NotVerifiedReason.None or NotVerifiedReason.PixelsDisagree
        && v.Inliers >= MinInliers && v.Overlap >= MinOverlap
        && (v.Ncc >= MinNcc || v.TrimmedNcc >= MinTrimmedNcc || v.RegionNcc >= MinRegionNcc) && ColourAgrees(v);

    public VerifierOptions ToOptions(VerifierOptions basis) => basis with
    {
        MinimumSide = MinSide,
        MinInliers = MinInliers,
        MinNcc = MinNcc,
        MinTrimmedNcc = MinTrimmedNcc,
        MinStretchNcc = MinStretchNcc,
        MinStretchTrimmedNcc = MinStretchTrimmedNcc,
        MinOverlap = MinOverlap,
        PixelSearch = MinSearchNcc < Off,
        MinSearchNcc = MinSearchNcc < Off ? MinSearchNcc : basis.MinSearchNcc,
        MinSearchTrimmedNcc = double.PositiveInfinity,
        MaxColourDifference = MaxColour,
        MinRegionNcc = MinRegionNcc < Off ? MinRegionNcc : double.PositiveInfinity,
    };

    public override string ToString()
    {
        static string T(double v) => v >= Off ? "off" : v.ToString("F3", System.Globalization.CultureInfo.InvariantCulture);
        return $"short side >= {MinSide} px; geometric: inliers >= {MinInliers} and (NCC >= {T(MinNcc)} or trimmed NCC >= {T(MinTrimmedNcc)}); stretch: NCC >= {T(MinStretchNcc)} or trimmed >= {T(MinStretchTrimmedNcc)}; pixel search: NCC >= {T(MinSearchNcc)}; any path: NCC outside one region >= {T(MinRegionNcc)}; colour: chroma distance <= {(double.IsPositiveInfinity(MaxColour) ? "any" : MaxColour.ToString("F0", System.Globalization.CultureInfo.InvariantCulture))}";
    }
}
