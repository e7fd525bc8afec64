namespace OptOut.Core.Reports;

/// <summary>One match an artist reviewed in the report: their decision and the match's own fields.</summary>
public sealed record ReviewDecision
{
    /// <summary>The match's number in its report.</summary>
    public long Id { get; init; }

    /// <summary>True for "mine", false for "not mine".</summary>
    public required bool IsMine { get; init; }

    public required string Query { get; init; }
    public string? QuerySha256 { get; init; }
    public required string Dataset { get; init; }
    public string? Key { get; init; }
    public string? Url { get; init; }
    public string? Caption { get; init; }
    public int? Width { get; init; }
    public int? Height { get; init; }
    public required string MatchKind { get; init; }
    public double? Similarity { get; init; }
    public int? HashDistance { get; init; }
    public string? Sha256 { get; init; }
}
