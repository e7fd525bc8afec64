namespace IndexBench;

/// <summary>
/// A small deterministic generator (xoshiro256** seeded by SplitMix64): the same seed gives the same
/// data on every machine and .NET version, unlike System.Random's unspecified algorithm.
/// </summary>
public sealed class Rng
{
    private ulong s0, s1, s2, s3;
    private double spareNormal;
    private bool hasSpare;

    public Rng(ulong seed)
    {
        ulong x = seed;
        s0 = SplitMix(ref x); s1 = SplitMix(ref x); s2 = SplitMix(ref x); s3 = SplitMix(ref x);
    }

    /// <summary>A seed for item <paramref name="index"/> of stream <paramref name="stream"/>, so items can be generated independently and in parallel.</summary>
    public static ulong Derive(ulong stream, long index)
    {
        ulong x = stream * 0x9E3779B97F4A7C15UL ^ (ulong)index;
        SplitMix(ref x);
        return SplitMix(ref x);
    }

    private static ulong SplitMix(ref ulong x)
    {
        ulong z = x += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    public ulong Next()
    {
        ulong result = ulong.RotateLeft(s1 * 5, 7) * 9;
        ulong t = s1 << 17;
        s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= t;
        s3 = ulong.RotateLeft(s3, 45);
        return result;
    }

    /// <summary>Uniform in [0, 1).</summary>
    public double NextDouble() => (Next() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform in [0, n).</summary>
    public int Next(int n) => (int)((Next() >> 33) * (ulong)n >> 31);

    public int Next(int min, int maxExclusive) => min + Next(maxExclusive - min);

    public bool Chance(double p) => NextDouble() < p;

    /// <summary>Standard normal (Box-Muller, pairs).</summary>
    public double NextNormal()
    {
        if (hasSpare) { hasSpare = false; return spareNormal; }
        double u1 = 1.0 - NextDouble(), u2 = NextDouble();
        double r = Math.Sqrt(-2.0 * Math.Log(u1));
        spareNormal = r * Math.Sin(2 * Math.PI * u2);
        hasSpare = true;
        return r * Math.Cos(2 * Math.PI * u2);
    }

    public T Pick<T>(IReadOnlyList<T> items) => items[Next(items.Count)];
}

/// <summary>Samples ranks 0..n-1 with probability proportional to 1/(rank+offset)^exponent.</summary>
public sealed class Zipf
{
    private readonly double[] cdf;

    public Zipf(int n, double exponent, double offset = 1)
    {
        cdf = new double[n];
        double sum = 0;
        for (int i = 0; i < n; i++) { sum += 1.0 / Math.Pow(i + offset, exponent); cdf[i] = sum; }
        for (int i = 0; i < n; i++) cdf[i] /= sum;
    }

    public int Count => cdf.Length;

    public double Probability(int rank) => rank == 0 ? cdf[0] : cdf[rank] - cdf[rank - 1];

    public int Sample(Rng rng)
    {
        double u = rng.NextDouble();
        int index = Array.BinarySearch(cdf, u);
        if (index < 0) index = ~index;
        return Math.Min(index, cdf.Length - 1);
    }
}
