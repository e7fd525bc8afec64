using System.Numerics.Tensors;
using OptOut.Core.Embedding;
using OptOut.Core.Fingerprinting;
using OptOut.Core.Index;
using OptOut.Core.Registry;

namespace OptOut.Core.Gate;

/// <summary>How a row's picture matched a content claim.</summary>
public readonly record struct ContentMatch(int Claim, string How)
{
    /// <summary>Matched by the same SHA-256: nothing to verify.</summary>
    public bool SameFile { get; init; }
}

/// <summary>
/// Content claims of one decision, compared with a row's picture the way Find-TrainedImage decides
/// copies (<see cref="CopyRule"/>): the same SHA-256, or a perceptual-hash distance and embedding
/// similarity the rule accepts. Embeddings compare only within one model. Claims are few next to
/// dataset rows, so embeddings are scanned (one dot product a claim) and hashes found through
/// multi-index hashing.
/// </summary>
internal sealed class ContentClaims
{
    private readonly Dictionary<string, int> bySha256 = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, int> byMd5 = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<(long Claim, ulong Hash)> hashEntries = new();
    private readonly Dictionary<int, ulong> hashOf = new();
    private readonly Dictionary<string, EmbeddingSet> byModel = new(StringComparer.Ordinal);
    private PerceptualHashIndex? hashIndex;

    public int Count { get; private set; }

    /// <summary>True when some claim can only be matched from decoded pixels (a hash or an embedding).</summary>
    public bool NeedsPixels => hashEntries.Count > 0 || byModel.Count > 0;

    public void Add(int claim, ActiveClaim record)
    {
        Count++;
        bySha256.TryAdd(record.Target, claim);
        if (record.Md5 is { Length: 32 } md5) byMd5.TryAdd(md5, claim);
        if (record.PerceptualHash is { } hash)
        {
            hashEntries.Add((claim, hash));
            hashOf[claim] = hash;
            hashIndex = null;
        }
        if (record.Embedding is { Length: > 0 } embedding && record.ModelId is { } model)
        {
            if (!byModel.TryGetValue(model, out var set)) byModel[model] = set = new EmbeddingSet(embedding.Length);
            if (embedding.Length == set.Dimensions) set.Add(claim, embedding);
        }
    }

    public int FindSha256(string? sha256Hex) => sha256Hex is not null && bySha256.TryGetValue(sha256Hex, out int claim) ? claim : -1;

    /// <summary>The claim whose file has this MD5 (LAION's md5 column), or -1.</summary>
    public int FindMd5(string? md5Hex) => md5Hex is not null && byMd5.TryGetValue(md5Hex, out int claim) ? claim : -1;

    /// <summary>The closest claim the copy rule accepts for this picture, if any.</summary>
    public ContentMatch? Match(string? sha256Hex, ulong? perceptualHash, ReadOnlySpan<float> embedding, string? modelId, CopyRule rule)
    {
        int exact = FindSha256(sha256Hex);
        if (exact >= 0) return new ContentMatch(exact, "the same file (SHA-256)") { SameFile = true };

        var similarities = new Dictionary<int, float>();
        if (!embedding.IsEmpty && modelId is not null && byModel.TryGetValue(modelId, out var set) && set.Dimensions == embedding.Length)
        {
            set.CollectAbove(embedding, rule.SearchFloor, similarities);
        }
        var candidates = new HashSet<int>(similarities.Keys);
        if (perceptualHash is { } query && hashEntries.Count > 0)
        {
            hashIndex ??= new PerceptualHashIndex(hashEntries);
            foreach (var (claim, _) in hashIndex.Search(query, Math.Max(rule.HashAlone, rule.HashWithCosine))) candidates.Add((int)claim);
        }

        ContentMatch? best = null;
        double bestScore = double.NegativeInfinity;
        foreach (var claim in candidates)
        {
            int? distance = perceptualHash is { } q && hashOf.TryGetValue(claim, out var h) ? PerceptualHash.Distance(q, h) : null;
            float? similarity = similarities.TryGetValue(claim, out var s) ? s : null;
            if (!rule.IsCopy(distance, similarity)) continue;
            // Rank by similarity where known, else by closeness of the hash.
            double score = similarity ?? 1.0 - (distance ?? 64) / 64.0;
            if (score <= bestScore) continue;
            bestScore = score;
            var how = distance is { } d && similarity is { } sim ? $"a copy (hash distance {d}, similarity {sim:0.000})"
                : distance is { } d2 ? $"a copy (hash distance {d2})"
                : $"a copy (similarity {similarity:0.000})";
            best = new ContentMatch(claim, how);
        }
        return best;
    }

    /// <summary>The claims' embeddings of one model, one row a claim.</summary>
    private sealed class EmbeddingSet(int dimensions)
    {
        private readonly List<int> claims = new();
        private readonly List<float> matrix = new();

        public int Dimensions { get; } = dimensions;

        public void Add(int claim, float[] embedding)
        {
            var vector = (float[])embedding.Clone();
            VectorMath.NormalizeInPlace(vector);
            matrix.AddRange(vector);
            claims.Add(claim);
        }

        public void CollectAbove(ReadOnlySpan<float> query, float floor, Dictionary<int, float> into)
        {
            var all = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(matrix);
            for (int i = 0; i < claims.Count; i++)
            {
                float similarity = TensorPrimitives.Dot(query, all.Slice(i * Dimensions, Dimensions));
                if (similarity >= floor) into[claims[i]] = similarity;
            }
        }
    }
}
