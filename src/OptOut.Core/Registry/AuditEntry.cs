namespace OptOut.Core.Registry;

/// <summary>One line of the append-only audit log.</summary>
public sealed record AuditEntry(long Sequence, DateTime At, string User, string Action, string? RecordId, string? Reason, string? Detail);
