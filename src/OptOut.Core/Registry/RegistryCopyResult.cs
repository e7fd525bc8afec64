namespace OptOut.Core.Registry;

/// <summary>How a copy ended: what was copied and what the check compared.</summary>
public sealed record RegistryCopyResult(int Records, int Revoked, int AuditRows, int SkippedPresent, int Compared);
