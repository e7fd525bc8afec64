using OpenCvSharp;

namespace OptOut.Core.Matching;

/// <summary>
/// Finds where a picture has content, as opposed to a plain background. The decoder flattens transparency
/// onto white, so a clip-art drawing's "transparent" page is a plain border colour here; pixels of that
/// colour away from the drawing are left out of the pixel comparison, so that two different drawings on
/// the same blank page do not agree merely by their page.
/// </summary>
internal static class ContentMask
{
    private const int Tolerance = 12;           // gray levels from the background that still count as background
    private const double PlainBorderShare = 0.85; // share of the border that must be the background colour
    private const int GrowPixels = 2;           // content grown by this much, so outlines' anti-aliasing counts

    /// <summary>A mask (255 = content) the size of <paramref name="gray"/>; an empty Mat when the picture has no plain background or hardly any content.</summary>
    public static unsafe Mat Of(Mat gray)
    {
        OpenCvTuning.OnThisThread();
        int w = gray.Width, h = gray.Height;
        var histogram = new int[256];
        int borderCount = 0;
        byte* pixels = (byte*)gray.DataPointer;
        long step = gray.Step();
        byte At(int x, int y) => pixels[y * step + x];
        for (int x = 0; x < w; x++) { histogram[At(x, 0)]++; histogram[At(x, h - 1)]++; borderCount += 2; }
        for (int y = 1; y < h - 1; y++) { histogram[At(0, y)]++; histogram[At(w - 1, y)]++; borderCount += 2; }
        int background = Array.IndexOf(histogram, histogram.Max());
        int near = 0;
        for (int v = Math.Max(0, background - Tolerance); v <= Math.Min(255, background + Tolerance); v++) near += histogram[v];
        if (near < PlainBorderShare * borderCount) return new Mat();

        var mask = new Mat(h, w, MatType.CV_8UC1);
        byte* maskPixels = (byte*)mask.DataPointer;
        long maskStep = mask.Step();
        try
        {
            long content = 0;
            for (int y = 0; y < h; y++)
            {
                byte* source = pixels + y * step;
                byte* target = maskPixels + y * maskStep;
                for (int x = 0; x < w; x++)
                {
                    bool isContent = Math.Abs(source[x] - background) > Tolerance;
                    target[x] = isContent ? (byte)255 : (byte)0;
                    if (isContent) content++;
                }
            }
            // A picture that is nearly all background: compare everything rather than a few pixels.
            if (content < 0.01 * w * h)
            {
                mask.Dispose();
                return new Mat();
            }
            using var kernel = Cv2.GetStructuringElement(MorphShapes.Rect, new Size(2 * GrowPixels + 1, 2 * GrowPixels + 1));
            Cv2.Dilate(mask, mask, kernel);
            return mask;
        }
        catch
        {
            mask.Dispose();
            throw;
        }
    }
}
