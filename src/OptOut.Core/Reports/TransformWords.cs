using System.Globalization;
using OptOut.Core.Matching;

namespace OptOut.Core.Reports;

/// <summary>A verification in words an artist reads: how the copy was altered and how sure the match is.</summary>
internal static class TransformWords
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>One sentence: verified or not, then scale, rotation, mirror, crop and the agreement figures.</summary>
    public static string Describe(Verification v, int queryWidth, int queryHeight)
    {
        if (!v.IsVerified)
        {
            return $"Not verified as a copy ({v.Reason}): {v.Detail}";
        }
        var parts = new List<string>();
        if (v.Scale > 0)
        {
            parts.Add(Math.Abs(v.Scale - 1) < 0.02 ? "same size" : string.Format(Invariant, "scaled {0:0.00}×", v.Scale));
        }
        var rotation = v.RotationDegrees;
        parts.Add(Math.Abs(rotation) < 0.5 ? "not rotated"
            : string.Format(Invariant, "rotated {0:0.0}° {1}", Math.Abs(rotation), rotation > 0 ? "anticlockwise" : "clockwise"));
        parts.Add(v.Mirrored ? "mirrored left-right" : "not mirrored");
        var shown = v.QueryRegion.AreaShareOf(queryWidth, queryHeight);
        if (!v.QueryRegion.IsEmpty && queryWidth > 0)
        {
            parts.Add(shown >= 0.97 ? "the whole picture"
                : string.Format(Invariant, "cropped: shows {0:0%} of your picture ({1} of {2}x{3})", shown, v.QueryRegion, queryWidth, queryHeight));
        }
        var method = v.Method == VerificationMethod.Geometric ? "keypoints" : v.Method.ToString().ToLowerInvariant();
        var figures = new List<string>();
        if (v.Matches > 0) figures.Add(string.Format(Invariant, "{0} of {1} keypoint matches agree", v.Inliers, v.Matches));
        if (!double.IsNaN(v.Ncc)) figures.Add(string.Format(Invariant, "pixel agreement {0:0.000}", v.Ncc));
        if (!double.IsNaN(v.TrimmedNcc)) figures.Add(string.Format(Invariant, "best 80% {0:0.000}", v.TrimmedNcc));
        // The clause that accepts a watermarked copy: the artist sees how much of the picture was set aside,
        // where setting it aside changed the agreement (a clean copy's rectangle is arbitrary).
        if (v.RegionNcc - v.Ncc >= 0.01) figures.Add(string.Format(Invariant, "outside one region ({0:0%} of the picture left out) {1:0.000}", v.RegionShare, v.RegionNcc));
        // A keypoint fit with many inliers (strong or medium) may set a wider region aside (VerifierOptions.MaxStrongFitRegionShare): named when that decided.
        if (v.ByWideRegion)
        {
            figures.Add(string.Format(Invariant, "outside a wider region, as a keypoint fit with many inliers may leave out ({0:0%}) {1:0.000}", v.WideRegionShare, v.WideRegionNcc));
        }
        if (v.Overlap > 0) figures.Add(string.Format(Invariant, "overlap {0:0%}", v.Overlap));
        // The verifier's second look at a hairline drawing: the figures are those of the thickened lines.
        if (v.LinesThickened) figures.Add("compared with the lines thickened (a hairline drawing)");
        return $"Verified copy ({method}): {string.Join(", ", parts)}" + (figures.Count > 0 ? $"; {string.Join(", ", figures)}." : ".");
    }
}
