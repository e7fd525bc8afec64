namespace OptOut.Core.Gate;

/// <summary>Running totals over all shards, safe to read while the check runs.</summary>
internal sealed class GateCounters
{
    private long rows;
    private long violations;
    private long violatingRows;
    private long rowErrors;
    private int shardsDone;

    public long Rows => Interlocked.Read(ref rows);
    public long Violations => Interlocked.Read(ref violations);
    public long ViolatingRows => Interlocked.Read(ref violatingRows);
    public long RowErrors => Interlocked.Read(ref rowErrors);
    public int ShardsDone => Volatile.Read(ref shardsDone);

    internal void AddRows(long count) => Interlocked.Add(ref rows, count);
    internal void AddViolations(long count) => Interlocked.Add(ref violations, count);
    internal void AddViolatingRow() => Interlocked.Increment(ref violatingRows);
    internal void AddRowError() => Interlocked.Increment(ref rowErrors);
    internal void ShardDone() => Interlocked.Increment(ref shardsDone);
}
