
namespace OptOut.Core.Datasets;

/// <summary>
/// One part of the clip-retrieval embedding layout: img_emb/img_emb_N.npy aligned row by row with
/// metadata/metadata_N.parquet. The two must have the same number of rows.
/// </summary>
internal sealed class ClipRetrievalPart : ParquetMetadataShard
{
    public ClipRetrievalPart(string metadataPath, string embeddingPath) : base(metadataPath, "clip-retrieval")
    {
        EmbeddingPath = embeddingPath;
    }

    public string EmbeddingPath { get; }
    public override string Source => $"{EmbeddingPath} + {ParquetPath}";
    public override string FilePath => EmbeddingPath;
    public override string Identity => File.Exists(ParquetPath)
        ? ShardIdentity.Combine(ShardIdentity.OfFile(EmbeddingPath), ShardIdentity.OfFile(ParquetPath))
        : throw new DatasetFormatException(EmbeddingPath, $"its metadata file {ParquetPath} is missing.");

    public override bool CarriesEmbeddings => true;

    /// <summary>Row by row: each row gets its embedding attached.</summary>
    public override IEnumerable<RowBatch> ReadBatches(CancellationToken cancellationToken) => SourceRowBatch.Of(ReadRows(cancellationToken));

    /// <summary>The metadata and the .npy without the removed rows, so the two stay aligned.</summary>
    public override IDatasetShard WriteCleanCopy(CleanCopyTarget target, RemovedRows removed, CancellationToken cancellationToken)
    {
        var parquet = target.CopyParquet(ParquetPath, removed.Contains, cancellationToken);
        var npyCopy = target.PathFor(EmbeddingPath);
        using var npy = NpyFile.Open(EmbeddingPath);
        npy.CopyRowsTo(npyCopy, removed.Contains);
        return new ClipRetrievalPart(parquet, npyCopy);
    }

    public override IEnumerable<SourceRow> ReadRows(CancellationToken cancellationToken)
    {
        if (!File.Exists(ParquetPath))
        {
            throw new DatasetFormatException(EmbeddingPath, $"its metadata file {ParquetPath} is missing.");
        }
        using var npy = NpyFile.Open(EmbeddingPath);
        long metadataRows = CountRows(ParquetPath);
        if (metadataRows != npy.Rows)
        {
            throw new DatasetFormatException(EmbeddingPath,
                $"it has {npy.Rows:N0} embeddings but {Path.GetFileName(ParquetPath)} has {metadataRows:N0} rows; the two must align row by row.");
        }
        using var vectors = npy.ReadRows().GetEnumerator();
        foreach (var row in ReadParquet(ParquetPath, cancellationToken))
        {
            vectors.MoveNext();
            row.Embedding = vectors.Current;
            yield return row;
        }
    }

    private static long CountRows(string path)
    {
        try
        {
            using var stream = File.OpenRead(path);
            var reader = Parquet.ParquetReader.CreateAsync(stream, leaveStreamOpen: true).GetAwaiter().GetResult();
            try { return reader.Metadata?.NumRows ?? 0; }
            finally { reader.DisposeAsync().AsTask().GetAwaiter().GetResult(); }
        }
        catch (Exception e)
        {
            throw new DatasetFormatException(path, $"not a readable parquet file ({e.Message})", e);
        }
    }
}
