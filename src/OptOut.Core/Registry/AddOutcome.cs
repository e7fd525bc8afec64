namespace OptOut.Core.Registry;

/// <summary>The outcome of adding one claim.</summary>
public sealed record AddOutcome(StoredClaim Record, bool Added);
