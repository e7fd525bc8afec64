namespace OptOut.Core.Registry;

/// <summary>The content fingerprint a Content claim is keyed by.</summary>
public sealed record ContentFingerprint(string Sha256, ulong? PerceptualHash, float[]? Embedding, string? ModelId);
