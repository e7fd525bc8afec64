using System.Diagnostics;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Text.Json;
using Cloud.Unum.USearch;
using OptOut.Core.Index;

namespace IndexBench;

/// <summary>HNSW build and search (VectorIndex) against the exact scan (ExactVectorScan) on the same rows.</summary>
public static class VectorBench
{
    // The USearch C API beside the managed binding, for what the binding does not expose: reading and
    // changing the search expansion, and concurrent adds (diagnostics and the "what it would take" build).
    [DllImport("libusearch_c")] private static extern UIntPtr usearch_expansion_search(IntPtr index, out IntPtr error);
    [DllImport("libusearch_c")] private static extern UIntPtr usearch_expansion_add(IntPtr index, out IntPtr error);
    [DllImport("libusearch_c")] private static extern void usearch_change_expansion_search(IntPtr index, UIntPtr expansion, out IntPtr error);
    [DllImport("libusearch_c")] private static extern void usearch_reserve(IntPtr index, UIntPtr capacity, out IntPtr error);
    [DllImport("libusearch_c")] private static extern void usearch_add(IntPtr index, ulong key, IntPtr vector, ScalarKind kind, out IntPtr error);
    [DllImport("libusearch_c")] private static extern UIntPtr usearch_memory_usage(IntPtr index, out IntPtr error);
    [DllImport("libusearch_c")] private static extern IntPtr usearch_hardware_acceleration(IntPtr index, out IntPtr error);

    private static void Check(IntPtr error)
    {
        if (error != IntPtr.Zero) throw new InvalidOperationException("USearch: " + Marshal.PtrToStringAnsi(error));
    }

    private static IntPtr Handle(USearchIndex graph) =>
        (IntPtr)typeof(USearchIndex).GetField("_index", BindingFlags.NonPublic | BindingFlags.Instance)!.GetValue(graph)!;

    private static USearchIndex? Graph(VectorIndex index) =>
        (USearchIndex?)typeof(VectorIndex).GetField("graph", BindingFlags.NonPublic | BindingFlags.Instance)!.GetValue(index);

    private static void DeleteCache(string db)
    {
        foreach (var p in new[] { VectorIndex.CachePath(db), VectorIndex.CachePath(db) + ".json", VectorIndex.CachePath(db) + ".tmp" })
        {
            if (File.Exists(p)) File.Delete(p);
        }
    }

    private sealed class BudgetExceeded(long done) : Exception
    {
        public long Done { get; } = done;
    }

    /// <summary>VectorIndex.Open on an index without a cache: the engine's own build. Stopped after the budget, if any.</summary>
    public static Dictionary<string, object?> Build(string db, double budgetSeconds)
    {
        DeleteCache(db);
        var result = new Dictionary<string, object?>();
        using var store = IndexStore.Open(db);
        var (count, _) = store.EmbeddingStamp();
        result["vectors"] = count;
        var timeline = new List<double[]>();
        double cpuStart = Measure.ProcessCpuSeconds();
        var clock = Stopwatch.StartNew();
        long next = 50_000;
        try
        {
            using var index = VectorIndex.Open(store, (done, total) =>
            {
                if (done >= next) { timeline.Add([done, Math.Round(clock.Elapsed.TotalSeconds, 2)]); next += 50_000; }
                if (budgetSeconds > 0 && clock.Elapsed.TotalSeconds > budgetSeconds) throw new BudgetExceeded(done);
            });
            double seconds = clock.Elapsed.TotalSeconds;
            result["complete"] = true;
            result["kind"] = index.Kind;
            result["build_s"] = Measure.Round(seconds, 1);
            result["adds_per_s"] = Math.Round(count / seconds);
            var graph = Graph(index);
            if (graph is not null)
            {
                var handle = Handle(graph);
                result["expansion_add"] = (long)usearch_expansion_add(handle, out var e1); Check(e1);
                result["expansion_search_after_build"] = (long)usearch_expansion_search(handle, out var e2); Check(e2);
                result["usearch_memory_MiB"] = Math.Round((long)usearch_memory_usage(handle, out var e3) / 1048576.0, 1); Check(e3);
                result["hardware_acceleration"] = Marshal.PtrToStringAnsi(usearch_hardware_acceleration(handle, out var e4)); Check(e4);
            }
        }
        catch (BudgetExceeded stop)
        {
            double seconds = clock.Elapsed.TotalSeconds;
            result["complete"] = false;
            result["stopped_at_vectors"] = stop.Done;
            result["build_s"] = Measure.Round(seconds, 1);
            result["adds_per_s"] = Math.Round(stop.Done / seconds);
            DeleteCache(db);
        }
        result["cpu_s"] = Measure.Round(Measure.ProcessCpuSeconds() - cpuStart, 1);
        result["timeline"] = timeline;
        result["cache_bytes"] = Measure.FileSize(VectorIndex.CachePath(db));
        result["memory"] = Measure.Memory();
        Measure.Log($"engine HNSW build: {JsonSerializer.Serialize(result)}");
        return result;
    }

