using System.Numerics;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace OptOut.Core.Fingerprinting;

/// <summary>
/// The module's 64-bit DCT perceptual hash, defined exactly in docs/fingerprints.md:
/// luma (BT.601) at full resolution, exact area-average down to 32 x 32, unnormalised 2-D DCT-II,
/// the top-left 8 x 8 coefficients, median of the 63 without DC, bit = coefficient >= median,
/// first coefficient in the most significant bit. Everything is done in double precision with a
/// fixed order of operations, so the hash does not depend on a library's resampler or on SIMD paths.
/// </summary>
internal static class PerceptualHash
{
    public const int ReducedSize = 32;
    public const int HashSide = 8;

    // cos(pi * (2x + 1) * u / (2N)) for u < 8, x < 32: the only DCT rows the hash uses.
    private static readonly double[,] DctRows = CreateDctRows();

    public static ulong Compute(Image<Rgb24> image)
    {
        var reduced = new double[ReducedSize, ReducedSize];
        var horizontalWeights = AreaWeights.Create(image.Width, ReducedSize);
        var verticalWeights = AreaWeights.Create(image.Height, ReducedSize);
        var rowBins = new double[ReducedSize];

        image.ProcessPixelRows(accessor =>
        {
            for (int y = 0; y < accessor.Height; y++)
            {
                Array.Clear(rowBins);
                var row = accessor.GetRowSpan(y);
                horizontalWeights.Accumulate(row, rowBins);
                verticalWeights.Spread(y, rowBins, reduced);
            }
        });
        return FromReduced(reduced);
    }

    /// <summary>The hash of a 32 x 32 luma grid that has already been reduced.</summary>
    public static ulong FromReduced(double[,] reduced)
    {
        if (reduced.GetLength(0) != ReducedSize || reduced.GetLength(1) != ReducedSize)
        {
            throw new ArgumentException($"Expected a {ReducedSize} x {ReducedSize} grid.", nameof(reduced));
        }

        // Separable DCT: rows first (coefficient v across x), then columns (coefficient u down y).
        var byRow = new double[ReducedSize, HashSide];
        for (int y = 0; y < ReducedSize; y++)
        {
            for (int v = 0; v < HashSide; v++)
            {
                double sum = 0;
                for (int x = 0; x < ReducedSize; x++)
                {
                    sum += reduced[y, x] * DctRows[v, x];
                }
                byRow[y, v] = 2 * sum;
            }
        }

        var coefficients = new double[HashSide * HashSide];
        for (int u = 0; u < HashSide; u++)
        {
            for (int v = 0; v < HashSide; v++)
            {
                double sum = 0;
                for (int y = 0; y < ReducedSize; y++)
                {
                    sum += byRow[y, v] * DctRows[u, y];
                }
                coefficients[u * HashSide + v] = 2 * sum;
            }
        }
        return FromCoefficients(coefficients);
    }

    /// <summary>Bits from the 64 low-frequency coefficients in row-major order (DC first).</summary>
    public static ulong FromCoefficients(ReadOnlySpan<double> coefficients)
    {
        var ac = coefficients[1..].ToArray();
        Array.Sort(ac);
        double median = ac[ac.Length / 2];

        ulong hash = 0;
        for (int i = 0; i < coefficients.Length; i++)
        {
            hash <<= 1;
            if (coefficients[i] >= median)
            {
                hash |= 1;
            }
        }
        return hash;
    }

    public static int Distance(ulong a, ulong b) => BitOperations.PopCount(a ^ b);

    public static string ToHex(ulong hash) => hash.ToString("x16", System.Globalization.CultureInfo.InvariantCulture);

    public static ulong Parse(string hex)
    {
        if (hex.Length != 16 || !ulong.TryParse(hex, System.Globalization.NumberStyles.AllowHexSpecifier, null, out var value))
        {
            throw new FormatException($"'{hex}' is not a perceptual hash (16 hexadecimal digits).");
        }
        return value;
    }

    /// <summary>ITU-R BT.601 luma, the weights PIL's "L" mode uses.</summary>
    public static double Luma(Rgb24 p) => 0.299 * p.R + 0.587 * p.G + 0.114 * p.B;

    private static double[,] CreateDctRows()
    {
        var rows = new double[HashSide, ReducedSize];
        for (int u = 0; u < HashSide; u++)
        {
            for (int x = 0; x < ReducedSize; x++)
            {
                rows[u, x] = Math.Cos(Math.PI * (2 * x + 1) * u / (2.0 * ReducedSize));
            }
        }
        return rows;
    }

    /// <summary>
    /// Exact area averaging from n source samples onto m bins: bin j covers [j*n/m, (j+1)*n/m) of the
    /// source, and each source sample contributes the length of its overlap divided by n/m.
    /// </summary>
    private sealed class AreaWeights
    {
        // For source index i: up to two (bin, weight) pairs when shrinking; more when enlarging.
        private readonly int[][] bins;
        private readonly double[][] weights;

        private AreaWeights(int[][] bins, double[][] weights)
        {
            this.bins = bins;
            this.weights = weights;
        }

        public static AreaWeights Create(int sourceLength, int binCount)
        {
            double binWidth = (double)sourceLength / binCount;
            var bins = new int[sourceLength][];
            var weights = new double[sourceLength][];
            for (int i = 0; i < sourceLength; i++)
            {
                int first = (int)Math.Floor(i / binWidth);
                int last = Math.Min(binCount - 1, (int)Math.Ceiling((i + 1) / binWidth) - 1);
                var b = new List<int>();
                var w = new List<double>();
                for (int j = first; j <= last; j++)
                {
                    double overlap = Math.Min(i + 1, (j + 1) * binWidth) - Math.Max(i, j * binWidth);
                    if (overlap > 0)
                    {
                        b.Add(j);
                        w.Add(overlap / binWidth);
                    }
                }
                bins[i] = b.ToArray();
                weights[i] = w.ToArray();
            }
            return new AreaWeights(bins, weights);
        }

        public void Accumulate(ReadOnlySpan<Rgb24> row, double[] target)
        {
            for (int x = 0; x < row.Length; x++)
            {
                double luma = Luma(row[x]);
                var b = bins[x];
                var w = weights[x];
                for (int k = 0; k < b.Length; k++)
                {
                    target[b[k]] += luma * w[k];
                }
            }
        }

        public void Spread(int y, double[] rowBins, double[,] target)
        {
            var b = bins[y];
            var w = weights[y];
            for (int k = 0; k < b.Length; k++)
            {
                int targetRow = b[k];
                double weight = w[k];
                for (int x = 0; x < rowBins.Length; x++)
                {
                    target[targetRow, x] += rowBins[x] * weight;
                }
            }
        }
    }
}
