namespace OptOut;

/// <summary>Output of Get-TrainingSet.</summary>
public sealed class TrainingSet
{
    public string Name { get; init; } = "";
    public long Rows { get; init; }
    public long Shards { get; init; }
    public long Fingerprinted { get; init; }
    public long WithEmbedding { get; init; }
    public long Skipped { get; init; }
    public string? Model { get; init; }
    public DateTime CreatedAt { get; init; }
    public string IndexPath { get; init; } = "";
}
