namespace OptOut;

/// <summary>Output of Test-TrainingSet: one row of a training set that breaks one rule.</summary>
public sealed class TrainingSetViolation
{
    public string Dataset { get; init; } = "";

    /// <summary>The shard the row is in, as shown (a clip-retrieval part: "its .npy + its parquet").</summary>
    public string Shard { get; init; } = "";

    /// <summary>The shard's file or folder (a clip-retrieval part: its .npy).</summary>
    public string ShardPath { get; init; } = "";

    /// <summary>The row's position in its shard (0-based, file order).</summary>
    public long Row { get; init; }

    public string? Key { get; init; }
    public string? Url { get; init; }

    /// <summary>Url, Domain, Content, Signal or NoConsent.</summary>
    public string Rule { get; init; } = "";

    /// <summary>The registry record behind the finding (none for Signal and NoConsent).</summary>
    public string? RecordId { get; init; }

    public string? Claimant { get; init; }
    public string Detail { get; init; } = "";

    internal static TrainingSetViolation From(Core.Gate.Violation v) => new()
    {
        Dataset = v.Dataset,
        Shard = v.Shard,
        ShardPath = v.ShardPath,
        Row = v.Row,
        Key = v.Key,
        Url = v.Url,
        Rule = v.Rule.ToString(),
        RecordId = v.RecordId,
        Claimant = v.Claimant,
        Detail = v.Detail,
    };
}
