using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace OptOut.Core.Imaging;

/// <summary>
/// An image as the fingerprints see it: upright (EXIF orientation applied), opaque (transparency
/// flattened onto white), 8-bit RGB. Owns its pixels.
/// </summary>
public sealed class DecodedImage : IDisposable
{
    /// <summary>Wraps decoded pixels; <paramref name="format"/> names the file format they came from ("PNG", "JPEG", ...). Takes ownership of <paramref name="pixels"/>.</summary>
    public DecodedImage(Image<Rgb24> pixels, string format) : this(pixels, format, null) { }

    /// <param name="lease">A <see cref="DecodeBudget"/> reservation, released with the pixels.</param>
    internal DecodedImage(Image<Rgb24> pixels, string format, IDisposable? lease)
    {
        Pixels = pixels;
        Format = format;
        this.lease = lease;
    }

    private readonly IDisposable? lease;

    /// <summary>The pixels, 8-bit RGB, upright (EXIF orientation applied).</summary>
    public Image<Rgb24> Pixels { get; }

    /// <summary>Format name as detected from the file content (JPEG, PNG, WEBP, GIF, BMP, TIFF...).</summary>
    public string Format { get; }

    /// <summary>Width in pixels.</summary>
    public int Width => Pixels.Width;
    /// <summary>Height in pixels.</summary>
    public int Height => Pixels.Height;

    /// <summary>Releases the pixels.</summary>
    public void Dispose()
    {
        Pixels.Dispose();
        lease?.Dispose();
    }
}
