namespace OptOut.Core.Index;

/// <summary>What a search of the index looks in and how: the datasets, how many results, whether look-alikes are reported, the rule.</summary>
public sealed record SearchOptions
{
    /// <summary>Only rows of this dataset (its exact name); null: every dataset.</summary>
    public string? Dataset { get; init; }

    /// <summary>Only rows of these datasets (a wildcard that named several); <see cref="Top"/> then caps the rows kept.</summary>
    public IReadOnlySet<string>? Datasets { get; init; }

    /// <summary>A cap on the number of results, only when given.</summary>
    public int? Top { get; init; }

    /// <summary>With <see cref="IncludeSimilar"/>: the lowest similarity reported as Similar.</summary>
    public float MinimumSimilarity { get; init; } = 0.75f;

    /// <summary>Report look-alikes above <see cref="MinimumSimilarity"/> as Similar too, not only copies.</summary>
    public bool IncludeSimilar { get; init; }

    /// <summary>The fingerprint rule that proposes copies; null: the rule for the query's model (<see cref="CopyRule.For"/>).</summary>
    public CopyRule? Rule { get; init; }
}
