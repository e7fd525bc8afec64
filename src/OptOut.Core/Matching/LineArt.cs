using OpenCvSharp;

namespace OptOut.Core.Matching;

/// <summary>
/// Hairline drawings: dark strokes a pixel or so wide on a light page (outline drawings, maps). Scaled to the
/// working frame their lines are faint and a pixel wide: SIFT finds next to no keypoints on them, and a
/// fraction of a pixel of misalignment (a resized or cropped copy) spoils their pixel correlation. Thickened
/// (a 3x3 minimum, so each dark line grows a pixel on either side) both give keypoints and forgive that.
/// </summary>
internal static class LineArt
{
    // Darker than this (of 255) is ink; lighter is the page.
    private const byte Ink = 192;
    // Fewer ink pixels than this share of the frame: nothing drawn to speak of.
    private const double MinInkShare = 0.002;
    // At most this share of the ink may lie inside a stroke 3 px wide or more (ink whose 3x3 neighbourhood is all ink).
    private const double MaxThickShare = 0.1;
    // The page must be light: at least this share of the frame lighter than the ink.
    private const double MinPageShare = 0.8;

    /// <summary>Whether <paramref name="gray"/> (a working frame) is a hairline drawing.</summary>
    public static bool IsHairline(Mat gray)
    {
        OpenCvTuning.OnThisThread();
        double area = (double)gray.Width * gray.Height;
        using var ink = new Mat();
        Cv2.Threshold(gray, ink, Ink - 1, 255, ThresholdTypes.BinaryInv);
        int inkPixels = Cv2.CountNonZero(ink);
        if (inkPixels < MinInkShare * area || inkPixels > (1 - MinPageShare) * area) return false;
        // The ink's 3x3 minimum keeps only ink whose whole neighbourhood is ink: the inside of thick strokes.
        using var thick = Minimum3x3(ink);
        return Cv2.CountNonZero(thick) <= MaxThickShare * inkPixels;
    }

    /// <summary>The frame with its dark lines grown a pixel on either side (a 3x3 minimum); the caller owns it.</summary>
    public static Mat Thickened(Mat frame)
    {
        OpenCvTuning.OnThisThread();
        return Minimum3x3(frame);
    }

    // Each pixel the least of its 3x3 neighbourhood (an erosion); the caller owns the result.
    private static Mat Minimum3x3(Mat frame)
    {
        using var kernel = Cv2.GetStructuringElement(MorphShapes.Rect, new Size(3, 3));
        var minimum = new Mat();
        Cv2.Erode(frame, minimum, kernel);
        return minimum;
    }
}
