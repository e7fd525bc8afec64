namespace OptOut.Core.Gate;

/// <summary>What a training set must satisfy.</summary>
public enum GatePolicy
{
    /// <summary>Everything may be trained on except what someone refused.</summary>
    OptOut,

    /// <summary>Nothing may be trained on without a recorded grant (and a refusal still wins over a grant).</summary>
    OptIn,
}

/// <summary>Why a row may not be trained on; each finding names one.</summary>
public enum GateRule
{
    /// <summary>The row's URL (normalised as in the index) has an active refusal.</summary>
    Url,

    /// <summary>The row's host or a parent domain has an active refusal.</summary>
    Domain,

    /// <summary>The row's picture matches a content refusal (hash, perceptual hash or embedding).</summary>
    Content,

    /// <summary>The local image carries an embedded reservation (IPTC plus:DataMining, C2PA training-mining).</summary>
    Signal,

    /// <summary>Under the opt-in policy: no active grant covers the row.</summary>
    NoConsent,

    /// <summary>The site the row's URL is on reserves it (robots.txt, ai.txt, TDMRep or headers in the folder given for that host).</summary>
    Site,
}

/// <summary>
/// One finding: a row of a shard that breaks one rule, and the record (if any) behind it.
/// <paramref name="Shard"/> is the shard as shown to the user; <paramref name="ShardPath"/> its file or folder.
/// </summary>
public sealed record Violation(
    string Dataset,
    string Shard,
    string ShardPath,
    long Row,
    string? Key,
    string? Url,
    GateRule Rule,
    string? RecordId,
    string? Claimant,
    string Detail);

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
    public bool Clean => Failure is null && ViolatingRows == 0 && RowErrors == 0;

    /// <summary>Rows in the shard's clean copy, as read back from it (null when no copy was written).</summary>
    public long? RowsWritten { get; init; }

    /// <summary>Checked rows that came with a local image (a file or tar member the reader matched to them).</summary>
    public long RowsWithImage { get; init; }
}
