namespace OptOut.Core.Reports;

/// <summary>One training-set gate finding (Test-TrainingSet's fields) listed in the report.</summary>
public sealed record ReportViolation
{
    public required string Dataset { get; init; }
    public string Shard { get; init; } = "";
    public long Row { get; init; }
    public string? Key { get; init; }
    public string? Url { get; init; }
    public required string Rule { get; init; }
    public string? RecordId { get; init; }
    public string? Claimant { get; init; }
    public string Detail { get; init; } = "";
}
