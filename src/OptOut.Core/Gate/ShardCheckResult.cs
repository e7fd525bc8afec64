namespace OptOut.Core.Gate;

/// <summary>What checking one shard found.</summary>
public sealed record ShardCheckResult(
    string Shard,
    string Layout,
    long Rows,
    long RowsChecked,
    long RowsSkipped,
    long ViolatingRows,
    long Violations,
    long RowErrors,
    TimeSpan Elapsed,
    Exception? Failure)
{
    /// <summary>True when the shard was read completely and has neither violations nor row errors.</summary>
    public bool Clean => Failure is null && ViolatingRows == 0 && RowErrors == 0;

    /// <summary>Rows in the shard's clean copy, as read back from it (null when no copy was written).</summary>
    public long? RowsWritten { get; init; }

    /// <summary>Checked rows that came with a local image (a file or tar member the reader matched to them).</summary>
    public long RowsWithImage { get; init; }
}
