namespace OptOut.Core.Registry;

/// <summary>A claim as stored: never changed after it is written; revocation is a record of its own.</summary>
public sealed record StoredClaim
{
    /// <summary>The record's id (a UUID for records written here; imported lists keep theirs).</summary>
    public required string Id { get; init; }
    /// <summary>Refuse (opt out) or grant (opt in).</summary>
    public required Decision Decision { get; init; }
    /// <summary>Whether the claim is about a URL, a domain or a picture's content.</summary>
    public required ClaimKind Kind { get; init; }

    /// <summary>Normalised URL, host, or the content's SHA-256.</summary>
    public required string Target { get; init; }
    /// <summary>The picture's 64-bit perceptual hash, for content claims.</summary>
    public ulong? PerceptualHash { get; init; }
    /// <summary>The picture's embedding, for content claims read with embeddings; null otherwise.</summary>
    public float[]? Embedding { get; init; }
    /// <summary>Id of the model the embedding was made with.</summary>
    public string? ModelId { get; init; }
    /// <summary>Who made the claim.</summary>
    public required string Claimant { get; init; }
    /// <summary>Why, in the claimant's words; may be null.</summary>
    public string? Reason { get; init; }
    /// <summary>What supports the claim; may be null.</summary>
    public Evidence? Evidence { get; init; }
    /// <summary>When the claim was written, UTC.</summary>
    public required DateTime CreatedAt { get; init; }
    /// <summary>Active, or revoked by a later record.</summary>
    public ClaimStatus Status { get; init; }
    /// <summary>When it was revoked, UTC; null while active.</summary>
    public DateTime? RevokedAt { get; init; }
    /// <summary>Who revoked it; null while active.</summary>
    public string? RevokedBy { get; init; }
    /// <summary>Why it was revoked; may be null.</summary>
    public string? RevokedReason { get; init; }

    /// <summary>Where the record was first written: "local", or the list it was imported from.</summary>
    public string Origin { get; init; } = "local";
}
