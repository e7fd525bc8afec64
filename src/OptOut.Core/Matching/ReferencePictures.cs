using System.Numerics.Tensors;
using OptOut.Core.Embedding;
using OptOut.Core.Fingerprinting;
using OptOut.Core.Index;

namespace OptOut.Core.Matching;

/// <summary>
/// A set of reference pictures known by their fingerprints only (the content claims of a gate decision),
/// each picture to check answered with the reference the copy rule proposes, by the same candidate and
/// rule code as the search (<see cref="CopyCandidate"/>): the same SHA-256 or MD5, perceptual-hash
/// neighbours within the rule's radius, embeddings above its floor. Embeddings compare only within one
/// model. References are few next to the pictures checked, so embeddings are scanned (one dot product a
/// reference) and hashes found through multi-index hashing.
/// </summary>
internal sealed class ReferencePictures
{
    private readonly Dictionary<string, int> bySha256 = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, int> byMd5 = new(StringComparer.OrdinalIgnoreCase);
    // The references' own fingerprints, and apart from them their views' (AddView): views are consulted only
    // when asked (a picture whose pixels will be verified), so they never add an unverifiable proposal.
    private readonly Fingerprints own = new();
    private readonly Fingerprints views = new();
    private readonly Dictionary<int, string> modelOf = new();

    public int Count { get; private set; }

    /// <summary>True when some reference can only be matched from decoded pixels (a hash or an embedding).</summary>
    public bool NeedsPixels => own.Any;

    /// <summary>Adds reference <paramref name="claim"/>: its file's SHA-256 (hex), and what else is known of it.</summary>
    public void Add(int claim, string sha256Hex, string? md5Hex, ulong? perceptualHash, float[]? embedding, string? modelId)
    {
        Count++;
        bySha256.TryAdd(sha256Hex, claim);
        if (md5Hex is { Length: 32 }) byMd5.TryAdd(md5Hex, claim);
        own.Add(claim, perceptualHash, embedding, modelId);
        if (embedding is { Length: > 0 } && modelId is not null) modelOf[claim] = modelId;
    }

    /// <summary>The references known by an embedding, with its model: those a view can be added to.</summary>
    public IEnumerable<(int Claim, string ModelId)> Embedded => modelOf.Select(kv => (kv.Key, kv.Value));

    /// <summary>
    /// Adds a view of reference <paramref name="claim"/>'s picture (turned, as a search turns its query:
    /// <see cref="CopyMatcher.CalibratedViewAngles"/>). <see cref="Match"/> consults views only when asked to
    /// (a picture whose pixels will be verified); a picture the rule then finds close to a view is proposed as a
    /// copy of the reference, scored by its closest fingerprint.
    /// </summary>
    public void AddView(int claim, ulong perceptualHash, float[] embedding, string modelId) => views.Add(claim, perceptualHash, embedding, modelId);

    public int FindSha256(string? sha256Hex) => sha256Hex is not null && bySha256.TryGetValue(sha256Hex, out int claim) ? claim : -1;

    /// <summary>The reference whose file has this MD5 (LAION's md5 column), or -1.</summary>
    public int FindMd5(string? md5Hex) => md5Hex is not null && byMd5.TryGetValue(md5Hex, out int claim) ? claim : -1;

    /// <summary>
    /// The reference the copy rule proposes for this picture, the best ranked if several, if any; with
    /// <paramref name="withViews"/>, the references' views are compared too (<see cref="AddView"/>).
    /// </summary>
    public ReferenceMatch? Match(string? sha256Hex, ulong? perceptualHash, ReadOnlySpan<float> embedding, string? modelId, CopyRule rule, bool withViews = false) =>
        Matches(sha256Hex, perceptualHash, embedding, modelId, rule, withViews) is [var best, ..] ? best : null;

