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
    /// Blurs both frames (same size, 8-bit gray) and correlates them where <paramref name="mask"/> is set
    /// (everywhere when null). NaN when fewer than 64 pixels count or either side is flat there.
    /// </summary>
    public static unsafe PixelAgreement Measure(Mat a, Mat b, Mat? mask, double blurSigma, double maxRegionShare)
    {
        using var blurredA = new Mat();
        using var blurredB = new Mat();
        Cv2.GaussianBlur(a, blurredA, new Size(0, 0), blurSigma);
        Cv2.GaussianBlur(b, blurredB, new Size(0, 0), blurSigma);
        int rows = a.Rows, cols = a.Cols;
        byte* baseA = (byte*)blurredA.DataPointer, baseB = (byte*)blurredB.DataPointer;
        byte* baseM = mask is null ? null : (byte*)mask.DataPointer;
        long stepA = blurredA.Step(), stepB = blurredB.Step(), stepM = mask is null ? 0 : mask.Step();

        var all = new Sums();
        var region = new DisagreementRegion(cols, rows, maxRegionShare);
        for (int y = 0; y < rows; y++)
        {
            byte* pa = baseA + y * stepA, pb = baseB + y * stepB, pm = baseM is null ? null : baseM + y * stepM;
            for (int x = 0; x < cols; x++)
            {
                if (pm is null || pm[x] != 0)
                {
                    all.Add(pa[x], pb[x]);
                    region.Add(x, y, pa[x], pb[x]);
                }
            }
        }
        double ncc = all.Correlation();
        if (double.IsNaN(ncc)) return new PixelAgreement(double.NaN, double.NaN, all.N, double.NaN, double.NaN);
        var (regionNcc, regionShare) = region.Best();

        // Residual of each pixel's standardised values; the worst share is left out of the trimmed figure.
        double meanA = all.A / all.N, meanB = all.B / all.N;
        double sdA = Math.Sqrt(all.AA / all.N - meanA * meanA), sdB = Math.Sqrt(all.BB / all.N - meanB * meanB);
        var histogram = new long[ResidualBins];
        int BinOf(byte va, byte vb)
        {
            double residual = Math.Abs((va - meanA) / sdA - (vb - meanB) / sdB);
            return (int)Math.Min(ResidualBins - 1, residual / ResidualRange * ResidualBins);
        }
        for (int y = 0; y < rows; y++)
        {
            byte* pa = baseA + y * stepA, pb = baseB + y * stepB, pm = baseM is null ? null : baseM + y * stepM;
            for (int x = 0; x < cols; x++)
            {
                if (pm is null || pm[x] != 0) histogram[BinOf(pa[x], pb[x])]++;
            }
        }
        long keep = (long)Math.Ceiling(all.N * (1 - TrimmedShare)), seen = 0;
        int lastBin = 0;
        while (lastBin < ResidualBins - 1 && seen + histogram[lastBin] < keep) seen += histogram[lastBin++];
        var kept = new Sums();
        for (int y = 0; y < rows; y++)
        {
            byte* pa = baseA + y * stepA, pb = baseB + y * stepB, pm = baseM is null ? null : baseM + y * stepM;
            for (int x = 0; x < cols; x++)
            {
                if ((pm is null || pm[x] != 0) && BinOf(pa[x], pb[x]) <= lastBin) kept.Add(pa[x], pb[x]);
            }
        }
        return new PixelAgreement(ncc, kept.Correlation(), all.N, regionNcc, regionShare);
    }

    private struct Sums
    {
        public double A, B, AA, BB, AB;
        public long N;

        public void Add(byte a, byte b)
        {
            A += a; B += b; AA += a * a; BB += b * b; AB += a * b;
            N++;
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
