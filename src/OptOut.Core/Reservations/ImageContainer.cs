namespace OptOut.Core.Reservations;

/// <summary>The container formats whose XMP OptOut writes, told by their first bytes.</summary>
public enum ImageContainer
{
    Unknown,
    Jpeg,
    Png,
    Webp,
    Gif,
    Tiff,
}
