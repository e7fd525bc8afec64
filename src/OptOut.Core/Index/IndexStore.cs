using System.Globalization;
using Microsoft.Data.Sqlite;
using OptOut.Core.Storage;

namespace OptOut.Core.Index;

/// <summary>
/// An open training-set index: a SQLite file (WAL) that is the source of truth for datasets, shards and
/// rows, with its vector file (<see cref="IndexVectorFile"/>) and caption file (<see cref="IndexCaptionFile"/>)
/// beside it. It opens the file and its one connection and hands the work to the parts that do it:
/// <see cref="IndexWriter"/> imports, <see cref="IndexReader"/> reads rows, <see cref="CaptionSearch"/>
/// searches captions; the schema is <see cref="IndexSchema"/>'s. Callers that import and then search
/// (the importer's tests, the benches) hold one object for both.
/// One instance per thread; several processes may read while one writes.
/// </summary>
public sealed class IndexStore : IDisposable
{
    /// <summary>The index schema this build reads and writes.</summary>
    public const int SchemaVersion = IndexSchema.Version;

    /// <summary>FTS5's in-memory term buffer while captions are indexed (see <see cref="CaptionIndex"/>).</summary>
    internal const int CaptionHashBytes = CaptionIndex.HashBytes;

    private readonly SqliteConnection connection;
    private readonly IndexVectorFile vectors;
    private readonly IndexWriter writer;
    private readonly IndexReader reader;
    private readonly CaptionSearch captions;

    private IndexStore(string path, SqliteConnection connection)
    {
        Path = path;
        this.connection = connection;
        var captionFile = new IndexCaptionFile(connection, path);
        vectors = new IndexVectorFile(connection, path);
        writer = new IndexWriter(connection, captionFile, vectors);
        reader = new IndexReader(connection);
        captions = new CaptionSearch(connection, path, captionFile, reader);
    }

    /// <summary>The index file's full path.</summary>
    public string Path { get; }

    /// <summary>The file the index's embeddings are kept in, beside the database (<see cref="VectorFile"/>).</summary>
    internal string VectorFilePath => vectors.Path;

    /// <summary>The model whose embeddings the index holds, once one has been imported.</summary>
    internal string? ModelId => GetMeta("model_id");

    internal int? Dimensions => GetMeta("dimensions") is { } d ? int.Parse(d, CultureInfo.InvariantCulture) : null;

    /// <summary>
    /// Opens the index for importing: creates it where there is no file (or an empty one), marks and
    /// migrates an index written by an earlier OptOut, and refuses, untouched, a file that is not an
    /// OptOut index (<see cref="NotAnIndexException"/>).
    /// </summary>
    public static IndexStore Open(string path)
    {
        var fullPath = System.IO.Path.GetFullPath(path);
        var state = IndexFile.Inspect(fullPath);
        switch (state.Kind)
        {
            case IndexFileKind.NotAnIndex:
                throw new NotAnIndexException(fullPath, state.Reason!);
            case IndexFileKind.Newer:
                throw IndexSchema.NewerSchema(state.SchemaVersion);
            case IndexFileKind.Missing or IndexFileKind.Empty:
                IndexSchema.CreateMarked(fullPath);
                break;
        }

        var connection = SqliteSetup.Open(fullPath);
        try
        {
            // Imports insert into B-trees on random keys (URL hash, host) and FTS5: with SQLite's
            // 2 MiB default those pages spill to the WAL and are read back. 256 MiB keeps a million-row
            // shard's index pages in memory (docs/index-benchmarks.md, "Figures behind choices in code").
            SqliteSetup.Execute(connection, "PRAGMA cache_size = -262144");
            IndexSchema.Create(connection, VectorFile.PathFor(fullPath));
        }
        catch
        {
            connection.Dispose();
            throw;
        }
        return new IndexStore(fullPath, connection);
    }

    /// <summary>
    /// Opens an existing index for the read-only commands: never creates, migrates, marks or writes
    /// it. A file that is not an OptOut index is refused (<see cref="NotAnIndexException"/>), one of an
    /// earlier schema too, naming the command that upgrades it (<see cref="IndexUpgradeRequiredException"/>).
    /// The caption file beside it is derived data and is still brought level with the rows by a
    /// caption search (<see cref="IndexCaptionFile"/>).
    /// </summary>
    public static IndexStore OpenForReading(string path)
    {
        var fullPath = System.IO.Path.GetFullPath(path);
        var state = IndexFile.Inspect(fullPath);
        switch (state.Kind)
        {
            case IndexFileKind.Missing:
                throw new FileNotFoundException($"There is no training-set index at '{fullPath}'.", fullPath);
            case IndexFileKind.Empty:
                throw new NotAnIndexException(fullPath, "it is an empty file");
            case IndexFileKind.NotAnIndex:
                throw new NotAnIndexException(fullPath, state.Reason!);
            case IndexFileKind.Newer:
                throw IndexSchema.NewerSchema(state.SchemaVersion);
            case IndexFileKind.NeedsMigration:
                throw new IndexUpgradeRequiredException(fullPath, state.SchemaVersion!);
        }
        return new IndexStore(fullPath, SqliteSetup.Open(fullPath, readOnly: true));
    }

    internal string? GetMeta(string key) => IndexSchema.ReadMeta(connection, key, null);

    /// <summary>Refuses a model other than the index's before any work is done.</summary>
    public void CheckModel(string modelId)
    {
        if (ModelId is { } existing && existing != modelId) throw new ModelMismatchException(existing, modelId);
    }

    // ---- writing (IndexWriter) -----------------------------------------------------------------

    /// <summary>The id of a dataset, created when missing.</summary>
    internal long EnsureDataset(string name) => writer.EnsureDataset(name, null);

