using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using OpenCvSharp;
using OptOut.Core.Imaging;

namespace OptOut.Core.Matching;

/// <summary>
/// A decoded picture's two working frames, the gray one (<see cref="GrayFrame.FromDecoded"/>) and the RGB one the
/// colour frame is made from (<see cref="ColourFrame.WorkingRgb"/>), made in one pass and bit for bit as OpenCV's area
/// averaging (<c>INTER_AREA</c>) makes each of them. OpenCV scales a picture down by a fraction that is not a whole
/// number with one weighted sum a channel and pixel, in float, row by row; here the same sums, in the same order, are
/// made for the four channels (R, G, B and the luma) of a pixel at once with SIMD, and a source row shared by two
/// working rows is summed across once. Where OpenCV takes another path (the same size, a whole-number step, a CPU
/// without SSE4.1/AVX) its own functions are called (docs/copy-detection.md, sixteenth round).
/// </summary>
internal static class WorkingFrames
{
    /// <summary>The gray and RGB working frames of <paramref name="image"/>; the caller owns both Mats.</summary>
    public static (Mat Gray, Mat Rgb) From(DecodedImage image, int workingSide)
    {
        var size = GrayFrame.WorkingSize(image.Width, image.Height, workingSide);
        if (!TakesTheWeightedPath(image.Width, image.Height, size) || !Avx2.IsSupported) return AsOpenCvMakesThem(image, workingSide);
        OpenCvTuning.OnThisThread();
        return Averaged(image, size);
    }

    // OpenCV's choice: its weighted sums when the picture shrinks by a fraction that is not a whole number on some side
    // (a whole-number step on both sides is averaged by another routine, rounded otherwise; the same size is copied).
    internal static bool TakesTheWeightedPath(int width, int height, Size size)
    {
        if (size.Width == width && size.Height == height) return false;
        double scaleX = Scale(width, size.Width), scaleY = Scale(height, size.Height);
        if (scaleX < 1 || scaleY < 1) return false;
        // OpenCV's test is |scale - round(scale)| < DBL_EPSILON; a double of at least 1 that is not a whole number lies
        // at least DBL_EPSILON from one, so only an exact whole number passes it.
        bool wholeSteps = scaleX == Math.Round(scaleX) && scaleY == Math.Round(scaleY);
        return !wholeSteps;
    }

    private static (Mat Gray, Mat Rgb) AsOpenCvMakesThem(DecodedImage image, int workingSide)
    {
        var gray = GrayFrame.FromDecoded(image, workingSide);
        try
        {
            return (gray, ColourFrame.WorkingRgb(image, workingSide));
        }
        catch
        {
            gray.Dispose();
            throw;
        }
    }

    // As cv::resize computes it: the inverse of the inverse scale, not source / destination.
    private static double Scale(int source, int destination) => 1.0 / ((double)destination / source);

    /// <summary>
    /// OpenCV's table of contributions along one side (computeResizeAreaTab): for each destination position in turn,
    /// the source positions it covers and their weights, in the order OpenCV adds them. Starts[d]
    /// is the first contribution of destination position d; the last entry is the count.
    /// </summary>
    internal static (int[] Sources, float[] Weights, int[] Starts) Contributions(int sourceSize, int destinationSize)
    {
        double scale = Scale(sourceSize, destinationSize);
        var sources = new List<int>(sourceSize * 2);
        var weights = new List<float>(sourceSize * 2);
        var starts = new int[destinationSize + 1];
        for (int d = 0; d < destinationSize; d++)
        {
            starts[d] = sources.Count;
            double from = d * scale, to = from + scale;
            double cellWidth = Math.Min(scale, sourceSize - from);
            int first = (int)Math.Ceiling(from), last = (int)Math.Floor(to);
            last = Math.Min(last, sourceSize - 1);
            first = Math.Min(first, last);
            if (first - from > 1e-3)
            {
                sources.Add(first - 1);
                weights.Add((float)((first - from) / cellWidth));
            }
            for (int s = first; s < last; s++)
            {
                sources.Add(s);
                weights.Add((float)(1.0 / cellWidth));
            }
            if (to - last > 1e-3)
            {
                sources.Add(last);
                weights.Add((float)(Math.Min(Math.Min(to - last, 1.0), cellWidth) / cellWidth));
            }
        }
        starts[destinationSize] = sources.Count;
        return (sources.ToArray(), weights.ToArray(), starts);
    }

