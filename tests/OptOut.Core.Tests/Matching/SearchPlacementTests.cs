using OptOut.Core.Matching;
using OptOut.Samples;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Processing;
using Xunit.Abstractions;

namespace OptOut.Core.Tests.Matching;

/// <summary>
/// When the pixel search may be trusted: not for a picture of bands, which has no unique alignment
/// (<see cref="VerifierOptions.MaxSearchShiftAgreement"/>), and not for an alignment that covers less than
/// half the query (<see cref="VerifierOptions.MinSearchOverlap"/>): a part, not a copy.
/// </summary>
public class SearchPlacementTests(ITestOutputHelper output)
{
    private static readonly GeometricVerifier Verifier = new();

    private double ShiftOf(string name)
    {
        using var decoded = ClipArt.Load(name);
        using var picture = Verifier.Prepare(decoded);
        double value = picture.ShiftAgreement;
        output.WriteLine($"{name}: {value:F3} with itself shifted by a tenth");
        return value;
    }

    [Fact]
    public void A_picture_of_bands_agrees_with_itself_shifted_and_a_drawing_does_not()
    {
        Assert.True(ShiftOf("netherlands.png") >= 0.99);
        // Luxembourg's bands read lower (0.92 here): against the Netherlands the check holds through the Netherlands' side (GeometricVerifierTests).
        Assert.InRange(ShiftOf("luxembourg.png"), 0.85, 1);
        Assert.InRange(ShiftOf("kuwait.png"), -1, Verifier.Options.MaxSearchShiftAgreement - 0.1);
        Assert.InRange(ShiftOf("grapes_01.png"), -1, 0.6);
    }

    [Fact]
    public void The_pixel_search_is_not_tried_for_a_picture_of_bands_and_says_so()
    {
        var result = ClipArt.VerifyCopy(Verifier, "netherlands.png", Alteration.Crop);
        output.WriteLine(result.Detail);

        Assert.False(result.IsVerified, result.Detail);
        Assert.Contains("pixel search was not tried", result.Detail);
        Assert.Contains("no alignment of it is unique", result.Detail);
    }

    [Fact]
    public void A_search_alignment_covering_under_half_the_query_is_a_part_not_a_copy()
    {
        // Kuwait's hoist end, 60% of its width and 65% of its height (39% of the picture), found inside the flag.
        using var original = ClipArt.Load("kuwait.png");
        int w = original.Width * 60 / 100, h = original.Height * 65 / 100;
        using var partPixels = original.Pixels.Clone(x => x.Crop(new Rectangle(0, (original.Height - h) / 2, w, h)));
        using var part = ClipArt.Reload(partPixels, lossless: true);
        using var query = Verifier.Prepare(original);
        using var candidate = Verifier.Prepare(part);

        var strict = Verifier.VerifySearch(query, candidate);
        output.WriteLine(strict.Detail);
        Assert.False(strict.IsVerified, strict.Detail);
        Assert.Contains("a part, not a copy", strict.Detail);
        Assert.True(strict.Overlap < Verifier.Options.MinSearchOverlap, strict.Detail);

        var loose = new GeometricVerifier(VerifierOptions.Default with { MinSearchOverlap = 0.2 });
        using var looseQuery = loose.Prepare(original);
        using var looseCandidate = loose.Prepare(part);
        var found = loose.VerifySearch(looseQuery, looseCandidate);
        Assert.True(found.IsVerified, "with the old floor the part verifies: " + found.Detail);
    }
}
