using OptOut.Core.Matching;

namespace OptOut.Core.Tests.Matching;

public class LocalFeaturesTests
{
    [Theory]
    [InlineData(LocalFeatureKind.Sift)]
    [InlineData(LocalFeatureKind.Orb)]
    [InlineData(LocalFeatureKind.Akaze)]
    public void Features_round_trip_through_their_compact_bytes(LocalFeatureKind kind)
    {
        using var image = ClipArt.Load("grapes_01.png");
        using var picture = VerifiablePicture.FromDecoded(image, VerifierOptions.Default with { FeatureKind = kind });
        var features = picture.Features;
        Assert.True(features.Count > 50, $"{kind}: {features.Count} keypoints");

        var bytes = features.ToBytes();
        Assert.Equal(features.SerializedLength, bytes.Length);
        Assert.Equal(16 + features.Count * (4 + LocalFeatures.DescriptorLengthOf(kind)), bytes.Length);

        var back = LocalFeatures.FromBytes(bytes);
        Assert.Equal(features.Kind, back.Kind);
        Assert.Equal((features.Width, features.Height, features.SourceWidth, features.SourceHeight), (back.Width, back.Height, back.SourceWidth, back.SourceHeight));
        Assert.Equal(features.Descriptors, back.Descriptors);
        for (int i = 0; i < features.Count; i++)
        {
            Assert.InRange(Math.Abs(features.X[i] - back.X[i]), 0, 1f / 16);
            Assert.InRange(Math.Abs(features.Y[i] - back.Y[i]), 0, 1f / 16);
        }
    }

    [Fact]
    public void Truncated_or_foreign_bytes_are_refused()
    {
        using var image = ClipArt.Load("apple.png");
        using var picture = VerifiablePicture.FromDecoded(image);
        var bytes = picture.Features.ToBytes();
        Assert.Throws<FormatException>(() => LocalFeatures.FromBytes(bytes.AsSpan(0, bytes.Length - 1)));
        Assert.Throws<FormatException>(() => LocalFeatures.FromBytes(new byte[] { 9, 1, 0, 0 }));
    }

    [Fact]
    public void Sift_descriptors_are_whole_numbers_so_bytes_keep_them_exactly()
    {
        // LocalFeatureExtractor stores SIFT's float values as bytes; this holds only if OpenCV gives whole numbers 0..255.
        using var image = ClipArt.Load("grapes_01.png");
        using var gray = GrayFrame.FromDecoded(image, 512);
        using var sift = OpenCvSharp.Features2D.SIFT.Create(200);
        using var descriptors = new OpenCvSharp.Mat();
        sift.DetectAndCompute(gray, null, out _, descriptors);
        Assert.Equal(OpenCvSharp.MatType.CV_32FC1, descriptors.Type());
        descriptors.GetArray(out float[] values);
        Assert.NotEmpty(values);
        Assert.All(values, v => Assert.True(v == MathF.Round(v) && v is >= 0 and <= 255, $"{v}"));
    }

    [Fact]
    public void OpenCv_is_the_packaged_version()
    {
        Assert.StartsWith("4.13.", NativeLibraries.OpenCvVersion());
    }
}
