namespace OptOut.Core.Registry;

/// <summary>What a claim is about.</summary>
public enum ClaimKind
{
    /// <summary>One URL (normalised).</summary>
    Url,
    /// <summary>A host and every host below it.</summary>
    Domain,

    /// <summary>Keyed by the picture itself (SHA-256, perceptual hash, embedding): covers copies at any URL.</summary>
    Content,
}
