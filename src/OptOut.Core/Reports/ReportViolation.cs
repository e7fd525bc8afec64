namespace OptOut.Core.Reports;

/// <summary>One training-set gate finding (Test-TrainingSet's fields) listed in the report.</summary>
public sealed record ReportViolation
{
    /// <summary>The dataset checked.</summary>
    public required string Dataset { get; init; }
    /// <summary>The shard the row is in.</summary>
    public string Shard { get; init; } = "";
    /// <summary>The row's position in its shard, from 0.</summary>
    public long Row { get; init; }
    /// <summary>The row's key.</summary>
    public string? Key { get; init; }
    /// <summary>The row's URL.</summary>
    public string? Url { get; init; }
    /// <summary>The gate rule it breaks.</summary>
    public required string Rule { get; init; }
    /// <summary>Id of the claim involved; null when the finding has none.</summary>
    public string? RecordId { get; init; }
    /// <summary>Who made that claim.</summary>
    public string? Claimant { get; init; }
    /// <summary>The finding in words.</summary>
    public string Detail { get; init; } = "";
}
