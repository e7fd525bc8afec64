using OptOut.Core.Datasets;
using OptOut.Core.Matching;

namespace OptOut.Core.Reports;

/// <summary>One training-set row found for a query, as the report shows it (Find-TrainedImage's fields).</summary>
public sealed record ReportMatch
{
    /// <summary>The query image's full path, or the text, URL or domain searched.</summary>
    public required string Query { get; init; }

    /// <summary>SHA-256 of the query image; null for text, URL and domain searches.</summary>
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

    /// <summary>The row's own image in the training set; null for URL-only rows.</summary>
    public ImageLocation? Image { get; init; }

    /// <summary>The geometric evidence, when the match was verified (or rejected) by pixels.</summary>
    public Verification? Verification { get; init; }

    /// <summary>True for image searches: the query is one of the artist's works.</summary>
    public bool IsImageQuery => !string.IsNullOrEmpty(QuerySha256);
}
