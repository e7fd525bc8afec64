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
        double across = Shifted(gray, content, share * gray.Width, 0, blurSigma, maxRegionShare);
        double down = Shifted(gray, content, 0, share * gray.Height, blurSigma, maxRegionShare);
        return double.IsNaN(across) ? down : double.IsNaN(down) ? across : Math.Max(across, down);
    }

    private static double Shifted(Mat gray, Mat? content, double dx, double dy, double blurSigma, double maxRegionShare)
    {
        using var shift = Mat.FromPixelData(2, 3, MatType.CV_64FC1, new double[] { 1, 0, dx, 0, 1, dy });
        return SelfAgreement.Under(gray, content, shift, blurSigma, maxRegionShare);
    }
}
