namespace OptOut;

/// <summary>Output of Import-TrainingSet: what one run did.</summary>
public sealed class TrainingSetImportSummary
{
    public string Dataset { get; init; } = "";
    public long Rows { get; init; }
    public long ImagesFingerprinted { get; init; }
    public long Skipped { get; init; }
    public long Errors { get; init; }
    public int ShardsImported { get; init; }
    public int ShardsAlreadyImported { get; init; }
    public int ShardsFailed { get; init; }
    public TimeSpan Elapsed { get; init; }
    public double RowsPerSecond { get; init; }
    public string IndexPath { get; init; } = "";
}
