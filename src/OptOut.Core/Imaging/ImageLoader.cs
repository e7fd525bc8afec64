using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats;
using SixLabors.ImageSharp.Formats.Gif;
using SixLabors.ImageSharp.Formats.Tiff;
using SixLabors.ImageSharp.Metadata;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace OptOut.Core.Imaging;

/// <summary>
/// Decodes untrusted image files: identify the header first and refuse what is over the limits,
/// then decode the first frame, apply EXIF orientation and flatten transparency onto white.
/// </summary>
internal static class ImageLoader
{
    // One configuration for the process: the decoders keep no state between calls. Parallelism is
    // off inside ImageSharp because callers decode many images at once, one per thread.
    private static readonly Configuration DecoderConfiguration = CreateConfiguration();

    private static Configuration CreateConfiguration()
    {
        var configuration = Configuration.Default.Clone();
        configuration.MaxDegreeOfParallelism = 1;
        // Animated and multi-page files: only the first frame is a picture to fingerprint, and
        // decoding the rest would let a small file allocate many frames. (ImageSharp 2.1's WebP decoder
        // has no such switch and decodes no animation at all: animated WebP is refused, see Decode.)
        configuration.ImageFormatsManager.SetDecoder(GifFormat.Instance, new GifDecoder { DecodingMode = FrameDecodingMode.First });
        configuration.ImageFormatsManager.SetDecoder(TiffFormat.Instance, new TiffDecoder { DecodingMode = FrameDecodingMode.First });
        return configuration;
    }

    /// <summary>Reads the whole file, refusing it when it is over <see cref="ImageLimits.MaxFileBytes"/>.</summary>
    public static byte[] ReadFile(string path, ImageLimits limits)
    {
        var info = new FileInfo(path);
        if (!info.Exists)
        {
            throw new FileNotFoundException($"File '{path}' does not exist.", path);
        }
        if (info.Length > limits.MaxFileBytes)
        {
            throw new ImageTooLargeException(path, info.Length, limits);
        }
        return File.ReadAllBytes(path);
    }

    /// <summary>
    /// Bytes a decode of a <paramref name="width"/> x <paramref name="height"/> image holds at its peak,
    /// estimated before any pixel is decoded (the <see cref="DecodeBudget"/>'s unit). Measured with
    /// 30,000 x 3,000 JPEGs (docs/fingerprints.md, "Memory while decoding"), rounded up to every copy
    /// of the picture a decode can hold at once: the decoded frame, its flattened RGB copy, a cut-out
    /// of the content inside a border.
    /// </summary>
    public static long EstimateDecodeBytes(int width, int height, string format) =>
        (long)width * height * (format == "JPEG" ? JpegBytesPerPixel : OtherBytesPerPixel) + FixedDecodeBytes;

    // JPEG decodes straight to 8-bit RGB (no alpha to flatten): the frame (3 B/px) and a cut-out of the
    // content inside a border (3); measured in docs/fingerprints.md, "Memory while decoding".
    private const int JpegBytesPerPixel = 6;

    // Other formats decode to RGBA (4 B/px), are flattened to RGB (3) while it is alive, and may be cut
    // out (3); docs/fingerprints.md, "Memory while decoding".
    private const int OtherBytesPerPixel = 10;

    // Whatever the size: the file's own copy in memory is counted by its reader; this covers the model input and hashes.
    private const long FixedDecodeBytes = 4L << 20;

    /// <summary>Decodes an image already read into memory; <paramref name="path"/> names it in errors.</summary>
    public static DecodedImage Decode(byte[] content, string path, ImageLimits limits) => Decode(content, path, limits, null);

    /// <summary>
    /// Decodes an image already read into memory, first reserving its estimated bytes from
    /// <paramref name="budget"/> (waiting until they fit); the returned image holds the reservation
    /// until it is disposed.
    /// </summary>
    public static DecodedImage Decode(byte[] content, string path, ImageLimits limits, DecodeBudget? budget, CancellationToken cancellationToken = default)
    {
        if (content.Length == 0)
        {
            throw new ImageDecodeException(path, "the file is empty.");
        }

        // ImageSharp 2.1 cannot read an animated WebP, not even its header or first frame (it throws
        // "Animated webp are not yet supported", which was reported as damage): said plainly, first.
        if (IsAnimatedWebp(content))
        {
            throw new ImageFormatNotSupportedException(path, "animated WebP",
                "Save one frame of it as a still image (PNG, JPEG or WebP) and use that file.");
        }

        using var stream = new MemoryStream(content, writable: false);
        var (width, height, format) = Identify(stream, path);
        if (!limits.Allows(width, height))
        {
            throw new ImageTooLargeException(path, width, height, limits);
        }

        if (CompletenessCheck.FindProblem(content, format) is { } problem)
        {
            throw new ImageDecodeException(path, problem + ".");
        }

        var lease = budget?.Reserve(EstimateDecodeBytes(width, height, format), cancellationToken);
        try
        {
            stream.Position = 0;
            return new DecodedImage(format == "JPEG" ? DecodeOpaque(stream, path, limits, format) : DecodeAndFlatten(stream, path, limits, format), format, lease);
        }
        catch
        {
            lease?.Dispose();
            throw;
        }
    }

