using OptOut.Core.Index;

namespace OptOut.Core.Matching;

/// <summary>
/// One row the matcher found for a query picture: how it matched (<see cref="MatchKind.Exact"/>: the
/// same file; <see cref="MatchKind.Copy"/>: verified; <see cref="MatchKind.Similar"/>: a candidate
/// that was not verified), its fingerprint scores, and the verification's evidence when it ran.
/// </summary>
public sealed record CopyMatch(IndexedRow Row, MatchKind Kind, float? Similarity, int? HashDistance)
{
    /// <summary>The geometric verification of the row's pixels against the query's; null when it did not run (an exact file, no local image, OpenCV unavailable).</summary>
    public Verification? Verification { get; init; }

    /// <summary>Why the row was not verified, when verification did not run or could not be trusted; null otherwise.</summary>
    public string? NotVerified { get; init; }

    /// <summary>The fingerprint rule (<see cref="CopyRule"/>) accepted the row on its scores alone.</summary>
    public bool RuleAccepted { get; init; }

    /// <summary>Share of the query a verified copy must cover to count as a copy of the whole work rather than of a part (a derivative work: docs/copy-detection.md).</summary>
    public const double MostOfThePicture = 0.8;

    /// <summary>The same file, or a verified copy covering most of the query: what a claim records without review.</summary>
    public bool IsWholeCopy => Kind == MatchKind.Exact || (Kind == MatchKind.Copy && Verification is { Overlap: >= MostOfThePicture });
}
