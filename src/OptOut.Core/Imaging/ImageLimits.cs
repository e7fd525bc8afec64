namespace OptOut.Core.Imaging;

/// <summary>
/// Bounds applied to untrusted images before any pixel is decoded, so a crafted header cannot
/// make the decoder allocate gigabytes.
/// </summary>
public sealed record ImageLimits
{
    public const long DefaultMaxPixels = 100_000_000;
    public const int DefaultMaxSide = 30_000;
    public const long DefaultMaxFileBytes = 1L << 30;

    public static ImageLimits Default { get; } = new();

    /// <summary>Largest width x height accepted (100 megapixels by default).</summary>
    public long MaxPixels { get; init; } = DefaultMaxPixels;

    /// <summary>Largest width or height accepted (30,000 px by default).</summary>
    public int MaxSide { get; init; } = DefaultMaxSide;

    /// <summary>Largest file read into memory (1 GiB by default).</summary>
    public long MaxFileBytes { get; init; } = DefaultMaxFileBytes;

    public bool Allows(int width, int height) =>
        width > 0 && height > 0 && width <= MaxSide && height <= MaxSide && (long)width * height <= MaxPixels;
}