    /// <summary>
    /// Every reference the copy rule proposes for this picture, best ranked first (the same file alone when
    /// its SHA-256 is a reference's): a gate that verifies proposals must be able to try the next one when
    /// the best is refuted, or a look-alike ranked above the real original would hide the copy.
    /// </summary>
    public IReadOnlyList<ReferenceMatch> Matches(string? sha256Hex, ulong? perceptualHash, ReadOnlySpan<float> embedding, string? modelId, CopyRule rule, bool withViews = false)
    {
        int exact = FindSha256(sha256Hex);
        if (exact >= 0) return [new ReferenceMatch(exact, "the same file (SHA-256)") { SameFile = true }];

        var candidates = new Dictionary<int, CopyCandidate>();
        own.Collect(perceptualHash, embedding, modelId, rule, candidates);
        if (withViews) views.Collect(perceptualHash, embedding, modelId, rule, candidates);

        var proposed = new List<(double Score, ReferenceMatch Match)>();
        foreach (var (claim, found) in candidates)
        {
            // Every candidate is scored on both fingerprints where both are known, whichever brought it up.
            var candidate = found;
            if (perceptualHash is { } q)
            {
                candidate = own.Closest(claim, q, candidate);
                if (withViews) candidate = views.Closest(claim, q, candidate);
            }
            if (candidate.ProposedBy(rule)) proposed.Add((candidate.Score, new ReferenceMatch(claim, $"a copy ({candidate.Scores})")));
        }
        // Best first; equal scores in claim order, so that a check gives the same answer every run.
        return proposed.OrderByDescending(p => p.Score).ThenBy(p => p.Match.Claim).Select(p => p.Match).ToList();
    }

    /// <summary>Perceptual hashes and embeddings of references, several a reference where it has views.</summary>
    private sealed class Fingerprints
    {
        private readonly List<(long Claim, ulong Hash)> hashEntries = new();
        private readonly Dictionary<int, List<ulong>> hashesOf = new();
        private readonly Dictionary<string, EmbeddingSet> byModel = new(StringComparer.Ordinal);
        private PerceptualHashIndex? hashIndex;

        public bool Any => hashEntries.Count > 0 || byModel.Count > 0;

        public void Add(int claim, ulong? perceptualHash, float[]? embedding, string? modelId)
        {
            if (perceptualHash is { } hash)
            {
                hashEntries.Add((claim, hash));
                if (!hashesOf.TryGetValue(claim, out var hashes)) hashesOf[claim] = hashes = new List<ulong>(1);
                hashes.Add(hash);
                hashIndex = null;
            }
            if (embedding is { Length: > 0 } && modelId is not null)
            {
                if (!byModel.TryGetValue(modelId, out var set)) byModel[modelId] = set = new EmbeddingSet(embedding.Length);
                if (embedding.Length == set.Dimensions) set.Add(claim, embedding);
            }
        }

        /// <summary>The references the rule's search finds near this picture, each with its best similarity.</summary>
        public void Collect(ulong? perceptualHash, ReadOnlySpan<float> embedding, string? modelId, CopyRule rule, Dictionary<int, CopyCandidate> into)
        {
            if (!embedding.IsEmpty && modelId is not null && byModel.TryGetValue(modelId, out var set) && set.Dimensions == embedding.Length)
            {
                set.CollectAbove(embedding, rule.SearchFloor, into);
            }
            if (perceptualHash is { } query && hashEntries.Count > 0)
            {
                hashIndex ??= new PerceptualHashIndex(hashEntries);
                foreach (var (claim, _) in hashIndex.Search(query, rule.SearchRadius)) into.TryAdd((int)claim, default);
            }
        }

        /// <summary><paramref name="candidate"/> with its hash distance to the closest of the reference's hashes here.</summary>
        public CopyCandidate Closest(int claim, ulong query, CopyCandidate candidate) =>
            hashesOf.TryGetValue(claim, out var hashes) ? candidate.WithDistance(hashes.Min(h => PerceptualHash.Distance(query, h))) : candidate;
    }

    /// <summary>The references' embeddings of one model, one row a reference (or a view of one).</summary>
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

        public void CollectAbove(ReadOnlySpan<float> query, float floor, Dictionary<int, CopyCandidate> into)
        {
            var all = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(matrix);
            for (int i = 0; i < claims.Count; i++)
            {
                float similarity = TensorPrimitives.Dot(query, all.Slice(i * Dimensions, Dimensions));
                if (similarity >= floor) into[claims[i]] = into.GetValueOrDefault(claims[i]).WithSimilarity(similarity);
            }
        }
    }
}
