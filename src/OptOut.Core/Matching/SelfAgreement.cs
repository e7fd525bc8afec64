using OpenCvSharp;

namespace OptOut.Core.Matching;

/// <summary>A picture's pixel agreement with itself moved: what <see cref="TurnSymmetry"/> and <see cref="ShiftSymmetry"/> measure.</summary>
internal static class SelfAgreement
{
    /// <summary>
    /// NCC of <paramref name="gray"/> and itself moved by the 2x3 affine <paramref name="transform"/>, over
    /// <paramref name="content"/> (or every pixel) where the moved picture has pixels; NaN when nothing is compared.
    /// </summary>
    public static double Under(Mat gray, Mat? content, Mat transform, double blurSigma, double maxRegionShare)
    {
        var size = gray.Size();
        using var moved = new Mat();
        Cv2.WarpAffine(gray, moved, transform, size, InterpolationFlags.Linear, BorderTypes.Constant, Scalar.All(0));
        using var ones = new Mat(size, MatType.CV_8UC1, Scalar.All(255));
        using var valid = new Mat();
        Cv2.WarpAffine(ones, valid, transform, size, InterpolationFlags.Nearest, BorderTypes.Constant, Scalar.All(0));
        PixelCorrelation.KeepBlurInside(valid, blurSigma);
        if (content is not null) Cv2.BitwiseAnd(valid, content, valid);
        if (Cv2.CountNonZero(valid) == 0) return double.NaN;
        return PixelCorrelation.Measure(gray, moved, valid, blurSigma, maxRegionShare).Ncc;
    }
}
