namespace OptOut.Core.Registry;

public enum ClaimStatus
{
    Active,
    Revoked,
}
