using OptOut.Core.Matching;
using OptOut.Samples;

namespace OptOut.Core.Tests.Matching;

/// <summary>
/// A strong keypoint fit (<see cref="VerifierOptions.StrongFitInliers"/>) verifies at a lower pixel
/// agreement outside one region (<see cref="VerifierOptions.MinStrongFitRegionNcc"/>); a fit with fewer
/// inliers, or with inliers that are a small share of its matches, still needs the usual agreement.
/// </summary>
public class StrongFitTests
{
    // Every pixel clause out of reach but the strong fit's; the stretch and the search off the path.
    private static readonly VerifierOptions StrongOnly = VerifierOptions.Default with
    {
        MinNcc = 9, MinTrimmedNcc = 9, MinRegionNcc = 9, MinStretchNcc = 9, MinSearchNcc = 9, PixelSearch = false,
        MinStrongFitRegionNcc = 0.97,
    };

    [Fact]
    public void A_watermarked_copy_with_many_inliers_verifies_as_a_strong_fit()
    {
        var result = ClipArt.VerifyCopy(new GeometricVerifier(StrongOnly), "grapes_01.png", Alteration.Watermark);

        Assert.True(result.IsVerified, result.Detail);
        Assert.Equal(VerificationMethod.Geometric, result.Method);
        Assert.True(result.Inliers >= 40 && result.InlierRatio >= 0.75, result.Detail);
        Assert.Contains("as a strong fit's", result.Detail);
    }

    [Fact]
    public void A_fit_short_of_strong_needs_the_usual_agreement()
    {
        var result = ClipArt.VerifyCopy(new GeometricVerifier(StrongOnly with { StrongFitInliers = int.MaxValue }), "grapes_01.png", Alteration.Watermark);

        Assert.False(result.IsVerified, result.Detail);
        Assert.Equal(NotVerifiedReason.PixelsDisagree, result.Reason);
    }

    [Fact]
    public void A_sibling_road_sign_is_not_a_strong_fit()
    {
        // One red triangle, another symbol: what keypoints agree (the frame) are too few to count as strong.
        using var crossing = ClipArt.Load("two_way_crosses.png");
        using var cattle = ClipArt.Load("cattle.png");
        var verifier = new GeometricVerifier(VerifierOptions.Default with { MinStrongFitRegionNcc = 0.97 });
        using var query = verifier.Prepare(crossing);
        using var candidate = verifier.Prepare(cattle);

        var result = verifier.Verify(query, candidate);

        Assert.False(result.IsVerified, result.Detail);
        Assert.False(result.Inliers >= 40 && result.InlierRatio >= 0.75, result.Detail);
    }
}
