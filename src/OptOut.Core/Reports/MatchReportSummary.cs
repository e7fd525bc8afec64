namespace OptOut.Core.Reports;

/// <summary>The counts a written report shows at its top.</summary>
public sealed record MatchReportSummary
{
    public required string Path { get; init; }
    public string? ThumbnailFolder { get; init; }
    public int Works { get; init; }
    public int WorksFound { get; init; }
    public int WorksNotFound { get; init; }
    public int Datasets { get; init; }
    public int Matches { get; init; }
    public int VerifiedCopies { get; init; }
    public int Violations { get; init; }
    public int Thumbnails { get; init; }
    public IReadOnlyList<ReportProblem> Problems { get; init; } = [];

    /// <summary>The sentence at the top of the report, e.g. "212 of 300 works not found in 3 datasets".</summary>
    public string Headline => $"{WorksNotFound:N0} of {Works:N0} work{(Works == 1 ? "" : "s")} not found in {Datasets:N0} dataset{(Datasets == 1 ? "" : "s")}";
}
