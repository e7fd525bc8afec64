using System.Globalization;
using Parquet;
using Parquet.Data;
using Parquet.Schema;
using OptOut.Core.Datasets;
using OptOut.Core.Index;

namespace OptOut.Core.Gate;

/// <summary>
/// A run of consecutive rows of one shard, as the gate reads them: URL text as spans (no string per
/// row), the key made only when a row is reported. Plain metadata parquet is read column by column
/// (<see cref="ParquetColumnBatch"/>); layouts with images or embeddings come through their
/// <see cref="IDatasetShard"/> readers (<see cref="SourceRowBatch"/>).
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

    public virtual void Dispose() { }
}

/// <summary>Rows that came through a shard reader as <see cref="SourceRow"/> objects.</summary>
internal sealed class SourceRowBatch(List<SourceRow> rows) : RowBatch
{
    public override int Count => rows.Count;
    public override ReadOnlySpan<char> Url(int i) => rows[i].Url;
    public override string? Key(int i) => rows[i].Key;
    public override bool IsSuccess(int i) => rows[i].IsSuccess;
    public override string? Sha256(int i) => rows[i].Sha256 is { } hash ? Convert.ToHexString(hash).ToLowerInvariant() : null;
    public override string? Md5(int i) => rows[i].Md5 is { } hash ? Convert.ToHexString(hash).ToLowerInvariant() : null;
    public override SourceRow? Source(int i) => rows[i];
}

/// <summary>One row group of a metadata parquet, only the columns the gate looks at.</summary>
internal sealed class ParquetColumnBatch : RowBatch
{
    private readonly TextColumn urls;
    private readonly TextColumn? keyText;
    private readonly long?[]? keyNumbers;
    private readonly TextColumn? statuses;
    private readonly TextColumn? sha256s;
    private readonly TextColumn? md5s;

    private ParquetColumnBatch(int count, TextColumn urls, TextColumn? keyText, long?[]? keyNumbers, TextColumn? statuses, TextColumn? sha256s, TextColumn? md5s)
    {
        Count = count;
        this.urls = urls;
        this.keyText = keyText;
        this.keyNumbers = keyNumbers;
        this.statuses = statuses;
        this.sha256s = sha256s;
        this.md5s = md5s;
    }

    public override int Count { get; }

    public override ReadOnlySpan<char> Url(int i) => urls[i];

    public override string? Key(int i) =>
        keyText is not null && !keyText.IsNull(i) ? keyText[i].ToString()
        : keyNumbers?[i] is { } number ? number.ToString(CultureInfo.InvariantCulture)
        : (FirstRow + i).ToString(CultureInfo.InvariantCulture);

    public override bool IsSuccess(int i) => statuses is null || statuses.IsNull(i) || statuses[i].Equals("success", StringComparison.OrdinalIgnoreCase);

    public override string? Sha256(int i) => sha256s is null || sha256s.IsNull(i) || sha256s[i].Length != 64 ? null : sha256s[i].ToString().ToLowerInvariant();

    public override string? Md5(int i) => md5s is null || md5s.IsNull(i) || md5s[i].Length != 32 ? null : md5s[i].ToString().ToLowerInvariant();

    public override void Dispose()
    {
        urls.Dispose();
        keyText?.Dispose();
        statuses?.Dispose();
        sha256s?.Dispose();
        md5s?.Dispose();
    }

    /// <summary>
    /// Reads the row groups of a metadata parquet. Columns are found by name, whatever the case, as
    /// the importer finds them; a file with neither a URL nor a key column is not a dataset shard.
    /// </summary>
    public static IEnumerable<RowBatch> Read(string path, CancellationToken cancellationToken)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        ParquetReader reader;
        try
        {
            reader = ParquetReader.CreateAsync(stream, leaveStreamOpen: true, cancellationToken: cancellationToken).GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw new DatasetFormatException(path, $"not a readable parquet file ({e.Message})", e);
        }
        try
        {
            var schema = reader.Schema;
            var urlField = ParquetColumns.Find(schema, "url");
            var keyField = ParquetColumns.Find(schema, "key", "SAMPLE_ID");
            var statusField = ParquetColumns.Find(schema, "status");
            var sha256Field = ParquetColumns.Find(schema, "sha256", "sha256hash");
            var md5Field = ParquetColumns.Find(schema, "md5");
            if (urlField is null && keyField is null)
            {
                throw new DatasetFormatException(path, $"no URL or key column (columns: {string.Join(", ", schema.GetDataFields().Select(f => f.Name))}).");
            }
            long firstRow = 0;
            for (int g = 0; g < reader.RowGroupCount; g++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                ParquetColumnBatch batch;
                try
                {
                    using var group = reader.OpenRowGroupReader(g);
                    int count = checked((int)group.RowCount);
                    bool keyIsText = keyField is not null && TextColumn.IsText(keyField);
                    batch = new ParquetColumnBatch(count,
                        TextColumn.Read(group, urlField, count),
                        keyIsText ? TextColumn.Read(group, keyField, count) : null,
                        keyField is not null && !keyIsText ? ParquetColumns.ReadIntegers(group, keyField).GetAwaiter().GetResult() : null,
                        statusField is null ? null : TextColumn.Read(group, statusField, count),
                        sha256Field is null ? null : TextColumn.Read(group, sha256Field, count),
                        md5Field is null ? null : TextColumn.Read(group, md5Field, count))
                    { FirstRow = firstRow };
                }
                catch (Exception e) when (e is not OperationCanceledException and not DatasetFormatException)
                {
                    throw new DatasetFormatException(path, $"row group {g} cannot be read ({e.Message})", e);
                }
                firstRow += batch.Count;
                yield return batch;
            }
        }
        finally
        {
            reader.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }
}

