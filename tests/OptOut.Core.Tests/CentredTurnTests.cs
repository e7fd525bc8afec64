using OptOut.Core.Imaging;
using OptOut.Core.Tests.Matching;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace OptOut.Core.Tests;

public class CentredTurnTests
{
    // The views' angles and a few more.
    public static TheoryData<float> Angles => new() { -6f, -4f, -3f, 3f, 4f, 6f, 0.5f, -17.3f, 45f, 135.7f, 359.99f };

    [Theory]
    [MemberData(nameof(Angles))]
    public void Every_clip_art_fixture_turns_to_the_same_bytes_as_ImageSharp_rotate_and_crop(float degrees)
    {
        int compared = 0;
        foreach (var file in Directory.GetFiles(Path.GetDirectoryName(ClipArt.PathOf("apple.png"))!, "*.png"))
        {
            using var decoded = ImageLoader.Load(file, ImageLimits.Default);
            // At the 256 px the views are turned at, and at the size as decoded.
            using var small = decoded.Pixels.Clone(x => x.Resize(new ResizeOptions { Size = new Size(256, 256), Mode = ResizeMode.Max }));
            compared += AssertSameAsImageSharp(small, degrees, Path.GetFileName(file));
            compared += AssertSameAsImageSharp(decoded.Pixels, degrees, Path.GetFileName(file));
        }
        Assert.True(compared >= 18, $"only {compared} pictures could be cropped by ImageSharp");
    }

    [Theory]
    [InlineData(7, 5)]
    [InlineData(33, 257)]
    [InlineData(300, 41)]
    [InlineData(256, 256)]
    [InlineData(255, 254)]
    [InlineData(2, 2)]
    public void Noise_of_any_size_turns_to_the_same_bytes_as_ImageSharp_rotate_and_crop(int width, int height)
    {
        using var noise = Noise(width, height, seed: width * 1000 + height);
        int compared = 0;
        foreach (var degrees in new[] { -6f, -4f, 3f, 4f, 33.3f, -100.25f })
        {
            compared += AssertSameAsImageSharp(noise, degrees, $"noise {width}x{height}");
        }
        Assert.True(compared >= 4, $"only {compared} turns could be cropped by ImageSharp");
    }

    [Theory]
    [InlineData(1, 3)]
    [InlineData(3, 1)]
    [InlineData(1, 1)]
    [InlineData(2, 9)]
    [InlineData(60, 1)]
    public void A_picture_one_or_two_pixels_across_turns_as_ImageSharp_turns_it(int width, int height)
    {
        using var noise = Noise(width, height, seed: width * 31 + height);
        // Just under a whole turn ImageSharp's matrix is the identity and it copies the picture; further off it samples.
        int compared = 0;
        foreach (var degrees in new[] { 359.9995f, -0.0005f, 359.9991f, 0.3f, -4f, 4f })
        {
            compared += AssertSameAsImageSharp(noise, degrees, $"noise {width}x{height}");
        }
        Assert.True(compared >= 3, $"only {compared} turns could be cropped by ImageSharp");
    }

    [Theory]
    [InlineData(90.0005f)]
    [InlineData(90.01f)]
    [InlineData(-270f)]
    [InlineData(180f)]
    [InlineData(0f)]
    public void A_square_turned_near_or_by_a_right_angle_is_the_same_as_ImageSharp_turns_it(float degrees)
    {
        // ImageSharp copies pixels within 0.001 degrees of a right angle and samples them beyond it: both kept.
        using var noise = Noise(64, 64, seed: 64);
        Assert.Equal(1, AssertSameAsImageSharp(noise, degrees, "noise 64x64"));
    }

    [Fact]
    public void A_long_thin_picture_keeps_its_size_where_the_turned_canvas_is_narrower_than_it()
    {
        // 600 x 8 turned by 4 degrees: the canvas (about 599 px wide) cannot hold a 600 px crop.
        using var strip = new Image<Rgb24>(600, 8, new Rgb24(200, 30, 30));
        using var turned = CentredTurn.Turned(strip, 4f);
        Assert.Equal((600, 8), (turned.Width, turned.Height));
        // The centre of a turned strip is still the strip's colour; its far ends turn out of the frame (black).
        Assert.Equal(new Rgb24(200, 30, 30), turned[300, 4]);
        Assert.Equal(new Rgb24(0, 0, 0), turned[0, 0]);
    }

    private static Image<Rgb24> Noise(int width, int height, int seed)
    {
        var bytes = new byte[width * height * 3];
        new Random(seed).NextBytes(bytes);
        return Image.LoadPixelData<Rgb24>(bytes, width, height);
    }

    // 1 when compared; 0 when ImageSharp's canvas is smaller than the picture in a direction, so that it cannot crop.
    private static int AssertSameAsImageSharp(Image<Rgb24> source, float degrees, string name)
    {
        int w = source.Width, h = source.Height;
        using var expected = source.Clone(x => x.Rotate(degrees, KnownResamplers.Triangle));
        if (expected.Width < w || expected.Height < h) return 0;
        expected.Mutate(x => x.Crop(new Rectangle((expected.Width - w) / 2, (expected.Height - h) / 2, w, h)));
        using var actual = CentredTurn.Turned(source, degrees);
        Assert.Equal((w, h), (actual.Width, actual.Height));
        var a = new Rgb24[w * h];
        var e = new Rgb24[w * h];
        actual.CopyPixelDataTo(a);
        expected.CopyPixelDataTo(e);
        int differing = a.Zip(e).Count(pair => !pair.First.Equals(pair.Second));
        Assert.True(differing == 0, $"{name} turned {degrees} deg: {differing} of {w * h} pixels differ from ImageSharp's");
        return 1;
    }
}
