using OpenCvSharp;
using OptOut.Core.Matching;

namespace OptOut.Core.Tests.Matching;

/// <summary>RANSAC fits that only look supported are refused, with the reason.</summary>
public class FitDegeneracyTests
{
    private static readonly VerifierOptions Options = VerifierOptions.Default;

    private static (Point2f[] Query, Point2f[] Candidate, int[] Inliers, double Scale) Fit(Point2f[] query, Point2f[] candidate)
    {
        using var mask = new Mat();
        using var from = InputArray.Create(query);
        using var to = InputArray.Create(candidate);
        using var model = Cv2.EstimateAffinePartial2D(from, to, mask, RobustEstimationAlgorithms.RANSAC, 3.0, 2000, 0.995, 10);
        Assert.NotNull(model);
        Assert.False(model.Empty());
        double a = model.At<double>(0, 0), b = model.At<double>(1, 0);
        var inliers = Enumerable.Range(0, mask.Rows).Where(i => mask.At<byte>(i) != 0).ToArray();
        return (query, candidate, inliers, Math.Sqrt(a * a + b * b));
    }

    [Fact]
    public void Matches_collapsing_onto_one_spot_are_a_degenerate_fit()
    {
        // Forty query keypoints spread over the picture all matched to (nearly) one candidate keypoint:
        // the fit maps everything to that spot (scale near 0) and calls every match an inlier.
        var random = new Random(7);
        var query = Enumerable.Range(0, 40).Select(_ => new Point2f(random.Next(20, 490), random.Next(20, 490))).ToArray();
        var candidate = query.Select(_ => new Point2f(250 + (float)random.NextDouble() * 0.5f, 250 + (float)random.NextDouble() * 0.5f)).ToArray();
        var fit = Fit(query, candidate);

        var reason = FitDegeneracy.Find(fit.Query, fit.Candidate, fit.Inliers, fit.Scale, 512, Options);

        Assert.True(fit.Inliers.Length >= 30, $"{fit.Inliers.Length} inliers");
        Assert.NotNull(reason);
        Assert.Contains("scale", reason);
    }

    [Fact]
    public void Inliers_on_a_few_positions_are_a_degenerate_fit()
    {
        // Twelve matches between three places in each picture (repeated texture), consistent with a shift.
        var spots = new[] { new Point2f(100, 100), new Point2f(140, 100), new Point2f(100, 160) };
        var query = Enumerable.Range(0, 12).Select(i => spots[i % 3] + new Point2f(i * 0.1f, 0)).ToArray();
        var candidate = query.Select(p => p + new Point2f(30, 12)).ToArray();
        var fit = Fit(query, candidate);

        var reason = FitDegeneracy.Find(fit.Query, fit.Candidate, fit.Inliers, fit.Scale, 512, Options);

        Assert.NotNull(reason);
        Assert.Contains("distinct", reason);
    }

    [Fact]
    public void Inliers_in_one_small_clump_are_a_degenerate_fit()
    {
        var random = new Random(3);
        var query = Enumerable.Range(0, 20).Select(_ => new Point2f(200 + random.Next(0, 24), 300 + random.Next(0, 24))).ToArray();
        var candidate = query.Select(p => new Point2f(p.X * 1.1f + 5, p.Y * 1.1f - 7)).ToArray();
        var fit = Fit(query, candidate);

        var reason = FitDegeneracy.Find(fit.Query, fit.Candidate, fit.Inliers, fit.Scale, 512, Options);

        Assert.NotNull(reason);
        Assert.Contains("clumped", reason);
    }

    [Fact]
    public void Inliers_spread_over_the_picture_are_a_plausible_fit()
    {
        var random = new Random(5);
        var query = Enumerable.Range(0, 30).Select(_ => new Point2f(random.Next(10, 500), random.Next(10, 500))).ToArray();
        var candidate = query.Select(p => new Point2f(p.X * 0.5f + 20, p.Y * 0.5f + 4)).ToArray();
        var fit = Fit(query, candidate);

        Assert.Null(FitDegeneracy.Find(fit.Query, fit.Candidate, fit.Inliers, fit.Scale, 512, Options));
    }
}
