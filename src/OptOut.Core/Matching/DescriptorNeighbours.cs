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
            for (int j = 0; j < candidateCount; j++) distances[j] = MathF.Sqrt(SquaredDistance(row, candidate.AsSpan(j * length, length)));

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
