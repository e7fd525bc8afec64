using OpenCvSharp;
using OptOut.Core.Matching;
using OptOut.Samples;

namespace OptOut.Core.Tests.Matching;

/// <summary>
/// The one-pass nearest neighbours of SIFT descriptors (<see cref="DescriptorNeighbours"/>) are OpenCV's brute-force
/// matcher's, both ways, distance for distance and tie for tie: the verifier's matches did not change when it
/// stopped calling the matcher twice.
/// </summary>
public class DescriptorNeighboursTests
{
    [Theory]
    [InlineData("apple.png", Alteration.Reencode, false)]
    [InlineData("grapes_01.png", Alteration.ResizeCropJpeg, false)]
    [InlineData("kuwait.png", Alteration.Watermark, true)]
    [InlineData("apple.png", Alteration.Mirror, true)]
    public void Equal_OpenCVs_matcher_on_real_pictures(string name, Alteration alteration, bool mirroredQuery)
    {
        var verifier = new GeometricVerifier();
        using var original = ClipArt.Load(name);
        using var copy = ClipArt.Copy(name, alteration);
        using var query = verifier.Prepare(original);
        using var candidate = verifier.Prepare(copy);
        var q = query.FeaturesOf(mirroredQuery);
        var c = candidate.Features;
        Assert.True(q.Count >= 10 && c.Count >= 10, $"{q.Count} and {c.Count} keypoints");

        var found = DescriptorNeighbours.Find(q.Descriptors, q.Count, c.Descriptors, c.Count, q.DescriptorLength);

        using var queryMat = AsFloat(q);
        using var candidateMat = AsFloat(c);
        using var matcher = new BFMatcher(NormTypes.L2, crossCheck: false);
        var forward = matcher.KnnMatch(queryMat, candidateMat, 2);
        var backward = matcher.Match(candidateMat, queryMat);
        Assert.Equal(q.Count, forward.Length);
        for (int i = 0; i < q.Count; i++)
        {
            Assert.Equal(forward[i][0].TrainIdx, found.NearestCandidate[i]);
            Assert.Equal(forward[i][0].Distance, found.NearestDistance[i]);
            Assert.Equal(forward[i][1].Distance, found.SecondDistance[i]);
        }
        Assert.Equal(c.Count, backward.Length);
        foreach (var b in backward) Assert.Equal(b.TrainIdx, found.NearestQuery[b.QueryIdx]);
    }

    [Fact]
    public void Ties_go_to_the_first_in_order_both_ways()
    {
        // Query 0 is as far from candidates 1 and 2 (and candidate 2 from queries 0 and 1): the first wins.
        byte[] query = [.. Vector(10, 0), .. Vector(10, 0)];
        byte[] candidate = [.. Vector(0, 0), .. Vector(10, 3), .. Vector(10, 3)];
        var found = DescriptorNeighbours.Find(query, 2, candidate, 3, 128);

        Assert.Equal([1, 1], found.NearestCandidate);
        Assert.Equal([3f, 3f], found.NearestDistance);
        // The tied second is the same distance, not the next one.
        Assert.Equal([3f, 3f], found.SecondDistance);
        Assert.Equal([0, 0, 0], found.NearestQuery);
    }

    [Theory]
    [InlineData(128)] // vector loop only (where the CPU has AVX2)
    [InlineData(131)] // vector loop and the scalar rest
    [InlineData(7)] // scalar only
    public void Exact_over_the_whole_byte_range(int length)
    {
        var a = new byte[length];
        var b = new byte[length];
        Array.Fill(a, (byte)255);
        Assert.Equal(length * 255 * 255, DescriptorNeighbours.SquaredDistance(a, b));
        for (int k = 0; k < length; k++) b[k] = (byte)(k * 2);
        Assert.Equal(Enumerable.Range(0, length).Sum(k => (255 - (byte)(2 * k)) * (255 - (byte)(2 * k))), DescriptorNeighbours.SquaredDistance(a, b));
    }

    [Theory]
    [InlineData(128, 9)] // four at a time twice, one left
    [InlineData(256, 4)] // the longest the blocked loop takes
    [InlineData(48, 3)] // fewer than four: one at a time
    [InlineData(272, 6)] // whole 16-byte blocks but too long for the blocked loop
    [InlineData(258, 6)] // neither whole blocks nor short enough
    [InlineData(131, 5)] // not whole 16-byte blocks
    public void Four_at_a_time_gives_each_candidates_own_distance(int length, int candidates)
    {
        var random = new Random(length * 31 + candidates);
        var row = new byte[length];
        var all = new byte[length * candidates];
        random.NextBytes(row);
        random.NextBytes(all);
        // The extremes too: every byte 0 against 255.
        Array.Fill(all, (byte)255, 0, length);
        Array.Fill(row, (byte)0, 0, length / 2);
        var distances = new float[candidates];

        DescriptorNeighbours.Distances(row, all, candidates, distances);

        for (int j = 0; j < candidates; j++)
        {
            Assert.Equal(MathF.Sqrt(DescriptorNeighbours.SquaredDistance(row, all.AsSpan(j * length, length))), distances[j]);
        }
    }

    [Fact]
    public void Distances_refuses_arrays_shorter_than_the_counts()
    {
        // Eight candidates go through the four-at-a-time loop, which reads without bounds checks.
        var row = new byte[128];
        Assert.Throws<ArgumentException>(() => DescriptorNeighbours.Distances(row, new byte[128 * 8 - 1], 8, new float[8]));
        Assert.Throws<ArgumentException>(() => DescriptorNeighbours.Distances(row, new byte[128 * 8], 8, new float[7]));
    }

    [Fact]
    public void One_candidate_has_no_second()
    {
        var found = DescriptorNeighbours.Find(Vector(1, 0), 1, Vector(1, 2), 1, 128);
        Assert.Equal(0, found.NearestCandidate[0]);
        Assert.Equal(2f, found.NearestDistance[0]);
        Assert.True(float.IsPositiveInfinity(found.SecondDistance[0]));
    }

    // A descriptor of <value> everywhere but its first byte, raised by <bump>.
    private static byte[] Vector(byte value, byte bump)
    {
        var v = new byte[128];
        Array.Fill(v, value);
        v[0] += bump;
        return v;
    }

    private static Mat AsFloat(LocalFeatures features)
    {
        using var bytes = Mat.FromPixelData(features.Count, features.DescriptorLength, MatType.CV_8UC1, features.Descriptors);
        var result = new Mat();
        bytes.ConvertTo(result, MatType.CV_32FC1);
        return result;
    }
}
