using System.Globalization;
using Parquet;
using Parquet.Schema;

namespace OptOut.Core.Datasets;

/// <summary>
/// Reads the columns a dataset reader needs from a row group, found by name case-insensitively and
/// converted to strings or integers whatever their physical type (LAION has WIDTH as int64 in some
/// exports and float64 in others).
/// </summary>
internal static class ParquetColumns
{
    /// <summary>
    /// Opens a parquet reader over a stream the caller owns (so it is closed even when the file
    /// turns out not to be parquet); a file that is not readable parquet is an error naming it.
    /// </summary>
    public static ParquetReader OpenReader(Stream stream, string path, CancellationToken cancellationToken)
    {
        try
        {
            return ParquetReader.CreateAsync(stream, leaveStreamOpen: true, cancellationToken: cancellationToken).GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw new Index.DatasetFormatException(path, $"not a readable parquet file ({e.Message})", e);
        }
    }

    /// <summary>The columns a dataset row is read from, found by name whatever their case (LAION's and img2dataset's spellings).</summary>
    public sealed record DatasetFields(DataField? Key, DataField? Url, DataField? Caption, DataField? Width, DataField? Height,
        DataField? Status, DataField? Sha256, DataField? Md5)
    {
        public static DatasetFields Find(ParquetSchema schema, string path)
        {
            var fields = new DatasetFields(
                ParquetColumns.Find(schema, "key", "SAMPLE_ID"), ParquetColumns.Find(schema, "url"), ParquetColumns.Find(schema, "caption", "TEXT", "txt"),
                ParquetColumns.Find(schema, "width", "WIDTH"), ParquetColumns.Find(schema, "height", "HEIGHT"), ParquetColumns.Find(schema, "status"),
                ParquetColumns.Find(schema, "sha256", "sha256hash"), ParquetColumns.Find(schema, "md5"));
            if (fields.Url is null && fields.Key is null)
            {
                throw new Index.DatasetFormatException(path, $"no URL or key column (columns: {string.Join(", ", schema.GetDataFields().Select(f => f.Name))}).");
            }
            return fields;
        }
    }

    public static DataField? Find(ParquetSchema schema, params string[] names)
    {
        var fields = schema.GetDataFields();
        foreach (var name in names)
        {
            var field = fields.FirstOrDefault(f => f.Path.ToList().Count == 1 && string.Equals(f.Name, name, StringComparison.OrdinalIgnoreCase));
            if (field is not null) return field;
        }
        return null;
    }

    public static async Task<string?[]> ReadStrings(ParquetRowGroupReader group, DataField? field)
    {
        int count = checked((int)group.RowCount);
        if (field is null) return new string?[count];
        var type = field.ClrType;
        if (IsText(type))
        {
            var values = new string[count];
            await group.ReadAsync(field, values.AsMemory());
            return values;
        }
        if (type == typeof(byte[]))
        {
            var values = new byte[count][];
            await group.ReadAsync(field, values.AsMemory());
            return values.Select(v => v is null ? null : System.Text.Encoding.UTF8.GetString(v)).ToArray();
        }
        var numbers = await ReadIntegers(group, field);
        return numbers.Select(n => n?.ToString(CultureInfo.InvariantCulture)).ToArray();
    }

    public static async Task<long?[]> ReadIntegers(ParquetRowGroupReader group, DataField? field)
    {
        int count = checked((int)group.RowCount);
        if (field is null) return new long?[count];
        var type = field.ClrType;
        if (type == typeof(long)) return await Read<long>(group, field, v => v);
        if (type == typeof(int)) return await Read<int>(group, field, v => v);
        if (type == typeof(short)) return await Read<short>(group, field, v => v);
        if (type == typeof(ulong)) return await Read<ulong>(group, field, v => unchecked((long)v));
        if (type == typeof(uint)) return await Read<uint>(group, field, v => v);
        if (type == typeof(double)) return await Read<double>(group, field, v => double.IsFinite(v) ? (long)v : null);
        if (type == typeof(float)) return await Read<float>(group, field, v => float.IsFinite(v) ? (long)v : null);
        if (IsText(type))
        {
            var strings = await ReadStrings(group, field);
            return strings.Select(s => long.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : (long?)null).ToArray();
        }
        return new long?[count];
    }

    // Parquet.Net 6 reports UTF-8 columns as ReadOnlyMemory<char>; they read into string buffers.
    private static bool IsText(Type type) => type == typeof(string) || type == typeof(ReadOnlyMemory<char>);

    private static async Task<long?[]> Read<T>(ParquetRowGroupReader group, DataField field, Func<T, long?> convert) where T : struct
    {
        int count = checked((int)group.RowCount);
        var result = new long?[count];
        if (field.IsNullable)
        {
            var values = new T?[count];
            await group.ReadAsync(field, values.AsMemory());
            for (int i = 0; i < count; i++) result[i] = values[i] is { } v ? convert(v) : null;
        }
        else
        {
            var values = new T[count];
            await group.ReadAsync(field, values.AsMemory());
            for (int i = 0; i < count; i++) result[i] = convert(values[i]);
        }
        return result;
    }

    /// <summary>A hex digest column (md5, sha256) as bytes; anything else is ignored.</summary>
    public static byte[]? ParseHex(string? hex, int bytes)
    {
        if (hex is null || hex.Length != bytes * 2) return null;
        try { return Convert.FromHexString(hex); }
        catch (FormatException) { return null; }
    }

    public static int? ToInt(long? value) => value is { } v && v > 0 && v <= int.MaxValue ? (int)v : null;
}
