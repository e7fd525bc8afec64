using System.Buffers;
using OpenCvSharp;

namespace OptOut.Core.Matching;

/// <summary>Normalised cross-correlation of two aligned gray frames over a mask.</summary>
internal static class PixelCorrelation
{
    /// <summary>Share of the compared pixels left out of <see cref="PixelAgreement.TrimmedNcc"/> (those whose normalised values differ most).</summary>
    public const double TrimmedShare = 0.2;

    private const int ResidualBins = 512;
    private const double ResidualRange = 8.0; // in standard deviations; larger residuals share the last bin

    /// <summary>
    /// Shrinks <paramref name="valid"/> (255 where a moved picture has pixels) by the blur's reach, three sigma,
    /// so that the blur of the black outside does not reach the pixels <see cref="Measure"/> compares.
    /// </summary>
    public static void KeepBlurInside(Mat valid, double blurSigma)
    {
        int margin = (int)Math.Ceiling(3 * blurSigma);
        if (margin <= 0) return;
        using var kernel = Cv2.GetStructuringElement(MorphShapes.Rect, new Size(2 * margin + 1, 2 * margin + 1));
        Cv2.Erode(valid, valid, kernel);
    }

    /// <summary>
    /// Blurs both frames (same size, 8-bit gray) and correlates them where <paramref name="mask"/> is set
    /// (everywhere when null). NaN when fewer than 64 pixels count or either side is flat there. The
    /// region figures leave out one rectangle of at most <paramref name="maxRegionShare"/> of the pixels, the
    /// wide ones of at most <paramref name="wideRegionShare"/> (no wider than the first when smaller or absent).
    /// </summary>
    public static PixelAgreement Measure(Mat a, Mat b, Mat? mask, double blurSigma, double maxRegionShare, double wideRegionShare = 0)
    {
        using var blurredA = Blurred(a, blurSigma);
        return MeasureBlurred(blurredA, b, mask, blurSigma, maxRegionShare, wideRegionShare);
    }

    /// <summary>
    /// As <see cref="Measure"/>, <paramref name="blurredA"/> already blurred by <see cref="Blurred"/> with the
    /// same sigma: a query compared with many candidates is blurred once.
    /// </summary>
    public static PixelAgreement MeasureBlurred(Mat blurredA, Mat b, Mat? mask, double blurSigma, double maxRegionShare, double wideRegionShare = 0)
    {
        using var blurredB = Blurred(b, blurSigma);
        return MeasureBothBlurred(blurredA, blurredB, mask, maxRegionShare, wideRegionShare);
    }

    /// <summary>
    /// As <see cref="Measure"/>, both frames already blurred by <see cref="Blurred"/> with the same sigma: a frame
    /// compared as it is and mirrored is blurred once (the blur's kernel and its reflected border are symmetric, so
    /// the mirror image of the blurred frame is the blurred mirror image, bit for bit).
    /// </summary>
    public static unsafe PixelAgreement MeasureBothBlurred(Mat blurredA, Mat blurredB, Mat? mask, double maxRegionShare, double wideRegionShare = 0)
    {
        // The loop below reads all three frames by pointer: they must be 8-bit gray frames of one size.
        if (blurredA.Type() != MatType.CV_8UC1 || blurredB.Type() != MatType.CV_8UC1 || blurredA.Size() != blurredB.Size())
        {
            throw new ArgumentException("Both frames must be 8-bit gray frames of the same size.", nameof(blurredB));
        }
        if (mask is not null && (mask.Type() != MatType.CV_8UC1 || mask.Size() != blurredA.Size()))
        {
            throw new ArgumentException("The mask must be an 8-bit frame of the frames' size.", nameof(mask));
        }
        int rows = blurredA.Rows, cols = blurredA.Cols;
        byte* baseA = (byte*)blurredA.DataPointer, baseB = (byte*)blurredB.DataPointer;
        byte* baseM = mask is null ? null : (byte*)mask.DataPointer;
        long stepA = blurredA.Step(), stepB = blurredB.Step(), stepM = mask is null ? 0 : mask.Step();

        // Every sum is of 8-bit values, so integers hold them exactly: the order they are added in (per
        // cell, per value pair, per residual bin) cannot change a figure. The pixels are read once: each
        // is added to its cell (for the region) and counted by its value pair; the whole frame's sums and
        // the trimmed figure's residuals then come from the 65,536 pairs, not from the pixels again.
        var region = new DisagreementRegion(cols, rows, maxRegionShare, wideRegionShare);
        var pairs = ArrayPool<int>.Shared.Rent(256 * 256);
        try
        {
            Array.Clear(pairs, 0, 256 * 256);
            int side = region.CellSide;
            fixed (int* counts = pairs)
            {
                for (int y = 0; y < rows; y++)
                {
                    byte* pa = baseA + y * stepA, pb = baseB + y * stepB, pm = baseM is null ? null : baseM + y * stepM;
                    var cells = region.RowOfCells(y);
                    // A cell's run of this row summed first, then added to the cell once.
                    for (int cell = 0, from = 0; cell < cells.Count; cell++, from += side)
                    {
                        // Plain locals, which the JIT keeps in registers (a struct of six fields it would not).
                        int n = 0, sa = 0, sb = 0, saa = 0, sbb = 0, sab = 0;
                        for (int x = from, to = Math.Min(cols, from + side); x < to; x++)
                        {
                            if (pm is null || pm[x] != 0)
                            {
                                int va = pa[x], vb = pb[x];
                                n++; sa += va; sb += vb; saa += va * va; sbb += vb * vb; sab += va * vb;
                                counts[(va << 8) | vb]++;
                            }
                        }
                        // A run holds one cell's width of pixels: its sums of squares stay far below int's range.
                        cells.Add(cell, new Sums { N = n, A = sa, B = sb, AA = saa, BB = sbb, AB = sab });
                    }
                }
            }
            var all = region.Total();
            double ncc = all.Correlation();
            if (double.IsNaN(ncc)) return new PixelAgreement(double.NaN, double.NaN, all.N, double.NaN, double.NaN, double.NaN, double.NaN);
            var (regionNcc, regionShare, wideNcc, wideShare) = region.Best();
            return new PixelAgreement(ncc, TrimmedCorrelation(pairs, all), all.N, regionNcc, regionShare, wideNcc, wideShare);
        }
        finally
        {
            ArrayPool<int>.Shared.Return(pairs);
        }
    }

