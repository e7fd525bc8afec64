namespace OptOut.Core.Datasets;

/// <summary>Rows that came through a shard reader as <see cref="SourceRow"/> objects.</summary>
internal sealed class SourceRowBatch(List<SourceRow> rows) : RowBatch
{
    /// <summary>How many rows a batch holds.</summary>
    public const int Size = 1024;

    /// <summary>The rows of a row reader, in batches of <see cref="Size"/>.</summary>
    public static IEnumerable<RowBatch> Of(IEnumerable<SourceRow> rows)
    {
        var batch = new List<SourceRow>(Size);
        long first = 0;
        foreach (var row in rows)
        {
            batch.Add(row);
            if (batch.Count == Size)
            {
                yield return new SourceRowBatch(batch) { FirstRow = first };
                first += batch.Count;
                batch = new List<SourceRow>(Size);
            }
        }
        if (batch.Count > 0) yield return new SourceRowBatch(batch) { FirstRow = first };
    }

    public override int Count => rows.Count;
    public override ReadOnlySpan<char> Url(int i) => rows[i].Url;
    public override string? Key(int i) => rows[i].Key;
    public override bool IsSuccess(int i) => rows[i].IsSuccess;
    public override string? Sha256(int i) => rows[i].Sha256 is { } hash ? Convert.ToHexString(hash).ToLowerInvariant() : null;
    public override string? Md5(int i) => rows[i].Md5 is { } hash ? Convert.ToHexString(hash).ToLowerInvariant() : null;
    public override SourceRow? Source(int i) => rows[i];
}
