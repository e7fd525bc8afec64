using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace OptOut.Core.Imaging;

/// <summary>
/// Finds the picture inside a uniform border (padding, letterboxing, a plain canvas around clip
/// art), so that a copy re-posted with a border fingerprints like the original. The background is
/// the colour shared by at least three of the four corner pixels (within 16 levels a channel); with
/// no such colour nothing is trimmed, so gradients and pictures that reach their edges are left
/// whole. An edge line is border when at least 99% of its pixels are within 16 levels of the
/// background; trimming stops at the first line that is not, and never leaves less than a tenth of a
/// side.
/// </summary>
internal static class ContentBox
{
    private const int Tolerance = 16;
    private const double UniformShare = 0.99;

    public static Rectangle Find(Image<Rgb24> image)
    {
        int width = image.Width, height = image.Height;
        var whole = new Rectangle(0, 0, width, height);
        Rgb24[] corners = [image[0, 0], image[width - 1, 0], image[0, height - 1], image[width - 1, height - 1]];
        var background = corners.FirstOrDefault(c => corners.Count(o => Near(o, c)) >= 3, corners[0]);
        if (corners.Count(o => Near(o, background)) < 3)
        {
            return whole;
        }

        int top = 0, bottom = height - 1, left = 0, right = width - 1;
        image.ProcessPixelRows(accessor =>
        {
            while (top < bottom && Uniform(accessor.GetRowSpan(top)[left..(right + 1)], background)) top++;
            while (bottom > top && Uniform(accessor.GetRowSpan(bottom)[left..(right + 1)], background)) bottom--;
            var column = new Rgb24[height];
            while (left < right)
            {
                for (int y = top; y <= bottom; y++) column[y] = accessor.GetRowSpan(y)[left];
                if (!Uniform(column.AsSpan(top, bottom - top + 1), background)) break;
                left++;
            }
            while (right > left)
            {
                for (int y = top; y <= bottom; y++) column[y] = accessor.GetRowSpan(y)[right];
                if (!Uniform(column.AsSpan(top, bottom - top + 1), background)) break;
                right--;
            }
        });

        int keptWidth = right - left + 1, keptHeight = bottom - top + 1;
        if (keptWidth * 10 < width || keptHeight * 10 < height)
        {
            // Nearly all border (a blank or near-blank picture): the whole frame is the picture.
            return whole;
        }
        return new Rectangle(left, top, keptWidth, keptHeight);
    }

    private static bool Uniform(ReadOnlySpan<Rgb24> line, Rgb24 background)
    {
        int outliers = 0, allowed = (int)(line.Length * (1 - UniformShare));
        foreach (var p in line)
        {
            if (!Near(p, background) && ++outliers > allowed) return false;
        }
        return true;
    }

    private static bool Near(Rgb24 a, Rgb24 b) =>
        Math.Abs(a.R - b.R) <= Tolerance && Math.Abs(a.G - b.G) <= Tolerance && Math.Abs(a.B - b.B) <= Tolerance;
}
