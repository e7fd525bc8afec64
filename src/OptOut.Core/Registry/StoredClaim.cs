namespace OptOut.Core.Registry;

/// <summary>A claim as stored: never changed after it is written; revocation is a record of its own.</summary>
public sealed record StoredClaim
{
    public required string Id { get; init; }
    public required Decision Decision { get; init; }
    public required ClaimKind Kind { get; init; }

    /// <summary>Normalised URL, host, or the content's SHA-256.</summary>
    public required string Target { get; init; }
    public ulong? PerceptualHash { get; init; }
    public float[]? Embedding { get; init; }
    public string? ModelId { get; init; }
    public required string Claimant { get; init; }
    public string? Reason { get; init; }
    public Evidence? Evidence { get; init; }
    public required DateTime CreatedAt { get; init; }
    public ClaimStatus Status { get; init; }
    public DateTime? RevokedAt { get; init; }
    public string? RevokedBy { get; init; }
    public string? RevokedReason { get; init; }

    /// <summary>Where the record was first written: "local", or the list it was imported from.</summary>
    public string Origin { get; init; } = "local";
}
