using System.Buffers.Binary;
using System.IO.Hashing;
using OptOut.Core.Imaging;
using OptOut.Samples;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.Metadata.Profiles.Exif;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace OptOut.Core.Tests;

public class ImageLoaderTests
{
    private readonly string folder = TestEnvironment.NewScratchFolder();

    [Fact]
    public void A_header_claiming_50000_by_50000_pixels_is_refused_without_decoding()
    {
        var path = Path.Combine(folder, "huge.png");
        File.WriteAllBytes(path, PngClaiming(50_000, 50_000));

        long before = GC.GetAllocatedBytesForCurrentThread();
        var error = Assert.Throws<ImageTooLargeException>(() => ImageLoader.Load(path, ImageLimits.Default));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(50_000, error.Width);
        Assert.Equal(50_000, error.Height);
        Assert.Equal(path, error.Path);
        // 2.5 gigapixels would need 10 GB; identifying the header needs next to nothing.
        Assert.True(allocated < 4 << 20, $"allocated {allocated:N0} bytes");
    }

    [Fact]
    public void Limits_are_configurable_by_pixels_and_by_side()
    {
        var path = Path.Combine(folder, "art.png");
        using (var art = SampleArt.Create(1, 320, 240)) art.SaveAsPng(path);

        Assert.Throws<ImageTooLargeException>(() => ImageLoader.Load(path, new ImageLimits { MaxPixels = 320 * 240 - 1 }));
        Assert.Throws<ImageTooLargeException>(() => ImageLoader.Load(path, new ImageLimits { MaxSide = 319 }));
        Assert.Throws<ImageTooLargeException>(() => ImageLoader.Load(path, new ImageLimits { MaxFileBytes = 100 }));
        using var ok = ImageLoader.Load(path, new ImageLimits { MaxPixels = 320 * 240, MaxSide = 320 });
        Assert.Equal((320, 240), (ok.Width, ok.Height));
    }

    [Theory]
    [InlineData("png")]
    [InlineData("jpg")]
    [InlineData("gif")]
    [InlineData("webp")]
    [InlineData("bmp")]
    [InlineData("tiff")]
    public void Truncated_files_are_decode_errors(string extension)
    {
        var path = Path.Combine(folder, "whole." + extension);
        using (var art = SampleArt.Create(2, 320, 240)) art.Save(path);
        var bytes = File.ReadAllBytes(path);
        var truncated = Path.Combine(folder, "truncated." + extension);
        File.WriteAllBytes(truncated, bytes[..(bytes.Length / 3)]);

        var error = Assert.Throws<ImageDecodeException>(() => ImageLoader.Load(truncated, ImageLimits.Default));
        Assert.Equal(truncated, error.Path);
        using var whole = ImageLoader.Load(path, ImageLimits.Default);
        Assert.Equal(320, whole.Width);
    }

    [Fact]
    public void Empty_unsupported_and_missing_files_are_errors_naming_the_file()
    {
        var empty = Path.Combine(folder, "empty.png");
        File.WriteAllBytes(empty, []);
        Assert.Contains("empty", Assert.Throws<ImageDecodeException>(() => ImageLoader.Load(empty, ImageLimits.Default)).Message);

        var text = Path.Combine(folder, "notes.png");
        File.WriteAllText(text, "this is not an image at all, just some words in a file");
        // Named like an image: damaged, as far as the person can tell; named otherwise: an unknown format.
        Assert.Contains("damaged or truncated: its name says PNG", Assert.Throws<ImageDecodeException>(() => ImageLoader.Load(text, ImageLimits.Default)).Message);
        var other = Path.Combine(folder, "notes.dat");
        File.WriteAllText(other, "this is not an image at all, just some words in a file");
        Assert.Contains("not recognised", Assert.Throws<ImageDecodeException>(() => ImageLoader.Load(other, ImageLimits.Default)).Message);

        Assert.Throws<FileNotFoundException>(() => ImageLoader.Load(Path.Combine(folder, "missing.png"), ImageLimits.Default));
    }

    [Fact]
    public void Corrupt_pixel_data_after_a_valid_header_is_a_decode_error()
    {
        var path = Path.Combine(folder, "art.png");
        using (var art = SampleArt.Create(3, 320, 240)) art.SaveAsPng(path);
        var bytes = File.ReadAllBytes(path);
        // Damage the compressed stream inside the first IDAT chunk (the header stays valid).
        int idat = IndexOf(bytes, "IDAT"u8) + 4;
        for (int i = idat + 10; i < idat + 200; i++) bytes[i] ^= 0x5A;
        File.WriteAllBytes(path, bytes);

        Assert.Throws<ImageDecodeException>(() => ImageLoader.Load(path, ImageLimits.Default));
    }

