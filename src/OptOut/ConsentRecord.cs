using OptOut.Core.Registry;

namespace OptOut;

/// <summary>Output of the registry cmdlets: one claim, flat, with its status and evidence.</summary>
public sealed class ConsentRecord
{
    public string Id { get; init; } = "";

    /// <summary>Refuse (an opt-out) or Grant (consent).</summary>
    public string Decision { get; init; } = "";

    /// <summary>Url, Domain or Content.</summary>
    public string Kind { get; init; } = "";

    /// <summary>Normalised URL, host, or the content's SHA-256.</summary>
    public string Target { get; init; } = "";

    public string Claimant { get; init; } = "";
    public string? Reason { get; init; }
    public DateTime CreatedAt { get; init; }

    /// <summary>Active or Revoked.</summary>
    public string Status { get; init; } = "";

    public DateTime? RevokedAt { get; init; }
    public string? RevokedBy { get; init; }
    public string? RevokedReason { get; init; }
    public string? PerceptualHash { get; init; }
    public string? ModelId { get; init; }
    public string? EvidenceFile { get; init; }
    public string? EvidenceSha256 { get; init; }

    /// <summary>MD5 of the claimant's file (content claims): matched against LAION's md5 columns.</summary>
    public string? EvidenceMd5 { get; init; }
    public string? MatchedDataset { get; init; }
    public string? MatchedKey { get; init; }
    public string? MatchedUrl { get; init; }
    public string? MatchKind { get; init; }
    public double? Similarity { get; init; }
    public int? HashDistance { get; init; }

    /// <summary>How the matched row was verified as a copy (inliers, scale, rotation, mirrored, NCC, overlap), for claims added by -IncludeCopies.</summary>
    public string? MatchVerification { get; init; }
    public string Origin { get; init; } = "";

    /// <summary>Content claims' embedding; filled only with -IncludeEmbedding.</summary>
    public float[]? Embedding { get; init; }

    internal static ConsentRecord From(StoredClaim r) => new()
    {
        Id = r.Id,
        Decision = r.Decision.ToString(),
        Kind = r.Kind.ToString(),
        Target = r.Target,
        Claimant = r.Claimant,
        Reason = r.Reason,
        CreatedAt = r.CreatedAt,
        Status = r.Status.ToString(),
        RevokedAt = r.RevokedAt,
        RevokedBy = r.RevokedBy,
        RevokedReason = r.RevokedReason,
        PerceptualHash = r.PerceptualHash?.ToString("x16", System.Globalization.CultureInfo.InvariantCulture),
        ModelId = r.ModelId,
        EvidenceFile = r.Evidence?.File,
        EvidenceSha256 = r.Evidence?.FileSha256,
        EvidenceMd5 = r.Evidence?.FileMd5,
        MatchedDataset = r.Evidence?.MatchedDataset,
        MatchedKey = r.Evidence?.MatchedKey,
        MatchedUrl = r.Evidence?.MatchedUrl,
        MatchKind = r.Evidence?.MatchKind,
        Similarity = r.Evidence?.Similarity,
        HashDistance = r.Evidence?.HashDistance,
        MatchVerification = r.Evidence?.Verification?.ToString(),
        Origin = r.Origin,
        Embedding = r.Embedding,
    };
}
