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

/// <summary>
/// The rows of one shard that break a rule: by row number (file order), by key (to filter the
/// parquet beside a tar, which lists the samples by key), and by the files and tar members the
/// reader matched to each row, so a clean copy leaves out exactly what the reader read for it. A
/// bit a row, so a shard of millions costs kilobytes.
/// </summary>
public sealed class RemovedRows
{
    private ulong[] bits = new ulong[16];
    private readonly HashSet<string> keys = new(StringComparer.Ordinal);
    private readonly HashSet<string> files = new(StringComparer.Ordinal);
    private readonly HashSet<int> members = new();

    public IReadOnlySet<string> Keys => keys;

    /// <summary>Full paths of the removed samples' files (img2dataset shard folders, image folders).</summary>
    public IReadOnlySet<string> Files => files;

    /// <summary>Positions of the removed samples' tar members.</summary>
    public IReadOnlySet<int> TarMembers => members;

    /// <summary>How many rows were removed.</summary>
    public long Count { get; private set; }

    /// <summary>How many of the removed rows came with a local image.</summary>
    public long WithImage { get; private set; }

    public bool Contains(long row) => row >> 6 < bits.Length && (bits[row >> 6] & (1UL << (int)(row & 63))) != 0;

    internal void Add(long row, string? key, Datasets.SourceRow? source)
    {
        long word = row >> 6;
        if (word >= bits.Length) Array.Resize(ref bits, (int)Math.Max(word + 1, bits.Length * 2L));
        if ((bits[word] & (1UL << (int)(row & 63))) == 0)
        {
            Count++;
            if (source?.ReadImage is not null) WithImage++;
        }
        bits[word] |= 1UL << (int)(row & 63);
        if (key is not null) keys.Add(key);
        if (source?.Files is { } sampleFiles) files.UnionWith(sampleFiles);
        if (source?.TarMembers is { } sampleMembers) members.UnionWith(sampleMembers);
    }
}
