namespace OptOut.Core.Registry;

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