    private static unsafe (Mat Gray, Mat Rgb) Averaged(DecodedImage image, Size size)
    {
        int sourceWidth = image.Width, width = size.Width, height = size.Height;
        var (xSources, xWeights, xStarts) = Contributions(sourceWidth, width);
        var (ySources, yWeights, yStarts) = Contributions(image.Height, height);
        Mat? gray = null, rgb = null;
        try
        {
            gray = new Mat(height, width, MatType.CV_8UC1);
            rgb = new Mat(height, width, MatType.CV_8UC3);
            // Per working row, four floats a pixel (R, G, B, luma): one source row summed across, and the running sum down.
            var across = new float[width * 4];
            var down = new float[width * 4];
            var rounded = new byte[width * 4];
            var luma = new byte[sourceWidth];
            var spread = new float[sourceWidth * 4];
            nint grayData = (nint)gray.DataPointer, rgbData = (nint)rgb.DataPointer;
            long grayStep = gray.Step(), rgbStep = rgb.Step();
            image.Pixels.ProcessPixelRows(rows =>
            {
                int summedRow = -1;
                for (int y = 0; y < height; y++)
                {
                    for (int k = yStarts[y]; k < yStarts[y + 1]; k++)
                    {
                        int sourceRow = ySources[k];
                        if (sourceRow != summedRow)
                        {
                            SumAcross(MemoryMarshal.AsBytes(rows.GetRowSpan(sourceRow)), luma, spread, xSources, xWeights, xStarts, across);
                            summedRow = sourceRow;
                        }
                        // The first contribution starts the sum (OpenCV: sum = beta * buf), the rest add to it.
                        AddDown(across, down, yWeights[k], start: k == yStarts[y]);
                    }
                    Store(down, rounded, new Span<byte>((byte*)grayData + y * grayStep, width), new Span<byte>((byte*)rgbData + y * rgbStep, width * 3));
                }
            });
            return (gray, rgb);
        }
        catch
        {
            gray?.Dispose();
            rgb?.Dispose();
            throw;
        }
    }

    // One source row's weighted sums for every working column: R, G, B and luma side by side, each contribution added
    // in OpenCV's order to a sum that starts at zero. The row is first spread out as four floats a pixel (exact: every
    // byte is a float), so that each contribution is one load, one multiply and one add.
    private static unsafe void SumAcross(ReadOnlySpan<byte> rgbRow, byte[] luma, float[] spread, int[] sources, float[] weights, int[] starts, float[] across)
    {
        GrayFrame.LumaRow(rgbRow, luma);
        int width = starts.Length - 1, pixels = luma.Length;
        fixed (byte* rgb = rgbRow)
        fixed (byte* y = luma)
        fixed (float* four = spread)
        fixed (int* source = sources)
        fixed (float* weight = weights)
        fixed (int* start = starts)
        fixed (float* sums = across)
        {
            Spread(rgb, y, four, pixels);
            for (int d = 0; d < width; d++)
            {
                var sum = Vector128<float>.Zero;
                for (int k = start[d], end = start[d + 1]; k < end; k++)
                {
                    sum = Sse.Add(sum, Sse.Multiply(Sse.LoadVector128(four + 4 * source[k]), Vector128.Create(weight[k])));
                }
                Sse.Store(sums + 4 * d, sum);
            }
        }
    }

