using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace OptOut.Samples;

/// <summary>The ways a scraped copy differs from the artist's file.</summary>
public enum Alteration
{
    Reencode,
    Resize,
    Crop,
    Pad,
    Watermark,
    Gray,
    Rotate,
    Brightness,

    /// <summary>Mirrored left-right (not in <see cref="Alterations.Standard"/>: hashes and embeddings do not see it).</summary>
    Mirror,

    /// <summary>Three-quarter size, 8% cut off each side, JPEG quality 70 (not in <see cref="Alterations.Standard"/>).</summary>
    ResizeCropJpeg,
}

public static class Alterations
{
    /// <summary>The eight alterations the fingerprint tests, the sample training set and the copy rule's calibration were built on.</summary>
    public static IReadOnlyList<Alteration> Standard { get; } =
        [Alteration.Reencode, Alteration.Resize, Alteration.Crop, Alteration.Pad, Alteration.Watermark, Alteration.Gray, Alteration.Rotate, Alteration.Brightness];

    /// <summary>Every alteration, the standard eight first.</summary>
    public static IReadOnlyList<Alteration> All { get; } = Enum.GetValues<Alteration>();

    /// <summary>Alterations whose result is a JPEG round trip already (stored losslessly, so not compressed twice).</summary>
    public static bool IsJpegRoundTrip(Alteration alteration) => alteration is Alteration.Reencode or Alteration.ResizeCropJpeg;

    /// <summary>A new image: the picture as a scraper might have stored it.</summary>
    public static Image<Rgb24> Apply(Image<Rgb24> original, Alteration alteration)
    {
        int w = original.Width, h = original.Height;
        return alteration switch
        {
            Alteration.Reencode => Reencode(original, 70),
            Alteration.Resize => original.Clone(x => x.Resize(w / 2, h / 2)),
            Alteration.Crop => original.Clone(x => x.Crop(new Rectangle(w * 8 / 100, h * 8 / 100, w * 84 / 100, h * 84 / 100))),
            Alteration.Pad => original.Clone(x => x.Pad(w + w / 5, h + h / 5, Color.White)),
            Alteration.Watermark => Watermark(original),
            Alteration.Gray => original.Clone(x => x.Grayscale()),
            Alteration.Rotate => original.Clone(x => x.Rotate(4f).Crop(new Rectangle(0, 0, w, h))),
            Alteration.Brightness => original.Clone(x => x.Brightness(1.2f)),
            Alteration.Mirror => original.Clone(x => x.Flip(FlipMode.Horizontal)),
            Alteration.ResizeCropJpeg => ResizeCropJpeg(original),
            _ => throw new ArgumentOutOfRangeException(nameof(alteration)),
        };
    }

    private static Image<Rgb24> Reencode(Image<Rgb24> original, int quality)
    {
        using var stream = new MemoryStream();
        original.SaveAsJpeg(stream, new JpegEncoder { Quality = quality });
        stream.Position = 0;
        return Image.Load<Rgb24>(stream);
    }

    private static Image<Rgb24> ResizeCropJpeg(Image<Rgb24> original)
    {
        int w = Math.Max(1, original.Width * 3 / 4), h = Math.Max(1, original.Height * 3 / 4);
        using var smaller = original.Clone(x => x.Resize(w, h).Crop(new Rectangle(w * 8 / 100, h * 8 / 100, Math.Max(1, w * 84 / 100), Math.Max(1, h * 84 / 100))));
        return Reencode(smaller, 70);
    }

    // A translucent white band with dark "lettering" blocks across the lower third, as stock sites do.
    private static Image<Rgb24> Watermark(Image<Rgb24> original)
    {
        var copy = original.Clone();
        int top = copy.Height * 2 / 3, bottom = top + copy.Height / 8;
        copy.ProcessPixelRows(accessor =>
        {
            for (int y = top; y < Math.Min(bottom, accessor.Height); y++)
            {
                var row = accessor.GetRowSpan(y);
                for (int x = 0; x < row.Length; x++)
                {
                    bool letter = (x / 6) % 3 != 2 && ((y - top) / 4) % 3 != 1 && x > row.Length / 6 && x < row.Length * 5 / 6;
                    var p = row[x];
                    row[x] = letter
                        ? new Rgb24((byte)(p.R / 3), (byte)(p.G / 3), (byte)(p.B / 3))
                        : new Rgb24((byte)((p.R + 255) / 2), (byte)((p.G + 255) / 2), (byte)((p.B + 255) / 2));
                }
            }
        });
        return copy;
    }
}
