namespace OptOut.Core.Registry;

/// <summary>Which records a query returns.</summary>
public sealed record RecordFilter
{
    /// <summary>Only these record ids; null: any.</summary>
    public IReadOnlyCollection<string>? Ids { get; init; }
    /// <summary>Only this claimant's records ('*' and '?' wildcards); null: any.</summary>
    public string? Claimant { get; init; }
    /// <summary>Only claims of this kind; null: any.</summary>
    public ClaimKind? Kind { get; init; }
    /// <summary>Only claims with this decision; null: any.</summary>
    public Decision? Decision { get; init; }
    /// <summary>Only URL claims on this URL (normalised before comparing); null: any.</summary>
    public string? Url { get; init; }
    /// <summary>Only URL and domain claims on this host or a host below it; null: any.</summary>
    public string? Domain { get; init; }
    /// <summary>Only records created at or after this time (UTC); null: any.</summary>
    public DateTime? Since { get; init; }
    /// <summary>Revoked claims too (by default only active ones).</summary>
    public bool IncludeRevoked { get; init; }
    /// <summary>Read content claims' embeddings too (large; left out by default).</summary>
    public bool IncludeEmbeddings { get; init; }
}
