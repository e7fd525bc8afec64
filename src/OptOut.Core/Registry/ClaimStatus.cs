namespace OptOut.Core.Registry;

/// <summary>Whether a claim is in force.</summary>
public enum ClaimStatus
{
    /// <summary>In force.</summary>
    Active,
    /// <summary>Withdrawn by a revocation record; kept, never deleted.</summary>
    Revoked,
}
