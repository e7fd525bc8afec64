using OpenCvSharp;
using OptOut.Core.Matching;
using OptOut.Samples;

namespace OptOut.Core.Tests.Matching;

/// <summary>
/// The refinement of an alignment by pixels (ECC) on a real drawing: a pose a percent and a pixel and a half
/// off is brought back to the one that made the copy, and its aligned pixels then agree better; a pose it
/// would have to move far, or that ECC can only fit by shearing, is not refined. Through the verifier: a
/// pixel-search pose and a keypoint fit from nine inliers that left a copy's pixels short of agreeing verify
/// once refined, and say so.
/// </summary>
public class PoseRefinementTests
{
    private static readonly GeometricVerifier Refining = new();
    private static readonly GeometricVerifier Unrefined = new(VerifierOptions.Default with { RefineAlignment = false });
    private const string Drawing = "grapes_01.png";

    // The copy: the drawing's working frame scaled by 0.75, turned 2 degrees, shifted; as a map from the
    // query's frame to the copy's (the verifier's convention).
    private static (Mat Query, Mat Copy, double[] Truth) MadeCopy()
    {
        using var decoded = ClipArt.Load(Drawing);
        var query = GrayFrame.FromDecoded(decoded, 512);
        double angle = 2 * Math.PI / 180, s = 0.75;
        double[] truth = [s * Math.Cos(angle), -s * Math.Sin(angle), 12.3, s * Math.Sin(angle), s * Math.Cos(angle), 7.6];
        using var model = Mat.FromPixelData(2, 3, MatType.CV_64FC1, truth);
        var copy = new Mat();
        Cv2.WarpAffine(query, copy, model, new Size((int)(query.Width * 0.8), (int)(query.Height * 0.8)), InterpolationFlags.Linear, BorderTypes.Constant, Scalar.All(255));
        return (query, copy, truth);
    }

    // The pose 1% too large and 1.5 px off, as a pixel-search grid or a fit from few inliers may leave it.
    private static double[] Off(double[] truth) => [truth[0] * 1.01, truth[1] * 1.01, truth[2] + 1.5, truth[3] * 1.01, truth[4] * 1.01, truth[5] - 1.0];

    // The farthest any corner of the query lands from where the other pose puts it, in the copy's pixels.
    private static double CornerError(double[] a, double[] b, Mat query)
    {
        double worst = 0;
        foreach (var (x, y) in new[] { (0.0, 0.0), ((double)query.Width, 0.0), (0.0, (double)query.Height), ((double)query.Width, (double)query.Height) })
        {
            double dx = (a[0] - b[0]) * x + (a[1] - b[1]) * y + a[2] - b[2];
            double dy = (a[3] - b[3]) * x + (a[4] - b[4]) * y + a[5] - b[5];
            worst = Math.Max(worst, Math.Sqrt(dx * dx + dy * dy));
        }
        return worst;
    }

    private static double AlignedNcc(Mat query, Mat copy, double[] pose)
    {
        using var model = Mat.FromPixelData(2, 3, MatType.CV_64FC1, pose);
        using var warped = new Mat();
        Cv2.WarpAffine(copy, warped, model, query.Size(), InterpolationFlags.Linear | InterpolationFlags.WarpInverseMap, BorderTypes.Constant, Scalar.All(0));
        using var ones = new Mat(copy.Size(), MatType.CV_8UC1, Scalar.All(255));
        using var valid = new Mat();
        Cv2.WarpAffine(ones, valid, model, query.Size(), InterpolationFlags.Nearest | InterpolationFlags.WarpInverseMap, BorderTypes.Constant, Scalar.All(0));
        return PixelCorrelation.Measure(query, warped, valid, 1.0, 0.25).Ncc;
    }

    [Fact]
    public void A_pose_a_percent_and_a_pixel_off_is_brought_back_unless_that_moves_it_too_far()
    {
        var (query, copy, truth) = MadeCopy();
        using (query)
        using (copy)
        {
            var off = Off(truth);
            // In the query's pixels (the copy is three quarters the size): more than the 4-px floor.
            Assert.True(CornerError(off, truth, query) / 0.75 > 4, "the starting pose must be visibly off");

            var refined = PoseRefinement.Refine(query, copy, off, maxShift: 0.03, maxShear: 0.03);

            Assert.NotNull(refined);
            Assert.True(CornerError(refined, truth, query) < 0.5, $"refined corners within half a pixel; off by {CornerError(refined, truth, query):F2}");
            double before = AlignedNcc(query, copy, off), after = AlignedNcc(query, copy, refined);
            Assert.True(after > before + 0.01, $"NCC {before:F4} -> {after:F4}");
            // The same correction, with a corner allowed to move a thousandth of the side (so the 4-px floor): refused.
            Assert.Null(PoseRefinement.Refine(query, copy, off, maxShift: 0.001, maxShear: 0.03));
        }
    }

