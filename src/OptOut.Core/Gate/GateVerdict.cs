namespace OptOut.Core.Gate;

/// <summary>
/// What a check of a whole training set decided. The set is clean only when every path named a
/// dataset, there was at least one shard, every shard was read completely, and no row broke a rule
/// or could not be checked.
/// </summary>
public sealed class GateVerdict
{
    internal GateVerdict(int unreadPaths, int shards)
    {
        UnreadPaths = unreadPaths;
        Shards = shards;
        Clean = unreadPaths == 0 && shards > 0;
    }

    /// <summary>Whether the set is proven clean.</summary>
    public bool Clean { get; private set; }

    /// <summary>Paths that named no readable dataset (reported before the check).</summary>
    public int UnreadPaths { get; }

    /// <summary>The shards checked.</summary>
    public int Shards { get; }

    /// <summary>Shards that failed or had rows that could not be checked completely.</summary>
    public int IncompleteShards { get; private set; }

    /// <summary>Rows read, over all shards.</summary>
    public long Rows { get; private set; }

    /// <summary>Findings, over all shards.</summary>
    public long Violations { get; private set; }

    /// <summary>Rows with at least one finding.</summary>
    public long ViolatingRows { get; private set; }

    /// <summary>Rows that could not be checked completely.</summary>
    public long RowErrors { get; private set; }

    /// <summary>True when the check was stopped before it finished: the verdict says nothing then.</summary>
    public bool Cancelled { get; internal set; }

    internal void Observe(GateEvent e)
    {
        switch (e)
        {
            case ViolationsFound:
            case RowProblem:
                Clean = false;
                break;
            case ShardChecked done:
                if (!done.Result.Clean) Clean = false;
                if (done.Result.Failure is not null || done.Result.RowErrors > 0) IncompleteShards++;
                break;
        }
    }

    internal void Complete(GateCounters counters)
    {
        Rows = counters.Rows;
        Violations = counters.Violations;
        ViolatingRows = counters.ViolatingRows;
        RowErrors = counters.RowErrors;
        if (Cancelled) Clean = false;
    }
}
