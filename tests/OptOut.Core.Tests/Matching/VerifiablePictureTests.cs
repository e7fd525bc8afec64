using OpenCvSharp;
using OptOut.Core.Imaging;
using OptOut.Core.Matching;

namespace OptOut.Core.Tests.Matching;

/// <summary>
/// A picture known by its stored features is decoded only when a stage compares its pixels, once; one of at most 2^20
/// pixels keeps its decoded pixels until its colour frame is first needed (most unrelated candidates are refused on gray
/// pixels alone), a larger one scales its RGB down at once: its frames are those of the picture decoded at once, bit for bit.
/// </summary>
public class VerifiablePictureTests
{
    [Theory]
    [InlineData("grapes_01.png")] // within the working side: its decoded pixels are kept for its colour frame
    [InlineData("cattle.png")] // larger, under a megapixel: its decoded pixels are kept too, scaled down when its colours are first compared
    public void A_picture_decoded_late_has_the_frames_of_one_decoded_at_once_and_is_decoded_once(string name)
    {
        var options = VerifierOptions.Default;
        using var decoded = ClipArt.Load(name);
        using var atOnce = VerifiablePicture.FromDecoded(decoded, options);
        int decodes = 0;
        using var late = VerifiablePicture.FromStoredFeatures(atOnce.Features, () =>
        {
            decodes++;
            return ClipArt.Load(name);
        }, options)!;
        Assert.Equal(0, decodes);

        AssertSame(atOnce.GrayOf(mirrored: false), late.GrayOf(mirrored: false));
        Assert.Equal(1, decodes);
        using var unmirrored = late.ColourOf(mirrored: true).Flip(FlipMode.Y);
        AssertSame(atOnce.ColourOf(mirrored: false), unmirrored);
        AssertSame(atOnce.ColourOf(mirrored: false), late.ColourOf(mirrored: false));
        Assert.Equal(1, decodes);
    }

    [Fact]
    public void A_picture_decoded_late_at_any_size_has_the_frames_and_colours_of_one_decoded_at_once()
    {
        var options = VerifierOptions.Default;
        using var small = ClipArt.Load("cattle.png"); // 794 x 1123
        using var square = ClipArt.Scaled("cattle.png", 1024, 1024); // a whole-number step: OpenCV's other routine
        using var large = ClipArt.Scaled("cattle.png", 1191, 1684);
        foreach (var decoded in new[] { small, square, large })
        {
            using var atOnce = VerifiablePicture.FromDecoded(decoded, options);
            using var late = VerifiablePicture.FromStoredFeatures(atOnce.Features, () => new DecodedImage(decoded.Pixels.Clone(), "PNG"), options)!;

            AssertSame(atOnce.GrayOf(mirrored: false), late.GrayOf(mirrored: false));
            AssertSame(atOnce.ColourOf(mirrored: false), late.ColourOf(mirrored: false));
        }
    }

    [Fact]
    public void Another_picture_behind_the_stored_features_is_refused_as_stale()
    {
        var options = VerifierOptions.Default;
        using var decoded = ClipArt.Load("grapes_01.png");
        using var atOnce = VerifiablePicture.FromDecoded(decoded, options);
        using var late = VerifiablePicture.FromStoredFeatures(atOnce.Features, () => ClipArt.Load("apple.png"), options)!;

        Assert.Throws<StalePictureException>(() => late.ColourOf(mirrored: false));
    }

    private static void AssertSame(Mat expected, Mat actual)
    {
        Assert.Equal(expected.Size(), actual.Size());
        Assert.Equal(expected.Type(), actual.Type());
        using var difference = new Mat();
        Cv2.Absdiff(expected, actual, difference);
        Assert.Equal(0, Cv2.CountNonZero(difference.Reshape(1)));
    }
}