    // R, G, B and luma of each pixel as four floats: four pixels at a time where sixteen bytes can be read (the last
    // pixels one by one, as a read past them would leave the row).
    private static unsafe void Spread(byte* rgb, byte* y, float* four, int pixels)
    {
        int x = 0;
        var toRgbx = Vector128.Create((byte)0, 1, 2, 0x80, 3, 4, 5, 0x80, 6, 7, 8, 0x80, 9, 10, 11, 0x80);
        var toLumaSlots = Vector128.Create((byte)0x80, 0x80, 0x80, 0, 0x80, 0x80, 0x80, 1, 0x80, 0x80, 0x80, 2, 0x80, 0x80, 0x80, 3);
        for (; x + 6 <= pixels; x += 4)
        {
            var colours = Ssse3.Shuffle(Sse2.LoadVector128(rgb + 3 * x), toRgbx);
            var lumas = Ssse3.Shuffle(Vector128.CreateScalar(*(uint*)(y + x)).AsByte(), toLumaSlots);
            var bytes = Sse2.Or(colours, lumas);
            Avx.Store(four + 4 * x, Avx.ConvertToVector256Single(Avx2.ConvertToVector256Int32(bytes)));
            Avx.Store(four + 4 * x + 8, Avx.ConvertToVector256Single(Avx2.ConvertToVector256Int32(Sse2.ShiftRightLogical128BitLane(bytes, 8))));
        }
        for (; x < pixels; x++)
        {
            four[4 * x] = rgb[3 * x];
            four[4 * x + 1] = rgb[3 * x + 1];
            four[4 * x + 2] = rgb[3 * x + 2];
            four[4 * x + 3] = y[x];
        }
    }

    // The running sum down the source rows: started (sum = weight x row) or added to (sum += weight x row), as OpenCV does.
    private static unsafe void AddDown(float[] across, float[] down, float weight, bool start)
    {
        var w = Vector256.Create(weight);
        int i = 0, n = across.Length;
        fixed (float* a = across)
        fixed (float* s = down)
        {
            for (; i <= n - 8; i += 8)
            {
                var product = Avx.Multiply(w, Avx.LoadVector256(a + i));
                Avx.Store(s + i, start ? product : Avx.Add(Avx.LoadVector256(s + i), product));
            }
        }
        for (; i < n; i++) down[i] = start ? weight * across[i] : down[i] + weight * across[i];
    }

    // Each sum rounded to the nearest whole number (ties to even) and clamped to a byte, as OpenCV's saturate_cast;
    // then the luma to the gray frame and R, G, B to the RGB frame.
    private static unsafe void Store(float[] down, byte[] rounded, Span<byte> grayRow, Span<byte> rgbRow)
    {
        int i = 0, n = down.Length;
        fixed (float* s = down)
        fixed (byte* r = rounded)
        {
            for (; i <= n - 16; i += 16)
            {
                var a = Sse2.ConvertToVector128Int32(Sse.LoadVector128(s + i));
                var b = Sse2.ConvertToVector128Int32(Sse.LoadVector128(s + i + 4));
                var c = Sse2.ConvertToVector128Int32(Sse.LoadVector128(s + i + 8));
                var d = Sse2.ConvertToVector128Int32(Sse.LoadVector128(s + i + 12));
                Sse2.Store(r + i, Sse2.PackUnsignedSaturate(Sse2.PackSignedSaturate(a, b), Sse2.PackSignedSaturate(c, d)));
            }
        }
        for (; i < n; i++) rounded[i] = (byte)Math.Clamp((int)MathF.Round(down[i], MidpointRounding.ToEven), 0, 255);
        for (int x = 0; x < grayRow.Length; x++)
        {
            rgbRow[3 * x] = rounded[4 * x];
            rgbRow[3 * x + 1] = rounded[4 * x + 1];
            rgbRow[3 * x + 2] = rounded[4 * x + 2];
            grayRow[x] = rounded[4 * x + 3];
        }
    }
}
