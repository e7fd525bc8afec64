namespace OptOut.Core.Gate;

/// <summary>What writing a clean copy into its staging folder did, before it is published.</summary>
public sealed class CleanCopyOutcome
{
    private readonly Dictionary<GateRule, long> byRule = Enum.GetValues<GateRule>().ToDictionary(r => r, _ => 0L);
    private readonly List<string> failedShards = new();
    private readonly List<string> leftOut = new();

    /// <summary>Rows read from the original, over the shards that were written.</summary>
    public long Rows { get; internal set; }

    /// <summary>Rows the copy holds, as read back from it.</summary>
    public long Kept { get; internal set; }

    /// <summary>Rows left out of the copy.</summary>
    public long Removed { get; internal set; }

    /// <summary>Rows that could not be checked completely.</summary>
    public long RowErrors { get; internal set; }

    /// <summary>Findings by rule, in the rules' order, only the rules that found something.</summary>
    public IEnumerable<KeyValuePair<GateRule, long>> ViolationsByRule => byRule.Where(r => r.Value > 0);

    /// <summary>Shards that could not be checked or written: with any, the copy must not be published.</summary>
    public IReadOnlyList<string> FailedShards => failedShards;

    /// <summary>Files of the input folder not copied (symbolic links, images no shard reads): they were not checked.</summary>
    public IReadOnlyList<string> LeftOut => leftOut;

    /// <summary>True when the run was stopped before it finished: nothing may be published.</summary>
    public bool Cancelled { get; internal set; }

    /// <summary>Whether the staged copy may be published: every shard written and read back, and not stopped.</summary>
    public bool Publishable => !Cancelled && failedShards.Count == 0;

    internal void Observe(GateEvent e, RemovalReport report, string root)
    {
        switch (e)
        {
            case ViolationsFound found:
                foreach (var violation in found.Violations)
                {
                    byRule[violation.Rule]++;
                    report.Add(violation, Path.GetRelativePath(root, violation.ShardPath));
                }
                break;
            case RowProblem:
                RowErrors++;
                break;
            case ShardChecked { Result.Failure: not null } done:
                failedShards.Add(done.Result.Shard);
                break;
            case ShardChecked done:
                // What the copy holds, as read back from it: the outcome says what was written.
                long written = done.Result.RowsWritten ?? done.Result.Rows - done.Result.ViolatingRows;
                Rows += done.Result.Rows;
                Kept += written;
                Removed += done.Result.Rows - written;
                break;
        }
    }

    internal void AddLeftOut(IEnumerable<string> files) => leftOut.AddRange(files);
}
