using System.Globalization;

namespace OptOut.Core.Registry;

/// <summary>The figures of the geometric verification that made a matched row a copy, kept with the claim it led to.</summary>
public sealed record VerificationEvidence
{
    /// <summary>Stretch or Geometric.</summary>
    public string? Method { get; init; }
    /// <summary>Keypoint matches consistent with the fitted transform.</summary>
    public int Inliers { get; init; }
    /// <summary>Size of the copy relative to the claimant's picture.</summary>
    public double Scale { get; init; }
    /// <summary>Rotation of the copy, degrees anticlockwise.</summary>
    public double RotationDegrees { get; init; }
    /// <summary>The copy is a mirror image.</summary>
    public bool Mirrored { get; init; }
    /// <summary>Normalised cross-correlation of the aligned pixels; null when not computed.</summary>
    public double? Ncc { get; init; }
    /// <summary>The same over the best-agreeing part of the overlap; null when not computed.</summary>
    public double? TrimmedNcc { get; init; }

    /// <summary>Share of the claimant's picture the copy covers (0..1).</summary>
    public double Overlap { get; init; }

    /// <summary>True when the alignment was refined by its pixels before they agreed; null otherwise (so a claim's stored evidence reads as before unless it was).</summary>
    public bool? PoseRefined { get; init; }

    /// <summary>The figures in one line.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{Method}: {Inliers} inliers, scale {Scale:F3}, rotation {RotationDegrees:F1} deg{(Mirrored ? ", mirrored" : "")}{(PoseRefined == true ? ", refined by pixels" : "")}, NCC {Ncc:F3}, trimmed {TrimmedNcc:F3}, overlap {Overlap:P0}");
}
