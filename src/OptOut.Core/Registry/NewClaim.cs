namespace OptOut.Core.Registry;

/// <summary>A claim to add: who refuses (or grants) what, and why.</summary>
public sealed record NewClaim
{
    public required Decision Decision { get; init; }
    public required ClaimKind Kind { get; init; }

    /// <summary>A URL, a domain, or (Content) ignored in favour of <see cref="Content"/>.</summary>
    public string? Target { get; init; }
    public ContentFingerprint? Content { get; init; }
    public required string Claimant { get; init; }
    public string? Reason { get; init; }
    public Evidence? Evidence { get; init; }
}
