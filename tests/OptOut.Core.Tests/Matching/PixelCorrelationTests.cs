using OpenCvSharp;
using OptOut.Core.Matching;

namespace OptOut.Core.Tests.Matching;

/// <summary>
/// <see cref="PixelCorrelation"/> finds the region of disagreement for two caps in one pass
/// (<see cref="DisagreementRegion.Best"/>): each must be what a pass with that cap alone finds.
/// </summary>
public sealed class PixelCorrelationTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void Two_caps_in_one_pass_give_each_caps_own_figures(int seed)
    {
        var random = new Random(seed);
        using var a = new Mat(96 + seed * 10, 128, MatType.CV_8UC1);
        using var b = new Mat(a.Size(), MatType.CV_8UC1);
        using var mask = new Mat(a.Size(), MatType.CV_8UC1, Scalar.All(255));
        int rows = a.Rows, cols = a.Cols;
        for (int y = 0; y < rows; y++)
        for (int x = 0; x < cols; x++)
        {
            // A drawing of smooth shapes, its copy with a band of other values and scattered noise.
            byte value = (byte)(128 + 100 * Math.Sin(x / 9.0 + seed) * Math.Cos(y / 7.0));
            a.Set(y, x, value);
            bool band = y >= rows * (0.3 + 0.05 * seed) && y < rows * (0.6 + 0.05 * seed);
            b.Set(y, x, band ? (byte)random.Next(256) : (byte)Math.Clamp(value + random.Next(-12, 13), 0, 255));
            if (random.Next(10) == 0) mask.Set(y, x, (byte)0);
        }

        var both = PixelCorrelation.Measure(a, b, mask, 1.0, 0.25, 0.4);
        var narrow = PixelCorrelation.Measure(a, b, mask, 1.0, 0.25);
        var wide = PixelCorrelation.Measure(a, b, mask, 1.0, 0.4);

        Assert.Equal(narrow.RegionNcc, both.RegionNcc);
        Assert.Equal(narrow.RegionShare, both.RegionShare);
        Assert.Equal(wide.RegionNcc, both.WideRegionNcc);
        Assert.Equal(wide.RegionShare, both.WideRegionShare);
        // The band (three tenths of the rows) is more than the narrow cap holds: the two figures differ.
        Assert.True(both.WideRegionShare > 0.25, $"wide share {both.WideRegionShare}");
        Assert.True(both.WideRegionNcc > both.RegionNcc + 0.01, $"{both.WideRegionNcc} against {both.RegionNcc}");
        // Without a wider cap the wide figures are the narrow ones.
        Assert.Equal(narrow.RegionNcc, narrow.WideRegionNcc);
        Assert.Equal(narrow.RegionShare, narrow.WideRegionShare);
    }

    [Theory]
    [InlineData("cattle.png")]
    [InlineData("grapes_01.png")]
    [InlineData("kuwait.png")]
    public void The_blurred_mirror_image_is_the_mirror_image_of_the_blurred_frame_bit_for_bit(string name)
    {
        // The stretch blurs a candidate once and mirrors the blurred frame for its second look.
        using var decoded = ClipArt.Load(name);
        using var gray = GrayFrame.FromDecoded(decoded, 512);
        using var flipped = gray.Flip(FlipMode.Y);
        double sigma = VerifierOptions.Default.BlurSigma;

        using var blurred = PixelCorrelation.Blurred(gray, sigma);
        using var blurredThenFlipped = blurred.Flip(FlipMode.Y);
        using var flippedThenBlurred = PixelCorrelation.Blurred(flipped, sigma);

        using var difference = new Mat();
        Cv2.Absdiff(blurredThenFlipped, flippedThenBlurred, difference);
        Assert.Equal(0, Cv2.CountNonZero(difference));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Cell_runs_add_up_to_every_masked_pixel_in_its_cell(int seed)
    {
        // A frame whose width is no multiple of the cell side (a last, narrower cell) and a random mask, against sums
        // made one pixel at a time into cell (x / side, y / side).
        var random = new Random(seed);
        int width = 509 - seed * 40, height = 300 + seed * 17;
        using var a = Noise(random, width, height);
        using var b = Noise(random, width, height);
        using var mask = new Mat(height, width, MatType.CV_8UC1);
        for (int y = 0; y < height; y++)
        for (int x = 0; x < width; x++) mask.Set(y, x, (byte)(random.Next(4) == 0 ? 0 : 255));

        var measured = PixelCorrelation.MeasureBothBlurred(a, b, mask, 0.25, 0.35);

        var region = new DisagreementRegion(width, height, 0.25, 0.35);
        Assert.NotEqual(0, width % region.CellSide);
        var pairs = new int[256 * 256];
        for (int y = 0; y < height; y++)
        {
            var cells = region.RowOfCells(y);
            for (int x = 0; x < width; x++)
            {
                if (mask.At<byte>(y, x) == 0) continue;
                byte va = a.At<byte>(y, x), vb = b.At<byte>(y, x);
                var one = new PixelCorrelation.Sums();
                one.Add(va, vb, 1);
                cells.Add(x / region.CellSide, one);
                pairs[(va << 8) | vb]++;
            }
        }
        var total = region.Total();
        Assert.Equal(PixelCorrelation.TrimmedCorrelation(pairs, total), measured.TrimmedNcc);
        var (regionNcc, regionShare, wideNcc, wideShare) = region.Best();
        Assert.Equal(total.N, measured.Pixels);
        Assert.Equal(total.Correlation(), measured.Ncc);
        Assert.Equal(regionNcc, measured.RegionNcc);
        Assert.Equal(regionShare, measured.RegionShare);
        Assert.Equal(wideNcc, measured.WideRegionNcc);
        Assert.Equal(wideShare, measured.WideRegionShare);
    }

    [Fact]
    public void Frames_of_another_size_or_type_are_refused()
    {
        using var a = new Mat(40, 50, MatType.CV_8UC1, Scalar.All(10));
        using var smaller = new Mat(40, 49, MatType.CV_8UC1, Scalar.All(10));
        using var colour = new Mat(40, 50, MatType.CV_8UC3, Scalar.All(10));
        Assert.Throws<ArgumentException>(() => PixelCorrelation.MeasureBothBlurred(a, smaller, null, 0.25));
        Assert.Throws<ArgumentException>(() => PixelCorrelation.MeasureBothBlurred(a, colour, null, 0.25));
        Assert.Throws<ArgumentException>(() => PixelCorrelation.MeasureBothBlurred(a, a, smaller, 0.25));
    }

    // A smooth random frame: blocks of random gray with some pixel noise, so the region search has places to find.
    private static Mat Noise(Random random, int width, int height)
    {
        var frame = new Mat(height, width, MatType.CV_8UC1);
        for (int y = 0; y < height; y++)
        for (int x = 0; x < width; x++) frame.Set(y, x, (byte)Math.Clamp(((x / 37) * 53 + (y / 29) * 31) % 200 + random.Next(40), 0, 255));
        return frame;
    }

    [Fact]
    public void A_share_that_is_not_a_number_is_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new GeometricVerifier(VerifierOptions.Default with { MaxStrongFitRegionShare = double.NaN }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new GeometricVerifier(VerifierOptions.Default with { MaxRegionShare = double.NaN }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new GeometricVerifier(VerifierOptions.Default with { MaxStrongFitRegionShare = 0.2 }));
    }
}
