namespace OptOut.Core.Gate;

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
