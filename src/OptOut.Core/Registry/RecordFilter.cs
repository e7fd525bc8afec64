namespace OptOut.Core.Registry;

/// <summary>Which records a query returns.</summary>
public sealed record RecordFilter
{
    public IReadOnlyCollection<string>? Ids { get; init; }
    public string? Claimant { get; init; }
    public ClaimKind? Kind { get; init; }
    public Decision? Decision { get; init; }
    public string? Url { get; init; }
    public string? Domain { get; init; }
    public DateTime? Since { get; init; }
    public bool IncludeRevoked { get; init; }
    public bool IncludeEmbeddings { get; init; }
}
