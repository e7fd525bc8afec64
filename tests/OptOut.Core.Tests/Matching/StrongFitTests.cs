using OptOut.Core.Matching;
using OptOut.Samples;

namespace OptOut.Core.Tests.Matching;

/// <summary>
/// A strong keypoint fit (<see cref="VerifierOptions.StrongFitInliers"/>) verifies by its own pixel
/// agreement outside one region (<see cref="VerifierOptions.MinStrongFitRegionNcc"/>), a region that may be
/// wider than a weak fit's (<see cref="VerifierOptions.MaxStrongFitRegionShare"/>); so does a medium fit
/// (<see cref="VerifierOptions.MediumFitInliers"/>) at a higher bar (<see cref="VerifierOptions.MinMediumFitRegionNcc"/>);
/// a fit with fewer inliers, or with inliers that are a small share of its matches, still needs the usual agreement.
/// </summary>
public class StrongFitTests
{
    // Every pixel clause out of reach but the strong fit's; the stretch and the search off the path.
    private static readonly VerifierOptions StrongOnly = VerifierOptions.Default with
    {
        MinNcc = 9, MinTrimmedNcc = 9, MinRegionNcc = 9, MinStretchNcc = 9, MinSearchNcc = 9, PixelSearch = false,
        MinStrongFitRegionNcc = 0.97, MinMediumFitRegionNcc = double.PositiveInfinity,
    };

    // A fit that counts as neither strong nor medium, whatever its inliers.
    private static readonly VerifierOptions WeakFitOnly = StrongOnly with { StrongFitInliers = int.MaxValue, MediumFitInliers = int.MaxValue };

    [Fact]
    public void A_watermarked_copy_with_many_inliers_verifies_as_a_strong_fit()
    {
        var result = ClipArt.VerifyCopy(new GeometricVerifier(StrongOnly), "grapes_01.png", Alteration.Watermark);

        Assert.True(result.IsVerified, result.Detail);
        Assert.Equal(VerificationMethod.Geometric, result.Method);
        Assert.True(result.Inliers >= 40 && result.InlierRatio >= 0.75, result.Detail);
        Assert.Contains("as a strong fit's", result.Detail);
        // Its gray pixels agree as a strong fit's: its colours are compared (a recoloured sibling must not pass).
        Assert.True(double.IsFinite(result.ColourDifference), $"colour difference {result.ColourDifference}");
    }

    [Fact]
    public void A_fit_short_of_strong_needs_the_usual_agreement()
    {
        var result = ClipArt.VerifyCopy(new GeometricVerifier(WeakFitOnly), "grapes_01.png", Alteration.Watermark);

        Assert.False(result.IsVerified, result.Detail);
        Assert.Equal(NotVerifiedReason.PixelsDisagree, result.Reason);
    }

