using OpenCvSharp;

namespace OptOut.Core.Matching;

/// <summary>
/// How well a picture agrees with itself shifted by a share of its width or height. A picture of bands
/// (most flags: the Netherlands, Catalonia) reads about 1 along its bands: it has no unique alignment, so a
/// pixel search places any other band picture on it as readily as a copy of it.
/// </summary>
internal static class ShiftSymmetry
{
    /// <summary>The higher NCC of <paramref name="gray"/> with itself shifted right by <paramref name="share"/> of its width and down by that share of its height, over <paramref name="content"/> (or every pixel) where the shifted picture has pixels; NaN when nothing is compared.</summary>
    public static double Agreement(Mat gray, Mat? content, double share, double blurSigma, double maxRegionShare)
    {
        var size = gray.Size();
        double across = Shifted(gray, content, share * size.Width, 0, blurSigma, maxRegionShare);
        double down = Shifted(gray, content, 0, share * size.Height, blurSigma, maxRegionShare);
        return double.IsNaN(across) ? down : double.IsNaN(down) ? across : Math.Max(across, down);
    }

    private static double Shifted(Mat gray, Mat? content, double dx, double dy, double blurSigma, double maxRegionShare)
    {
        var size = gray.Size();
        using var shift = Mat.FromPixelData(2, 3, MatType.CV_64FC1, new double[] { 1, 0, dx, 0, 1, dy });
        using var moved = new Mat();
        Cv2.WarpAffine(gray, moved, shift, size, InterpolationFlags.Linear, BorderTypes.Constant, Scalar.All(0));
        using var ones = new Mat(size, MatType.CV_8UC1, Scalar.All(255));
        using var valid = new Mat();
        Cv2.WarpAffine(ones, valid, shift, size, InterpolationFlags.Nearest, BorderTypes.Constant, Scalar.All(0));
        // Keep the blur of the black outside from reaching the compared pixels, as the aligned comparison does.
        int margin = (int)Math.Ceiling(3 * blurSigma);
        if (margin > 0)
        {
            using var kernel = Cv2.GetStructuringElement(MorphShapes.Rect, new Size(2 * margin + 1, 2 * margin + 1));
            Cv2.Erode(valid, valid, kernel);
        }
        if (content is not null) Cv2.BitwiseAnd(valid, content, valid);
        if (Cv2.CountNonZero(valid) == 0) return double.NaN;
        return PixelCorrelation.Measure(gray, moved, valid, blurSigma, maxRegionShare).Ncc;
    }
}
