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

    /// <summary>The dataset of the row.</summary>
    public required string Dataset { get; init; }
    /// <summary>The row's key in its dataset.</summary>
    public string? Key { get; init; }
    /// <summary>The row's URL.</summary>
    public string? Url { get; init; }
    /// <summary>The row's caption.</summary>
    public string? Caption { get; init; }
    /// <summary>The row's image width, in pixels, as the dataset says.</summary>
    public int? Width { get; init; }
    /// <summary>The row's image height, in pixels, as the dataset says.</summary>
    public int? Height { get; init; }
    /// <summary>How the row matched (Exact, Copy, Similar, Url, Domain, Caption).</summary>
    public required string MatchKind { get; init; }
    /// <summary>Cosine similarity of the embeddings, 0..1; null when not compared.</summary>
    public double? Similarity { get; init; }
    /// <summary>Perceptual-hash distance in bits (0..64); null when not compared.</summary>
    public int? HashDistance { get; init; }
    /// <summary>SHA-256 of the row's image, lower-case hex; null when the dataset has none.</summary>
    public string? Sha256 { get; init; }

    /// <summary>The row's own image in the training set; null for URL-only rows.</summary>
    public ImageLocation? Image { get; init; }

    /// <summary>The geometric evidence, when the match was verified (or rejected) by pixels.</summary>
    public Verification? Verification { get; init; }

    /// <summary>True for image searches: the query is one of the artist's works.</summary>
    public bool IsImageQuery => !string.IsNullOrEmpty(QuerySha256);
}
