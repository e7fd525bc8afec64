namespace OptOut.Core.Registry;

public enum Decision
{
    /// <summary>An opt-out: no training on this.</summary>
    Refuse,

    /// <summary>Consent: training on this is allowed (what an opt-in policy looks for).</summary>
    Grant,
}

public enum ClaimKind
{
    Url,
    Domain,

    /// <summary>Keyed by the picture itself (SHA-256, perceptual hash, embedding): covers copies at any URL.</summary>
    Content,
}

public enum ClaimStatus
{
    Active,
    Revoked,
}

/// <summary>
/// Why a claim is believed: for content claims the claimant's own file and its hash; for claims
/// that came from a search, the row that matched and how closely.
/// </summary>
public sealed record Evidence
{
    public string? File { get; init; }
    public string? FileSha256 { get; init; }

    /// <summary>MD5 of the claimant's file: LAION's md5 columns list it, so a dataset can be checked without its images.</summary>
    public string? FileMd5 { get; init; }
    public string? MatchedDataset { get; init; }
    public string? MatchedKey { get; init; }
    public string? MatchedUrl { get; init; }
    public string? MatchKind { get; init; }
    public double? Similarity { get; init; }
    public int? HashDistance { get; init; }
    public string? Note { get; init; }

    /// <summary>How the matched row was verified as a copy of the claimant's file (Add-OptOut -IncludeCopies).</summary>
    public VerificationEvidence? Verification { get; init; }
}

/// <summary>The content fingerprint a Content claim is keyed by.</summary>
public sealed record ContentFingerprint(string Sha256, ulong? PerceptualHash, float[]? Embedding, string? ModelId);

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

/// <summary>A claim as stored: never changed after it is written; revocation is a record of its own.</summary>
public sealed record ConsentRecord
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

/// <summary>One line of the append-only audit log.</summary>
public sealed record AuditEntry(long Sequence, DateTime At, string User, string Action, string? RecordId, string? Reason, string? Detail);

/// <summary>An active claim reduced to what a dataset check compares.</summary>
public sealed record ActiveClaim(
    string Id, Decision Decision, ClaimKind Kind, string Target, ulong? PerceptualHash, float[]? Embedding, string? ModelId, string Claimant,
    string? Md5 = null);
