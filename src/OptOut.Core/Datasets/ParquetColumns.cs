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
            throw new DatasetFormatException(path, $"not a readable parquet file ({e.Message})", e);
        }
    }

    /// <summary>What a dataset column must hold to be read.</summary>
    public enum ColumnRole
    {
        /// <summary>Text: a UTF-8 string or plain binary (DuckDB writes a BLOB without the UTF8 annotation), read as UTF-8.</summary>
        Text,

        /// <summary>A key: text, binary or an integer (LAION's SAMPLE_ID).</summary>
        Key,

        /// <summary>A size: an integer, a floating-point number or text holding one.</summary>
        Number,
    }

    /// <summary>The columns a dataset row is read from, found by name whatever their case (LAION's and img2dataset's spellings).</summary>
    public sealed record DatasetFields(DataField? Key, DataField? Url, DataField? Caption, DataField? Width, DataField? Height,
        DataField? Status, DataField? Sha256, DataField? Md5)
    {
        /// <summary>
        /// Finds the columns; one that is there under a known name but of a type that cannot be read
        /// (a list, a struct, a map, an integer URL...) is an error naming it: skipping it would pass
        /// every row unchecked by the rule that needs it.
        /// </summary>
        public static DatasetFields Find(ParquetSchema schema, string path)
        {
            var fields = new DatasetFields(
                Column(schema, path, ColumnRole.Key, "key", "SAMPLE_ID"), Column(schema, path, ColumnRole.Text, "url"),
                Column(schema, path, ColumnRole.Text, "caption", "TEXT", "txt"),
                Column(schema, path, ColumnRole.Number, "width", "WIDTH"), Column(schema, path, ColumnRole.Number, "height", "HEIGHT"),
                Column(schema, path, ColumnRole.Text, "status"),
                Column(schema, path, ColumnRole.Text, "sha256", "sha256hash"), Column(schema, path, ColumnRole.Text, "md5"));
            if (fields.Url is null && fields.Key is null)
            {
                throw new DatasetFormatException(path, $"no URL or key column (columns: {string.Join(", ", schema.Fields.Select(f => f.Name))}).");
            }
            return fields;
        }
    }

    /// <summary>The top-level column with one of <paramref name="names"/> (any case), checked to be readable in its role.</summary>
    public static DataField? Column(ParquetSchema schema, string path, ColumnRole role, params string[] names)
    {
        foreach (var name in names)
        {
            var field = schema.Fields.FirstOrDefault(f => string.Equals(f.Name, name, StringComparison.OrdinalIgnoreCase));
            if (field is null) continue;
            string? kind = field switch
            {
                ListField => "a list",
                StructField => "a struct",
                MapField => "a map",
                DataField { MaxRepetitionLevel: > 0 } => "a repeated column",
                DataField data when !IsReadable(data.ClrType, role) => $"of type {TypeName(data.ClrType)}",
                DataField => null,
                _ => $"a {field.SchemaType}",
            };
            if (kind is not null)
            {
                var wanted = role switch
                {
                    ColumnRole.Text => "text (a string, or binary holding UTF-8)",
                    ColumnRole.Key => "text, binary or an integer",
                    _ => "a number",
                };
                throw new DatasetFormatException(path, $"column '{field.Name}' is {kind}; it must be {wanted} to be read, and the rules that use it cannot be checked otherwise.");
            }
            return (DataField)field;
        }
        return null;
    }

    private static bool IsReadable(Type type, ColumnRole role) => role switch
    {
        ColumnRole.Text => IsText(type) || IsBinary(type),
        ColumnRole.Key => IsText(type) || IsBinary(type) || IsInteger(type),
        _ => IsInteger(type) || type == typeof(double) || type == typeof(float) || IsText(type),
    };

    private static bool IsInteger(Type type) =>
        type == typeof(long) || type == typeof(int) || type == typeof(short) || type == typeof(sbyte)
        || type == typeof(ulong) || type == typeof(uint) || type == typeof(ushort) || type == typeof(byte);

    /// <summary>Plain BYTE_ARRAY (no UTF8 annotation), as Parquet.Net presents it.</summary>
    public static bool IsBinary(Type type) => type == typeof(byte[]) || type == typeof(ReadOnlyMemory<byte>);

    /// <summary>A column read as text (a string or binary UTF-8).</summary>
    public static bool IsTextField(DataField field) => IsText(field.ClrType) || IsBinary(field.ClrType);

    private static string TypeName(Type type) => type == typeof(bool) ? "boolean" : type.Name;

    /// <summary>A digest column (md5, sha256) as lower-case hex: hex text, or binary holding either hex text or the raw digest.</summary>
    public static async Task<string?[]> ReadDigests(ParquetRowGroupReader group, DataField? field, int digestBytes)
    {
        if (field is not null && IsBinary(field.ClrType))
        {
            var raw = await ReadBinary(group, field);
            return raw.Select(v => v is null ? null
                : v.Length == digestBytes ? Convert.ToHexString(v).ToLowerInvariant()
                : System.Text.Encoding.UTF8.GetString(v)).ToArray();
        }
        return await ReadStrings(group, field);
    }

    private static async Task<byte[]?[]> ReadBinary(ParquetRowGroupReader group, DataField field)
    {
        int count = checked((int)group.RowCount);
        if (field.ClrType == typeof(byte[]))
        {
            var values = new byte[]?[count];
            await group.ReadAsync(field, values.AsMemory());
            return values;
        }
        var memory = new ReadOnlyMemory<byte>?[count];
        await group.ReadAsync<ReadOnlyMemory<byte>>(field, memory.AsMemory());
        return memory.Select(v => v?.ToArray()).ToArray();
    }

    public static async Task<string?[]> ReadStrings(ParquetRowGroupReader group, DataField? field)
    {
        int count = checked((int)group.RowCount);
        if (field is null) return new string?[count];
        var type = field.ClrType;
        if (IsText(type))
        {
            var values = new string?[count];
            await group.ReadAsync(field, values.AsMemory());
            return values;
        }
        if (IsBinary(type))
        {
            // Binary text (DuckDB's BLOB, Arrow's binary) is UTF-8 all the same.
            var values = await ReadBinary(group, field);
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
        if (type == typeof(sbyte)) return await Read<sbyte>(group, field, v => v);
        if (type == typeof(byte)) return await Read<byte>(group, field, v => v);
        if (type == typeof(ushort)) return await Read<ushort>(group, field, v => v);
        if (IsText(type) || IsBinary(type))
        {
            var strings = await ReadStrings(group, field);
            return strings.Select(s => long.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : (long?)null).ToArray();
        }
        // DatasetFields.Find lets no other type through; reaching here is a programming error, not data to skip.
        throw new NotSupportedException($"column '{field.Name}' of type {type.Name} cannot be read as a number.");
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
