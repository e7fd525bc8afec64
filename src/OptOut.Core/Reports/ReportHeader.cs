namespace OptOut.Core.Reports;

/// <summary>What the report says about itself: who claims, when, against which index and model, which works were searched.</summary>
public sealed record ReportHeader
{
    /// <summary>The report's title.</summary>
    public string Title { get; init; } = "Where my work was found in AI training sets";
    /// <summary>Who the report is for; null when not given.</summary>
    public string? Claimant { get; init; }
    /// <summary>When the report was made.</summary>
    public DateTimeOffset CreatedAt { get; init; } = DateTimeOffset.Now;

    /// <summary>The training-set index searched (shown in print as evidence of what was checked).</summary>
    public string? IndexPath { get; init; }

    /// <summary>The image model(s) the index was built with.</summary>
    public IReadOnlyList<string> Models { get; init; } = [];

    /// <summary>Every dataset searched; when empty, the datasets seen in the matches and findings are counted.</summary>
    public IReadOnlyList<string> Datasets { get; init; } = [];

    /// <summary>Every work searched (full paths), the ones with no match included; image queries of the matches are added.</summary>
    public IReadOnlyList<string> Works { get; init; } = [];
}
