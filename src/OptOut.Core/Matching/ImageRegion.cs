namespace OptOut.Core.Matching;

/// <summary>An axis-aligned rectangle in an image's own pixels (as decoded: upright, full size).</summary>
public readonly record struct ImageRegion(int X, int Y, int Width, int Height)
{
    /// <summary>No region.</summary>
    public static ImageRegion Empty => default;

    /// <summary>True when the region has no area.</summary>
    public bool IsEmpty => Width <= 0 || Height <= 0;

    /// <summary>Share of a <paramref name="imageWidth"/> x <paramref name="imageHeight"/> picture this region covers.</summary>
    public double AreaShareOf(int imageWidth, int imageHeight) =>
        imageWidth <= 0 || imageHeight <= 0 || IsEmpty ? 0 : (double)Width * Height / ((double)imageWidth * imageHeight);

    /// <summary>"WxH+X+Y", or "(empty)".</summary>
    public override string ToString() => IsEmpty ? "(empty)" : $"{Width}x{Height}+{X}+{Y}";
}
