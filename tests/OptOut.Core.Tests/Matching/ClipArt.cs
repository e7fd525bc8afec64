using OptOut.Core.Imaging;
using OptOut.Samples;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace OptOut.Core.Tests.Matching;

/// <summary>Real clip-art from tests/fixtures/clipart (openclipart, public domain), decoded and altered as the calibration does.</summary>
internal static class ClipArt
{
    public static string PathOf(string name) => Path.Combine(TestEnvironment.RepositoryRoot, "tests", "fixtures", "clipart", name);

    public static DecodedImage Load(string name) => ImageLoader.Load(PathOf(name), ImageLimits.Default);

    /// <summary>The picture altered and stored as a scraper would (JPEG q95, or PNG after a JPEG round trip), then decoded by the module.</summary>
    public static DecodedImage Copy(string name, Alteration alteration)
    {
        using var original = Load(name);
        using var copy = Alterations.Apply(original.Pixels, alteration);
        return Reload(copy, lossless: Alterations.IsJpegRoundTrip(alteration));
    }

    /// <summary>
    /// The picture with a dark band across it (rows from <paramref name="topPercent"/> to <paramref name="bottomPercent"/>
    /// of the height, darkened to a third, as the calibration's watermark letters are), stored losslessly and decoded.
    /// </summary>
    public static DecodedImage Banded(string name, int topPercent, int bottomPercent)
    {
        using var original = Load(name);
        using var banded = original.Pixels.Clone();
        int top = original.Height * topPercent / 100, bottom = original.Height * bottomPercent / 100;
        banded.ProcessPixelRows(rows =>
        {
            for (int y = top; y < bottom; y++)
            {
                var row = rows.GetRowSpan(y);
                for (int x = 0; x < row.Length; x++) row[x] = new Rgb24((byte)(row[x].R / 3), (byte)(row[x].G / 3), (byte)(row[x].B / 3));
            }
        });
        return Reload(banded, lossless: true);
    }

    /// <summary>The picture scaled to <paramref name="width"/> x <paramref name="height"/> (bicubic), as decoded pixels.</summary>
    public static DecodedImage Scaled(string name, int width, int height)
    {
        using var original = Load(name);
        return new DecodedImage(original.Pixels.Clone(x => x.Resize(width, height)), original.Format);
    }

    /// <summary>The picture altered and stored as a scraper would: the file's bytes (JPEG q95).</summary>
    public static byte[] Bytes(string name, Alteration alteration)
    {
        using var original = Load(name);
        using var copy = Alterations.Apply(original.Pixels, alteration);
        using var stream = new MemoryStream();
        copy.SaveAsJpeg(stream, new JpegEncoder { Quality = 95 });
        return stream.ToArray();
    }

    /// <summary>The picture against its altered copy, both prepared by <paramref name="verifier"/>.</summary>
    /// <summary>The picture and its altered copy, each prepared by <paramref name="verifier"/>; the caller disposes both.</summary>
    public static (OptOut.Core.Matching.VerifiablePicture Original, OptOut.Core.Matching.VerifiablePicture Copy) PreparedPair(OptOut.Core.Matching.GeometricVerifier verifier, string name, Alteration alteration)
    {
        using var original = Load(name);
        using var copy = Copy(name, alteration);
        var prepared = verifier.Prepare(original);
        try
        {
            return (prepared, verifier.Prepare(copy));
        }
        catch
        {
            prepared.Dispose();
            throw;
        }
    }

    public static OptOut.Core.Matching.Verification VerifyCopy(OptOut.Core.Matching.GeometricVerifier verifier, string name, Alteration alteration)
    {
        using var original = Load(name);
        using var copy = Copy(name, alteration);
        using var query = verifier.Prepare(original);
        using var candidate = verifier.Prepare(copy);
        return verifier.Verify(query, candidate);
    }

    /// <summary>Encodes the pixels to a file's bytes and decodes them through the module's decoder (its limits apply).</summary>
    public static DecodedImage Reload(Image<Rgb24> pixels, bool lossless)
    {
        using var stream = new MemoryStream();
        if (lossless) pixels.SaveAsPng(stream, new PngEncoder());
        else pixels.SaveAsJpeg(stream, new JpegEncoder { Quality = 95 });
        return ImageLoader.Decode(stream.ToArray(), "copy", ImageLimits.Default);
    }
}
