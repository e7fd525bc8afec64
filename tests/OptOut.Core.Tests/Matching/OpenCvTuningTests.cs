using System.Collections.Concurrent;
using OpenCvSharp;
using OptOut.Core.Matching;

namespace OptOut.Core.Tests.Matching;

/// <summary>
/// Whichever code paths <see cref="OpenCvTuning"/> chose for OpenCV, a picture's keypoints are the same bits on
/// every thread and however many pictures are extracted at once: evidence read twice reads the same. (With the
/// plain paths chosen and OpenCV's own worker threads on, the parts of SIFT those threads ran took the optimised
/// paths: a large drawing's 1,000 keypoints came in another order in one of twelve concurrent extractions.)
/// </summary>
public class OpenCvTuningTests
{
    [Theory]
    [InlineData("grapes_01.png")]
    [InlineData("math_matrix.png")]
    public void A_pictures_keypoints_are_the_same_on_any_thread(string name)
    {
        Assert.Null(OpenCvAvailability.UnavailableReason);
        Assert.NotNull(OpenCvTuning.Choice);
        using var decoded = ClipArt.Load(name);
        var verifier = new GeometricVerifier();
        using var alone = verifier.Prepare(decoded);
        var expected = alone.Features;
        Assert.True(expected.Count > 50, $"{expected.Count} keypoints");

        var differing = new ConcurrentBag<string>();
        Parallel.For(0, 12, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i =>
        {
            using var picture = verifier.Prepare(decoded);
            var features = picture.Features;
            if (!features.X.SequenceEqual(expected.X) || !features.Y.SequenceEqual(expected.Y) || !features.Descriptors.SequenceEqual(expected.Descriptors))
            {
                differing.Add($"extraction {i}: {features.Count} keypoints");
            }
        });
        Assert.True(differing.IsEmpty, $"{OpenCvTuning.Choice}: {string.Join("; ", differing)}");
    }

    [Fact]
    public void With_the_plain_paths_OpenCV_runs_on_the_calling_thread_alone()
    {
        // Its own worker threads would take the optimised paths: the concurrency above cannot always show it.
        Assert.Null(OpenCvAvailability.UnavailableReason);
        if (OpenCvTuning.Choice!.StartsWith("plain", StringComparison.Ordinal)) Assert.Equal(1, Cv2.GetNumThreads());
        else Assert.StartsWith("optimised", OpenCvTuning.Choice, StringComparison.Ordinal);
    }
}
