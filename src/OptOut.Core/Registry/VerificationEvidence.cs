using System.Globalization;

namespace OptOut.Core.Registry;

/// <summary>The figures of the geometric verification that made a matched row a copy, kept with the claim it led to.</summary>
public sealed record VerificationEvidence
{
    /// <summary>Stretch or Geometric.</summary>
    public string? Method { get; init; }
    public int Inliers { get; init; }
    public double Scale { get; init; }
    public double RotationDegrees { get; init; }
    public bool Mirrored { get; init; }
    public double? Ncc { get; init; }
    public double? TrimmedNcc { get; init; }

    /// <summary>Share of the claimant's picture the copy covers (0..1).</summary>
    public double Overlap { get; init; }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{Method}: {Inliers} inliers, scale {Scale:F3}, rotation {RotationDegrees:F1} deg{(Mirrored ? ", mirrored" : "")}, NCC {Ncc:F3}, trimmed {TrimmedNcc:F3}, overlap {Overlap:P0}");
}
