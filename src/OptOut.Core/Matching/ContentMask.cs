using OpenCvSharp;

namespace OptOut.Core.Matching;

/// <summary>
/// Finds where a picture has content, as opposed to a plain background. The decoder flattens transparency
/// onto white, so a clip-art drawing's "transparent" page is a plain border colour here; pixels of that
/// colour away from the drawing are left out of the pixel comparison, so that two different drawings on
/// the same blank page do not agree merely by their page. A picture turned on a grown canvas (a scan, a re-post
/// turned by a few degrees) has its corners filled with black: on a light page those black corners, where they
/// reach the border, are background too, or two different drawings turned by one angle agree by their corners.
/// </summary>
internal static class ContentMask
{
    private const int Tolerance = 12;           // gray levels from the background that still count as background
    private const double PlainBorderShare = 0.85; // share of the border that must be the background colour
    private const int GrowPixels = 2;           // content grown by this much, so outlines' anti-aliasing counts
    private const int LightPage = 255 - 2 * Tolerance; // a background at least this light may have black corners
    private const int CornerEdgePixels = 2;     // black corners grown by this much more, so their soft edges leave too
    private const double PageBorderShare = 0.4;  // share of the border a turned canvas's page must still hold
    private const double CornerBandShare = 0.1;  // width of the border band black corners lie in, as a share of the long side (a 4-degree turn's reach 7%)
    private const double MaxCornerBandShare = 0.5; // most of that band black corners may fill (a 4-degree turn's: about a third)

    /// <summary>A mask (255 = content) the size of <paramref name="gray"/>; an empty Mat when the picture has no plain background or hardly any content.</summary>
    public static unsafe Mat Of(Mat gray)
    {
        OpenCvTuning.OnThisThread();
        int w = gray.Width, h = gray.Height;
        var histogram = new int[256];
        int borderCount = 0;
        byte* pixels = (byte*)gray.DataPointer;
        long step = gray.Step();
        foreach (var (x, y) in BorderPixels(w, h))
        {
            histogram[pixels[y * step + x]]++;
            borderCount++;
        }
        int background = Array.IndexOf(histogram, histogram.Max());
        bool plain = Near(histogram, background) >= PlainBorderShare * borderCount;
        // Without a plain border the picture is compared whole, unless it is a turned canvas: then its page is the background.
        using var corners = plain ? null : TurnedCanvasCorners(gray, histogram, borderCount, out background);
        if (!plain && corners is null) return new Mat();

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
            if (corners is not null)
            {
                mask.SetTo(Scalar.All(0), corners);
                content = Cv2.CountNonZero(mask);
            }
            // A picture that is nearly all background: compare everything rather than a few pixels.
            if (content < 0.01 * w * h)
            {
                mask.Dispose();
                return new Mat();
            }
            using var kernel = Cv2.GetStructuringElement(MorphShapes.Rect, new Size(2 * GrowPixels + 1, 2 * GrowPixels + 1));
            Cv2.Dilate(mask, mask, kernel);
            if (corners is not null) mask.SetTo(Scalar.All(0), corners);
            return mask;
        }
        catch
        {
            mask.Dispose();
            throw;
        }
    }

    /// <summary>Each pixel of a width x height frame's outermost rows and columns (x, y), as the border colour is counted.</summary>
    internal static IEnumerable<(int X, int Y)> BorderPixels(int width, int height)
    {
        for (int x = 0; x < width; x++)
        {
            yield return (x, 0);
            yield return (x, height - 1);
        }
        for (int y = 1; y < height - 1; y++)
        {
            yield return (0, y);
            yield return (width - 1, y);
        }
    }

    // A turned canvas: the page (the commonest light value of the border; the black corners may hold as much of it)
    // and black make up the border. A dark field reaching the border (a flag's, a night sky) is no turned canvas: the
    // page must hold a good part of the border, and its black corners only a little of a band along it (DarkCorners).
    // The corners to leave out and the page's value, or null when the picture is no turned canvas.
    private static Mat? TurnedCanvasCorners(Mat gray, int[] histogram, int borderCount, out int page)
    {
        page = LightPage + Array.IndexOf(histogram[LightPage..], histogram[LightPage..].Max());
        int onPage = Near(histogram, page), dark = histogram[..(Tolerance + 1)].Sum();
        bool turnedCanvas = dark > 0 && onPage >= PageBorderShare * borderCount && onPage + dark >= PlainBorderShare * borderCount;
        return turnedCanvas ? DarkCorners(gray) : null;
    }

    // How many border pixels lie within Tolerance of value.
    private static int Near(int[] histogram, int value) =>
        histogram[Math.Max(0, value - Tolerance)..(Math.Min(255, value + Tolerance) + 1)].Sum();

    // The black corners of a turned canvas: the dark pixels (within Tolerance of 0) of a band along the border, as wide
    // as a turn of a few degrees leaves them, that the band connects to the border, grown past their soft edges (255 =
    // corner). Null unless one of them holds a corner of the frame and together they fill at most half the band: a
    // dark field reaching the border (a flag's) fills it, thin corner triangles do not; a drawing touching a corner
    // loses only what lies in the band.
    private static unsafe Mat? DarkCorners(Mat gray)
    {
        int w = gray.Width, h = gray.Height;
        int bandWidth = Math.Max(1, (int)Math.Round(CornerBandShare * Math.Max(w, h)));
        using var band = new Mat(h, w, MatType.CV_8UC1, Scalar.All(255));
        if (w > 2 * bandWidth && h > 2 * bandWidth)
        {
            using var inside = new Mat(band, new Rect(bandWidth, bandWidth, w - 2 * bandWidth, h - 2 * bandWidth));
            inside.SetTo(Scalar.All(0));
        }
        using var darkInBand = new Mat();
        Cv2.Threshold(gray, darkInBand, Tolerance, 255, ThresholdTypes.BinaryInv);
        Cv2.BitwiseAnd(darkInBand, band, darkInBand);
        using var labels = new Mat();
        int count = Cv2.ConnectedComponents(darkInBand, labels, PixelConnectivity.Connectivity8, MatType.CV_32SC1);
        int* label = (int*)labels.DataPointer;
        long labelStep = labels.Step() / sizeof(int);
        var atBorder = new bool[count];
        foreach (var (x, y) in BorderPixels(w, h)) atBorder[label[y * labelStep + x]] = true;
        atBorder[0] = false; // label 0: every pixel that is not dark, or lies inside the band
        int[] frameCorners = [label[0], label[w - 1], label[(h - 1) * labelStep], label[(h - 1) * labelStep + w - 1]];
        if (!frameCorners.Any(i => atBorder[i])) return null;

        var corners = new Mat(h, w, MatType.CV_8UC1, Scalar.All(0));
        byte* target = (byte*)corners.DataPointer;
        long targetStep = corners.Step();
        for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
        {
            if (atBorder[label[y * labelStep + x]]) target[y * targetStep + x] = 255;
        }
        if (Cv2.CountNonZero(corners) > MaxCornerBandShare * Cv2.CountNonZero(band))
        {
            corners.Dispose();
            return null;
        }
        int grow = GrowPixels + CornerEdgePixels;
        using var kernel = Cv2.GetStructuringElement(MorphShapes.Rect, new Size(2 * grow + 1, 2 * grow + 1));
        Cv2.Dilate(corners, corners, kernel);
        return corners;
    }
}
