namespace OptOut.Core.Index;

/// <summary>
/// Answers "is this text, URL or domain in the index?" (pictures: <see cref="Matching.CopyMatcher"/>).
/// </summary>
public sealed class IndexSearcher : IDisposable
{
    private readonly IndexStore store;

    /// <summary>Searches <paramref name="store"/>, which stays the caller's to dispose.</summary>
    public IndexSearcher(IndexStore store)
    {
        this.store = store;
    }

    /// <summary>The index searched.</summary>
    public IndexStore Store => store;

    /// <summary>Whether the index's vectors can be compared with this model's.</summary>
    public bool CanCompareEmbeddings(string modelId) => store.ModelId == modelId;

    /// <summary>Rows whose captions hold <paramref name="text"/> (full-text search, best first).</summary>
    public IEnumerable<IndexMatch> FindText(string text, SearchOptions options) =>
        InDatasets(store.SearchCaptions(text, options.Dataset, StoreTop(options)).Select(r => new IndexMatch(r.Row, MatchKind.Caption, (float)r.Score, null)), options);

    /// <summary>Rows at <paramref name="url"/>, compared normalised.</summary>
    public IEnumerable<IndexMatch> FindUrl(string url, SearchOptions options) =>
        InDatasets(store.FindByUrl(url, options.Dataset, StoreTop(options)).Select(r => new IndexMatch(r, MatchKind.Url, null, null)), options);

    /// <summary>Rows whose host is <paramref name="domain"/> or one of its subdomains.</summary>
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

    /// <summary>Holds nothing of its own: the store is the caller's.</summary>
    public void Dispose()
    {
    }
}
