using OpenCvSharp;
using OptOut.Core.Imaging;
using OptOut.Core.Matching;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace OptOut.Core.Tests.Matching;

public class WorkingFramesTests
{
    [Fact]
    public void Every_clip_art_fixture_gets_the_frames_OpenCV_makes_at_every_working_side()
    {
        int weighted = 0;
        foreach (var file in Directory.GetFiles(Path.GetDirectoryName(ClipArt.PathOf("apple.png"))!, "*.png"))
        {
            using var decoded = ImageLoader.Load(file, ImageLimits.Default);
            foreach (var side in new[] { 512, 300, 129, 64 })
            {
                weighted += AssertSameAsOpenCv(decoded, side, Path.GetFileName(file));
            }
        }
        Assert.True(weighted >= 40, $"only {weighted} pictures took the weighted path");
    }

    [Theory]
    [InlineData(1123, 794)]
    [InlineData(513, 300)]
    [InlineData(1000, 999)]
    [InlineData(2048, 1024)]
    [InlineData(1536, 1001)]
    [InlineData(4000, 37)]
    [InlineData(37, 4000)]
    [InlineData(515, 515)]
    [InlineData(700, 1)]
    public void Noise_of_any_size_gets_the_frames_OpenCV_makes(int width, int height)
    {
        var bytes = new byte[width * height * 3];
        new Random(width * 7919 + height).NextBytes(bytes);
        using var decoded = new DecodedImage(Image.LoadPixelData<Rgb24>(bytes, width, height), "PNG");
        int weighted = AssertSameAsOpenCv(decoded, 512, $"noise {width}x{height}") + AssertSameAsOpenCv(decoded, 333, $"noise {width}x{height}");
        // Every size here shrinks by a fraction on some side at 333 px at least (2048 x 1024 to 512 px is a whole-number step).
        Assert.True(weighted >= 1, $"noise {width}x{height} never took the weighted path");
    }

    [Fact]
    public void Copies_decoded_from_JPEG_get_the_frames_OpenCV_makes()
    {
        foreach (var alteration in new[] { OptOut.Samples.Alteration.Watermark, OptOut.Samples.Alteration.Crop, OptOut.Samples.Alteration.Gray })
        {
            using var copy = ClipArt.Copy("elephant_outline_matthe_r.png", alteration);
            AssertSameAsOpenCv(copy, 512, $"elephant {alteration}");
        }
    }

    [Theory]
    [InlineData(1024, 1024, 512, false)] // a whole-number step: OpenCV's other routine
    [InlineData(2048, 1024, 512, false)]
    [InlineData(300, 200, 512, false)] // within the working side: the same size
    [InlineData(1123, 794, 512, true)]
    [InlineData(1000, 980, 512, true)] // a whole step on no side
    [InlineData(25088, 512, 512, true)] // 1 / (512 / 25088) is 49.00000000000001 in doubles, not a whole step
    public void The_weighted_path_is_taken_where_OpenCV_takes_it(int width, int height, int side, bool weighted)
    {
        Assert.Equal(weighted, WorkingFrames.TakesTheWeightedPath(width, height, GrayFrame.WorkingSize(width, height, side)));
    }

    [Fact]
    public void The_contributions_of_a_side_cover_each_working_position_with_weights_that_sum_to_one()
    {
        var (sources, weights, starts) = WorkingFrames.Contributions(1123, 512);
        Assert.Equal(512 + 1, starts.Length);
        for (int d = 0; d < 512; d++)
        {
            float sum = 0;
            for (int k = starts[d]; k < starts[d + 1]; k++)
            {
                Assert.InRange(sources[k], 0, 1122);
                sum += weights[k];
            }
            Assert.InRange(sum, 0.999f, 1.001f);
        }
        Assert.Equal(1122, sources[^1]);
    }

    // 1 when the picture took the weighted path (its frames compared against OpenCV's either way).
    private static int AssertSameAsOpenCv(DecodedImage decoded, int side, string name)
    {
        using var expectedGray = GrayFrame.FromDecoded(decoded, side);
        using var expectedRgb = ColourFrame.WorkingRgb(decoded, side);
        var (gray, rgb) = WorkingFrames.From(decoded, side);
        using (gray)
        using (rgb)
        {
            Assert.Equal(expectedGray.Size(), gray.Size());
            Assert.Equal(expectedRgb.Size(), rgb.Size());
            Assert.Equal(MatType.CV_8UC1, gray.Type());
            Assert.Equal(MatType.CV_8UC3, rgb.Type());
            Assert.True(Differing(expectedGray, gray) == 0, $"{name} at {side} px: {Differing(expectedGray, gray)} gray bytes differ from OpenCV's");
            Assert.True(Differing(expectedRgb, rgb) == 0, $"{name} at {side} px: {Differing(expectedRgb, rgb)} RGB bytes differ from OpenCV's");
        }
        var size = GrayFrame.WorkingSize(decoded.Width, decoded.Height, side);
        return WorkingFrames.TakesTheWeightedPath(decoded.Width, decoded.Height, size) ? 1 : 0;
    }

    private static int Differing(Mat a, Mat b)
    {
        using var difference = new Mat();
        Cv2.Absdiff(a, b, difference);
        return Cv2.CountNonZero(difference.Reshape(1));
    }
}
