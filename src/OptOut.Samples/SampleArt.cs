using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace OptOut.Samples;

/// <summary>
/// Procedural "artworks": a colour gradient, overlapping discs and bars, and fine texture, drawn
/// pixel by pixel from a seed. Different seeds give unrelated pictures; the same seed, the same pixels.
/// </summary>
public static class SampleArt
{
    public static Image<Rgb24> Create(int seed, int width = 320, int height = 240)
    {
        var random = new Random(seed);
        var background = (A: RandomColor(random), B: RandomColor(random));
        double angle = random.NextDouble() * Math.PI;
        var shapes = Enumerable.Range(0, 5 + random.Next(6)).Select(_ => Shape.Random(random, width, height)).ToArray();
        double textureFrequency = 0.05 + random.NextDouble() * 0.2, textureAmplitude = 10 + random.NextDouble() * 20;

        var image = new Image<Rgb24>(width, height);
        image.ProcessPixelRows(accessor =>
        {
            for (int y = 0; y < height; y++)
            {
                var row = accessor.GetRowSpan(y);
                for (int x = 0; x < width; x++)
                {
                    double t = ((x * Math.Cos(angle) + y * Math.Sin(angle)) / (width + height) + 1) / 2;
                    double r = Lerp(background.A.R, background.B.R, t);
                    double g = Lerp(background.A.G, background.B.G, t);
                    double b = Lerp(background.A.B, background.B.B, t);
                    foreach (var shape in shapes)
                    {
                        if (shape.Contains(x, y))
                        {
                            r = Lerp(r, shape.Color.R, shape.Opacity);
                            g = Lerp(g, shape.Color.G, shape.Opacity);
                            b = Lerp(b, shape.Color.B, shape.Opacity);
                        }
                    }
                    double texture = textureAmplitude * Math.Sin(x * textureFrequency) * Math.Cos(y * textureFrequency * 1.3);
                    row[x] = new Rgb24(Clamp(r + texture), Clamp(g + texture), Clamp(b + texture));
                }
            }
        });
        return image;
    }

    private static Rgb24 RandomColor(Random random) => new((byte)random.Next(256), (byte)random.Next(256), (byte)random.Next(256));

    private static double Lerp(double a, double b, double t) => a + (b - a) * t;

    private static byte Clamp(double v) => (byte)Math.Clamp(Math.Round(v), 0, 255);

    private sealed record Shape(bool IsDisc, double CenterX, double CenterY, double SizeX, double SizeY, Rgb24 Color, double Opacity)
    {
        public static Shape Random(Random random, int width, int height) => new(
            random.Next(2) == 0,
            random.NextDouble() * width, random.NextDouble() * height,
            (0.05 + random.NextDouble() * 0.3) * width, (0.05 + random.NextDouble() * 0.3) * height,
            RandomColor(random), 0.5 + random.NextDouble() * 0.5);

        public bool Contains(int x, int y)
        {
            double dx = (x - CenterX) / SizeX, dy = (y - CenterY) / SizeY;
            return IsDisc ? dx * dx + dy * dy <= 1 : Math.Abs(dx) <= 1 && Math.Abs(dy) <= 0.35;
        }
    }
}
