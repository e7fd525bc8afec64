namespace OptOut.Core.Reports;

/// <summary>The counts a written report shows at its top.</summary>
public sealed record MatchReportSummary
{
    /// <summary>Full path of the report written.</summary>
    public required string Path { get; init; }
    /// <summary>The folder the thumbnails were written into; null when they are embedded.</summary>
    public string? ThumbnailFolder { get; init; }
    /// <summary>Works searched.</summary>
    public int Works { get; init; }
    /// <summary>Works with at least one match.</summary>
    public int WorksFound { get; init; }
    /// <summary>Works with no match.</summary>
    public int WorksNotFound { get; init; }
    /// <summary>Datasets searched.</summary>
    public int Datasets { get; init; }
    /// <summary>Matches listed.</summary>
    public int Matches { get; init; }
    /// <summary>Matches verified as copies.</summary>
    public int VerifiedCopies { get; init; }
    /// <summary>Gate findings listed.</summary>
    public int Violations { get; init; }
    /// <summary>Thumbnails written or embedded.</summary>
    public int Thumbnails { get; init; }
    /// <summary>What could not be shown (a row's image unreadable, ...).</summary>
    public IReadOnlyList<ReportProblem> Problems { get; init; } = [];

    /// <summary>The sentence at the top of the report, e.g. "212 of 300 works not found in 3 datasets".</summary>
    public string Headline => $"{WorksNotFound:N0} of {Works:N0} work{(Works == 1 ? "" : "s")} not found in {Datasets:N0} dataset{(Datasets == 1 ? "" : "s")}";
}
