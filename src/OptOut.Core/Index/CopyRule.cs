namespace OptOut.Core.Index;

/// <summary>
/// Decides from a perceptual-hash distance and an embedding similarity whether a row is a copy of the
/// query picture. bench/CopyCalibration measures rules on real artworks and their altered copies among
/// thousands of unrelated images (figures in docs/copy-detection.md). With the bundled ResNet18 no setting
/// reaches recall 0.95 on every alteration at precision 0.99, so the rule only proposes candidates and
/// geometric verification decides (Matching). The defaults are the recall-first end of the measured
/// trade-off; the alternatives and their figures are in docs/copy-detection.md.
/// </summary>
public sealed record CopyRule
{
    /// <summary>Hash distance at or below which a row is a copy whatever the embedding says.</summary>
    public int HashAlone { get; init; } = 8;

    /// <summary>Embedding similarity at or above which a row is a copy whatever the hash says.</summary>
    public float CosineAlone { get; init; } = 0.90f;

    /// <summary>A row is also a copy when both are moderately close: hash within this distance...</summary>
    public int HashWithCosine { get; init; } = 16;

    /// <summary>...and similarity at or above this.</summary>
    public float CosineWithHash { get; init; } = 0.815f;

    /// <summary>The model whose embeddings these thresholds were calibrated on (its name, as in its model id "name@sha256:..."); null: no embedding clause.</summary>
    public string? ModelName { get; init; } = Embedding.EmbeddingModelSpec.DefaultModelName;

    /// <summary>The rule calibrated on the bundled ResNet18 (docs/copy-detection.md).</summary>
    public static CopyRule Default { get; } = new();

    /// <summary>
    /// For any other model: no threshold was calibrated on its embeddings, so only near-identical
    /// vectors (cosine 0.97 or more, an uncalibrated, conservative choice) and the model-free hash
    /// clause propose a copy; the combined clause is off. The matcher still verifies the model's
    /// nearest rows.
    /// </summary>
    public static CopyRule Uncalibrated { get; } = new()
    {
        ModelName = null,
        CosineAlone = 0.97f,
        HashWithCosine = -1,
        CosineWithHash = float.PositiveInfinity,
    };

    /// <summary>The rule for embeddings of <paramref name="modelId"/>: <see cref="Default"/> for the bundled ResNet18, <see cref="Uncalibrated"/> for any other.</summary>
    public static CopyRule For(string? modelId) =>
        modelId is not null && modelId.StartsWith(Embedding.EmbeddingModelSpec.DefaultModelName + "@", StringComparison.Ordinal) ? Default : Uncalibrated;

    /// <summary>
    /// The hash radius to probe. Only the hash-alone clause needs hash candidates: rows for the
    /// combined clause must also clear a similarity floor, so the vector search returns them. A
    /// wide combined radius therefore costs nothing (a 28-bit probe would read a third of the index).
    /// </summary>
    public int SearchRadius => HashAlone;

    /// <summary>The lowest similarity the rule looks at.</summary>
    public float SearchFloor => Math.Min(Math.Min(CosineAlone, CosineWithHash), 1.01f);

    /// <summary>Whether a row at <paramref name="hashDistance"/> bits and <paramref name="similarity"/> cosine is proposed as a copy (null: not known).</summary>
    public bool IsCopy(int? hashDistance, float? similarity) =>
        (hashDistance is { } d && d <= HashAlone)
        || (similarity is { } s && s >= CosineAlone)
        || (hashDistance is { } d2 && similarity is { } s2 && d2 <= HashWithCosine && s2 >= CosineWithHash);
}
