using OpenCvSharp;
using OptOut.Core.Imaging;
using SixLabors.ImageSharp.PixelFormats;

namespace OptOut.Core.Matching;

/// <summary>Turns the module's decoded pixels into the 8-bit gray working frame OpenCV works on.</summary>
internal static class GrayFrame
{
    /// <summary>
    /// BT.601 luma of the decoded (opaque, upright) picture, scaled down by area averaging so its longest
    /// side is at most <paramref name="workingSide"/>. The caller owns the returned Mat.
    /// </summary>
    public static Mat FromDecoded(DecodedImage image, int workingSide) =>
        ToWorkingSize(Luma(image), WorkingSize(image.Width, image.Height, workingSide));

    /// <summary>
    /// <paramref name="full"/> scaled down by area averaging to <paramref name="size"/>, or itself when it
    /// has that size already; <paramref name="full"/> is then disposed. The caller owns the returned Mat.
    /// </summary>
    public static Mat ToWorkingSize(Mat full, Size size)
    {
        OpenCvTuning.OnThisThread();
        if (full.Width == size.Width && full.Height == size.Height) return full;
        using (full)
        {
            var small = new Mat();
            try
            {
                Cv2.Resize(full, small, size, 0, 0, InterpolationFlags.Area);
                return small;
            }
            catch
            {
                small.Dispose();
                throw;
            }
        }
    }

    /// <summary>
    /// <paramref name="gray"/> scaled down by area averaging so its long side is <paramref name="longSide"/>, each
    /// side rounded; a copy when it is no larger already. For the pixel search's and the refinement's smaller
    /// frames. The caller owns the returned Mat; <paramref name="gray"/> is left as it is.
    /// </summary>
    public static Mat ScaledDown(Mat gray, double longSide)
    {
        double factor = longSide / Math.Max(gray.Width, gray.Height);
        var result = new Mat();
        if (factor >= 1)
        {
            gray.CopyTo(result);
            return result;
        }
        var size = new Size(Math.Max(1, (int)Math.Round(gray.Width * factor)), Math.Max(1, (int)Math.Round(gray.Height * factor)));
        Cv2.Resize(gray, result, size, 0, 0, InterpolationFlags.Area);
        return result;
    }

    public static Size WorkingSize(int width, int height, int workingSide)
    {
        int longest = Math.Max(width, height);
        if (longest <= workingSide) return new Size(width, height);
        double scale = (double)workingSide / longest;
        return new Size(Math.Max(1, (int)Math.Round(width * scale)), Math.Max(1, (int)Math.Round(height * scale)));
    }

    private static unsafe Mat Luma(DecodedImage image)
    {
        var gray = new Mat(image.Height, image.Width, MatType.CV_8UC1);
        nint data = (nint)gray.DataPointer;
        long step = gray.Step();
        image.Pixels.ProcessPixelRows(accessor =>
        {
            for (int y = 0; y < accessor.Height; y++)
            {
                Span<Rgb24> row = accessor.GetRowSpan(y);
                byte* target = (byte*)data + y * step;
                for (int x = 0; x < row.Length; x++)
                {
                    var p = row[x];
                    target[x] = (byte)((299 * p.R + 587 * p.G + 114 * p.B + 500) / 1000);
                }
            }
        });
        return gray;
    }
}