    [Fact]
    public void A_small_pictures_pose_is_refined_on_its_own_frame()
    {
        // An 80-px drawing: no smaller level is tried, and 3% of its side would be 2.4 px, less than the pose is
        // off (3.1 px in its own frame); the floor of 4 px lets the refinement through.
        using var decoded = ClipArt.Load(Drawing);
        using var query = GrayFrame.FromDecoded(decoded, 80);
        double[] truth = [0.75, 0, 3.2, 0, 0.75, 2.6];
        using var model = Mat.FromPixelData(2, 3, MatType.CV_64FC1, truth);
        using var copy = new Mat();
        Cv2.WarpAffine(query, copy, model, new Size((int)(query.Width * 0.85), (int)(query.Height * 0.85)), InterpolationFlags.Linear, BorderTypes.Constant, Scalar.All(255));
        var off = Off(truth);
        Assert.True(CornerError(off, truth, query) / 0.75 > 0.03 * Math.Max(query.Width, query.Height), "off by more than 3% of the side");

        var refined = PoseRefinement.Refine(query, copy, off, maxShift: 0.03, maxShear: 0.03);

        Assert.NotNull(refined);
        Assert.True(CornerError(refined, truth, query) < CornerError(off, truth, query) / 3, $"{CornerError(off, truth, query):F2} -> {CornerError(refined, truth, query):F2} px");
    }

    [Fact]
    public void Nothing_to_correlate_gives_no_refined_pose()
    {
        var (query, copy, truth) = MadeCopy();
        using (query)
        using (copy)
        using (var blank = new Mat(copy.Size(), MatType.CV_8UC1, Scalar.All(255)))
        using (var strip = new Mat(query, new Rect(0, 0, query.Width, 40)))
        {
            // A blank candidate: ECC stops with an error, the pose is not refined.
            Assert.Null(PoseRefinement.Refine(query, blank, Off(truth), maxShift: 0.03, maxShear: 0.03));
            // A strip 40 px high of a 445-px-wide frame: too thin for either level (under 24 px on them).
            Assert.Null(PoseRefinement.Refine(strip, copy, Off(truth), maxShift: 0.03, maxShear: 0.03));
        }
    }

    [Fact]
    public void A_copy_stretched_unevenly_is_not_refined_into_a_shear()
    {
        var (query, copy, truth) = MadeCopy();
        using (query)
        using (copy)
        using (var stretched = new Mat())
        {
            // The copy squashed to 90% of its height: ECC's affine pose follows it, which is no similarity.
            Cv2.Resize(copy, stretched, new Size(copy.Width, (int)(copy.Height * 0.9)), 0, 0, InterpolationFlags.Area);
            double[] start = [truth[0], truth[1], truth[2], truth[3] * 0.9, truth[4] * 0.9, truth[5] * 0.9];

            Assert.Null(PoseRefinement.Refine(query, stretched, start, maxShift: 0.03, maxShear: 0.03));
            Assert.NotNull(PoseRefinement.Refine(query, stretched, start, maxShift: 0.03, maxShear: 0.5));
        }
    }

    [Fact]
    public void A_pixel_search_pose_is_refined_until_the_copys_pixels_agree()
    {
        // The apple resized to three quarters, cropped and saved as JPEG: the search's pose (whole pixels, widths
        // a percent apart) leaves its pixels at NCC 0.91; refined, they agree.
        using var original = ClipArt.Load("apple.png");
        using var copy = ClipArt.Copy("apple.png", Alteration.ResizeCropJpeg);

        var (before, after) = Both((verifier, query, candidate) => verifier.VerifySearch(query, candidate), original, copy);

        Assert.False(before.IsVerified, before.Detail);
        Assert.True(before.Ncc < Refining.Options.MinSearchNcc, $"NCC {before.Ncc:F4}");
        Assert.False(before.PoseRefined);
        Assert.True(after.IsVerified, after.Detail);
        Assert.True(after.PoseRefined);
        Assert.True(after.Ncc >= 0.99, $"NCC {after.Ncc:F4}");
        Assert.Contains("refined by pixels", after.Detail);
        Assert.InRange(after.Scale, 0.70, 0.80);
    }

    [Fact]
    public void A_keypoint_fit_from_few_inliers_is_refined_until_the_copys_pixels_agree()
    {
        // A small button padded: nine inliers fit it a little off (NCC 0.94); refined, the fit verifies.
        using var original = ClipArt.Load("arrow-down-red_benji_par_01.png");
        using var copy = ClipArt.Copy("arrow-down-red_benji_par_01.png", Alteration.Pad);

        var (before, after) = Both((verifier, query, candidate) => verifier.VerifyGeometric(query, candidate, mirrored: false), original, copy);

        Assert.False(before.IsVerified, before.Detail);
        Assert.True(after.IsVerified, after.Detail);
        Assert.Equal(VerificationMethod.Geometric, after.Method);
        Assert.True(after.PoseRefined);
        Assert.Equal(before.Inliers, after.Inliers);
        Assert.True(after.Ncc > before.Ncc + 0.03, $"NCC {before.Ncc:F4} -> {after.Ncc:F4}");
    }

    // One comparison made by the verifier without refinement and by the default one.
    private static (Verification Before, Verification After) Both(Func<GeometricVerifier, VerifiablePicture, VerifiablePicture, Verification> compare, Imaging.DecodedImage original, Imaging.DecodedImage copy)
    {
        Verification Once(GeometricVerifier verifier)
        {
            using var query = verifier.Prepare(original);
            using var candidate = verifier.Prepare(copy);
            return compare(verifier, query, candidate);
        }
        return (Once(Unrefined), Once(Refining));
    }
}
