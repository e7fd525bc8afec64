using OpenCvSharp;
using OptOut.Core.Imaging;
using SixLabors.ImageSharp.PixelFormats;

namespace OptOut.Core.Matching;

/// <summary>
/// The chroma of the decoded picture on the same working frame as its gray one (<see cref="GrayFrame"/>):
/// CIE L*a*b* as OpenCV stores it in 8 bits (a* and b* offset by 128). The gray frame cannot tell two
/// colours of one lightness apart (a flag's two blues, a button drawn in red and in green);
/// <see cref="ColourAgreement"/> compares these channels after alignment.
/// </summary>
internal static class ColourFrame
{
    /// <summary>An 8-bit, 3-channel Lab frame of the working size. The caller owns the returned Mat.</summary>
    public static Mat FromDecoded(DecodedImage image, int workingSide)
    {
        var size = GrayFrame.WorkingSize(image.Width, image.Height, workingSide);
        using var rgb = Rgb(image);
        using var small = new Mat();
        if (size.Width == image.Width && size.Height == image.Height) rgb.CopyTo(small);
        else Cv2.Resize(rgb, small, size, 0, 0, InterpolationFlags.Area);
        var lab = new Mat();
        try
        {
            Cv2.CvtColor(small, lab, ColorConversionCodes.RGB2Lab);
            return lab;
        }
        catch
        {
            lab.Dispose();
            throw;
        }
    }

    private static unsafe Mat Rgb(DecodedImage image)
    {
        var rgb = new Mat(image.Height, image.Width, MatType.CV_8UC3);
        nint data = (nint)rgb.DataPointer;
        long step = rgb.Step();
        image.Pixels.ProcessPixelRows(accessor =>
        {
            for (int y = 0; y < accessor.Height; y++)
            {
                Span<Rgb24> row = accessor.GetRowSpan(y);
                byte* target = (byte*)data + y * step;
                for (int x = 0; x < row.Length; x++)
                {
                    target[3 * x] = row[x].R;
                    target[3 * x + 1] = row[x].G;
                    target[3 * x + 2] = row[x].B;
                }
            }
        });
        return rgb;
    }
}
