using OpenCvSharp;
using OpenCvSharp.Features2D;

namespace OptOut.Core.Matching;

/// <summary>Detects keypoints and computes their descriptors on a gray working frame.</summary>
internal static class LocalFeatureExtractor
{
    public static LocalFeatures Extract(Mat gray, VerifierOptions options, int sourceWidth, int sourceHeight)
    {
        OpenCvTuning.OnThisThread();
        var kind = options.FeatureKind;
        int maxFeatures = options.MaxFeatures;
        using Feature2D detector = Create(options);
        using var descriptors = new Mat();
        detector.DetectAndCompute(gray, null, out KeyPoint[] keypoints, descriptors);
        // AKAZE has no feature budget of its own: keep its strongest.
        int[] order = Enumerable.Range(0, keypoints.Length).ToArray();
        if (keypoints.Length > maxFeatures)
        {
            order = order.OrderByDescending(i => keypoints[i].Response).Take(maxFeatures).ToArray();
        }

        int length = LocalFeatures.DescriptorLengthOf(kind);
        int count = keypoints.Length == 0 || descriptors.Empty() ? 0 : order.Length;
        var x = new float[count];
        var y = new float[count];
        var bytes = new byte[count * length];
        if (count > 0)
        {
            if (descriptors.Cols != length)
            {
                throw new InvalidOperationException($"{kind} gave descriptors of {descriptors.Cols} values, expected {length}.");
            }
            for (int n = 0; n < count; n++)
            {
                int i = order[n];
                x[n] = keypoints[i].Pt.X;
                y[n] = keypoints[i].Pt.Y;
                CopyDescriptor(descriptors, i, bytes.AsSpan(n * length, length));
            }
        }
        return new LocalFeatures(kind, gray.Width, gray.Height, sourceWidth, sourceHeight, x, y, bytes);
    }

    private static Feature2D Create(VerifierOptions options) => options.FeatureKind switch
    {
        LocalFeatureKind.Sift => SIFT.Create(options.MaxFeatures, 3, options.SiftContrastThreshold),
        // Edge threshold and patch size 31 are ORB's defaults; FAST threshold lowered for flat clip art.
        LocalFeatureKind.Orb => ORB.Create(options.MaxFeatures, 1.2f, 8, 31, 0, 2, ORBScoreType.Harris, 31, 10),
        LocalFeatureKind.Akaze => AKAZE.Create(threshold: 0.0005f),
        _ => throw new ArgumentOutOfRangeException(nameof(options), options.FeatureKind, "unknown local feature kind"),
    };

    // SIFT's values are whole numbers 0..255 held as floats (OpenCV saturates them to bytes before
    // converting), so bytes keep them exactly; binary descriptors are bytes already.
    private static unsafe void CopyDescriptor(Mat descriptors, int row, Span<byte> target)
    {
        if (descriptors.Type() == MatType.CV_32FC1)
        {
            float* source = (float*)descriptors.Ptr(row);
            for (int k = 0; k < target.Length; k++)
            {
                target[k] = (byte)Math.Clamp(MathF.Round(source[k]), 0, 255);
            }
        }
        else if (descriptors.Type() == MatType.CV_8UC1)
        {
            new ReadOnlySpan<byte>((byte*)descriptors.Ptr(row), target.Length).CopyTo(target);
        }
        else
        {
            throw new InvalidOperationException($"Unexpected descriptor type {descriptors.Type()}.");
        }
    }
}
