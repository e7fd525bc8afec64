using System.Diagnostics;
using System.Globalization;
using System.Numerics;
using System.Runtime.Intrinsics;
using System.Security.Cryptography;
using OptOut.Core.Index;
using Xunit.Abstractions;

namespace OptOut.Core.Tests.Index;

/// <summary>The hash index, the exact scan and its half-float dot product, each against a naive reference.</summary>
public class VectorSearchTests
{
    private readonly ITestOutputHelper output;

    public VectorSearchTests(ITestOutputHelper output) => this.output = output;

    // ---- PerceptualHashIndex ---------------------------------------------------------------------

    private static ulong NextHash(Random random) => unchecked((ulong)random.NextInt64() ^ ((ulong)random.Next() << 40));

    private static ulong FlipBits(Random random, ulong hash, int bits)
    {
        var positions = Enumerable.Range(0, 64).OrderBy(_ => random.Next()).Take(bits);
        foreach (var p in positions) hash ^= 1UL << p;
        return hash;
    }

    [Fact]
    public void Hash_index_results_equal_a_brute_force_scan_at_every_radius()
    {
        var random = new Random(20240601);
        var queries = Enumerable.Range(0, 24).Select(_ => NextHash(random)).ToList();
        var entries = new List<(long Id, ulong Hash)>();
        long nextId = 1;
        // Unrelated hashes, and around each query hashes at every distance up to 24 (some repeated).
        for (int i = 0; i < 4000; i++) entries.Add((nextId += 1 + random.Next(3), NextHash(random)));
        foreach (var q in queries)
        {
            for (int k = 0; k <= 24; k++)
            for (int n = 0; n < 3; n++)
            {
                entries.Add((nextId += 1 + random.Next(3), FlipBits(random, q, k)));
            }
            entries.Add((nextId += 1, q));
        }
        entries = entries.OrderBy(_ => random.Next()).ToList();
        var index = new PerceptualHashIndex(entries);
        Assert.Equal(entries.Count, index.Count);

        int compared = 0;
        foreach (var q in queries)
        {
            for (int radius = 0; radius <= 16; radius++)
            {
                var expected = entries.Select(e => (e.Id, Distance: BitOperations.PopCount(e.Hash ^ q)))
                    .Where(e => e.Distance <= radius).OrderBy(e => e.Distance).ThenBy(e => e.Id).ToList();
                var actual = index.Search(q, radius);
                Assert.True(expected.SequenceEqual(actual), $"query {q:x16} radius {radius}: expected {expected.Count}, got {actual.Count}");
                compared += expected.Count;
            }
        }
        Assert.True(compared > 24 * 17 * 3, $"only {compared} hits compared");
    }

