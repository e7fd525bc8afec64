namespace OptOut.Core.Imaging;

/// <summary>
/// Bounds applied to untrusted images before any pixel is decoded, so a crafted header cannot
/// make the decoder allocate gigabytes.
/// </summary>
public sealed record ImageLimits
{
    /// <summary>Default largest width x height, in pixels (100 megapixels).</summary>
    public const long DefaultMaxPixels = 100_000_000;
    /// <summary>Default largest width or height, in pixels.</summary>
    public const int DefaultMaxSide = 30_000;
    /// <summary>Default largest file read, in bytes (1 GiB).</summary>
    public const long DefaultMaxFileBytes = 1L << 30;

    /// <summary>The default limits.</summary>
    public static ImageLimits Default { get; } = new();

    /// <summary>Largest width x height accepted (100 megapixels by default).</summary>
    public long MaxPixels { get; init; } = DefaultMaxPixels;

    /// <summary>Largest width or height accepted (30,000 px by default).</summary>
    public int MaxSide { get; init; } = DefaultMaxSide;

    /// <summary>Largest file read into memory (1 GiB by default).</summary>
    public long MaxFileBytes { get; init; } = DefaultMaxFileBytes;

    /// <summary>True when a picture of <paramref name="width"/> x <paramref name="height"/> pixels is within the limits.</summary>
    public bool Allows(int width, int height) =>
        width > 0 && height > 0 && width <= MaxSide && height <= MaxSide && (long)width * height <= MaxPixels;
}