    // The residual of each pair's standardised values; the worst share of the pixels is left out.
    // Each bin keeps its pixels' sums, so the kept pixels are summed by bin.
    internal static double TrimmedCorrelation(int[] pairs, Sums all)
    {
        double meanA = (double)all.A / all.N, meanB = (double)all.B / all.N;
        double sdA = Math.Sqrt((double)all.AA / all.N - meanA * meanA), sdB = Math.Sqrt((double)all.BB / all.N - meanB * meanB);
        var bins = new Sums[ResidualBins];
        for (int a = 0; a < 256; a++)
        {
            double za = (a - meanA) / sdA;
            for (int b = 0; b < 256; b++)
            {
                int count = pairs[(a << 8) | b];
                if (count == 0) continue;
                double residual = Math.Abs(za - (b - meanB) / sdB);
                bins[(int)Math.Min(ResidualBins - 1, residual / ResidualRange * ResidualBins)].Add((byte)a, (byte)b, count);
            }
        }
        long keep = (long)Math.Ceiling(all.N * (1 - TrimmedShare));
        var kept = new Sums();
        for (int bin = 0; bin < ResidualBins; bin++)
        {
            // Whole bins, up to the first that reaches the share kept.
            kept.Add(bins[bin]);
            if (kept.N >= keep) break;
        }
        return kept.Correlation();
    }

    /// <summary>The frame blurred as <see cref="Measure"/> blurs it before correlating; the caller owns it.</summary>
    public static Mat Blurred(Mat frame, double blurSigma)
    {
        var blurred = new Mat();
        Cv2.GaussianBlur(frame, blurred, new Size(0, 0), blurSigma);
        return blurred;
    }

    /// <summary>Sums of a set of pixel pairs (8-bit values), exact in integers.</summary>
    internal struct Sums
    {
        public long A, B, AA, BB, AB, N;

        /// <summary>Adds <paramref name="count"/> pixels of the same pair of values.</summary>
        public void Add(byte a, byte b, int count)
        {
            A += (long)a * count; B += (long)b * count; AA += (long)(a * a) * count; BB += (long)(b * b) * count; AB += (long)(a * b) * count;
            N += count;
        }

        public void Add(in Sums other)
        {
            A += other.A; B += other.B; AA += other.AA; BB += other.BB; AB += other.AB;
            N += other.N;
        }

        public readonly double Correlation() => FromSums(N, A, B, AA, BB, AB);
    }

    /// <summary>Pearson correlation of <paramref name="n"/> pixel pairs from their sums; NaN for fewer than 64 pairs or a flat side.</summary>
    internal static double FromSums(double n, double a, double b, double aa, double bb, double ab)
    {
        if (n < 64) return double.NaN;
        double covariance = ab / n - a / n * (b / n);
        double varianceA = aa / n - a / n * (a / n);
        double varianceB = bb / n - b / n * (b / n);
        if (varianceA < 1e-6 || varianceB < 1e-6) return double.NaN;
        return covariance / Math.Sqrt(varianceA * varianceB);
    }
}
