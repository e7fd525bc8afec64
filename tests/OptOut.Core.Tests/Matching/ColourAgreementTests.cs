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
        Assert.True(difference > VerifierOptionsDefaults.MaxColourDifference, $"Netherlands/Luxembourg chroma distance {difference}");
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

    private static class VerifierOptionsDefaults
    {
        public static double MaxColourDifference => VerifierOptions.Default.MaxColourDifference;
    }
}
