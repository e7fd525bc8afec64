namespace OptOut.Core.Reports;

/// <summary>One match an artist reviewed in the report: their decision and the match as the report showed it.</summary>
public sealed record ReviewDecision
{
    /// <summary>The match's number in its report.</summary>
    public long Id { get; init; }

    /// <summary>True for "mine", false for "not mine".</summary>
    public required bool IsMine { get; init; }

    /// <summary>The match's fields as exported (no picture or verification: the decisions file does not carry them).</summary>
    public required ReportMatch Match { get; init; }
}