/// <summary>
/// A text column of one row group as spans over Parquet.Net's own buffers: reading URLs this way
/// is about 1.6 times faster than making a string for each.
/// </summary>
internal sealed class TextColumn : IDisposable
{
    private readonly ReadOnlyMemory<char>[] values;   // one a row; default for nulls
    private readonly bool[]? nulls;
    private readonly IDisposable? buffers;

    private TextColumn(ReadOnlyMemory<char>[] values, bool[]? nulls, IDisposable? buffers)
    {
        this.values = values;
        this.nulls = nulls;
        this.buffers = buffers;
    }

    public ReadOnlySpan<char> this[int i] => values[i].Span;

    public bool IsNull(int i) => nulls?[i] ?? false;

    public static bool IsText(DataField field) => field.ClrType == typeof(ReadOnlyMemory<char>) || field.ClrType == typeof(string);

    public static TextColumn Read(ParquetRowGroupReader group, DataField? field, int count)
    {
        if (field is null) return new TextColumn(new ReadOnlyMemory<char>[count], Enumerable.Repeat(true, count).ToArray(), null);
        if (field.ClrType == typeof(ReadOnlyMemory<char>) && field.MaxRepetitionLevel == 0)
        {
            var raw = (RawColumnData<ReadOnlyMemory<char>>)group.ReadRawColumnDataBaseAsync(field).GetAwaiter().GetResult();
            var packed = raw.Values;
            var values = new ReadOnlyMemory<char>[count];
            // Parquet.Net throws when asked for levels a column does not have.
            var definitions = field.MaxDefinitionLevel > 0 ? raw.DefinitionLevels : [];
            if (definitions.Length == 0)
            {
                packed[..count].CopyTo(values);
                return new TextColumn(values, null, raw);
            }
            // Nulls have no value in the packed array: a row has one when its level is the maximum.
            var nulls = new bool[count];
            int next = 0;
            for (int i = 0; i < count; i++)
            {
                if (definitions[i] == field.MaxDefinitionLevel) values[i] = packed[next++];
                else nulls[i] = true;
            }
            return new TextColumn(values, nulls, raw);
        }
        var strings = ParquetColumns.ReadStrings(group, field).GetAwaiter().GetResult();
        return new TextColumn(strings.Select(s => s.AsMemory()).ToArray(), strings.Select(s => s is null).ToArray(), null);
    }

    public void Dispose() => buffers?.Dispose();
}

/// <summary>Chooses how a shard's rows are read for checking.</summary>
internal static class GateRows
{
    public const int BatchSize = 1024;

    public static IEnumerable<RowBatch> Read(IDatasetShard shard, CancellationToken cancellationToken)
    {
        // Only a plain metadata parquet takes the columnar path: the other layouts carry images or
        // embeddings, which their readers attach row by row.
        if (shard.GetType() == typeof(ParquetMetadataShard))
        {
            return ParquetColumnBatch.Read(((ParquetMetadataShard)shard).ParquetPath, cancellationToken);
        }
        return Batches(shard.ReadRows(cancellationToken));
    }

    private static IEnumerable<RowBatch> Batches(IEnumerable<SourceRow> rows)
    {
        var batch = new List<SourceRow>(BatchSize);
        long first = 0;
        foreach (var row in rows)
        {
            batch.Add(row);
            if (batch.Count == BatchSize)
            {
                yield return new SourceRowBatch(batch) { FirstRow = first };
                first += batch.Count;
                batch = new List<SourceRow>(BatchSize);
            }
        }
        if (batch.Count > 0) yield return new SourceRowBatch(batch) { FirstRow = first };
    }
}
