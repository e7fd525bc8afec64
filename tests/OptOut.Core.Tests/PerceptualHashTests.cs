using OptOut.Core.Fingerprinting;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace OptOut.Core.Tests;

public class PerceptualHashTests
{
    // Golden vectors from docs/phash_reference.py, an independent pure-Python implementation of the
    // definition in docs/fingerprints.md, over images defined by the same integer formulas.
    [Theory]
    [InlineData("gradient-64x48", "80071f3f3e787971")]
    [InlineData("bands-100x75", "800143d6d56eaf7f")]
    [InlineData("quadratic-37x29", "80052e5ffa71b37a")]
    [InlineData("large-640x480", "90295a152f3f3f3c")]
    public void Hash_matches_the_reference_implementation(string name, string expected)
    {
        using var image = Synthetic(name);
        Assert.Equal(expected, PerceptualHash.ToHex(PerceptualHash.Compute(image)));
    }

    internal static Image<Rgb24> Synthetic(string name)
    {
        (int w, int h, Func<int, int, (int R, int G, int B)> f) = name switch
        {
            "gradient-64x48" => (64, 48, new Func<int, int, (int, int, int)>((x, y) => ((x * 4) % 256, (y * 5) % 256, (x * y) % 256))),
            "bands-100x75" => (100, 75, (x, y) => ((x * 7 + y * 3) % 256, (x * x + 2 * y) % 256, (y * y + 5 * x) % 256)),
            "quadratic-37x29" => (37, 29, (x, y) => (((x * x + 3 * y * y) * 7) % 256, (x * 11 + y * 13) % 256, (x * y * 3) % 256)),
            "large-640x480" => (640, 480, (x, y) => ((x / 3 + y / 5) % 256, (x * y / 64) % 256, (255 - x / 3) % 256)),
            _ => throw new ArgumentException(name),
        };
        var image = new Image<Rgb24>(w, h);
        for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
        {
            var (r, g, b) = f(x, y);
            image[x, y] = new Rgb24((byte)r, (byte)g, (byte)b);
        }
        return image;
    }

    [Fact]
    public void Bits_are_coefficients_at_or_above_the_median_of_the_63_without_DC_first_in_the_top_bit()
    {
        // Coefficient i has value i, except DC which is the smallest. The AC median is 32, so
        // coefficients 32..63 are set, and DC (-1) is not: the low 32 bits.
        var coefficients = Enumerable.Range(0, 64).Select(i => (double)i).ToArray();
        coefficients[0] = -1;
        Assert.Equal(0x00000000ffffffffUL, PerceptualHash.FromCoefficients(coefficients));

        // A large DC is set too: it is compared, though not counted in the median.
        coefficients[0] = 1000;
        Assert.Equal(0x80000000ffffffffUL, PerceptualHash.FromCoefficients(coefficients));
    }

    [Fact]
    public void Luma_uses_BT601_weights()
    {
        Assert.Equal(76.245, PerceptualHash.Luma(new Rgb24(255, 0, 0)), 9);
        Assert.Equal(149.685, PerceptualHash.Luma(new Rgb24(0, 255, 0)), 9);
        Assert.Equal(29.07, PerceptualHash.Luma(new Rgb24(0, 0, 255)), 9);
    }

    [Fact]
    public void Distance_is_the_Hamming_distance_and_hex_round_trips()
    {
        Assert.Equal(0, PerceptualHash.Distance(0x9fee256239984d71, 0x9fee256239984d71));
        Assert.Equal(64, PerceptualHash.Distance(0, ulong.MaxValue));
        Assert.Equal(2, PerceptualHash.Distance(0b001011, 0b101010));
        Assert.Equal(0x9fee256239984d71UL, PerceptualHash.Parse("9fee256239984d71"));
        Assert.Equal("000000000000000a", PerceptualHash.ToHex(10));
        Assert.Throws<FormatException>(() => PerceptualHash.Parse("xyz"));
    }

    [Fact]
    public void Scaling_an_image_up_exactly_leaves_the_hash_unchanged()
    {
        // Exact area averaging: each 2x2 block of the enlarged image averages to the source pixel.
        using var small = Synthetic("bands-100x75");
        using var large = new Image<Rgb24>(200, 150);
        for (int y = 0; y < 150; y++)
        for (int x = 0; x < 200; x++)
        {
            large[x, y] = small[x / 2, y / 2];
        }
        Assert.Equal(PerceptualHash.Compute(small), PerceptualHash.Compute(large));
    }
}
