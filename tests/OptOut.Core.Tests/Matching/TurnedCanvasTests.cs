using OpenCvSharp;
using OptOut.Core.Imaging;
using OptOut.Core.Matching;
using OptOut.Samples;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace OptOut.Core.Tests.Matching;

/// <summary>
/// A picture turned on a grown canvas (the Rotate alteration: black corners) used as the query. Its black corners
/// are left out of the compared pixels like its page (<see cref="ContentMask"/>), so two different drawings on pages
/// of one size, turned by the same angle, no longer agree by their corners, and the turned picture still verifies
/// against its upright original.
/// </summary>
public class TurnedCanvasTests
{
    // The drawing at a third of the page's width, on a white page of a fixed size, as a page-sized drawing is.
    private static Image<Rgb24> OnPage(string name)
    {
        using var drawing = ClipArt.Load(name);
        var page = new Image<Rgb24>(600, 800, Color.White);
        using var small = drawing.Pixels.Clone(x => x.Resize(new ResizeOptions { Size = new SixLabors.ImageSharp.Size(200, 200), Mode = ResizeMode.Max }));
        page.Mutate(x => x.DrawImage(small, new SixLabors.ImageSharp.Point(200, 300), 1f));
        return page;
    }

    private static DecodedImage Turned(string name)
    {
        using var page = OnPage(name);
        using var turned = Alterations.Apply(page, Alteration.Rotate);
        return ClipArt.Reload(turned, lossless: false);
    }

    [Fact]
    public void A_turned_pictures_black_corners_are_left_out_like_its_page()
    {
        using var turned = Turned("grapes_01.png");
        using var gray = GrayFrame.FromDecoded(turned, 512);
        using var mask = ContentMask.Of(gray);

        Assert.False(mask.Empty());
        // The corners (black where the turned canvas grew) and the page are out; the drawing in the middle is in.
        var border = ContentMask.BorderPixels(gray.Width, gray.Height).ToList();
        var black = border.Where(p => gray.At<byte>(p.Y, p.X) < 40).ToList();
        Assert.True(black.Count > 0.1 * border.Count, $"{black.Count} black border pixels");
        Assert.All(black, p => Assert.Equal(0, mask.At<byte>(p.Y, p.X)));
        using var middle = new Mat(mask, new Rect(gray.Width / 3, gray.Height * 3 / 8, gray.Width / 3, gray.Height / 4));
        Assert.True(Cv2.CountNonZero(middle) > 0.2 * middle.Total(), "the drawing is content");
        Assert.True(Cv2.CountNonZero(mask) < 0.15 * mask.Total(), $"{Cv2.CountNonZero(mask)} of {mask.Total()} pixels kept");
    }

    [Fact]
    public void Two_drawings_turned_by_one_angle_are_not_copies_and_a_turned_copy_still_is()
    {
        var verifier = new GeometricVerifier();
        using var grapes = Turned("grapes_01.png");
        using var apple = Turned("apple.png");
        using var query = verifier.Prepare(grapes);
        using var other = verifier.Prepare(apple);

        var refused = verifier.Verify(query, other);

        Assert.False(refused.IsVerified, refused.Detail);

        using var upright = OnPage("grapes_01.png");
        using var original = ClipArt.Reload(upright, lossless: true);
        using var candidate = verifier.Prepare(original);
        var copy = verifier.Verify(query, candidate);
        Assert.True(copy.IsVerified, copy.Detail);
    }
}