    [Fact]
    public void A_fit_whose_gray_pixels_disagree_has_its_colours_measured_only_when_asked()
    {
        // Colour decides only between pictures whose gray pixels agree: the colour frames of a candidate refused
        // on gray pixels are not made, unless the calibration asks for every figure.
        var decided = ClipArt.VerifyCopy(new GeometricVerifier(WeakFitOnly), "grapes_01.png", Alteration.Watermark);
        var measured = ClipArt.VerifyCopy(new GeometricVerifier(WeakFitOnly with { MeasureEveryFigure = true }), "grapes_01.png", Alteration.Watermark);

        Assert.Equal(VerificationMethod.None, decided.Method);
        Assert.True(decided.Inliers >= 6, decided.Detail);
        Assert.True(double.IsNaN(decided.ColourDifference), decided.Detail);
        Assert.Equal(decided.Ncc, measured.Ncc);
        Assert.Equal(decided.Detail, measured.Detail);
        Assert.True(double.IsFinite(measured.ColourDifference), "grapes_01 is coloured: its colours are compared");
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

    [Fact]
    public void A_strong_fit_may_leave_out_a_wider_band_than_a_weak_one()
    {
        // A dark watermark band across the picture, taller than the calibration's (a fifth of the height, where
        // the grapes are): about a third of the compared pixels, which a weak fit may not leave out.
        using var original = ClipArt.Load("grapes_01.png");
        using var copy = ClipArt.Banded("grapes_01.png", 60, 80);
        var wide = new GeometricVerifier(StrongOnly with { MinStrongFitRegionNcc = VerifierOptions.Default.MinStrongFitRegionNcc });
        using var query = wide.Prepare(original);
        using var candidate = wide.Prepare(copy);

        var result = wide.Verify(query, candidate);

        Assert.True(result.IsVerified, result.Detail);
        Assert.Contains("as a strong fit's", result.Detail);
        Assert.True(result.ByWideRegion, result.Detail);
        Assert.InRange(result.WideRegionShare, VerifierOptions.Default.MaxRegionShare, VerifierOptions.Default.MaxStrongFitRegionShare);
        Assert.True(result.WideRegionNcc >= result.RegionNcc, result.Detail);
        Assert.True(result.RegionNcc < VerifierOptions.Default.MinRegionNcc, $"the general cap cannot hold the band: {result.Detail}");

        // The same fit held to the general cap is refused, and so is a weak fit.
        var narrow = new GeometricVerifier(wide.Options with { MaxStrongFitRegionShare = wide.Options.MaxRegionShare });
        Assert.False(narrow.Verify(query, candidate).IsVerified);
        var weak = new GeometricVerifier(wide.Options with { StrongFitInliers = int.MaxValue, MediumFitInliers = int.MaxValue, MinRegionNcc = VerifierOptions.Default.MinRegionNcc });
        var refused = weak.Verify(query, candidate);
        Assert.False(refused.IsVerified, refused.Detail);
        Assert.Equal(NotVerifiedReason.PixelsDisagree, refused.Reason);
    }

    [Fact]
    public void A_watermarked_icon_whose_keypoints_fit_by_the_dozen_and_a_half_verifies_as_a_medium_fit()
    {
        // The red arrow button: 15 of 22 matches fit, too few for a strong fit; the band holds about a third of its
        // compared pixels, more than a weak fit may leave out, and outside it the pixels agree.
        var result = ClipArt.VerifyCopy(new GeometricVerifier(), "arrow-down-red_benji_par_01.png", Alteration.Watermark);

        Assert.True(result.IsVerified, result.Detail);
        Assert.Equal(VerificationMethod.Geometric, result.Method);
        Assert.Contains("as a medium fit's", result.Detail);
        Assert.True(result.ByWideRegion, result.Detail);
        Assert.InRange(result.Inliers, VerifierOptions.Default.MediumFitInliers, VerifierOptions.Default.StrongFitInliers - 1);
        Assert.True(result.WideRegionNcc >= VerifierOptions.Default.MinMediumFitRegionNcc, result.Detail);
        Assert.True(result.RegionNcc < VerifierOptions.Default.MinRegionNcc, $"the general cap cannot hold the band: {result.Detail}");

        // Without the medium tier, or with its inliers a smaller share of the matches than asked (15 of 22), the same
        // copy is refused; with the tier's bar out of reach the refusal names it.
        foreach (var options in new[] { VerifierOptions.Default with { MediumFitInliers = int.MaxValue }, VerifierOptions.Default with { MediumFitInlierRatio = 0.7 } })
        {
            var refused = ClipArt.VerifyCopy(new GeometricVerifier(options), "arrow-down-red_benji_par_01.png", Alteration.Watermark);
            Assert.False(refused.IsVerified, refused.Detail);
            Assert.Equal(NotVerifiedReason.PixelsDisagree, refused.Reason);
            Assert.DoesNotContain("medium fit", refused.Detail);
        }
        var unreached = ClipArt.VerifyCopy(new GeometricVerifier(VerifierOptions.Default with { MinMediumFitRegionNcc = 1.5 }), "arrow-down-red_benji_par_01.png", Alteration.Watermark);
        Assert.False(unreached.IsVerified, unreached.Detail);
        Assert.Contains("for this medium fit, outside one region of up to 35 %", unreached.Detail);
        Assert.Contains("< 1.50", unreached.Detail);
    }

    [Fact]
    public void The_medium_tiers_settings_are_checked()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new GeometricVerifier(VerifierOptions.Default with { MediumFitInliers = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new GeometricVerifier(VerifierOptions.Default with { MediumFitInlierRatio = 1.2 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new GeometricVerifier(VerifierOptions.Default with { MinMediumFitRegionNcc = double.NaN }));
    }

    [Fact]
    public void The_purple_arrow_button_is_not_a_medium_fit_of_the_red_one()
    {
        // The same button drawn in another colour, watermarked: its keypoints and gray pixels fit as the red one's own
        // copy does, and its colours tell it apart.
        using var red = ClipArt.Load("arrow-down-red_benji_par_01.png");
        using var purple = ClipArt.Copy("arrow-down-purple_benji__01.png", Alteration.Watermark);
        var verifier = new GeometricVerifier();
        using var query = verifier.Prepare(red);
        using var candidate = verifier.Prepare(purple);

        var result = verifier.Verify(query, candidate);

        Assert.False(result.IsVerified, result.Detail);
        Assert.Contains("colour", result.Detail);
    }
}
