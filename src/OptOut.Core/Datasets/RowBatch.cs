namespace OptOut.Core.Datasets;

/// <summary>
/// A run of consecutive rows of one shard, as the gate reads them: URL text as spans (no string per
/// row), the key made only when a row is reported. Each layout reads its own batches
/// (<see cref="IDatasetShard.ReadBatches"/>): plain metadata parquet column by column
/// (<see cref="ParquetColumnBatch"/>), layouts with images or embeddings through their row readers
/// (<see cref="SourceRowBatch"/>).
/// </summary>
internal abstract class RowBatch : IDisposable
{
    /// <summary>The row number (0-based, file order) of the batch's first row in its shard.</summary>
    public long FirstRow { get; init; }

    public abstract int Count { get; }

    /// <summary>The row's URL as written in the dataset; empty when it has none.</summary>
    public abstract ReadOnlySpan<char> Url(int i);

    public abstract string? Key(int i);

    /// <summary>img2dataset's download status: other rows were never downloaded and are not checked.</summary>
    public abstract bool IsSuccess(int i);

    /// <summary>The dataset's own SHA-256 of the image (img2dataset's sha256 column), lower-case hex.</summary>
    public abstract string? Sha256(int i);

    /// <summary>The dataset's own MD5 of the image (LAION's md5 column), lower-case hex.</summary>
    public abstract string? Md5(int i);

    /// <summary>The reader's row, for images and embeddings (null on the columnar path).</summary>
    public virtual SourceRow? Source(int i) => null;

    /// <summary>Releases the buffers the batch holds (a parquet row group's columns).</summary>
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases what a derived batch holds.</summary>
    protected virtual void Dispose(bool disposing) { }
}
