using OpenCvSharp;
using OptOut.Core.Matching;

namespace OptOut.Core.Tests.Matching;

/// <summary>The colour comparison after alignment, on real flags and buttons (tests/fixtures/clipart).</summary>
public class ColourAgreementTests
{
    private static double Stretched(string queryName, string candidateName)
    {
        using var queryImage = ClipArt.Load(queryName);
        using var candidateImage = ClipArt.Load(candidateName);
        using var query = ColourFrame.FromDecoded(queryImage, 512);
        using var candidate = ColourFrame.FromDecoded(candidateImage, 512);
        using var stretched = new Mat();
        Cv2.Resize(candidate, stretched, query.Size(), 0, 0, InterpolationFlags.Area);
        return ColourAgreement.Difference(query, stretched, null);
    }

    [Fact]
    public void Flags_of_one_layout_in_other_shades_lie_far_apart()
    {
        double difference = Stretched("netherlands.png", "luxembourg.png");
        Assert.True(difference > VerifierOptions.Default.MaxColourDifference, $"Netherlands/Luxembourg chroma distance {difference}");
    }

    [Fact]
    public void A_brightened_copy_stays_within_the_threshold()
    {
        using var original = ClipArt.Load("arrow-down-red_benji_par_01.png");
        using var brighter = ClipArt.Copy("arrow-down-red_benji_par_01.png", OptOut.Samples.Alteration.Brightness);
        using var a = ColourFrame.FromDecoded(original, 512);
        using var b = ColourFrame.FromDecoded(brighter, 512);
        double difference = ColourAgreement.Difference(a, b, null);
        Assert.InRange(difference, 0, VerifierOptions.Default.MaxColourDifference);
    }

    [Fact]
    public void A_picture_lies_at_no_distance_from_itself_and_a_gray_one_is_not_compared()
    {
        Assert.Equal(0, Stretched("apple.png", "apple.png"));
        using var image = ClipArt.Copy("apple.png", OptOut.Samples.Alteration.Gray);
        using var original = ClipArt.Load("apple.png");
        using var gray = ColourFrame.FromDecoded(image, 512);
        using var colour = ColourFrame.FromDecoded(original, 512);
        Assert.True(double.IsNaN(ColourAgreement.Difference(colour, gray, null)));
    }
}