    [Fact]
    public void Hash_index_handles_wide_radii_empty_indexes_and_bad_radii()
    {
        var random = new Random(7);
        var entries = Enumerable.Range(0, 500).Select(i => ((long)i, NextHash(random))).ToList();
        var index = new PerceptualHashIndex(entries);
        ulong q = NextHash(random);
        foreach (var radius in new[] { 20, 27, 40, 64 })
        {
            var expected = entries.Select(e => (e.Item1, BitOperations.PopCount(e.Item2 ^ q))).Where(e => e.Item2 <= radius)
                .OrderBy(e => e.Item2).ThenBy(e => e.Item1).ToList();
            Assert.Equal(expected, index.Search(q, radius));
        }
        Assert.Equal(500, index.Search(q, 64).Count);
        Assert.Empty(new PerceptualHashIndex([]).Search(q, 10));
        Assert.Throws<ArgumentOutOfRangeException>(() => index.Search(q, -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => index.Search(q, 65));
    }

    // ---- HalfVectors.Dot -------------------------------------------------------------------------

    /// <summary>A random half: normals of either sign, subnormals, signed zeros, some larger values.</summary>
    private static Half RandomHalf(Random random) => random.Next(6) switch
    {
        0 => BitConverter.UInt16BitsToHalf((ushort)((random.Next(2) << 15) | random.Next(1, 0x400))),   // subnormal
        1 => random.Next(2) == 0 ? (Half)0f : BitConverter.UInt16BitsToHalf(0x8000),                    // +-0
        2 => (Half)((random.NextDouble() * 2 - 1) * 200),                                              // larger
        _ => (Half)(random.NextDouble() * 2 - 1),                                                      // typical
    };

    private static double ScalarDot(ReadOnlySpan<Half> row, ReadOnlySpan<float> query)
    {
        double sum = 0;
        for (int i = 0; i < row.Length; i++) sum += (double)(float)row[i] * query[i];
        return sum;
    }

    private static double AbsoluteDot(ReadOnlySpan<Half> row, ReadOnlySpan<float> query)
    {
        double sum = 0;
        for (int i = 0; i < row.Length; i++) sum += Math.Abs((double)(float)row[i] * query[i]);
        return sum;
    }

    [Fact]
    public void Half_dot_equals_a_scalar_reference_for_random_vectors()
    {
        output.WriteLine($"Vector256 accelerated: {Vector256.IsHardwareAccelerated}");
        var random = new Random(42);
        int[] lengths = [0, 1, 5, 15, 16, 17, 31, 32, 33, 47, 100, 255, 257, 511, 513, 1023, 1030];
        foreach (var length in lengths)
        {
            for (int trial = 0; trial < 20; trial++)
            {
                var row = Enumerable.Range(0, length).Select(_ => RandomHalf(random)).ToArray();
                var query = Enumerable.Range(0, length).Select(_ => (float)(random.NextDouble() * 4 - 2)).ToArray();
                double expected = ScalarDot(row, query);
                float actual = HalfVectors.Dot(row, query);
                // Within 1e-5 of the exact value, relative to the sum of the terms' magnitudes
                // (absolute for unit vectors, whose terms sum to at most 1).
                double tolerance = 1e-5 * Math.Max(1, AbsoluteDot(row, query));
                Assert.True(Math.Abs(actual - expected) <= tolerance, $"length {length} trial {trial}: {actual} vs {expected}");
            }
        }
    }

    [Fact]
    public void Half_dot_of_unit_vectors_is_within_1e_5_of_the_scalar_reference()
    {
        var random = new Random(43);
        foreach (var length in new[] { 7, 100, 250, 513, 767, 1025 })
        {
            for (int trial = 0; trial < 30; trial++)
            {
                var a = IndexFixtures.Normalize(Enumerable.Range(0, length).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray());
                var b = IndexFixtures.Normalize(Enumerable.Range(0, length).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray());
                // Some components pushed into the subnormal range, as tiny components of real embeddings are.
                for (int i = 0; i < length; i += 5) a[i] = (float)((random.NextDouble() * 2 - 1) * 6e-5);
                var row = HalfVectors.ToHalf(a);
                Assert.Contains(row, h => Half.IsSubnormal(h));
                Assert.Equal(ScalarDot(row, b), HalfVectors.Dot(row, b), 1e-5);
            }
        }
    }

    [Fact]
    public void Every_finite_half_is_converted_exactly_by_the_vector_path()
    {
        // Each half in turn at every lane of a 16-wide block (the SIMD path) times a basis query:
        // the dot product is then exactly the half's value.
        var row = new Half[32];
        var query = new float[32];
        int checkedValues = 0;
        for (int bits = 0; bits <= ushort.MaxValue; bits++)
        {
            var h = BitConverter.UInt16BitsToHalf((ushort)bits);
            if (!Half.IsFinite(h)) continue;
            int lane = bits % 32;
            Array.Clear(row);
            Array.Clear(query);
            row[lane] = h;
            query[lane] = 1f;
            float dot = HalfVectors.Dot(row, query);
            if (BitConverter.SingleToInt32Bits(dot) != BitConverter.SingleToInt32Bits((float)h) && !(dot == 0 && (float)h == 0))
            {
                Assert.Fail($"half 0x{bits:x4} ({(float)h:R}) became {dot:R}");
            }
            checkedValues++;
        }
        Assert.Equal(63488, checkedValues);
    }

    // ---- ExactVectorScan -------------------------------------------------------------------------

    private static List<(long Id, double Similarity)> NaiveTop(long[] ids, Half[][] rows, float[] query, int count) =>
        ids.Select((id, r) => (id, ScalarDot(rows[r], query))).OrderByDescending(x => x.Item2).ThenBy(x => x.id).Take(count).ToList();

    [Fact]
    public void Exact_scan_gives_the_same_top_k_as_a_naive_loop()
    {
        const int dimensions = 100, count = 10_000;   // 100 is not a multiple of 16; 10,000 rows split across workers
        var random = new Random(99);
        var vectors = IndexFixtures.UnitVectors(count, dimensions, seed: 100);
        var rows = vectors.Select(v => HalfVectors.ToHalf(v)).ToArray();
        var ids = Enumerable.Range(0, count).Select(i => 7L * i + 3).ToArray();
        var scan = new ExactVectorScan(dimensions, ids, rows.SelectMany(r => r).ToArray());
        Assert.Equal(count, scan.Count);

        for (int q = 0; q < 12; q++)
        {
            // Half the queries near a stored vector, half random.
            var query = q % 2 == 0
                ? IndexFixtures.Normalize(vectors[random.Next(count)].Select(v => v + (float)(random.NextDouble() - 0.5) * 0.05f).ToArray())
                : IndexFixtures.UnitVectors(1, dimensions, seed: 1000 + q)[0];
            foreach (var k in new[] { 1, 10, 100 })
            {
                var expected = NaiveTop(ids, rows, query, k + 1);
                var actual = scan.Search(query, k);
                Assert.Equal(k, actual.Count);
                var byId = ids.Select((id, r) => (id, r)).ToDictionary(x => x.id, x => x.r);
                for (int i = 0; i < k; i++)
                {
                    // Rank by rank the same similarity (ids may only differ between rows tied within float rounding).
                    Assert.Equal(expected[i].Similarity, actual[i].Similarity, 1e-5);
                    Assert.Equal(expected[i].Similarity, ScalarDot(rows[byId[actual[i].Id]], query), 1e-5);
                }
                if (expected[k - 1].Similarity - expected[k].Similarity > 1e-5)
                {
                    Assert.Equal(expected.Take(k).Select(e => e.Id).Order(), actual.Select(a => a.Id).Order());
                }
            }

            var threshold = (float)NaiveTop(ids, rows, query, 25)[^1].Similarity - 1e-4f;
            var above = scan.SearchAbove(query, threshold);
            var naiveAbove = ids.Select((id, r) => (id, s: ScalarDot(rows[r], query))).Where(x => x.s >= threshold)
                .Select(x => x.id).Order().ToList();
            Assert.Equal(naiveAbove, above.Select(a => a.Id).Order());
            Assert.True(above.Zip(above.Skip(1)).All(p => p.First.Similarity >= p.Second.Similarity));
        }

        Assert.Equal(count, scan.Search(IndexFixtures.UnitVectors(1, dimensions, 5)[0], count + 50).Count);
        Assert.Empty(scan.Search(vectors[0], 0));
        Assert.Throws<ArgumentException>(() => scan.Search(new float[dimensions + 1], 3));
    }

    // ---- VectorIndex, HNSW path ------------------------------------------------------------------

    /// <summary>Unit vectors around random centres: what embeddings of a large dataset look like.</summary>
    private static float[][] ClusteredVectors(int count, int dimensions, int clusters, int seed)
    {
        var random = new Random(seed);
        var centres = IndexFixtures.UnitVectors(clusters, dimensions, seed + 1);
        return Enumerable.Range(0, count).Select(_ =>
        {
            var centre = centres[random.Next(clusters)];
            return IndexFixtures.Normalize(centre.Select(c => c + (float)Gaussian(random) * 0.6f / MathF.Sqrt(dimensions)).ToArray());
        }).ToArray();
    }

    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    private static void AddVectors(IndexStore store, string shard, float[][] vectors, int firstKey)
    {
        long dataset = store.EnsureDataset("vectors");
        var rows = vectors.Select((v, i) => new ImportRow { Key = (firstKey + i).ToString(CultureInfo.InvariantCulture), Embedding = HalfVectors.ToHalf(v) });
        Assert.True(store.ImportShard(dataset, shard, shard, "test", rows, () => 0, () => 0, "hnsw-test-model"));
    }

    private static double RecallAt10(VectorIndex approximate, VectorIndex exact, List<float[]> queries)
    {
        double total = 0;
        foreach (var query in queries)
        {
            var truth = exact.Search(query, 10).Select(r => r.Id).ToHashSet();
            total += approximate.Search(query, 10).Count(r => truth.Contains(r.Id)) / 10.0;
        }
        return total / queries.Count;
    }

    private static string FileDigest(string path) => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path)));

    [Fact]
    public void Hnsw_cache_is_built_above_the_exact_scan_limit_reused_and_appended()
    {
        if (!VectorIndex.HnswAvailable())
        {
            output.WriteLine("USearch has no native library on this platform: the exact scan is used at every size.");
            return;
        }
        const int dimensions = 32;
        var folder = TestEnvironment.NewScratchFolder();
        using var store = IndexStore.Open(IndexFixtures.NewIndexPath(folder));
        var vectors = ClusteredVectors(VectorIndex.ExactScanBelow + 1000, dimensions, clusters: 400, seed: 11);
        AddVectors(store, "first", vectors, 0);

        var cache = VectorIndex.CachePath(store.Path);
        Assert.Equal(store.Path + ".hnsw", cache);
        Assert.False(File.Exists(cache));

        var clock = Stopwatch.StartNew();
        var built = VectorIndex.Open(store);
        var buildTime = clock.Elapsed;
        Assert.Equal(VectorSearchKind.Hnsw, built.Kind);
        Assert.Equal(vectors.Length, built.Count);
        Assert.True(File.Exists(cache));
        var digest = FileDigest(cache);
        var writeTime = File.GetLastWriteTimeUtc(cache);

        using var exact = VectorIndex.Open(store, forceExact: true);
        Assert.Equal(VectorSearchKind.Exact, exact.Kind);
        var random = new Random(12);
        var queries = Enumerable.Range(0, 200).Select(_ => IndexFixtures.Normalize(vectors[random.Next(vectors.Length)]
            .Select(v => v + (float)Gaussian(random) * 0.3f / MathF.Sqrt(dimensions)).ToArray())).ToList();
        double recall = RecallAt10(built, exact, queries);
        output.WriteLine($"built {vectors.Length:N0} in {buildTime.TotalSeconds:F1} s; recall@10 {recall:F3}");
        Assert.True(recall >= 0.9, $"recall@10 {recall:F3}");
        built.Dispose();

        // Opened again unchanged: the cache is reused, not rebuilt.
        clock.Restart();
        using (var reused = VectorIndex.Open(store))
        {
            var reuseTime = clock.Elapsed;
            output.WriteLine($"reopened in {reuseTime.TotalMilliseconds:F0} ms");
            Assert.Equal(VectorSearchKind.Hnsw, reused.Kind);
            Assert.True(reuseTime < buildTime / 2, $"reopen {reuseTime.TotalSeconds:F2} s vs build {buildTime.TotalSeconds:F2} s");
            Assert.Equal(digest, FileDigest(cache));
            Assert.Equal(writeTime, File.GetLastWriteTimeUtc(cache));
            Assert.True(RecallAt10(reused, exact, queries.Take(50).ToList()) >= 0.9);
        }

        // More rows imported: the cache is brought up to date and finds them.
        var more = ClusteredVectors(1500, dimensions, clusters: 400, seed: 13);
        AddVectors(store, "second", more, vectors.Length);
        clock.Restart();
        using (var appended = VectorIndex.Open(store))
        {
            output.WriteLine($"updated with {more.Length:N0} rows in {clock.Elapsed.TotalSeconds:F1} s");
            Assert.Equal(vectors.Length + more.Length, appended.Count);
            Assert.NotEqual(digest, FileDigest(cache));
            Assert.Contains($"\"Count\":{vectors.Length + more.Length}", File.ReadAllText(cache + ".json"));
            using var exactAfter = VectorIndex.Open(store, forceExact: true);
            var newIds = store.EmbeddingsAfter(0).Skip(vectors.Length).Select(e => e.Id).ToList();
            for (int i = 0; i < more.Length; i += 150)
            {
                Assert.Equal(newIds[i], appended.Search(more[i], 1)[0].Id);
            }
            var mixed = queries.Take(100).Concat(more.Take(100)).ToList();
            double after = RecallAt10(appended, exactAfter, mixed);
            output.WriteLine($"recall@10 after the update {after:F3}");
            Assert.True(after >= 0.9, $"recall@10 after the update {after:F3}");

            // SearchAbove widens past its first 64 results until it has every row above the floor.
            var probe = more[7];
            float floor = exactAfter.Search(probe, 100)[^1].Similarity;
            var expectedAbove = exactAfter.SearchAbove(probe, floor).Select(r => r.Id).ToHashSet();
            var foundAbove = appended.SearchAbove(probe, floor).Select(r => r.Id).ToHashSet();
            var nearlyAbove = exactAfter.SearchAbove(probe, floor - 0.005f).Select(r => r.Id).ToHashSet();
            Assert.True(expectedAbove.Count >= 100);
            Assert.True(foundAbove.Count >= expectedAbove.Count * 0.9 && foundAbove.IsSubsetOf(nearlyAbove),
                $"{foundAbove.Count} found above {floor:F3} of {expectedAbove.Count}");
        }
    }

    [Fact]
    public void A_small_index_is_scanned_exactly_and_writes_no_cache()
    {
        var folder = TestEnvironment.NewScratchFolder();
        using var store = IndexStore.Open(IndexFixtures.NewIndexPath(folder));
        var vectors = ClusteredVectors(500, 24, clusters: 10, seed: 3);
        AddVectors(store, "small", vectors, 0);
        using var index = VectorIndex.Open(store);
        Assert.Equal(VectorSearchKind.Exact, index.Kind);
        Assert.Equal(500, index.Count);
        Assert.False(File.Exists(VectorIndex.CachePath(store.Path)));
        var first = store.EmbeddingsAfter(0).First().Id;
        Assert.Equal(first, index.Search(vectors[0], 1)[0].Id);
    }
}
