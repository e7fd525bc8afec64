using OpenCvSharp;
using OptOut.Core.Matching;

namespace OptOut.Core.Tests.Matching;

/// <summary>
/// A picture's mirror-image SIFT features made by permuting its own (<see cref="MirroredSift"/>) stand for
/// the features extracted from the mirrored frame: their descriptors find the same places.
/// </summary>
public class MirroredSiftTests
{
    [Theory]
    [InlineData("apple.png")]
    [InlineData("grapes_01.png")]
    [InlineData("kuwait.png")]
    public void Permuted_descriptors_find_the_mirrored_keypoints(string name)
    {
        using var original = ClipArt.Load(name);
        var verifier = new GeometricVerifier();
        using var picture = verifier.Prepare(original);
        var own = picture.Features;
        var extracted = LocalFeatureExtractor.Extract(picture.GrayOf(mirrored: true), verifier.Options, picture.Width, picture.Height);

        var permuted = MirroredSift.Of(own);
        var unpermuted = new LocalFeatures(own.Kind, own.Width, own.Height, own.SourceWidth, own.SourceHeight, permuted.X, permuted.Y, own.Descriptors);

        double found = ShareMatchedInPlace(permuted, extracted);
        Assert.True(found >= 0.6, $"{found:P0} of the mirrored keypoints found in place by permuted descriptors");
        // The permutation is what does it: the same positions with the unmirrored descriptors find few.
        Assert.True(ShareMatchedInPlace(unpermuted, extracted) < found / 2);
    }

    [Fact]
    public void Positions_mirror_about_the_centre_line_and_twice_is_the_original()
    {
        using var original = ClipArt.Load("apple.png");
        using var picture = new GeometricVerifier().Prepare(original);
        var own = picture.Features;
        var twice = MirroredSift.Of(MirroredSift.Of(own));
        Assert.Equal(own.Descriptors, twice.Descriptors);
        Assert.All(Enumerable.Range(0, own.Count), i => Assert.Equal(own.X[i], twice.X[i], 3));
        Assert.Equal(own.Width - 1 - own.X[0], MirroredSift.Of(own).X[0]);
        Assert.Same(picture.MirroredFeatures, picture.MirroredFeatures);
    }

    [Fact]
    public void Only_sift_is_mirrored_by_permutation()
    {
        var orb = new LocalFeatures(LocalFeatureKind.Orb, 10, 10, 10, 10, [1f], [1f], new byte[32]);
        Assert.Throws<ArgumentException>(() => MirroredSift.Of(orb));
    }

    // Share of a's keypoints whose nearest descriptor in b (mutual) lies within 2 px of the same place.
    private static double ShareMatchedInPlace(LocalFeatures a, LocalFeatures b)
    {
        using var da = Descriptors(a);
        using var db = Descriptors(b);
        using var matcher = new BFMatcher(NormTypes.L2, crossCheck: true);
        var matches = matcher.Match(da, db);
        int inPlace = matches.Count(m => Math.Abs(a.X[m.QueryIdx] - b.X[m.TrainIdx]) <= 2 && Math.Abs(a.Y[m.QueryIdx] - b.Y[m.TrainIdx]) <= 2);
        return (double)inPlace / a.Count;
    }

    private static Mat Descriptors(LocalFeatures f)
    {
        using var bytes = Mat.FromPixelData(f.Count, 128, MatType.CV_8UC1, f.Descriptors);
        var result = new Mat();
        bytes.ConvertTo(result, MatType.CV_32FC1);
        return result;
    }
}
