namespace OptOut.Core.Registry;

/// <summary>An active claim reduced to what a dataset check compares.</summary>
public sealed record ActiveClaim(
    string Id, Decision Decision, ClaimKind Kind, string Target, ulong? PerceptualHash, float[]? Embedding, string? ModelId, string Claimant,
    string? Md5 = null);
