using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace OptOut.Core.Matching;

/// <summary>
/// The nearest neighbours both ways between two sets of 8-bit descriptors (SIFT's) under the L2 norm, from
/// one pass over every pair: what OpenCV's brute-force matcher gives from two passes (each query descriptor's
/// two nearest candidates, and each candidate's nearest query descriptor), distance for distance and tie for
/// tie. The squared distances of 8-bit vectors are integers, summed exactly here; OpenCV sums the same squares
/// in float, exactly too (below 2^24), and compares their float square roots, so this compares those as well
/// and takes the first of equal distances in index order, as OpenCV does.
/// </summary>
internal static class DescriptorNeighbours
{
    /// <summary>
    /// For each query descriptor its nearest candidate (-1 when there are none), that distance and the
    /// second-nearest's (infinity when there is none); for each candidate descriptor its nearest query descriptor.
    /// </summary>
    public sealed record Neighbours(int[] NearestCandidate, float[] NearestDistance, float[] SecondDistance, int[] NearestQuery);

    public static Neighbours Find(byte[] query, int queryCount, byte[] candidate, int candidateCount, int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(length);
        // OpenCV's float sums stay exact, and so equal to these, only below 2^24: 258 bytes of 255 apart at most.
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, 258);
        if (query.Length < queryCount * length) throw new ArgumentException("fewer query descriptor bytes than descriptors", nameof(query));
        if (candidate.Length < candidateCount * length) throw new ArgumentException("fewer candidate descriptor bytes than descriptors", nameof(candidate));
        var nearestCandidate = new int[queryCount];
        var nearestDistance = new float[queryCount];
        var secondDistance = new float[queryCount];
        var nearestQuery = new int[candidateCount];
        var nearestQueryDistance = new float[candidateCount];
        Array.Fill(nearestQuery, -1);
        Array.Fill(nearestQueryDistance, float.MaxValue);
        var distances = new float[candidateCount];
        for (int i = 0; i < queryCount; i++)
        {
            var row = query.AsSpan(i * length, length);
            Distances(row, candidate, candidateCount, distances);

            // OpenCV's k-nearest insertion for k = 2, starting from float.MaxValue: a distance replaces a kept one
            // only when strictly smaller, so the first of equal distances stays first.
            int best = -1;
            float first = float.MaxValue, second = float.MaxValue;
            for (int j = 0; j < candidateCount; j++)
            {
                float d = distances[j];
                if (d < first)
                {
                    second = first;
                    first = d;
                    best = j;
                }
                else if (d < second)
                {
                    second = d;
                }
                // Query rows are taken in order: the first of equal distances is kept for each candidate too.
                if (d < nearestQueryDistance[j])
                {
                    nearestQueryDistance[j] = d;
                    nearestQuery[j] = i;
                }
            }
            nearestCandidate[i] = best;
            nearestDistance[i] = first;
            secondDistance[i] = candidateCount > 1 ? second : float.PositiveInfinity;
        }
        return new Neighbours(nearestCandidate, nearestDistance, secondDistance, nearestQuery);
    }

    /// <summary>
    /// The L2 distance of <paramref name="row"/> to each candidate descriptor, as a float square root of the exact integer
    /// sum of squares (what OpenCV compares). Four candidates at a time where the CPU has AVX2 and the length is whole
    /// 16-byte blocks: the query row is widened once, and the four sums reduced and rooted together (the same integers,
    /// the same correctly rounded roots, three times faster on a 60x46 pair: docs/copy-detection.md, fifteenth round).
    /// </summary>
    internal static void Distances(ReadOnlySpan<byte> row, byte[] candidate, int candidateCount, Span<float> distances)
    {
        int length = row.Length, j = 0;
        // The vector loop reads without bounds checks: the arrays are checked here.
        if ((long)candidate.Length < (long)candidateCount * length) throw new ArgumentException("fewer candidate descriptor bytes than descriptors", nameof(candidate));
        if (distances.Length < candidateCount) throw new ArgumentException("fewer distances than candidates", nameof(distances));
        if (Avx2.IsSupported && length % Vector128<byte>.Count == 0 && length <= MaxBlockedLength)
        {
            int blocks = length / Vector128<byte>.Count;
            Span<Vector256<short>> widened = stackalloc Vector256<short>[MaxBlockedLength / Vector128<byte>.Count];
            ref byte q = ref MemoryMarshal.GetReference(row);
            for (int k = 0; k < blocks; k++) widened[k] = Avx2.ConvertToVector256Int16(Vector128.LoadUnsafe(ref q, (nuint)(k * Vector128<byte>.Count)));
            ref byte c = ref MemoryMarshal.GetArrayDataReference(candidate);
            for (; j <= candidateCount - 4; j += 4)
            {
                var s0 = Vector256<int>.Zero; var s1 = Vector256<int>.Zero; var s2 = Vector256<int>.Zero; var s3 = Vector256<int>.Zero;
                nuint at = (nuint)(j * length);
                for (int k = 0; k < blocks; k++)
                {
                    var w = widened[k];
                    nuint offset = at + (nuint)(k * Vector128<byte>.Count);
                    s0 = Avx2.Add(s0, Square(w, Vector128.LoadUnsafe(ref c, offset)));
                    s1 = Avx2.Add(s1, Square(w, Vector128.LoadUnsafe(ref c, offset + (nuint)length)));
                    s2 = Avx2.Add(s2, Square(w, Vector128.LoadUnsafe(ref c, offset + (nuint)(2 * length))));
                    s3 = Avx2.Add(s3, Square(w, Vector128.LoadUnsafe(ref c, offset + (nuint)(3 * length))));
                }
                // Pairwise sums of the four: each 128-bit half then holds a part of each candidate's sum, in order.
                var both = Avx2.HorizontalAdd(Avx2.HorizontalAdd(s0, s1), Avx2.HorizontalAdd(s2, s3));
                var sums = Sse2.Add(both.GetLower(), both.GetUpper());
                // Exact in float below 2^24 (Find checks the length), and Sse.Sqrt rounds as MathF.Sqrt does.
                Sse.Sqrt(Sse2.ConvertToVector128Single(sums)).CopyTo(distances[j..]);
            }
        }
        for (; j < candidateCount; j++) distances[j] = MathF.Sqrt(SquaredDistance(row, candidate.AsSpan(j * length, length)));
    }

    // Longest descriptor the blocked loop takes (SIFT's is 128 bytes); longer ones go one candidate at a time.
    private const int MaxBlockedLength = 256;

    // The squares of one 16-byte block's differences, summed in pairs into eight 32-bit lanes.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> Square(Vector256<short> widenedQuery, Vector128<byte> candidate)
    {
        var difference = Avx2.Subtract(widenedQuery, Avx2.ConvertToVector256Int16(candidate));
        return Avx2.MultiplyAddAdjacent(difference, difference);
    }

    /// <summary>The squared L2 distance of two 8-bit vectors, exact.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static int SquaredDistance(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
    {
        if (b.Length != a.Length) throw new ArgumentException("the vectors differ in length", nameof(b));
        ref byte pa = ref MemoryMarshal.GetReference(a);
        ref byte pb = ref MemoryMarshal.GetReference(b);
        int sum = 0, k = 0, n = a.Length;
        if (Avx2.IsSupported && n >= Vector256<byte>.Count)
        {
            var total = Vector256<int>.Zero;
            for (; k <= n - Vector256<byte>.Count; k += Vector256<byte>.Count)
            {
                var (aLow, aHigh) = Vector256.Widen(Vector256.LoadUnsafe(ref pa, (nuint)k));
                var (bLow, bHigh) = Vector256.Widen(Vector256.LoadUnsafe(ref pb, (nuint)k));
                var low = aLow.AsInt16() - bLow.AsInt16();
                var high = aHigh.AsInt16() - bHigh.AsInt16();
                // Each 16-bit difference is at most 255 in size: a pair of squares fits 32 bits.
                total += Avx2.MultiplyAddAdjacent(low, low) + Avx2.MultiplyAddAdjacent(high, high);
            }
            sum = Vector256.Sum(total);
        }
        for (; k < n; k++)
        {
            int d = Unsafe.Add(ref pa, k) - Unsafe.Add(ref pb, k);
            sum += d * d;
        }
        return sum;
    }
}
