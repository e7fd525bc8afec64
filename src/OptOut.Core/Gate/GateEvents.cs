namespace OptOut.Core.Gate;

/// <summary>What a running check reports, in the order it happens (shards run in parallel).</summary>
public abstract record GateEvent;

/// <summary>Findings, a few hundred at a time (one queue hand-over each, not one a finding), in row order within a shard.</summary>
public sealed record ViolationsFound(IReadOnlyList<Violation> Violations) : GateEvent;

/// <summary>One row could not be checked completely (an image missing or undecodable): the set is not proven clean.</summary>
public sealed record RowProblem(string Shard, string Target, Exception Error) : GateEvent;

/// <summary>A shard is done: checked, or failed (<see cref="ShardCheckResult.Failure"/>).</summary>
public sealed record ShardChecked(ShardCheckResult Result) : GateEvent;

/// <summary>Nothing happened for a while: a chance to show progress.</summary>
public sealed record GateTick : GateEvent
{
    public static GateTick Instance { get; } = new();
}

/// <summary>Running totals over all shards, safe to read while the check runs.</summary>
public sealed class GateCounters
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