    [Fact]
    public void Transparency_is_flattened_onto_white()
    {
        var path = Path.Combine(folder, "alpha.png");
        using (var image = new Image<Rgba32>(4, 1))
        {
            image[0, 0] = new Rgba32(255, 0, 0, 255);   // opaque red stays red
            image[1, 0] = new Rgba32(0, 0, 0, 0);       // transparent becomes white
            image[2, 0] = new Rgba32(0, 0, 0, 128);     // half-transparent black becomes mid grey
            image[3, 0] = new Rgba32(0, 0, 255, 0);     // transparent colour is white too
            image.SaveAsPng(path, new PngEncoder { ColorType = PngColorType.RgbWithAlpha });
        }
        using var decoded = ImageLoader.Load(path, ImageLimits.Default);
        Assert.Equal(new Rgb24(255, 0, 0), decoded.Pixels[0, 0]);
        Assert.Equal(new Rgb24(255, 255, 255), decoded.Pixels[1, 0]);
        Assert.Equal(new Rgb24(127, 127, 127), decoded.Pixels[2, 0]);
        Assert.Equal(new Rgb24(255, 255, 255), decoded.Pixels[3, 0]);
    }

    [Fact]
    public void Exif_orientation_is_applied()
    {
        var path = Path.Combine(folder, "rotated.jpg");
        using (var image = SampleArt.Create(4, 320, 240))
        {
            image.Metadata.ExifProfile = new ExifProfile();
            image.Metadata.ExifProfile.SetValue(ExifTag.Orientation, (ushort)6);  // "rotate 90 CW to display"
            image.SaveAsJpeg(path);
        }
        using var decoded = ImageLoader.Load(path, ImageLimits.Default);
        Assert.Equal((240, 320), (decoded.Width, decoded.Height));
        Assert.Equal("JPEG", decoded.Format);
    }

    [Theory]
    [InlineData("png", "PNG")]
    [InlineData("jpg", "JPEG")]
    [InlineData("gif", "GIF")]
    [InlineData("webp", "WEBP")]
    [InlineData("bmp", "BMP")]
    [InlineData("tiff", "TIFF")]
    public void Formats_are_detected_from_content_not_the_extension(string extension, string format)
    {
        var path = Path.Combine(folder, "art." + extension);
        using (var art = SampleArt.Create(5, 64, 48)) art.Save(path);
        var misnamed = Path.Combine(folder, "misnamed.dat");
        File.Copy(path, misnamed, overwrite: true);
        using var decoded = ImageLoader.Load(misnamed, ImageLimits.Default);
        Assert.Equal(format, decoded.Format);
        Assert.Equal((64, 48), (decoded.Width, decoded.Height));
    }

