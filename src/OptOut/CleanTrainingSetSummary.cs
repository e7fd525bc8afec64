namespace OptOut;

/// <summary>Output of Export-CleanTrainingSet.</summary>
public sealed class CleanTrainingSetSummary
{
    public string Dataset { get; init; } = "";
    public string Source { get; init; } = "";
    public string Destination { get; init; } = "";
    public string Policy { get; init; } = "";
    public int Shards { get; init; }
    public long Rows { get; init; }
    public long Kept { get; init; }
    public long Removed { get; init; }

    /// <summary>Findings by rule (a removed row may break several).</summary>
    public System.Collections.Specialized.OrderedDictionary ViolationsByRule { get; init; } = new();

    /// <summary>Rows whose image could not be read or decoded: kept, but not checked by content.</summary>
    public long RowErrors { get; init; }

    /// <summary>The CSV listing every removed row, its rule and record.</summary>
    public string RemovalReport { get; init; } = "";

    public TimeSpan Elapsed { get; init; }
}
