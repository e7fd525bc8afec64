using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using OpenCvSharp;
using OptOut.Core.Imaging;
using SixLabors.ImageSharp.PixelFormats;

namespace OptOut.Core.Matching;

/// <summary>Turns the module's decoded pixels into the 8-bit gray working frame OpenCV works on.</summary>
internal static class GrayFrame
{
    /// <summary>
    /// BT.601 luma of the decoded (opaque, upright) picture, scaled down by area averaging so its longest
    /// side is at most <paramref name="workingSide"/>. The caller owns the returned Mat.
    /// </summary>
    public static Mat FromDecoded(DecodedImage image, int workingSide) =>
        ToWorkingSize(Luma(image), WorkingSize(image.Width, image.Height, workingSide));

    /// <summary>
    /// <paramref name="full"/> scaled down by area averaging to <paramref name="size"/>, or itself when it
    /// has that size already; <paramref name="full"/> is then disposed. The caller owns the returned Mat.
    /// </summary>
    public static Mat ToWorkingSize(Mat full, Size size)
    {
        OpenCvTuning.OnThisThread();
        if (full.Width == size.Width && full.Height == size.Height) return full;
        using (full)
        {
            var small = new Mat();
            try
            {
                Cv2.Resize(full, small, size, 0, 0, InterpolationFlags.Area);
                return small;
            }
            catch
            {
                small.Dispose();
                throw;
            }
        }
    }

    /// <summary>
    /// <paramref name="gray"/> scaled down by area averaging so its long side is <paramref name="longSide"/>, each
    /// side rounded; a copy when it is no larger already. For the pixel search's and the refinement's smaller
    /// frames. The caller owns the returned Mat; <paramref name="gray"/> is left as it is.
    /// </summary>
    public static Mat ScaledDown(Mat gray, double longSide)
    {
        double factor = longSide / Math.Max(gray.Width, gray.Height);
        var result = new Mat();
        if (factor >= 1)
        {
            gray.CopyTo(result);
            return result;
        }
        var size = new Size(Math.Max(1, (int)Math.Round(gray.Width * factor)), Math.Max(1, (int)Math.Round(gray.Height * factor)));
        Cv2.Resize(gray, result, size, 0, 0, InterpolationFlags.Area);
        return result;
    }

    public static Size WorkingSize(int width, int height, int workingSide)
    {
        int longest = Math.Max(width, height);
        if (longest <= workingSide) return new Size(width, height);
        double scale = (double)workingSide / longest;
        return new Size(Math.Max(1, (int)Math.Round(width * scale)), Math.Max(1, (int)Math.Round(height * scale)));
    }

    private static unsafe Mat Luma(DecodedImage image)
    {
        var gray = new Mat(image.Height, image.Width, MatType.CV_8UC1);
        nint data = (nint)gray.DataPointer;
        long step = gray.Step();
        image.Pixels.ProcessPixelRows(accessor =>
        {
            for (int y = 0; y < accessor.Height; y++)
            {
                LumaRow(MemoryMarshal.AsBytes(accessor.GetRowSpan(y)), new Span<byte>((byte*)data + y * step, accessor.Width));
            }
        });
        return gray;
    }

