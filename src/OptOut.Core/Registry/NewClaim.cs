namespace OptOut.Core.Registry;

/// <summary>A claim to add: who refuses (or grants) what, and why.</summary>
public sealed record NewClaim
{
    /// <summary>Refuse (opt out) or grant (opt in).</summary>
    public required Decision Decision { get; init; }
    /// <summary>Whether the claim is about a URL, a domain or a picture's content.</summary>
    public required ClaimKind Kind { get; init; }

    /// <summary>A URL, a domain, or (Content) ignored in favour of <see cref="Content"/>.</summary>
    public string? Target { get; init; }
    /// <summary>The picture's fingerprints, for a <see cref="ClaimKind.Content"/> claim.</summary>
    public ContentFingerprint? Content { get; init; }
    /// <summary>Who makes the claim (an artist's name or handle).</summary>
    public required string Claimant { get; init; }
    /// <summary>Why, in the claimant's words; may be null.</summary>
    public string? Reason { get; init; }
    /// <summary>What supports the claim; may be null.</summary>
    public Evidence? Evidence { get; init; }
}
