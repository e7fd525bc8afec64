namespace OptOut.Core.Registry;

public enum ClaimKind
{
    Url,
    Domain,

    /// <summary>Keyed by the picture itself (SHA-256, perceptual hash, embedding): covers copies at any URL.</summary>
    Content,
}
