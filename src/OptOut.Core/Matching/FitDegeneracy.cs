using System.Globalization;
using OpenCvSharp;

namespace OptOut.Core.Matching;

/// <summary>
/// Tells a real alignment from a RANSAC fit that only looks supported: every match mapped to one spot
/// (scale near 0) or a huge blow-up, or inliers that sit on a few positions or one clump, which any pair of
/// pictures with a repeated texture can produce.
/// </summary>
internal static class FitDegeneracy
{
    // Inliers within this many working-frame pixels of each other count as one position.
    private const int DistinctCell = 3;

    /// <summary>Why the fit is degenerate, in words; null when it is plausible.</summary>
    public static string? Find(Point2f[] queryPoints, Point2f[] candidatePoints, int[] inliers, double workingScale, int queryShortSide, VerifierOptions options)
    {
        if (workingScale < options.MinScale || workingScale > options.MaxScale)
        {
            return F($"scale {workingScale:F3} in the working frames, outside [{options.MinScale}, {options.MaxScale}]");
        }
        int distinctQuery = Distinct(queryPoints, inliers), distinctCandidate = Distinct(candidatePoints, inliers);
        if (Math.Min(distinctQuery, distinctCandidate) < options.MinDistinctInliers)
        {
            return F($"{inliers.Length} inliers on {distinctQuery} distinct query and {distinctCandidate} distinct candidate positions (at least {options.MinDistinctInliers})");
        }
        double spread = Spread(queryPoints, inliers) / queryShortSide;
        if (spread < options.MinInlierSpread)
        {
            return F($"inliers clumped (spread {spread:F4} of the short side, at least {options.MinInlierSpread})");
        }
        return null;
    }

    private static int Distinct(Point2f[] points, int[] indices) =>
        indices.Select(i => ((int)(points[i].X / DistinctCell), (int)(points[i].Y / DistinctCell))).Distinct().Count();

    // Fourth root of the determinant of the points' covariance: a length, ~0.29 x the side for points spread
    // evenly over a square, 0 for points on one line or one spot.
    private static double Spread(Point2f[] points, int[] indices)
    {
        double mx = indices.Average(i => points[i].X), my = indices.Average(i => points[i].Y);
        double sxx = 0, syy = 0, sxy = 0;
        foreach (var i in indices)
        {
            double dx = points[i].X - mx, dy = points[i].Y - my;
            sxx += dx * dx; syy += dy * dy; sxy += dx * dy;
        }
        int n = indices.Length;
        double determinant = (sxx / n) * (syy / n) - (sxy / n) * (sxy / n);
        return Math.Pow(Math.Max(0, determinant), 0.25);
    }

    private static string F(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
