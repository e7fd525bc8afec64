using OptOut.Core.Matching;
using OptOut.Samples;
using SixLabors.ImageSharp.PixelFormats;

namespace OptOut.Core.Tests.Matching;

/// <summary>
/// The correlation outside one region of disagreement (<see cref="Verification.RegionNcc"/>), on real
/// clip-art: a watermark spoils one band of a copy and the rest agrees; a sibling road sign (another symbol
/// in the same triangle) differs in the symbol and its outline around it, which the trimmed correlation
/// forgives and one rectangle does not.
/// </summary>
public class DisagreementRegionTests
{
    // The region clause alone: the plain, trimmed, stretch, search, strong-fit and medium-fit thresholds are out of reach.
    private static readonly GeometricVerifier RegionOnly = new(VerifierOptions.Default with
    {
        MinNcc = 9, MinTrimmedNcc = 9, MinStretchNcc = 9, MinSearchNcc = 9, MinRegionNcc = 0.99, MinStrongFitRegionNcc = double.PositiveInfinity,
        MinMediumFitRegionNcc = double.PositiveInfinity,
    });

    private static readonly GeometricVerifier Neither = new(RegionOnly.Options with { MinRegionNcc = double.PositiveInfinity });

    [Theory]
    [InlineData("apple.png")]
    [InlineData("grapes_01.png")]
    [InlineData("kuwait.png")]
    public void A_watermarked_copy_agrees_outside_the_band(string name)
    {
        using var original = ClipArt.Load(name);
        using var copy = ClipArt.Copy(name, Alteration.Watermark);
        using var query = RegionOnly.Prepare(original);
        using var candidate = RegionOnly.Prepare(copy);

        var result = RegionOnly.Verify(query, candidate);

        Assert.True(result.IsVerified, result.Detail);
        Assert.True(result.RegionNcc >= 0.99, result.Detail);
        // The band (an eighth of the height, across the picture) is what was left out.
        Assert.InRange(result.RegionShare, 0.05, RegionOnly.Options.MaxRegionShare);
        Assert.Contains("outside one region", result.Detail);
        // Without the clause the same copy is not verified: the band spoils the plain correlation.
        Assert.False(Neither.Verify(query, candidate).IsVerified);
    }

    [Fact]
    public void A_sibling_road_sign_does_not_agree_outside_one_region()
    {
        // One red triangle, another symbol: the trimmed correlation forgives the symbol (it is under a
        // fifth of the pixels) and reads above 0.995; one rectangle around the symbol leaves the outline's
        // own differences, so the rest correlates below 0.99.
        using var crossing = ClipArt.Load("two_way_crosses.png");
        using var cattle = ClipArt.Load("cattle.png");
        using var query = RegionOnly.Prepare(crossing);
        using var candidate = RegionOnly.Prepare(cattle);

        var result = RegionOnly.Verify(query, candidate);

        Assert.False(result.IsVerified, result.Detail);
        Assert.True(result.TrimmedNcc >= 0.995, $"the trimmed correlation forgives the sibling: {result.Detail}");
        Assert.True(result.RegionNcc < 0.99, result.Detail);
        Assert.False(RegionOnly.Verify(candidate, query).IsVerified);
    }

    [Fact]
    public void An_unspoilt_copy_leaves_nothing_out_and_a_scattered_change_is_not_forgiven()
    {
        using var original = ClipArt.Load("grapes_01.png");
        using var same = ClipArt.Copy("grapes_01.png", Alteration.Reencode);
        using var query = RegionOnly.Prepare(original);
        using var reencoded = RegionOnly.Prepare(same);
        var clean = RegionOnly.VerifyStretch(query, reencoded)!;
        Assert.True(clean.RegionNcc >= clean.Ncc, clean.Detail);
        Assert.True(clean.RegionNcc - clean.Ncc < 0.002, clean.Detail);

        // Blocks blanked all over the picture (25 places): no one rectangle holds them.
        using var spotted = original.Pixels.Clone();
        int w = original.Width, h = original.Height;
        spotted.ProcessPixelRows(rows =>
        {
            for (int y = 0; y < rows.Height; y++)
            {
                var row = rows.GetRowSpan(y);
                for (int x = 0; x < row.Length; x++)
                {
                    // 0.09 of each side blanked in every fifth, offset 0.04: 25 blocks, 20% of the picture.
                    double fx = (double)x / w % 0.2, fy = (double)y / h % 0.2;
                    if (fx is >= 0.04 and < 0.13 && fy is >= 0.04 and < 0.13) row[x] = new Rgb24(255, 255, 255);
                }
            }
        });
        using var spottedCopy = ClipArt.Reload(spotted, lossless: true);
        using var candidate = RegionOnly.Prepare(spottedCopy);
        var scattered = RegionOnly.Verify(query, candidate);
        Assert.False(scattered.IsVerified, scattered.Detail);
        Assert.True(scattered.RegionNcc < 0.99, scattered.Detail);
    }

    /// <summary>
    /// The stretch compares colours only where they can decide (its gray pixels agree); the calibration, which counts
    /// other thresholds on the evidence afterwards, asks for every figure (<see cref="VerifierOptions.MeasureEveryFigure"/>).
    /// </summary>
    [Fact]
    public void The_stretch_measures_colour_where_it_decides_unless_every_figure_is_asked_for()
    {
        using var original = ClipArt.Load("grapes_01.png");
        using var cut = ClipArt.Copy("grapes_01.png", Alteration.Crop);
        var plain = new GeometricVerifier();
        var every = new GeometricVerifier(VerifierOptions.Default with { MeasureEveryFigure = true });
        using var query = plain.Prepare(original);
        using var candidate = plain.Prepare(cut);

        var decided = plain.VerifyStretch(query, candidate)!;
        Assert.False(decided.IsVerified, decided.Detail);
        Assert.True(decided.Ncc < plain.Options.MinStretchNcc, decided.Detail);
        Assert.True(double.IsNaN(decided.ColourDifference));

        var measured = every.VerifyStretch(query, candidate)!;
        Assert.Equal(decided.Ncc, measured.Ncc);
        Assert.False(measured.IsVerified);
        Assert.True(double.IsFinite(measured.ColourDifference), "grapes_01 is coloured: its colours are compared");
    }
}
