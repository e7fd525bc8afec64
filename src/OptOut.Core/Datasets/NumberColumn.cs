using Parquet;
using Parquet.Data;
using Parquet.Schema;

namespace OptOut.Core.Datasets;

/// <summary>An integer key column (LAION's SAMPLE_ID) of one row group.</summary>
internal sealed class NumberColumn : IDisposable
{
    private readonly RawColumnData<long>? raw;
    private readonly int[]? valueOfRow;
    private readonly long?[]? converted;

    private NumberColumn(RawColumnData<long>? raw, int[]? valueOfRow, long?[]? converted)
    {
        this.raw = raw;
        this.valueOfRow = valueOfRow;
        this.converted = converted;
    }

    public long? this[int i] =>
        converted is not null ? converted[i]
        : valueOfRow is null ? raw!.Values[i]
        : valueOfRow[i] < 0 ? null : raw!.Values[valueOfRow[i]];

    /// <summary>64-bit keys (LAION's SAMPLE_ID) are used in Parquet.Net's own buffers; other types are converted.</summary>
    public static NumberColumn Read(ParquetRowGroupReader group, DataField field, int count)
    {
        if (field.ClrType == typeof(long) && field.MaxRepetitionLevel == 0)
        {
            var raw = (RawColumnData<long>)group.ReadRawColumnDataBaseAsync(field).AsTask().GetAwaiter().GetResult();
            var definitions = field.MaxDefinitionLevel > 0 ? raw.DefinitionLevels : [];
            if (definitions.Length == 0 || !definitions[..count].ContainsAnyExcept(field.MaxDefinitionLevel)) return new NumberColumn(raw, null, null);
            var map = System.Buffers.ArrayPool<int>.Shared.Rent(count);
            int next = 0;
            for (int i = 0; i < count; i++) map[i] = definitions[i] == field.MaxDefinitionLevel ? next++ : -1;
            return new NumberColumn(raw, map, null);
        }
        return new NumberColumn(null, null, ParquetColumns.ReadIntegers(group, field).GetAwaiter().GetResult());
    }

    public void Dispose()
    {
        raw?.Dispose();
        if (valueOfRow is not null) System.Buffers.ArrayPool<int>.Shared.Return(valueOfRow);
    }
}
