using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace OptOut.Core.Imaging;

/// <summary>
/// Finds the picture inside uniform borders (padding, letterboxing, a plain canvas around clip
/// art), so that a copy re-posted with a border fingerprints like the original. An edge line is
/// border when at least 99% of its pixels are within 16 levels (each channel) of the line's first
/// pixel; trimming stops at the first line that is not, and never leaves less than a tenth of a side.
/// </summary>
public static class ContentBox
{
    private const int Tolerance = 16;
    private const double UniformShare = 0.99;

    public static Rectangle Find(Image<Rgb24> image)
    {
        int width = image.Width, height = image.Height;
        int top = 0, bottom = height - 1, left = 0, right = width - 1;
        image.ProcessPixelRows(accessor =>
        {
            while (top < bottom && Uniform(accessor.GetRowSpan(top)[left..(right + 1)])) top++;
            while (bottom > top && Uniform(accessor.GetRowSpan(bottom)[left..(right + 1)])) bottom--;
            var column = new Rgb24[height];
            while (left < right)
            {
                for (int y = top; y <= bottom; y++) column[y] = accessor.GetRowSpan(y)[left];
                if (!Uniform(column.AsSpan(top, bottom - top + 1))) break;
                left++;
            }
            while (right > left)
            {
                for (int y = top; y <= bottom; y++) column[y] = accessor.GetRowSpan(y)[right];
                if (!Uniform(column.AsSpan(top, bottom - top + 1))) break;
                right--;
            }
        });

        int keptWidth = right - left + 1, keptHeight = bottom - top + 1;
        if (keptWidth * 10 < width || keptHeight * 10 < height)
        {
            // Nearly all border (a blank or near-blank picture): the whole frame is the picture.
            return new Rectangle(0, 0, width, height);
        }
        return new Rectangle(left, top, keptWidth, keptHeight);
    }

    private static bool Uniform(ReadOnlySpan<Rgb24> line)
    {
        var reference = line[0];
        int outliers = 0, allowed = (int)(line.Length * (1 - UniformShare));
        foreach (var p in line)
        {
            if (Math.Abs(p.R - reference.R) > Tolerance || Math.Abs(p.G - reference.G) > Tolerance || Math.Abs(p.B - reference.B) > Tolerance)
            {
                if (++outliers > allowed) return false;
            }
        }
        return true;
    }
}
