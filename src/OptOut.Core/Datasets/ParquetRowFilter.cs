using System.Reflection;
using Parquet;
using Parquet.Data;
using Parquet.Schema;

namespace OptOut.Core.Datasets;

/// <summary>
/// Copies a parquet file without some of its rows, keeping what a dataset loader depends on: the
/// schema (names, types, column order), the row order, the row-group boundaries (minus the removed
/// rows), the file's key-value metadata (pyarrow's pandas schema, say) and its compression codec.
/// Columns are copied as raw values with their definition and repetition levels, so nullable,
/// list and nested columns are filtered the same way as flat ones.
/// </summary>
internal static class ParquetRowFilter
{
    private static readonly MethodInfo FilterMethod = typeof(ParquetRowFilter).GetMethod(nameof(FilterColumn), BindingFlags.NonPublic | BindingFlags.Static)!;

    /// <returns>The number of rows written.</returns>
    public static long Copy(string source, string destination, Func<long, bool> isRemoved, CancellationToken cancellationToken) =>
        CopyAsync(source, destination, isRemoved, cancellationToken).GetAwaiter().GetResult();

    private static async Task<long> CopyAsync(string source, string destination, Func<long, bool> isRemoved, CancellationToken cancellationToken)
    {
        using var input = new FileStream(source, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        var reader = ParquetColumns.OpenReader(input, source, cancellationToken);
        try
        {
            var fields = reader.Schema.GetDataFields();
            var options = new ParquetOptions { CompressionMethod = CodecOf(reader) };
            long written = 0, firstRow = 0;
            using var output = new FileStream(destination, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16);
            var writer = await ParquetWriter.CreateAsync(reader.Schema, output, options, cancellationToken: cancellationToken);
            try
            {
                if (reader.CustomMetadata is { Count: > 0 } metadata) writer.CustomMetadata = metadata;
                for (int g = 0; g < reader.RowGroupCount; g++)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    using var group = reader.OpenRowGroupReader(g);
                    int rows = checked((int)group.RowCount);
                    var keep = new bool[rows];
                    int kept = 0;
                    for (int r = 0; r < rows; r++)
                    {
                        if (!isRemoved(firstRow + r)) { keep[r] = true; kept++; }
                    }
                    firstRow += rows;
                    if (kept == 0) continue;
                    using var groupWriter = writer.CreateRowGroup();
                    foreach (var field in fields)
                    {
                        RawColumnData raw;
                        try
                        {
                            raw = await group.ReadRawColumnDataBaseAsync(field, cancellationToken);
                        }
                        catch (Exception e) when (e is not OperationCanceledException)
                        {
                            throw new DatasetFormatException(source, $"row group {g}, column '{field.Name}' cannot be read ({e.Message})", e);
                        }
                        using (raw)
                        {
                            var type = raw.GetType().GetGenericArguments()[0];
                            var task = (Task)FilterMethod.MakeGenericMethod(type).Invoke(null, [raw, field, keep, groupWriter, cancellationToken])!;
                            await task;
                        }
                    }
                    groupWriter.CompleteValidate();
                    written += kept;
                }
            }
            finally
            {
                await writer.DisposeAsync();
            }
            return written;
        }
        finally
        {
            await reader.DisposeAsync();
        }
    }

    private static Task FilterColumn<T>(RawColumnData<T> raw, DataField field, bool[] keep, ParquetRowGroupWriter writer, CancellationToken cancellationToken) where T : struct
    {
        var values = raw.Values;
        // Parquet.Net throws when asked for levels a column does not have.
        var definitions = field.MaxDefinitionLevel > 0 ? raw.DefinitionLevels : [];
        var repetitions = field.MaxRepetitionLevel > 0 ? raw.RepetitionLevels : [];
        bool hasDefinitions = !definitions.IsEmpty;
        bool hasRepetitions = !repetitions.IsEmpty;

        if (!hasDefinitions)
        {
            // Required, not repeated: one value a row.
            var kept = new List<T>(keep.Length);
            for (int r = 0; r < keep.Length; r++) if (keep[r]) kept.Add(values[r]);
            return writer.WriteAllPartsAsync(field, (ReadOnlyMemory<T>)kept.ToArray(), null, null, cancellationToken);
        }

        // One level a value slot; a row starts where the repetition level is 0 (every slot when the
        // column is not repeated); a slot holds a value only at the maximum definition level.
        var keptValues = new List<T>(values.Length);
        var keptDefinitions = new List<int>(definitions.Length);
        var keptRepetitions = hasRepetitions ? new List<int>(repetitions.Length) : null;
        int row = -1, value = 0;
        for (int slot = 0; slot < definitions.Length; slot++)
        {
            if (!hasRepetitions || repetitions[slot] == 0) row++;
            bool hasValue = definitions[slot] == field.MaxDefinitionLevel;
            if (keep[row])
            {
                keptDefinitions.Add(definitions[slot]);
                keptRepetitions?.Add(repetitions[slot]);
                if (hasValue) keptValues.Add(values[value]);
            }
            if (hasValue) value++;
        }
        return writer.WriteAllPartsAsync(field, (ReadOnlyMemory<T>)keptValues.ToArray(), keptDefinitions.ToArray(),
            keptRepetitions is null ? (ReadOnlyMemory<int>?)null : keptRepetitions.ToArray(), cancellationToken);
    }

    private static CompressionMethod CodecOf(ParquetReader reader)
    {
        var codec = reader.Metadata?.RowGroups?.FirstOrDefault()?.Columns?.FirstOrDefault()?.MetaData?.Codec;
        if (codec is null) return CompressionMethod.Snappy;
        var name = codec.Value.ToString();
        if (name == "UNCOMPRESSED") return CompressionMethod.None;
        // Codecs Parquet.Net cannot write (LZO) fall back to Snappy, the format's common default.
        return Enum.TryParse<CompressionMethod>(name.Replace("_", ""), ignoreCase: true, out var method) && method != CompressionMethod.Lzo
            ? method : CompressionMethod.Snappy;
    }
}