    /// <summary>
    /// The same graph (USearch, cosine, f16, M 16, expansion 128) built with concurrent adds on every
    /// core, written as the engine's cache file with its stamp so VectorIndex.Open uses it.
    /// </summary>
    public static Dictionary<string, object?> BuildParallel(string db, int threads, double budgetSeconds)
    {
        DeleteCache(db);
        var result = new Dictionary<string, object?>();
        using var store = IndexStore.Open(db);
        var (count, maxId) = store.EmbeddingStamp();
        int dims = store.Dimensions!.Value;
        var clock = Stopwatch.StartNew();
        var ids = new long[count];
        var vectors = GC.AllocateUninitializedArray<Half>(checked((int)(count * dims)), pinned: true);
        int n = 0;
        foreach (var (id, vector) in store.EmbeddingsAfter(0))
        {
            if (n == count) break;
            ids[n] = id;
            vector.CopyTo(vectors.AsSpan(n * dims, dims));
            n++;
        }
        result["load_s"] = Measure.Round(clock.Elapsed.TotalSeconds, 1);
        using var graph = new USearchIndex(MetricKind.Cos, ScalarKind.Float16, (ulong)dims, 16, 128, 96);
        var handle = Handle(graph);
        usearch_reserve(handle, (UIntPtr)count, out var error); Check(error);
        double cpuStart = Measure.ProcessCpuSeconds();
        var add = Stopwatch.StartNew();
        long added = 0;
        var timeline = new List<double[]>();
        unsafe
        {
            fixed (Half* basePtr = vectors)
            {
                var start = (IntPtr)basePtr;
                // Rows in a shuffled-free interleaved order: each worker takes every threads-th row.
                Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, w =>
                {
                    for (int i = w; i < n; i += threads)
                    {
                        usearch_add(handle, (ulong)ids[i], start + (nint)i * dims * 2, ScalarKind.Float16, out var e);
                        Check(e);
                        long done = Interlocked.Increment(ref added);
                        if (done % 50_000 == 0)
                        {
                            lock (timeline) timeline.Add([done, Math.Round(add.Elapsed.TotalSeconds, 1), Math.Round(Measure.ProcessCpuSeconds(), 1)]);
                        }
                        if (budgetSeconds > 0 && (i & 1023) == w && add.Elapsed.TotalSeconds > budgetSeconds) break;
                    }
                });
            }
        }
        double addSeconds = add.Elapsed.TotalSeconds;
        result["cpu_s"] = Measure.Round(Measure.ProcessCpuSeconds() - cpuStart, 1);
        result["timeline"] = timeline;
        if (added < n)
        {
            result["complete"] = false;
            result["vectors"] = count;
            result["stopped_at_vectors"] = added;
            result["threads"] = threads;
            result["add_s"] = Measure.Round(addSeconds, 1);
            result["adds_per_s"] = Math.Round(added / addSeconds);
            result["memory"] = Measure.Memory();
            Measure.Log($"parallel HNSW build stopped by its budget: {JsonSerializer.Serialize(result)}");
            return result;
        }
        result["complete"] = true;
        var path = VectorIndex.CachePath(db);
        graph.Save(path + ".tmp");
        File.Move(path + ".tmp", path, overwrite: true);
        File.WriteAllText(path + ".json", JsonSerializer.Serialize(new { ModelId = store.ModelId, Dimensions = dims, Count = count, MaxId = maxId }));
        result["vectors"] = count;
        result["threads"] = threads;
        result["add_s"] = Measure.Round(addSeconds, 1);
        result["adds_per_s"] = Math.Round(n / addSeconds);
        result["total_s"] = Measure.Round(clock.Elapsed.TotalSeconds, 1);
        result["cache_bytes"] = Measure.FileSize(path);
        result["memory"] = Measure.Memory();
        Measure.Log($"parallel HNSW build: {JsonSerializer.Serialize(result)}");
        return result;
    }

    public static Dictionary<string, object?> Search(string db, int heldOut, int perturbed, bool sweep, bool exactOnly)
    {
        var result = new Dictionary<string, object?>();
        var gen = new EmbeddingGen();
        using var store = IndexStore.Open(db);
        var (count, _) = store.EmbeddingStamp();
        result["vectors"] = count;
        var queries = new List<(string Set, float[] Vector)>();
        for (int q = 0; q < heldOut; q++) queries.Add(("held-out", gen.HeldOutQuery(q)));
        for (int q = 0; q < perturbed; q++) queries.Add(("perturbed copy", gen.PerturbedQuery(q, count).Query));
        const int k = 10;

        // Without a complete HNSW cache (exactOnly) only the exact scan is measured: opening would build the graph.
        VectorIndex? index = null;
        IntPtr handle = IntPtr.Zero;
        var hnsw = new List<(double Ms, List<long> Ids, List<float> Sims, double CpuMs)>();
        if (!exactOnly)
        {
            var open = Stopwatch.StartNew();
            index = VectorIndex.Open(store);
            result["open_s"] = Measure.Round(open.Elapsed.TotalSeconds, 2);
            result["kind"] = index.Kind;
            var graph = Graph(index);
            if (graph is not null)
            {
                handle = Handle(graph);
                result["expansion_search_after_open"] = (long)usearch_expansion_search(handle, out var e); Check(e);
            }

            // A first pass (pages of the memory-mapped cache come in), then the timed pass.
            var first = queries.Select(q => TimeSearch(() => index.Search(q.Vector, k)).Ms).ToList();
            hnsw = queries.Select(q => TimeSearch(() => index.Search(q.Vector, k))).ToList();
            result["hnsw_first_pass"] = Measure.Latency(first);
            result["hnsw"] = Measure.Latency(hnsw.Select(h => h.Ms).ToList());
            result["hnsw_thread_cpu"] = Measure.Latency(hnsw.Select(h => h.CpuMs).ToList());
            result["search_process_memory"] = Measure.Memory();
            Measure.Log($"HNSW p50 {Measure.Median(hnsw.Select(h => h.Ms)):F2} ms; memory {JsonSerializer.Serialize(result["search_process_memory"])}");
        }

        // Exact scan of the same rows in the same process (loaded after the memory figure above).
        var load = Stopwatch.StartNew();
        var exact = ExactVectorScan.Load(store);
        result["exact_load_s"] = Measure.Round(load.Elapsed.TotalSeconds, 1);
        var half = (Half[])typeof(ExactVectorScan).GetField("vectors", BindingFlags.NonPublic | BindingFlags.Instance)!.GetValue(exact)!;
        long bytes = half.LongLength * 2;
        var bandwidth = Enumerable.Range(0, 5).Select(_ => TimeSearch(() => { ReadAll(half); return []; }).Ms).ToList();
        result["vector_bytes"] = bytes;
        result["memory_read_ms"] = Measure.Round(Measure.Median(bandwidth));
        result["memory_read_GB_per_s"] = Math.Round(bytes / 1e9 / (Measure.Median(bandwidth) / 1000), 2);
        exact.Search(queries[0].Vector, k);
        var truth = queries.Select(q => TimeSearch(() => exact.Search(q.Vector, k))).ToList();
        result["exact"] = Measure.Latency(truth.Select(t => t.Ms).ToList());
        result["exact_GB_per_s"] = Math.Round(bytes / 1e9 / (Measure.Median(truth.Select(t => t.Ms)) / 1000), 2);
        result["memory_with_exact"] = Measure.Memory();

        if (index is not null) result["recall_at_10"] = Recall(queries, hnsw.Select(h => h.Ids).ToList(), truth.Select(t => t.Ids).ToList());
        var topSimilarity = truth.Select((t, i) => (queries[i].Set, t.Sims.Count > 0 ? t.Sims[0] : 0, t.Sims.Count >= k ? t.Sims[k - 1] : 0)).ToList();
        result["exact_similarity"] = topSimilarity.GroupBy(t => t.Set).ToDictionary(g => g.Key, g => new Dictionary<string, object?>
        {
            ["median_top1"] = Measure.Round(Measure.Median(g.Select(x => (double)x.Item2))),
            ["median_top10"] = Measure.Round(Measure.Median(g.Select(x => (double)x.Item3))),
        });
        Measure.Log($"exact p50 {Measure.Median(truth.Select(t => t.Ms)):F1} ms; recall {JsonSerializer.Serialize(result.GetValueOrDefault("recall_at_10"))}");
        if (index is null) return result;

        // What the first probe of SearchAbove (64 results) gives for the top 10.
        var wide = queries.Select(q => TimeSearch(() => index.Search(q.Vector, 64).Take(k).ToList())).ToList();
        result["hnsw_k64"] = Measure.Latency(wide.Select(w => w.Ms).ToList());
        result["recall_at_10_k64"] = Recall(queries, wide.Select(w => w.Ids).ToList(), truth.Select(t => t.Ids).ToList());

        if (sweep && handle != IntPtr.Zero)
        {
            var rows = new List<Dictionary<string, object?>>();
            foreach (var ef in new[] { 32, 64, 96, 128, 192, 256, 384, 512 })
            {
                usearch_change_expansion_search(handle, (UIntPtr)ef, out var e); Check(e);
                var runs = queries.Select(q => TimeSearch(() => index.Search(q.Vector, k))).ToList();
                var recall = Recall(queries, runs.Select(r => r.Ids).ToList(), truth.Select(t => t.Ids).ToList());
                rows.Add(new() { ["expansion_search"] = ef, ["p50_ms"] = Measure.Round(Measure.Median(runs.Select(r => r.Ms))), ["p50_thread_cpu_ms"] = Measure.Round(Measure.Median(runs.Select(r => r.CpuMs))), ["p90_ms"] = Measure.Round(Measure.Percentile(runs.Select(r => r.Ms), 90)), ["recall"] = recall });
                Measure.Log($"ef {ef}: p50 {Measure.Median(runs.Select(r => r.Ms)):F2} ms recall {JsonSerializer.Serialize(recall)}");
            }
            result["expansion_sweep"] = rows;
        }
        index.Dispose();
        return result;
    }

    private static Dictionary<string, object?> Recall(List<(string Set, float[] Vector)> queries, List<List<long>> found, List<List<long>> truth)
    {
        var per = queries.Select((q, i) => (q.Set, Recall: truth[i].Count == 0 ? 1.0 : found[i].Intersect(truth[i]).Count() / (double)truth[i].Count)).ToList();
        var result = new Dictionary<string, object?> { ["all"] = Math.Round(per.Average(p => p.Recall), 4) };
        foreach (var g in per.GroupBy(p => p.Set)) result[g.Key] = Math.Round(g.Average(p => p.Recall), 4);
        result["min"] = Math.Round(per.Min(p => p.Recall), 2);
        // The exact nearest row among the approximate top 10: for a perturbed copy, whether its source is found.
        var top1 = queries.Select((q, i) => (q.Set, Found: truth[i].Count > 0 && found[i].Contains(truth[i][0]))).ToList();
        foreach (var g in top1.GroupBy(p => p.Set)) result["top1_found " + g.Key] = Math.Round(g.Average(p => p.Found ? 1.0 : 0.0), 4);
        return result;
    }

    private static (double Ms, List<long> Ids, List<float> Sims, double CpuMs) TimeSearch(Func<IReadOnlyList<(long Id, float Similarity)>> search)
    {
        double cpu = Measure.ThreadCpuMs();
        var clock = Stopwatch.StartNew();
        var found = search();
        double ms = clock.Elapsed.TotalMilliseconds;
        cpu = Measure.ThreadCpuMs() - cpu;
        return (ms, found.Select(f => f.Id).ToList(), found.Select(f => f.Similarity).ToList(), cpu);
    }

    private static long sink;

    /// <summary>Reads every byte of the vectors once, on every core: the memory-bandwidth floor of an exact scan.</summary>
    private static void ReadAll(Half[] vectors)
    {
        var bits = MemoryMarshal.Cast<Half, ulong>(vectors.AsSpan());
        int workers = Environment.ProcessorCount;
        long total = bits.Length;
        var sums = new ulong[workers];
        Parallel.For(0, workers, w =>
        {
            var span = MemoryMarshal.Cast<Half, ulong>(vectors.AsSpan());
            int start = (int)(total * w / workers), end = (int)(total * (w + 1) / workers);
            var acc = Vector256<ulong>.Zero;
            int i = start;
            ref ulong origin = ref MemoryMarshal.GetReference(span);
            for (; i + 4 <= end; i += 4) acc ^= Vector256.LoadUnsafe(ref origin, (nuint)i);
            sums[w] = Vector256.Sum(acc);
        });
        sink += (long)sums.Aggregate((a, b) => a ^ b);
    }
}
