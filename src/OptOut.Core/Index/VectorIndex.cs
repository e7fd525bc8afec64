using System.Reflection;
using System.Runtime.InteropServices;
using System.Text.Json;
using Cloud.Unum.USearch;

using OptOut.Core.OutputSafety;

namespace OptOut.Core.Index;

/// <summary>
/// Nearest-neighbour search over the index's embeddings. Small indexes are scanned exactly; larger
/// ones use an HNSW graph (USearch, half-float storage, cosine) kept as a cache file beside the
/// database and rebuilt from SQLite when it is missing or stale: rows added since it was saved are
/// appended, anything else (a different model, fewer rows) rebuilds it. Where USearch has no native
/// library (linux-arm64, win-arm64) the exact scan is used at every size.
/// </summary>
internal sealed class VectorIndex : IDisposable
{
    /// <summary>Below this many vectors an exact scan is fast enough (a few ms) and has perfect recall.</summary>
    public const int ExactScanBelow = 20_000;

    private const ulong Connectivity = 16;
    private const ulong ExpansionAdd = 128;
    private const ulong ExpansionSearch = 96;

    // Search breadth of a graph opened from the cache. USearch's load/view resets it to its default
    // (64), which at a million vectors leaves near-duplicates out of the top ten; 256 keeps them
    // (recall@10 and cost in docs/index-benchmarks.md).
    private const nuint CachedExpansionSearch = 256;

    private readonly ExactVectorScan? exact;
    private readonly USearchIndex? graph;

    private VectorIndex(ExactVectorScan exact)
    {
        this.exact = exact;
        Count = exact.Count;
        Kind = VectorSearchKind.Exact;
    }

    private VectorIndex(USearchIndex graph, long count)
    {
        this.graph = graph;
        Count = count;
        Kind = VectorSearchKind.Hnsw;
    }

    public long Count { get; }

    /// <summary>An exact scan or an HNSW graph.</summary>
    public VectorSearchKind Kind { get; }

    public static string CachePath(string indexPath) => indexPath + ".hnsw";

    /// <summary>Opens the vector search for an index, building or updating the HNSW cache when needed.</summary>
    public static VectorIndex Open(IndexStore store, Action<long, long>? progress = null, bool forceExact = false)
    {
        var (count, maxId) = store.EmbeddingStamp();
        if (forceExact || count < ExactScanBelow || !HnswAvailable())
        {
            return new VectorIndex(ExactVectorScan.Load(store));
        }
        return new VectorIndex(LoadOrBuildGraph(store, count, maxId, progress), count);
    }

    private static bool? hnswAvailable;

    public static bool HnswAvailable()
    {
        if (hnswAvailable is { } known) return known;
        try
        {
            using var probe = new USearchIndex(MetricKind.Cos, ScalarKind.Float16, 2, Connectivity, ExpansionAdd, ExpansionSearch);
            hnswAvailable = true;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException or BadImageFormatException or TypeInitializationException)
        {
            hnswAvailable = false;
        }
        return hnswAvailable.Value;
    }

    private sealed record Stamp(string ModelId, int Dimensions, long Count, long MaxId);

    private static USearchIndex LoadOrBuildGraph(IndexStore store, long count, long maxId, Action<long, long>? progress)
    {
        var path = CachePath(store.Path);
        var stampPath = path + ".json";
        var wanted = new Stamp(store.ModelId!, store.Dimensions!.Value, count, maxId);
        Stamp? saved = null;
        if (File.Exists(path) && File.Exists(stampPath))
        {
            try { saved = JsonSerializer.Deserialize<Stamp>(File.ReadAllText(stampPath)); }
            catch (JsonException) { saved = null; }
        }

        if (saved == wanted)
        {
            try
            {
                var viewed = new USearchIndex(path, view: true);
                SetExpansionSearch(viewed, CachedExpansionSearch);
                return viewed;
            }
            catch (USearchException)
            {
                saved = null;  // a damaged cache is rebuilt
            }
        }

        USearchIndex graph;
        long afterId = 0, done = 0;
        bool appendable = saved is not null && saved.ModelId == wanted.ModelId && saved.Dimensions == wanted.Dimensions
            && saved.MaxId <= wanted.MaxId && saved.Count <= wanted.Count;
        if (appendable)
        {
            graph = new USearchIndex(path, view: false);
            if ((long)graph.Size() != saved!.Count)
            {
                graph.Dispose();
                appendable = false;
                graph = NewGraph(wanted.Dimensions);
            }
            else
            {
                afterId = saved.MaxId;
                done = saved.Count;
            }
        }
        else
        {
            graph = NewGraph(wanted.Dimensions);
        }

        AddRows(graph, store.EmbeddingsAfter(afterId).TakeWhile(r => r.Id <= maxId), wanted.Dimensions, done, count, progress);

        // A crash never leaves a torn cache behind.
        AtomicFile.Replace(path, graph.Save);
        File.WriteAllText(stampPath, JsonSerializer.Serialize(wanted));
        SetExpansionSearch(graph, CachedExpansionSearch);
        return graph;
    }

    // The managed binding (2.26.6) has no setter for the search breadth; the native library it loads
    // exports one. The index handle is the binding's private field.
    [DllImport("libusearch_c", EntryPoint = "usearch_change_expansion_search")]
    private static extern void NativeChangeExpansionSearch(IntPtr index, nuint expansion, out IntPtr error);

    private static readonly FieldInfo? IndexHandle = typeof(USearchIndex).GetField("_index", BindingFlags.Instance | BindingFlags.NonPublic);

