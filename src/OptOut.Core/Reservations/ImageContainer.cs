namespace OptOut.Core.Reservations;

/// <summary>The container formats whose XMP OptOut writes, told by their first bytes.</summary>
public enum ImageContainer
{
    /// <summary>Not a container OptOut writes XMP into.</summary>
    Unknown,
    /// <summary>JPEG (JFIF or EXIF).</summary>
    Jpeg,
    /// <summary>PNG.</summary>
    Png,
    /// <summary>WebP.</summary>
    Webp,
    /// <summary>GIF.</summary>
    Gif,
    /// <summary>TIFF.</summary>
    Tiff,
}
