using OptOut.Core.Matching;
using OptOut.Core.Reports;
using OptOut.Core.Tests.Matching;
using OptOut.Samples;

namespace OptOut.Core.Tests.Reports;

/// <summary>The report's sentence for a verified copy (<see cref="TransformWords"/>), from the verifier's own evidence on real clip art.</summary>
public sealed class TransformWordsTests
{
    [Fact]
    public void A_watermarked_copy_says_how_much_was_left_out_and_what_the_rest_agrees()
    {
        var verifier = new GeometricVerifier();
        using var original = ClipArt.Load("grapes_01.png");
        using var copy = ClipArt.Copy("grapes_01.png", Alteration.Watermark);
        using var query = verifier.Prepare(original);
        using var candidate = verifier.Prepare(copy);
        var verification = verifier.Verify(query, candidate);
        Assert.True(verification.IsVerified, verification.Detail);

        var text = TransformWords.Describe(verification, original.Width, original.Height);

        Assert.StartsWith("Verified copy (", text, StringComparison.Ordinal);
        Assert.Matches(@"outside one region \(\d+% of the picture left out\) (0\.9\d\d|1\.000)", text);

        // A clean copy agrees everywhere: no region is worth naming.
        using var mirrored = ClipArt.Copy("grapes_01.png", Alteration.Mirror);
        using var clean = verifier.Prepare(mirrored);
        var plain = verifier.Verify(query, clean);
        Assert.True(plain.IsVerified, plain.Detail);
        Assert.DoesNotContain("outside one region", TransformWords.Describe(plain, original.Width, original.Height), StringComparison.Ordinal);
        Assert.DoesNotContain("wider region", TransformWords.Describe(plain, original.Width, original.Height), StringComparison.Ordinal);
    }

    [Fact]
    public void A_copy_verified_by_a_strong_fits_wider_region_says_so()
    {
        // A dark band over a fifth of the height, where the grapes are: more than the general cap holds.
        using var original = ClipArt.Load("grapes_01.png");
        using var copy = ClipArt.Banded("grapes_01.png", 60, 80);
        var verifier = new GeometricVerifier();
        using var query = verifier.Prepare(original);
        using var candidate = verifier.Prepare(copy);
        var verification = verifier.Verify(query, candidate);
        Assert.True(verification.IsVerified, verification.Detail);

        var text = TransformWords.Describe(verification, original.Width, original.Height);

        Assert.Matches(@"outside a wider region, as a keypoint fit with many inliers may leave out \((2[6-9]|3[0-5])%\) (0\.99\d|1\.000)", text);
    }

    [Fact]
    public void A_wider_region_that_did_not_decide_is_not_named()
    {
        // A weak fit verified by its plain agreement: its wider figure is measured too, and decided nothing.
        var weak = new Verification
        {
            IsVerified = true, Method = VerificationMethod.Geometric, Reason = NotVerifiedReason.None, Detail = "12/20 inliers",
            Matches = 20, Inliers = 12, Scale = 1, Ncc = 0.972, TrimmedNcc = 0.99, RegionNcc = 0.975, RegionShare = 0.2,
            WideRegionNcc = 0.992, WideRegionShare = 0.3, Overlap = 1,
        };
        Assert.DoesNotContain("wider region", TransformWords.Describe(weak, 100, 100), StringComparison.Ordinal);
        Assert.Contains("wider region", TransformWords.Describe(weak with { ByWideRegion = true }, 100, 100), StringComparison.Ordinal);
    }
}
