namespace OptOut;

/// <summary>Output of Find-TrainedImage: one row of a training set that matches the query.</summary>
public sealed class TrainedImageMatch
{
    /// <summary>The query image's full path, or the text, URL or domain searched.</summary>
    public string Query { get; init; } = "";

    /// <summary>SHA-256 of the query image (image searches only): the evidence a claim can cite.</summary>
    public string? QuerySha256 { get; init; }

    public string Dataset { get; init; } = "";

    /// <summary>The row's own key in its dataset (img2dataset key, LAION SAMPLE_ID or key, else its row number).</summary>
    public string? Key { get; init; }

    public string? Url { get; init; }
    public string? Caption { get; init; }
    public int? Width { get; init; }
    public int? Height { get; init; }

    /// <summary>Exact, Copy, Similar, Caption, Url or Domain.</summary>
    public string MatchKind { get; init; } = "";

    /// <summary>Embedding cosine similarity (image searches), or the BM25 relevance (text searches).</summary>
    public double? Similarity { get; init; }

    /// <summary>Perceptual-hash Hamming distance to the query image.</summary>
    public int? HashDistance { get; init; }

    /// <summary>The row's SHA-256 when the index has it.</summary>
    public string? Sha256 { get; init; }

    /// <summary>Where the row's own image lies in the training set (a file, or a tar member); null for URL-only rows.</summary>
    public Core.Datasets.ImageLocation? Image { get; init; }

    /// <summary>The geometric verification of an image match: inliers, transform, mirrored, aligned-pixel agreement; null when not verified (text searches, rows without pixels).</summary>
    public Core.Matching.Verification? Verification { get; init; }

    /// <summary>The verification in a few words, for the table view: "yes (stretch)", "yes (34 inliers, mirrored)", "yes (9 inliers, refined)" (the alignment refined by its pixels), "no: pixels disagree", "not verified: ...".</summary>
    public string? Verified { get; init; }

    internal static TrainedImageMatch From(Core.Matching.CopyMatch match, string query, string? querySha256) =>
        FromRow(match.Row, query, querySha256, match.Kind, match.Similarity is { } s ? Math.Round(s, 4) : null, match.HashDistance,
            match.Verification, VerifiedText(match));

    // Cosines are shown to 4 decimals; BM25 relevances can be tiny (common words) and stay whole.
    internal static TrainedImageMatch From(Core.Index.IndexMatch match, string query, string? querySha256) =>
        FromRow(match.Row, query, querySha256, match.Kind,
            match.Similarity is { } s ? match.Kind == Core.Index.MatchKind.Caption ? s : Math.Round(s, 4) : null, match.HashDistance, null, null);

    private static TrainedImageMatch FromRow(Core.Index.IndexedRow row, string query, string? querySha256, Core.Index.MatchKind kind,
        double? similarity, int? hashDistance, Core.Matching.Verification? verification, string? verified) => new()
    {
        Query = query,
        QuerySha256 = querySha256,
        Dataset = row.Dataset,
        Key = row.Key,
        Url = row.Url,
        Caption = row.Caption,
        Width = row.Width,
        Height = row.Height,
        MatchKind = kind.ToString(),
        Similarity = similarity,
        HashDistance = hashDistance,
        Sha256 = row.Sha256 is { } h ? Convert.ToHexString(h).ToLowerInvariant() : null,
        Image = row.Image,
        Verification = verification,
        Verified = verified,
    };

    private static string? VerifiedText(Core.Matching.CopyMatch match)
    {
        if (match.Kind == Core.Index.MatchKind.Exact) return "same file";
        if (match.NotVerified is { } why) return why;
        if (match.Verification is not { } v) return null;
        if (!v.IsVerified) return "no: " + v.Reason switch
        {
            Core.Matching.NotVerifiedReason.PixelsDisagree => "pixels disagree",
            Core.Matching.NotVerifiedReason.DegenerateFit => "degenerate fit",
            Core.Matching.NotVerifiedReason.TurnedWeakFit => "turned on a weak fit",
            Core.Matching.NotVerifiedReason.NoGeometricFit => "no geometric fit",
            Core.Matching.NotVerifiedReason.TooFewMatches => "too few matches",
            Core.Matching.NotVerifiedReason.TooFewFeatures => "too few keypoints",
            var other => other.ToString(),
        };
        var parts = new List<string>();
        parts.Add(v.Method switch
        {
            Core.Matching.VerificationMethod.Geometric => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{v.Inliers} inliers"),
            Core.Matching.VerificationMethod.PixelSearch => "pixel search",
            _ => "stretch",
        });
        if (v.Mirrored) parts.Add("mirrored");
        if (Math.Abs(v.RotationDegrees) >= 1) parts.Add(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{v.RotationDegrees:F0} deg"));
        if (v.Overlap < 0.95) parts.Add(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{v.Overlap:P0} of it"));
        if (v.PoseRefined) parts.Add("refined");
        return $"yes ({string.Join(", ", parts)})";
    }
}
