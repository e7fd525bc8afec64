using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace OptOut.Core.Index;

/// <summary>Dot products of a float query with half-float rows, converted exactly on the fly.</summary>
internal static class HalfVectors
{
    // 2^112: rescales a half's exponent (bias 15) to a single's (bias 127); exact for normals and subnormals.
    private const float ExponentRebias = 5.192296858534828e33f;

    public static float Dot(ReadOnlySpan<Half> row, ReadOnlySpan<float> query)
    {
        var bits = MemoryMarshal.Cast<Half, ushort>(row);
        int i = 0;
        float sum = 0;
        if (Vector256.IsHardwareAccelerated && bits.Length >= 16)
        {
            var accumulator = Vector256<float>.Zero;
            var magnitudeMask = Vector256.Create(0x7FFFu);
            var signMask = Vector256.Create(0x8000u);
            var rebias = Vector256.Create(ExponentRebias);
            ref ushort rowStart = ref MemoryMarshal.GetReference(bits);
            ref float queryStart = ref MemoryMarshal.GetReference(query);
            for (; i <= bits.Length - 16; i += 16)
            {
                var halves = Vector256.LoadUnsafe(ref rowStart, (nuint)i);
                var (low, high) = Vector256.Widen(halves);
                accumulator += ToSingle(low, magnitudeMask, signMask, rebias) * Vector256.LoadUnsafe(ref queryStart, (nuint)i);
                accumulator += ToSingle(high, magnitudeMask, signMask, rebias) * Vector256.LoadUnsafe(ref queryStart, (nuint)(i + 8));
            }
            sum = Vector256.Sum(accumulator);
        }
        for (; i < bits.Length; i++)
        {
            sum += (float)row[i] * query[i];
        }
        return sum;
    }

    private static Vector256<float> ToSingle(Vector256<uint> half, Vector256<uint> magnitudeMask, Vector256<uint> signMask, Vector256<float> rebias)
    {
        var magnitude = Vector256.ShiftLeft(half & magnitudeMask, 13).AsSingle() * rebias;
        var sign = Vector256.ShiftLeft(half & signMask, 16);
        return (magnitude.AsUInt32() | sign).AsSingle();
    }

    public static Half[] ToHalf(ReadOnlySpan<float> vector)
    {
        var result = new Half[vector.Length];
        for (int i = 0; i < vector.Length; i++) result[i] = (Half)vector[i];
        return result;
    }

    public static float[] ToSingle(ReadOnlySpan<Half> vector)
    {
        var result = new float[vector.Length];
        for (int i = 0; i < vector.Length; i++) result[i] = (float)vector[i];
        return result;
    }
}
