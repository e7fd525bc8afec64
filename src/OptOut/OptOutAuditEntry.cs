namespace OptOut;

/// <summary>Output of Get-OptOutHistory.</summary>
public sealed class OptOutAuditEntry
{
    public long Sequence { get; init; }
    public DateTime At { get; init; }
    public string User { get; init; } = "";
    public string Action { get; init; } = "";
    public string? RecordId { get; init; }
    public string? Reason { get; init; }
    public string? Detail { get; init; }
}