    /// <summary>
    /// BT.601 luma of a row of 8-bit R, G, B triplets, rounded: (299 R + 587 G + 114 B + 500) / 1000, the one definition
    /// of a gray value here. Sixteen pixels at a time where the CPU has SSSE3: the same integers, divided by 1000 in
    /// float (exact: every numerator is a whole number below 2^18 and a quotient just short of a whole number stays
    /// more than a float's rounding away from it), several times faster than one pixel at a time (docs/copy-detection.md,
    /// fifteenth round).
    /// </summary>
    internal static void LumaRow(ReadOnlySpan<byte> rgb, Span<byte> gray)
    {
        int width = gray.Length, x = 0;
        if (rgb.Length < width * 3) throw new ArgumentException("fewer RGB bytes than pixels", nameof(rgb));
        if (Ssse3.IsSupported)
        {
            ref byte source = ref MemoryMarshal.GetReference(rgb);
            ref byte target = ref MemoryMarshal.GetReference(gray);
            var redGreen = Vector128.Create((short)299, 587, 299, 587, 299, 587, 299, 587);
            var blueOne = Vector128.Create((short)114, 1, 114, 1, 114, 1, 114, 1);
            var half = Vector128.Create((short)0, 500, 0, 500, 0, 500, 0, 500);
            var thousand = Vector128.Create(1000f);
            for (; x <= width - 16; x += 16)
            {
                nuint at = (nuint)(x * 3);
                var v0 = Vector128.LoadUnsafe(ref source, at);
                var v1 = Vector128.LoadUnsafe(ref source, at + 16);
                var v2 = Vector128.LoadUnsafe(ref source, at + 32);
                var r = Channel(v0, v1, v2, 0);
                var g = Channel(v0, v1, v2, 1);
                var b = Channel(v0, v1, v2, 2);
                var (rLow, rHigh) = Vector128.Widen(r);
                var (gLow, gHigh) = Vector128.Widen(g);
                var (bLow, bHigh) = Vector128.Widen(b);
                // Every quotient is at most 255: packed to 16 bits, then to bytes.
                var low = Sse2.PackSignedSaturate(
                    Quotient(rLow, gLow, bLow, lower: true, redGreen, blueOne, half, thousand),
                    Quotient(rLow, gLow, bLow, lower: false, redGreen, blueOne, half, thousand));
                var high = Sse2.PackSignedSaturate(
                    Quotient(rHigh, gHigh, bHigh, lower: true, redGreen, blueOne, half, thousand),
                    Quotient(rHigh, gHigh, bHigh, lower: false, redGreen, blueOne, half, thousand));
                Sse2.PackUnsignedSaturate(low, high).StoreUnsafe(ref target, (nuint)x);
            }
        }
        for (; x < width; x++) gray[x] = (byte)((299 * rgb[3 * x] + 587 * rgb[3 * x + 1] + 114 * rgb[3 * x + 2] + 500) / 1000);
    }

    // One channel's 16 bytes out of 16 packed RGB triplets (48 bytes in three vectors): byte 3i + channel of the whole.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<byte> Channel(Vector128<byte> v0, Vector128<byte> v1, Vector128<byte> v2, int channel)
    {
        var (m0, m1, m2) = ChannelMasks[channel];
        return Sse2.Or(Sse2.Or(Ssse3.Shuffle(v0, m0), Ssse3.Shuffle(v1, m1)), Ssse3.Shuffle(v2, m2));
    }

    // For each channel, the shuffle of each of the three vectors that puts its bytes of that channel in place (0x80: zero).
    private static readonly (Vector128<byte>, Vector128<byte>, Vector128<byte>)[] ChannelMasks =
        [.. Enumerable.Range(0, 3).Select(channel => (Mask(channel, 0), Mask(channel, 1), Mask(channel, 2)))];

    private static Vector128<byte> Mask(int channel, int vector)
    {
        Span<byte> mask = stackalloc byte[16];
        for (int i = 0; i < 16; i++)
        {
            int index = 3 * i + channel - 16 * vector;
            mask[i] = index is >= 0 and < 16 ? (byte)index : (byte)0x80;
        }
        return Vector128.Create((ReadOnlySpan<byte>)mask);
    }

    // Four or the other four of eight pixels' (299 R + 587 G + 114 B + 500) / 1000, as 32-bit integers.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<int> Quotient(Vector128<ushort> r, Vector128<ushort> g, Vector128<ushort> b, bool lower,
        Vector128<short> redGreen, Vector128<short> blueOne, Vector128<short> half, Vector128<float> thousand)
    {
        // Pairs (R, G) and (B, 1) side by side, each pair multiplied and summed in 32 bits by pmaddwd.
        var rg = lower ? Sse2.UnpackLow(r.AsInt16(), g.AsInt16()) : Sse2.UnpackHigh(r.AsInt16(), g.AsInt16());
        var b1 = Sse2.Or(lower ? Sse2.UnpackLow(b.AsInt16(), Vector128<short>.Zero) : Sse2.UnpackHigh(b.AsInt16(), Vector128<short>.Zero), half);
        var numerator = Sse2.Add(Sse2.MultiplyAddAdjacent(rg, redGreen), Sse2.MultiplyAddAdjacent(b1, blueOne));
        return Sse2.ConvertToVector128Int32WithTruncation(Sse.Divide(Sse2.ConvertToVector128Single(numerator), thousand));
    }
}
