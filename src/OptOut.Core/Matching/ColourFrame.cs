using System.Runtime.InteropServices;
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
        using var rgb = WorkingRgb(image, workingSide);
        return ToLab(rgb);
    }

    /// <summary>
    /// The decoded picture's RGB on the working frame, which <see cref="ToLab"/> turns into the colour
    /// frame: a picture keeps it until its colours are first compared, so a candidate rejected before
    /// any pixel comparison never pays for the conversion.
    /// </summary>
    public static Mat WorkingRgb(DecodedImage image, int workingSide) =>
        GrayFrame.ToWorkingSize(Rgb(image), GrayFrame.WorkingSize(image.Width, image.Height, workingSide));

    /// <summary>The colour frame (8-bit L*a*b*) of a working-frame RGB picture from <see cref="WorkingRgb"/>.</summary>
    public static Mat ToLab(Mat workingRgb)
    {
        OpenCvTuning.OnThisThread();
        var lab = new Mat();
        try
        {
            Cv2.CvtColor(workingRgb, lab, ColorConversionCodes.RGB2Lab);
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
                // Rgb24 is laid out R, G, B: a row is copied as it is.
                ReadOnlySpan<byte> row = MemoryMarshal.AsBytes(accessor.GetRowSpan(y));
                row.CopyTo(new Span<byte>((byte*)data + y * step, row.Length));
            }
        });
        return rgb;
    }
}
