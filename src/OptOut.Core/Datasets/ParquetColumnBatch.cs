using System.Globalization;
using Parquet;
using Parquet.Schema;

namespace OptOut.Core.Datasets;

/// <summary>
/// One row group of a metadata parquet. The URL and status columns are read at once; the key and the
/// hash columns only when a row is reported or a claim needs them, so a clean set costs one column.
/// </summary>
internal sealed class ParquetColumnBatch : RowBatch
{
    private readonly string path;
    private readonly int groupIndex;
    private readonly ParquetRowGroupReader group;
    private readonly DataField? keyField, sha256Field, md5Field;
    private readonly TextColumn urls;
    private readonly TextColumn? statuses;
    private TextColumn? keyText, sha256s, md5s;
    private NumberColumn? keyNumbers;

    private ParquetColumnBatch(string path, int groupIndex, ParquetRowGroupReader group, DataField? urlField, DataField? keyField,
        DataField? statusField, DataField? sha256Field, DataField? md5Field)
    {
        this.path = path;
        this.groupIndex = groupIndex;
        this.group = group;
        this.keyField = keyField;
        this.sha256Field = sha256Field;
        this.md5Field = md5Field;
        Count = checked((int)group.RowCount);
        urls = Load(urlField, f => TextColumn.Read(group, f, Count)) ?? TextColumn.Empty(Count);
        statuses = Load(statusField, f => TextColumn.Read(group, f, Count));
    }

    public override int Count { get; }

    public override ReadOnlySpan<char> Url(int i) => urls[i];

    public override string? Key(int i)
    {
        if (keyField is not null && ParquetColumns.IsTextField(keyField))
        {
            keyText ??= Load(keyField, f => TextColumn.Read(group, f, Count));
            if (!keyText!.IsNull(i)) return keyText[i].ToString();
        }
        else if (keyField is not null)
        {
            keyNumbers ??= Load(keyField, f => NumberColumn.Read(group, f, Count));
            if (keyNumbers![i] is { } number) return number.ToString(CultureInfo.InvariantCulture);
        }
        return (FirstRow + i).ToString(CultureInfo.InvariantCulture);
    }

    public override bool IsSuccess(int i) => statuses is null || statuses.IsNull(i) || statuses[i].Equals("success", StringComparison.OrdinalIgnoreCase);

    public override string? Sha256(int i)
    {
        if (sha256Field is null) return null;
        sha256s ??= Load(sha256Field, f => TextColumn.ReadDigests(group, f, Count, 32));
        return sha256s!.IsNull(i) || sha256s[i].Length != 64 ? null : sha256s[i].ToString().ToLowerInvariant();
    }

    public override string? Md5(int i)
    {
        if (md5Field is null) return null;
        md5s ??= Load(md5Field, f => TextColumn.ReadDigests(group, f, Count, 16));
        return md5s!.IsNull(i) || md5s[i].Length != 32 ? null : md5s[i].ToString().ToLowerInvariant();
    }

    protected override void Dispose(bool disposing)
    {
        urls.Dispose();
        statuses?.Dispose();
        keyText?.Dispose();
        keyNumbers?.Dispose();
        sha256s?.Dispose();
        md5s?.Dispose();
        group.Dispose();
        base.Dispose(disposing);
    }

    private T? Load<T>(DataField? field, Func<DataField, T> read) where T : class
    {
        if (field is null) return null;
        try
        {
            return read(field);
        }
        catch (Exception e) when (e is not OperationCanceledException and not DatasetFormatException)
        {
            throw new DatasetFormatException(path, $"row group {groupIndex}, column '{field.Name}' cannot be read ({e.Message})", e);
        }
    }

    /// <summary>
    /// Reads the row groups of a metadata parquet. Columns are found by name, whatever the case, as
    /// the importer finds them; a file with neither a URL nor a key column is not a dataset shard.
    /// </summary>
    public static IEnumerable<RowBatch> Read(string path, CancellationToken cancellationToken)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        var reader = ParquetColumns.OpenReader(stream, path, cancellationToken);
        try
        {
            var fields = ParquetColumns.DatasetFields.Find(reader.Schema, path);
            long firstRow = 0;
            for (int g = 0; g < reader.RowGroupCount; g++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                ParquetRowGroupReader group;
                try
                {
                    group = reader.OpenRowGroupReader(g);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    throw new DatasetFormatException(path, $"row group {g} cannot be read ({e.Message})", e);
                }
                // The batch owns the row group reader (its key and hash columns are read on demand) and disposes it.
                ParquetColumnBatch batch;
                try
                {
                    batch = new ParquetColumnBatch(path, g, group, fields.Url, fields.Key, fields.Status, fields.Sha256, fields.Md5) { FirstRow = firstRow };
                }
                catch
                {
                    group.Dispose();
                    throw;
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
