using Parquet;

namespace OptOut.Core.Datasets;

/// <summary>
/// A metadata parquet: LAION's (SAMPLE_ID, URL, TEXT, WIDTH, HEIGHT, ... md5) or img2dataset's
/// (key, url, caption, status, width, height, sha256, ...). Columns are found by name, whatever the
/// case (one of a type that cannot be read is an error); optional embeddings are zipped in row by
/// row (clip-retrieval layout).
/// </summary>
internal class ParquetMetadataShard : IDatasetShard
{
    private readonly List<string> problems = new();

    public ParquetMetadataShard(string parquetPath, string layout = "parquet")
    {
        ParquetPath = parquetPath;
        Layout = layout;
    }

    public string ParquetPath { get; }
    public virtual string Source => ParquetPath;
    public virtual string FilePath => ParquetPath;
    public virtual string Identity => ShardIdentity.OfFile(ParquetPath);
    public string Layout { get; }
    public IReadOnlyList<string> RowProblems => problems;

    protected void AddProblem(string problem) => problems.Add(problem);

    public virtual bool CarriesEmbeddings => false;
    public virtual bool HasLocalImages => false;
    public bool NamesRemovalsByKey => false;

    public virtual IEnumerable<SourceRow> ReadRows(CancellationToken cancellationToken) => ReadParquet(ParquetPath, cancellationToken);

    /// <summary>Column by column: the URL and status columns at once, the key and hashes only when a row needs them.</summary>
    public virtual IEnumerable<RowBatch> ReadBatches(CancellationToken cancellationToken) => ParquetColumnBatch.Read(ParquetPath, cancellationToken);

    /// <summary>The parquet without the removed rows, by row number.</summary>
    public virtual IDatasetShard WriteCleanCopy(CleanCopyTarget target, RemovedRows removed, CancellationToken cancellationToken) =>
        new ParquetMetadataShard(target.CopyParquet(ParquetPath, removed.Contains, cancellationToken), Layout);

    protected static IEnumerable<SourceRow> ReadParquet(string path, CancellationToken cancellationToken)
    {
        // The stream is opened here, not by Parquet.Net, so it is closed even when the file turns
        // out not to be parquet (the user may fix and replace it in the same session).
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        var reader = ParquetColumns.OpenReader(stream, path, cancellationToken);
        try
        {
            var (keyField, urlField, captionField, widthField, heightField, statusField, sha256Field, md5Field) =
                ParquetColumns.DatasetFields.Find(reader.Schema, path);

            long rowNumber = 0;
            for (int g = 0; g < reader.RowGroupCount; g++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                Columns columns;
                try
                {
                    using var group = reader.OpenRowGroupReader(g);
                    columns = ReadGroup(group, keyField, urlField, captionField, widthField, heightField, statusField, sha256Field, md5Field)
                        .GetAwaiter().GetResult();
                }
                catch (Exception e) when (e is not OperationCanceledException and not DatasetFormatException)
                {
                    throw new DatasetFormatException(path, $"row group {g} cannot be read ({e.Message})", e);
                }

                for (int i = 0; i < columns.Count; i++, rowNumber++)
                {
                    var row = new SourceRow
                    {
                        Key = columns.Keys[i] ?? rowNumber.ToString(System.Globalization.CultureInfo.InvariantCulture),
                        Url = columns.Urls[i],
                        Caption = columns.Captions[i],
                        Width = ParquetColumns.ToInt(columns.Widths[i]),
                        Height = ParquetColumns.ToInt(columns.Heights[i]),
                        Status = columns.Statuses[i],
                        Sha256 = ParquetColumns.ParseHex(columns.Sha256s[i], 32),
                        Md5 = ParquetColumns.ParseHex(columns.Md5s[i], 16),
                    };
                    yield return row;
                }
            }
        }
        finally
        {
            reader.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }

    private sealed record Columns(int Count, string?[] Keys, string?[] Urls, string?[] Captions, long?[] Widths, long?[] Heights,
        string?[] Statuses, string?[] Sha256s, string?[] Md5s);

    private static async Task<Columns> ReadGroup(ParquetRowGroupReader group, Parquet.Schema.DataField? key, Parquet.Schema.DataField? url,
        Parquet.Schema.DataField? caption, Parquet.Schema.DataField? width, Parquet.Schema.DataField? height, Parquet.Schema.DataField? status,
        Parquet.Schema.DataField? sha256, Parquet.Schema.DataField? md5) =>
        new(checked((int)group.RowCount),
            await ParquetColumns.ReadStrings(group, key),
            await ParquetColumns.ReadStrings(group, url),
            await ParquetColumns.ReadStrings(group, caption),
            await ParquetColumns.ReadIntegers(group, width),
            await ParquetColumns.ReadIntegers(group, height),
            await ParquetColumns.ReadStrings(group, status),
            await ParquetColumns.ReadDigests(group, sha256, 32),
            await ParquetColumns.ReadDigests(group, md5, 16));
}