    // JPEG has no alpha: decoded straight to RGB, without the RGBA frame (4 B/px) and its flattened
    // copy (3 B/px) held together. The pixels are the same (ImageLoaderTests compares both ways).
    private static Image<Rgb24> DecodeOpaque(Stream stream, string path, ImageLimits limits, string format)
    {
        var decoded = Load<Rgb24>(stream, path, format);
        try
        {
            CheckFrame(decoded, path, limits);
            decoded.Mutate(x => x.AutoOrient());
            return decoded;
        }
        catch
        {
            decoded.Dispose();
            throw;
        }
    }

    private static Image<Rgb24> DecodeAndFlatten(Stream stream, string path, ImageLimits limits, string format)
    {
        using var decoded = Load<Rgba32>(stream, path, format);
        CheckFrame(decoded, path, limits);
        decoded.Mutate(x => x.AutoOrient());
        return FlattenOntoWhite(decoded);
    }

    private static Image<TPixel> Load<TPixel>(Stream stream, string path, string format) where TPixel : unmanaged, IPixel<TPixel>
    {
        try
        {
            return Image.Load<TPixel>(DecoderConfiguration, stream);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new ImageDecodeException(path, $"the {format} data is corrupt or truncated ({e.Message})", e);
        }
    }

    // The header was checked; the decoded frame is checked too, since a frame can differ from it.
    private static void CheckFrame(Image decoded, string path, ImageLimits limits)
    {
        if (!limits.Allows(decoded.Width, decoded.Height))
        {
            throw new ImageTooLargeException(path, decoded.Width, decoded.Height, limits);
        }
    }

    // The extended layout: "RIFF" size "WEBP", then a "VP8X" chunk whose first flags byte has the
    // animation bit (0x02) when the file holds an animation (ANIM and ANMF chunks).
    internal static bool IsAnimatedWebp(ReadOnlySpan<byte> content) =>
        content.Length >= 21 && content[..4].SequenceEqual("RIFF"u8) && content.Slice(8, 4).SequenceEqual("WEBP"u8)
        && content.Slice(12, 4).SequenceEqual("VP8X"u8) && (content[20] & 0x02) != 0;

    /// <summary>Reads and decodes a file.</summary>
    public static DecodedImage Load(string path, ImageLimits limits) => Decode(ReadFile(path, limits), path, limits);

    private static (int Width, int Height, string Format) Identify(Stream stream, string path)
    {
        IImageInfo? info;
        IImageFormat? format;
        try
        {
            info = Image.Identify(DecoderConfiguration, stream, out format);
        }
        catch (UnknownImageFormatException)
        {
            info = null;
            format = null;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new ImageDecodeException(path, $"the header cannot be read ({e.Message})", e);
        }

        if (info is null || format is null)
        {
            // Named like an image but not one by its bytes: damaged (or not what its name says), which is what the person needs to hear.
            var named = ImageNameFormat(path);
            throw new ImageDecodeException(path, named is not null
                ? $"the file is damaged or truncated: its name says {named}, but its bytes are not a {named} image, nor any other supported format."
                : "the format is not recognised (supported: JPEG, PNG, WebP, GIF, BMP, TIFF, TGA, PBM).");
        }
        return (info.Width, info.Height, format.Name.ToUpperInvariant());
    }

    // Alpha is composited over white: transparent artwork is usually shown on a light page, and a
    // fixed background keeps the fingerprint of one file independent of the viewer.
    private static Image<Rgb24> FlattenOntoWhite(Image<Rgba32> source)
    {
        var flattened = new Image<Rgb24>(DecoderConfiguration, source.Width, source.Height);
        source.ProcessPixelRows(flattened, (from, to) =>
        {
            for (int y = 0; y < from.Height; y++)
            {
                var sourceRow = from.GetRowSpan(y);
                var targetRow = to.GetRowSpan(y);
                for (int x = 0; x < sourceRow.Length; x++)
                {
                    Rgba32 p = sourceRow[x];
                    if (p.A == 255)
                    {
                        targetRow[x] = new Rgb24(p.R, p.G, p.B);
                    }
                    else
                    {
                        int a = p.A, white = 255 * (255 - a);
                        targetRow[x] = new Rgb24(
                            (byte)((p.R * a + white + 127) / 255),
                            (byte)((p.G * a + white + 127) / 255),
                            (byte)((p.B * a + white + 127) / 255));
                    }
                }
            }
        });
        return flattened;
    }

    private static string? ImageNameFormat(string path) => Path.GetExtension(path).ToLowerInvariant() switch
    {
        ".jpg" or ".jpeg" or ".jpe" or ".jfif" => "JPEG",
        ".png" or ".apng" => "PNG",
        ".webp" => "WebP",
        ".gif" => "GIF",
        ".bmp" or ".dib" => "BMP",
        ".tif" or ".tiff" => "TIFF",
        _ => null,
    };
}
