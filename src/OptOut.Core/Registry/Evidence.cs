namespace OptOut.Core.Registry;

/// <summary>
/// Why a claim is believed: for content claims the claimant's own file and its hash; for claims
/// that came from a search, the row that matched and how closely.
/// </summary>
public sealed record Evidence
{
    /// <summary>The claimant's file (full path), for content claims.</summary>
    public string? File { get; init; }
    /// <summary>SHA-256 of the claimant's file, lower-case hex.</summary>
    public string? FileSha256 { get; init; }

    /// <summary>MD5 of the claimant's file: LAION's md5 columns list it, so a dataset can be checked without its images.</summary>
    public string? FileMd5 { get; init; }
    /// <summary>The dataset of the row that matched.</summary>
    public string? MatchedDataset { get; init; }
    /// <summary>The key of the row that matched.</summary>
    public string? MatchedKey { get; init; }
    /// <summary>The URL of the row that matched.</summary>
    public string? MatchedUrl { get; init; }
    /// <summary>How the row matched (Exact, Copy, Similar, ...).</summary>
    public string? MatchKind { get; init; }
    /// <summary>Cosine similarity of the embeddings, 0..1; null when not compared.</summary>
    public double? Similarity { get; init; }
    /// <summary>Perceptual-hash distance in bits (0..64); null when not compared.</summary>
    public int? HashDistance { get; init; }
    /// <summary>Free text from the claimant.</summary>
    public string? Note { get; init; }

    /// <summary>How the matched row was verified as a copy of the claimant's file (Add-OptOut -IncludeCopies).</summary>
    public VerificationEvidence? Verification { get; init; }
}