    internal bool IsShardImported(long datasetId, string identity) => writer.IsShardImported(datasetId, identity);

    /// <summary>
    /// Adds one shard's rows in a single transaction, recorded with the shard's identity, so a shard
    /// is either wholly in the index or not at all, and importing it again adds nothing.
    /// </summary>
    /// <returns>False when the shard was already imported (nothing written).</returns>
    /// <param name="skipped">Read after the rows are consumed: rows the reader skipped (failed downloads).</param>
    /// <param name="errors">Read after the rows are consumed: problems met while reading them.</param>
    internal bool ImportShard(long datasetId, string source, string identity, string layout, IEnumerable<ImportRow> rows,
        Func<long> skipped, Func<long> errors, string? modelId, CancellationToken cancellationToken = default) =>
        writer.ImportShard(_ => datasetId, source, identity, layout, rows, skipped, errors, modelId, cancellationToken);

    /// <summary>
    /// As <see cref="ImportShard(long, string, string, string, IEnumerable{ImportRow}, Func{long}, Func{long}, string?, CancellationToken)"/>,
    /// creating the dataset <paramref name="datasetName"/> inside the shard's transaction when it is
    /// new: a dataset whose every shard failed leaves no row behind.
    /// </summary>
    internal bool ImportShard(string datasetName, string source, string identity, string layout, IEnumerable<ImportRow> rows,
        Func<long> skipped, Func<long> errors, string? modelId, CancellationToken cancellationToken = default) =>
        writer.ImportShard(transaction => writer.EnsureDataset(datasetName, transaction), source, identity, layout, rows, skipped, errors, modelId, cancellationToken);

    /// <summary>The connection's automatic checkpoint threshold in pages (for tests: an import turns it off around its commit).</summary>
    internal long WalAutocheckpoint => SqliteSetup.Scalar<long>(connection, "PRAGMA wal_autocheckpoint");

    // ---- reading (IndexReader, CaptionSearch, IndexVectorFile) ---------------------------------

    /// <summary>The id of a dataset, or null when the index has none of that name.</summary>
    public long? FindDataset(string name) => reader.DatasetId(name);

    /// <summary>The datasets in the index, with their row and shard counts.</summary>
    public IReadOnlyList<DatasetInfo> ListDatasets() => reader.ListDatasets(ModelId);

    /// <summary>The rows with these ids (in any order), optionally only those of <paramref name="dataset"/>.</summary>
    public IReadOnlyList<IndexedRow> GetRows(IReadOnlyCollection<long> ids, string? dataset = null) => reader.GetRows(ids, dataset);

    /// <summary>Rows whose URL normalises to the same address.</summary>
    public IEnumerable<IndexedRow> FindByUrl(string url, string? dataset = null, int? limit = null) => reader.FindByUrl(url, dataset, limit);

    /// <summary>Rows whose host is the domain or one of its subdomains.</summary>
    public IEnumerable<IndexedRow> FindByDomain(string domain, string? dataset = null, int? limit = null) => reader.FindByDomain(domain, dataset, limit);

    /// <summary>Rows whose image has this SHA-256 (32 bytes).</summary>
    public IEnumerable<IndexedRow> FindBySha256(byte[] sha256, string? dataset = null) => reader.FindBySha256(sha256, dataset);

    /// <summary>Rows whose image has this MD5 (16 bytes), as the dataset listed or as computed at import.</summary>
    public IEnumerable<IndexedRow> FindByMd5(byte[] md5, string? dataset = null) => reader.FindByMd5(md5, dataset);

    /// <summary>
    /// Caption full-text search, best matches (BM25) first; every match unless <paramref name="limit"/> is given.
    /// The query is parsed (and its size checked: <see cref="CaptionQueryTooLargeException"/>) before this returns.
    /// </summary>
    public IEnumerable<(IndexedRow Row, double Score)> SearchCaptions(string text, string? dataset = null, int? limit = null) =>
        captions.Search(text, dataset, limit);

    /// <summary>(row id, perceptual hash) of every fingerprinted row, for the hash index.</summary>
    internal IEnumerable<(long Id, ulong Hash)> AllPerceptualHashes() => reader.AllPerceptualHashes();

    /// <summary>(row id, embedding) of rows with an embedding and an id above <paramref name="afterId"/>.</summary>
    internal IEnumerable<(long Id, Half[] Vector)> EmbeddingsAfter(long afterId) => vectors.EmbeddingsAfter(afterId);

    /// <summary>The embeddings of a few rows (hash-found candidates whose similarity is wanted).</summary>
    internal Dictionary<long, Half[]> GetEmbeddings(IReadOnlyCollection<long> ids) => vectors.Get(ids);

    /// <summary>Count and largest id of the rows with embeddings: the stamp a vector cache must match.</summary>
    internal (long Count, long MaxId) EmbeddingStamp() => vectors.Stamp();

    /// <inheritdoc cref="IndexReader.GetLocalFeatures"/>
    internal Dictionary<long, byte[]> GetLocalFeatures(IReadOnlyCollection<long> ids) => reader.GetLocalFeatures(ids);

    /// <inheritdoc cref="CaptionSearch.MaxCaptionMatchesHeld"/>
    internal int MaxCaptionMatchesHeld
    {
        get => captions.MaxCaptionMatchesHeld;
        set => captions.MaxCaptionMatchesHeld = value;
    }

    /// <inheritdoc cref="CaptionSearch.CaptionReadersOfLastSearch"/>
    internal int CaptionReadersOfLastSearch => captions.CaptionReadersOfLastSearch;

    /// <summary>Closes the index file and its caption and vector files.</summary>
    public void Dispose()
    {
        captions.Dispose();
        connection.Dispose();
    }
}
