namespace OptOut.Core.Index;

/// <summary>
/// Brute-force cosine search over every stored vector (half floats, as stored): exact, and the
/// baseline the approximate index is measured against. Rows are split across cores.
/// </summary>
internal sealed class ExactVectorScan
{
    private readonly long[] ids;
    private readonly Half[] vectors;

    public ExactVectorScan(int dimensions, long[] ids, Half[] vectors)
    {
        if (vectors.LongLength != (long)ids.Length * dimensions) throw new ArgumentException("Vector storage does not match the id count.");
        Dimensions = dimensions;
        this.ids = ids;
        this.vectors = vectors;
    }

    public int Dimensions { get; }
    public int Count => ids.Length;

    public static ExactVectorScan Load(IndexStore store)
    {
        int dimensions = store.Dimensions ?? 0;
        var (count, _) = store.EmbeddingStamp();
        var ids = new long[count];
        var vectors = new Half[count * dimensions];
        int n = 0;
        foreach (var (id, vector) in store.EmbeddingsAfter(0))
        {
            if (n == count) break;  // rows added since the count was taken wait for the next load
            ids[n] = id;
            vector.CopyTo(vectors.AsSpan(n * dimensions, dimensions));
            n++;
        }
        return n == count ? new ExactVectorScan(dimensions, ids, vectors) : new ExactVectorScan(dimensions, ids[..n], vectors[..(n * dimensions)]);
    }

    /// <summary>The <paramref name="count"/> most similar rows, most similar first.</summary>
    public IReadOnlyList<(long Id, float Similarity)> Search(float[] query, int count)
    {
        if (query.Length != Dimensions) throw new ArgumentException($"Query has {query.Length} dimensions; the index has {Dimensions}.");
        count = Math.Min(count, ids.Length);
        if (count <= 0) return [];
        int workers = Math.Max(1, Math.Min(Environment.ProcessorCount, ids.Length / 4096));
        var partial = new List<(long, float)>[workers];
        Parallel.For(0, workers, new ParallelOptions { MaxDegreeOfParallelism = workers }, w =>
        {
            int start = (int)((long)ids.Length * w / workers), end = (int)((long)ids.Length * (w + 1) / workers);
            var best = new PriorityQueue<int, float>(count + 1);
            for (int r = start; r < end; r++)
            {
                float similarity = HalfVectors.Dot(vectors.AsSpan(r * Dimensions, Dimensions), query);
                if (best.Count < count) best.Enqueue(r, similarity);
                else if (similarity > PeekPriority(best)) best.EnqueueDequeue(r, similarity);
            }
            var list = new List<(long, float)>(best.Count);
            while (best.TryDequeue(out var row, out var similarity)) list.Add((row, similarity));
            partial[w] = list;
        });
        return partial.SelectMany(p => p).OrderByDescending(p => p.Item2).Take(count)
            .Select(p => (ids[(int)p.Item1], p.Item2)).ToList();
    }

    /// <summary>Every row at or above a similarity, most similar first.</summary>
    public IReadOnlyList<(long Id, float Similarity)> SearchAbove(float[] query, float minimumSimilarity)
    {
        var result = new List<(long, float)>();
        for (int r = 0; r < ids.Length; r++)
        {
            float similarity = HalfVectors.Dot(vectors.AsSpan(r * Dimensions, Dimensions), query);
            if (similarity >= minimumSimilarity) result.Add((ids[r], similarity));
        }
        result.Sort((a, b) => b.Item2.CompareTo(a.Item2));
        return result;
    }

    private static float PeekPriority(PriorityQueue<int, float> queue)
    {
        queue.TryPeek(out _, out var priority);
        return priority;
    }
}