    private static void SetExpansionSearch(USearchIndex index, nuint expansion)
    {
        if (IndexHandle?.GetValue(index) is not IntPtr handle || handle == IntPtr.Zero) return;
        try
        {
            NativeChangeExpansionSearch(handle, expansion, out var error);
            if (error != IntPtr.Zero) throw new USearchException(Marshal.PtrToStringAnsi(error) ?? "usearch_change_expansion_search failed");
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            // An older native build: searches keep the default breadth.
        }
    }

    // Rows are added a chunk at a time; within a chunk every core adds its share at once (the
    // native index takes concurrent adds once its capacity is reserved). One thread built 1M
    // vectors in about 18 minutes; this on two cores in 442 s (docs/index-benchmarks.md).
    private const int AddChunkRows = 65_536;

    [DllImport("libusearch_c", EntryPoint = "usearch_reserve")]
    private static extern void NativeReserve(IntPtr index, nuint capacity, out IntPtr error);

    [DllImport("libusearch_c", EntryPoint = "usearch_add")]
    private static extern void NativeAdd(IntPtr index, ulong key, IntPtr vector, ScalarKind kind, out IntPtr error);

    private static void AddRows(USearchIndex graph, IEnumerable<(long Id, Half[] Vector)> rows, int dimensions, long done, long count,
        Action<long, long>? progress)
    {
        IntPtr handle = IndexHandle?.GetValue(graph) is IntPtr h ? h : IntPtr.Zero;
        bool concurrent = handle != IntPtr.Zero && TryReserve(handle, (nuint)count);
        var keys = new ulong[AddChunkRows];
        var vectors = GC.AllocateUninitializedArray<Half>(AddChunkRows * dimensions, pinned: true);
        int n = 0;
        foreach (var (id, vector) in rows)
        {
            keys[n] = (ulong)id;
            vector.CopyTo(vectors.AsSpan(n * dimensions, dimensions));
            if (++n == AddChunkRows)
            {
                AddChunk(graph, handle, concurrent, keys, vectors, n, dimensions);
                done += n;
                n = 0;
                progress?.Invoke(done, count);
            }
        }
        if (n > 0) AddChunk(graph, handle, concurrent, keys, vectors, n, dimensions);
    }

    private static bool TryReserve(IntPtr handle, nuint capacity)
    {
        try
        {
            NativeReserve(handle, capacity, out var error);
            return error == IntPtr.Zero;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;  // an older native build: rows are added through the managed binding, one thread
        }
    }

    private static unsafe void AddChunk(USearchIndex graph, IntPtr handle, bool concurrent, ulong[] keys, Half[] vectors, int n, int dimensions)
    {
        if (!concurrent)
        {
            var floats = new float[n][];
            for (int i = 0; i < n; i++) floats[i] = HalfVectors.ToSingle(vectors.AsSpan(i * dimensions, dimensions));
            graph.Add(keys[..n], floats);
            return;
        }
        // USearch keeps one slot per hardware thread (std::thread::hardware_concurrency) and has no
        // check for more concurrent adds than slots. .NET's count never exceeds it unless
        // DOTNET_PROCESSOR_COUNT overrides it, in which case the adds stay on one thread.
        int workers = Environment.GetEnvironmentVariable("DOTNET_PROCESSOR_COUNT") is null ? Math.Max(1, Environment.ProcessorCount) : 1;
        string? failure = null;
        fixed (Half* first = vectors)
        {
            var start = (IntPtr)first;
            Parallel.For(0, workers, new ParallelOptions { MaxDegreeOfParallelism = workers }, w =>
            {
                for (int i = w; i < n && failure is null; i += workers)
                {
                    NativeAdd(handle, keys[i], start + i * dimensions * 2, ScalarKind.Float16, out var error);
                    if (error != IntPtr.Zero) failure = Marshal.PtrToStringAnsi(error) ?? "usearch_add failed";
                }
            });
        }
        if (failure is not null) throw new USearchException(failure);
    }

    private static USearchIndex NewGraph(int dimensions) =>
        new(MetricKind.Cos, ScalarKind.Float16, (ulong)dimensions, Connectivity, ExpansionAdd, ExpansionSearch);

    /// <summary>The <paramref name="count"/> most similar rows, most similar first.</summary>
    public IReadOnlyList<(long Id, float Similarity)> Search(float[] query, int count)
    {
        if (count <= 0 || Count == 0) return [];
        if (exact is not null) return exact.Search(query, count);
        int found = graph!.Search(query, (int)Math.Min(count, Count), out var keys, out var distances);
        var result = new List<(long, float)>(found);
        for (int i = 0; i < found; i++) result.Add(((long)keys[i], 1f - distances[i]));
        return result;
    }

    /// <summary>
    /// Every row at or above a similarity: the search widens until the least similar result falls
    /// below it, so no copy is lost to a fixed top-k.
    /// </summary>
    public IReadOnlyList<(long Id, float Similarity)> SearchAbove(float[] query, float minimumSimilarity)
    {
        if (exact is not null) return exact.SearchAbove(query, minimumSimilarity);
        int k = 64;
        while (true)
        {
            var results = Search(query, k);
            if (results.Count < k || results[^1].Similarity < minimumSimilarity || k >= Count)
            {
                return results.Where(r => r.Similarity >= minimumSimilarity).ToList();
            }
            k *= 4;
        }
    }

    public void Dispose() => graph?.Dispose();
}
