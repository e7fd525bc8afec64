using OpenCvSharp;
using OptOut.Core.Matching;
using SixLabors.ImageSharp.PixelFormats;

namespace OptOut.Core.Tests.Matching;

/// <summary>
/// The gray working frame is the BT.601 luma (299 R + 587 G + 114 B + 500) / 1000 of every pixel, computed sixteen
/// pixels at a time where the CPU allows: the same value for every one of the 2^24 colours, and for rows of any width
/// (the vector loop and the pixels after it); a larger picture is that luma scaled down by area averaging.
/// </summary>
public class GrayFrameTests
{
    [Fact]
    public void Every_colour_has_its_luma_bit_for_bit()
    {
        // All 2^24 colours, one row of 4,096 a (red, green) block, blue along the row.
        var rgb = new byte[4096 * 3];
        var gray = new byte[4096];
        int wrong = 0;
        for (int row = 0; row < 4096; row++)
        {
            for (int x = 0; x < 4096; x++)
            {
                int colour = row * 4096 + x;
                rgb[3 * x] = (byte)(colour >> 16);
                rgb[3 * x + 1] = (byte)(colour >> 8);
                rgb[3 * x + 2] = (byte)colour;
            }
            GrayFrame.LumaRow(rgb, gray);
            for (int x = 0; x < 4096; x++)
            {
                if (gray[x] != Expected(rgb[3 * x], rgb[3 * x + 1], rgb[3 * x + 2])) wrong++;
            }
        }
        Assert.Equal(0, wrong);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(15)]
    [InlineData(16)]
    [InlineData(17)]
    [InlineData(37)]
    public void Rows_of_any_width_are_whole(int width)
    {
        var random = new Random(width);
        var rgb = new byte[width * 3 + 5];
        random.NextBytes(rgb);
        var gray = new byte[width + 1];
        gray[width] = 7;

        GrayFrame.LumaRow(rgb.AsSpan(0, width * 3), gray.AsSpan(0, width));

        for (int x = 0; x < width; x++) Assert.Equal(Expected(rgb[3 * x], rgb[3 * x + 1], rgb[3 * x + 2]), gray[x]);
        Assert.Equal(7, gray[width]);
    }

    [Theory]
    [InlineData("grapes_01.png")] // within the working side: its luma as it is
    [InlineData("cattle.png")] // 794 x 1123: its luma scaled down to 362 x 512
    public void A_decoded_picture_is_its_luma_on_the_working_frame(string name)
    {
        using var decoded = ClipArt.Load(name);
        using var luma = new Mat(decoded.Height, decoded.Width, MatType.CV_8UC1);
        decoded.Pixels.ProcessPixelRows(rows =>
        {
            for (int y = 0; y < rows.Height; y++)
            {
                var row = rows.GetRowSpan(y);
                for (int x = 0; x < row.Length; x++)
                {
                    Rgb24 p = row[x];
                    luma.Set(y, x, Expected(p.R, p.G, p.B));
                }
            }
        });
        using var expected = GrayFrame.ToWorkingSize(luma.Clone(), GrayFrame.WorkingSize(decoded.Width, decoded.Height, 512));

        using var gray = GrayFrame.FromDecoded(decoded, 512);

        Assert.Equal(expected.Size(), gray.Size());
        using var difference = new Mat();
        Cv2.Absdiff(expected, gray, difference);
        Assert.Equal(0, Cv2.CountNonZero(difference));
    }

    private static byte Expected(byte r, byte g, byte b) => (byte)((299 * r + 587 * g + 114 * b + 500) / 1000);
}