    /// <summary>A valid PNG signature and IHDR claiming the given size, then an empty IDAT and IEND.</summary>
    internal static byte[] PngClaiming(int width, int height)
    {
        using var stream = new MemoryStream();
        stream.Write([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
        var ihdr = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, width);
        BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), height);
        ihdr[8] = 8;   // bit depth
        ihdr[9] = 2;   // RGB
        WriteChunk(stream, "IHDR", ihdr);
        WriteChunk(stream, "IDAT", [0x78, 0x9C, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01]);
        WriteChunk(stream, "IEND", []);
        return stream.ToArray();
    }

    private static void WriteChunk(Stream stream, string type, byte[] data)
    {
        var header = new byte[8];
        BinaryPrimitives.WriteInt32BigEndian(header, data.Length);
        System.Text.Encoding.ASCII.GetBytes(type, header.AsSpan(4));
        stream.Write(header);
        stream.Write(data);
        var crc = new Crc32();
        crc.Append(header.AsSpan(4));
        crc.Append(data);
        var value = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(value, crc.GetCurrentHashAsUInt32());
        stream.Write(value);
    }

    private static int IndexOf(byte[] haystack, ReadOnlySpan<byte> needle) => haystack.AsSpan().IndexOf(needle);

    [Theory]
    [InlineData("cmyk.jpg")]
    [InlineData("exif-orientation-6.jpg")]
    [InlineData("progressive.jpg")]
    [InlineData("generated-420")]
    [InlineData("generated-444")]
    [InlineData("generated-gray")]
    public void A_jpeg_decoded_straight_to_rgb_has_the_pixels_of_the_rgba_decode(string name)
    {
        // JPEG skips the RGBA frame and its flattened copy (docs/fingerprints.md, "Memory while decoding"):
        // the pixels must be those the RGBA path gave, so that no fingerprint moves.
        byte[] content;
        if (name.StartsWith("generated", StringComparison.Ordinal))
        {
            using var art = SampleArt.Create(77, 333, 217);
            using var stream = new MemoryStream();
            var encoder = new SixLabors.ImageSharp.Formats.Jpeg.JpegEncoder
            {
                Quality = 83,
                ColorType = name switch
                {
                    "generated-444" => SixLabors.ImageSharp.Formats.Jpeg.JpegColorType.YCbCrRatio444,
                    "generated-gray" => SixLabors.ImageSharp.Formats.Jpeg.JpegColorType.Luminance,
                    _ => SixLabors.ImageSharp.Formats.Jpeg.JpegColorType.YCbCrRatio420,
                },
            };
            art.SaveAsJpeg(stream, encoder);
            content = stream.ToArray();
        }
        else
        {
            content = File.ReadAllBytes(Path.Combine(TestEnvironment.RepositoryRoot, "tests", "fixtures", name));
        }

        using var decoded = ImageLoader.Decode(content, name, ImageLimits.Default);
        var configuration = Configuration.Default.Clone();
        configuration.MaxDegreeOfParallelism = 1;
        using var reference = Image.Load<Rgba32>(configuration, content);
        reference.Mutate(x => x.AutoOrient());

        Assert.Equal("JPEG", decoded.Format);
        Assert.Equal((reference.Width, reference.Height), (decoded.Width, decoded.Height));
        for (int y = 0; y < reference.Height; y++)
        {
            for (int x = 0; x < reference.Width; x++)
            {
                var want = reference[x, y];
                var got = decoded.Pixels[x, y];
                Assert.True(want.A == 255 && (want.R, want.G, want.B) == (got.R, got.G, got.B), $"{name} ({x}, {y}): {got} from RGB, {want} from RGBA");
            }
        }
    }

    /// <summary>
    /// A 2-frame animated WebP, 64 x 48, 528 bytes: libwebp 1.2.4's img2webp (Debian webp
    /// 1.2.4-0.2+deb12u1), <c>img2webp -loop 0 -lossy -q 30 tests/fixtures/base.png -d 100 tests/fixtures/white.png -o anim.webp</c>.
    /// </summary>
    private static readonly byte[] AnimatedWebp = Convert.FromBase64String(""
        + "UklGRggCAABXRUJQVlA4WAoAAAASAAAAPwAALwAAQU5JTQYAAAD/////AABBTk1GcgEAAAAAAAAAAD8AAC8AAGQAAAJWUDggWgEA"
        + "ADAJAJ0BKkAAMAA/EXK0UCwmqqKtUz2xgCIJbAC9GY3Y3mFyRBgKvABb6xpbAdnQGwrqdKFgNgD4DhXiTt3NM512rCVehRmzLaZd"
        + "uYhmyFr9sMAA/rjUHdb8Rj6oC+dyu+suRblDr3znfFv9rXv034Qt5X/udFVCnu938G/byr5b1H9d7KFy8qnWy4m4l8eUNm+0IuTH"
        + "StUuq2iCHTNH8XictgAe6TY8HQJDmfoEwfHEc+tIl8FUYHbS+KP6Suovug3aHns4mwKYkYvAyyoPg3x4ydvImIdESMjgQh7qoZWv"
        + "hFAHVVHIfoUl4WJGIrboEk2tFTZ2225M5iaI75gBZflpsgeVH8qs3l77N8rzaED/BFWz608FSRDw1pjegNs/QTYnf7sYdXfE9HAx"
        + "ZiyZl0nDqx0Aznnfv0TWl+XZSIq6NX0bnhObOdAdjACF1VjkJwS9WDp+aJAAAABBTk1GYgAAAAAAAAAAAD8AAC8AAGQAAABBTFBI"
        + "GQAAAAEPMP8REUJN2wZM+JMugPlG9H8C9CH1rAEAVlA4ICgAAADUAgCdASpAADAAPxF8sViCKgACIJaQAAE+1FjeYhQAAP7wC05o"
        + "AAAA");

    [Fact]
    public void An_animated_webp_is_refused_as_unsupported_without_the_advice_to_check_the_file_is_complete()
    {
        var error = Assert.Throws<ImageFormatNotSupportedException>(() => ImageLoader.Decode(AnimatedWebp, "anim.webp", ImageLimits.Default));
        Assert.Equal("anim.webp", error.Path);
        Assert.Contains("animated WebP", error.Message);
        Assert.Contains("not supported", error.Message);
        Assert.DoesNotContain("corrupt", error.Message);
        Assert.DoesNotContain("truncated", error.Message);
        // A still WebP in the same extended (VP8X) layout decodes as before.
        using var still = ImageLoader.Decode(File.ReadAllBytes(Path.Combine(TestEnvironment.RepositoryRoot, "tests", "fixtures", "signals", "dmi-aiml.webp")), "still.webp", ImageLimits.Default);
        Assert.Equal((64, 48), (still.Width, still.Height));
    }
}
