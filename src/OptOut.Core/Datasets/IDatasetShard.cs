namespace OptOut.Core.Datasets;

/// <summary>
/// One unit of import: a file or folder whose rows go into the index in one transaction. Everything
/// that differs between layouts is here, so a new layout is one reader implementing this plus its
/// registration in <see cref="DatasetDiscovery"/>: the importer, the gate and the clean copy ask the
/// shard, never its type.
/// </summary>
public interface IDatasetShard
{
    /// <summary>The file or folder, as shown to the user.</summary>
    string Source { get; }

    /// <summary>The shard's file or folder on disk (a clip-retrieval part: its .npy, whose metadata parquet lies beside it).</summary>
    string FilePath { get; }

    /// <summary>Stable identity of the shard's content: the same shard imported twice is recognised.</summary>
    string Identity { get; }

    /// <summary>The layout's name, as shown to the user and stored in the index.</summary>
    string Layout { get; }

    /// <summary>Whether rows carry precomputed embeddings (clip-retrieval): an index takes them only with the model that made them.</summary>
    bool CarriesEmbeddings { get; }

    /// <summary>Whether rows come with local images to read (every layout but a bare metadata parquet).</summary>
    bool HasLocalImages { get; }

    /// <summary>Whether a clean copy needs the removed rows' keys (a tar's parquet lists its samples by key, not in tar order).</summary>
    bool NamesRemovalsByKey { get; }

    /// <summary>Rows in file order. Throws <see cref="DatasetFormatException"/> when the file cannot be read.</summary>
    internal IEnumerable<SourceRow> ReadRows(CancellationToken cancellationToken);

    /// <summary>
    /// The same rows in batches, the cheapest way the layout has (a metadata parquet: column by
    /// column, without a <see cref="SourceRow"/> a row). Throws <see cref="DatasetFormatException"/>
    /// when the file cannot be read.
    /// </summary>
    internal IEnumerable<RowBatch> ReadBatches(CancellationToken cancellationToken);

    /// <summary>
    /// Writes the shard without the removed rows (and without the files the reader could not match
    /// to a row: they were not checked) under <paramref name="target"/>, in the same layout.
    /// </summary>
    /// <returns>The copy, to be read back with the same reader.</returns>
    internal IDatasetShard WriteCleanCopy(CleanCopyTarget target, RemovedRows removed, CancellationToken cancellationToken);

    /// <summary>Problems with single rows met while reading (a missing image file, a bad tar member).</summary>
    IReadOnlyList<string> RowProblems { get; }
}
