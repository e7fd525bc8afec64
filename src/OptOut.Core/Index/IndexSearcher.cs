using OptOut.Core.Fingerprinting;

namespace OptOut.Core.Index;

/// <summary>One row found for a query.</summary>
public sealed record IndexMatch(IndexedRow Row, MatchKind Kind, float? Similarity, int? HashDistance);

public sealed record SearchOptions
{
    public string? Dataset { get; init; }

    /// <summary>Only rows of these datasets (a wildcard that named several); <see cref="Top"/> then caps the rows kept.</summary>
    public IReadOnlySet<string>? Datasets { get; init; }

    /// <summary>A cap on the number of results, only when given.</summary>
    public int? Top { get; init; }

    /// <summary>With <see cref="IncludeSimilar"/>: the lowest similarity reported as Similar.</summary>
    public float MinimumSimilarity { get; init; } = 0.75f;

    public bool IncludeSimilar { get; init; }

    public CopyRule Rule { get; init; } = CopyRule.Default;
}

/// <summary>
/// Answers "is this picture, text, URL or domain in the index?". The hash and vector indexes are
/// loaded on the first image query and kept for the searcher's life.
/// </summary>
public sealed class IndexSearcher : IDisposable
{
    private readonly IndexStore store;
    private readonly Action<long, long>? buildProgress;
    private PerceptualHashIndex? hashes;
    private VectorIndex? vectors;

    public IndexSearcher(IndexStore store, Action<long, long>? buildProgress = null)
    {
        this.store = store;
        this.buildProgress = buildProgress;
    }

    public IndexStore Store => store;

    /// <summary>Whether the index's vectors can be compared with this model's.</summary>
    public bool CanCompareEmbeddings(string modelId) => store.ModelId == modelId;

    /// <summary>
    /// Every Exact and Copy row of the picture (and Similar ones when asked), best first. Extra
    /// <paramref name="views"/> of the picture (rotated, see <see cref="Fingerprinter.RotatedViews"/>)
    /// are searched too; a row keeps its best score over the picture and its views.
    /// </summary>
    public IReadOnlyList<IndexMatch> FindImage(ImageFingerprint query, SearchOptions options, IReadOnlyList<ImageView>? views = null)
    {
        var rule = options.Rule;
        var candidates = new Dictionary<long, (int? Distance, float? Similarity)>();
        var all = new List<ImageView> { new(query.PerceptualHash, query.Embedding) };
        if (views is not null) all.AddRange(views);

        hashes ??= PerceptualHashIndex.Load(store);
        foreach (var view in all)
        {
            foreach (var (id, distance) in hashes.Search(view.PerceptualHash, rule.SearchRadius))
            {
                var c = candidates.GetValueOrDefault(id);
                candidates[id] = (Math.Min(distance, c.Distance ?? int.MaxValue), c.Similarity);
            }
        }

        bool compareVectors = CanCompareEmbeddings(query.ModelId);
        if (compareVectors)
        {
            vectors ??= VectorIndex.Open(store, buildProgress);
            float floor = options.IncludeSimilar ? Math.Min(rule.SearchFloor, options.MinimumSimilarity) : rule.SearchFloor;
            foreach (var view in all)
            {
                foreach (var (id, similarity) in vectors.SearchAbove(view.Embedding, floor))
                {
                    var c = candidates.GetValueOrDefault(id);
                    candidates[id] = (c.Distance, Math.Max(similarity, c.Similarity ?? float.MinValue));
                }
            }
        }

        // Rows found by hash alone still report their similarity, read from their stored vectors.
        if (compareVectors)
        {
            var missing = candidates.Where(c => c.Value.Similarity is null).Select(c => c.Key).ToList();
            foreach (var (id, vector) in store.GetEmbeddings(missing))
            {
                candidates[id] = (candidates[id].Distance, all.Max(v => HalfVectors.Dot(vector, v.Embedding)));
            }
        }

        var sha256 = Convert.FromHexString(query.Sha256);
        var exactIds = store.FindBySha256(sha256, options.Dataset).Concat(store.FindByMd5(query.Md5, options.Dataset))
            .Select(r => r.Id).ToHashSet();

        var rows = store.GetRows(candidates.Keys.Concat(exactIds).Distinct().ToList(), options.Dataset);
        var matches = new List<IndexMatch>();
        foreach (var row in rows)
        {
            if (options.Datasets is { } datasets && !datasets.Contains(row.Dataset)) continue;
            candidates.TryGetValue(row.Id, out var c);
            // Rows found by the vector search get their hash distance here, for the combined clause.
            int? distance = c.Distance ?? (row.PerceptualHash is { } h ? all.Min(v => PerceptualHash.Distance(h, v.PerceptualHash)) : null);
            float? similarity = c.Similarity;
            MatchKind? kind = exactIds.Contains(row.Id) ? MatchKind.Exact
                : rule.IsCopy(distance, similarity) ? MatchKind.Copy
                : options.IncludeSimilar && similarity >= options.MinimumSimilarity ? MatchKind.Similar
                : null;
            if (kind is { } k) matches.Add(new IndexMatch(row, k, similarity, distance));
        }

        IEnumerable<IndexMatch> ordered = matches
            .OrderBy(m => m.Kind)
            .ThenByDescending(m => m.Similarity ?? -1)
            .ThenBy(m => m.HashDistance ?? 65)
            .ThenBy(m => m.Row.Id);
        return (options.Top is { } top ? ordered.Take(top) : ordered).ToList();
    }

    public IEnumerable<IndexMatch> FindText(string text, SearchOptions options) =>
        InDatasets(store.SearchCaptions(text, options.Dataset, StoreTop(options)).Select(r => new IndexMatch(r.Row, MatchKind.Caption, (float)r.Score, null)), options);

    public IEnumerable<IndexMatch> FindUrl(string url, SearchOptions options) =>
        InDatasets(store.FindByUrl(url, options.Dataset, StoreTop(options)).Select(r => new IndexMatch(r, MatchKind.Url, null, null)), options);

    public IEnumerable<IndexMatch> FindDomain(string domain, SearchOptions options) =>
        InDatasets(store.FindByDomain(domain, options.Dataset, StoreTop(options)).Select(r => new IndexMatch(r, MatchKind.Domain, null, null)), options);

    // With several datasets the store searches them all, in its own order; the cap is applied after the filter.
    private static int? StoreTop(SearchOptions options) => options.Datasets is null ? options.Top : null;

    private static IEnumerable<IndexMatch> InDatasets(IEnumerable<IndexMatch> found, SearchOptions options)
    {
        if (options.Datasets is not { } datasets) return found;
        var kept = found.Where(m => datasets.Contains(m.Row.Dataset));
        return options.Top is { } top ? kept.Take(top) : kept;
    }

    public void Dispose() => vectors?.Dispose();
}
