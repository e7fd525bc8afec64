using OpenCvSharp;

namespace OptOut.Core.Matching;

/// <summary>
/// How well a picture agrees with itself turned about the centre of its content. A keypoint fit that turns
/// a picture which looks the same turned (a half-turn-symmetric icon, the Union Jack) is as good as an
/// upright one; for any other picture the turn is what tells a different sign (an arrow pointing elsewhere).
/// </summary>
internal static class TurnSymmetry
{
    /// <summary>NCC of <paramref name="gray"/> and itself turned by <paramref name="degrees"/>, over <paramref name="content"/> (or every pixel) where the turned picture has pixels; NaN when nothing is compared.</summary>
    public static double Agreement(Mat gray, Mat? content, double degrees, double blurSigma, double maxRegionShare)
    {
        var box = content is null ? new Rect(0, 0, gray.Width, gray.Height) : Cv2.BoundingRect(content);
        if (box.Width == 0 || box.Height == 0) return double.NaN;
        // Pixel centres: the middle of a box of w pixels starting at x is x + (w - 1) / 2.
        var centre = new Point2f(box.X + (box.Width - 1) / 2f, box.Y + (box.Height - 1) / 2f);
        using var turn = Cv2.GetRotationMatrix2D(centre, degrees, 1);
        return SelfAgreement.Under(gray, content, turn, blurSigma, maxRegionShare);
    }
}
