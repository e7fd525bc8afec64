using OptOut.Samples;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Processing;

// OptOut.Samples artist <folder> [count]   the sample artist's portfolio (PNG)
// OptOut.Samples copies <folder> [count]   each work in every altered form (JPEG/PNG)
// OptOut.Samples trainingset <folder> [strangers] [works]   an img2dataset "files" shard with re-posted works
// OptOut.Samples alter <folder> <image>    the image in every altered form, mirrored and combined too (PNG)
if (args.Length < 2)
{
    Console.Error.WriteLine("usage: OptOut.Samples artist|copies <folder> [count]");
    return 2;
}
var folder = Directory.CreateDirectory(args[1]).FullName;
int count = args.Length > 2 && args[0] != "alter" ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 6;
switch (args[0])
{
    case "artist":
        for (int i = 0; i < count; i++)
        {
            using var art = SampleArt.Create(SampleSeeds.Artist + i);
            art.SaveAsPng(Path.Combine(folder, $"artwork-{i + 1:00}.png"));
        }
        break;
    case "copies":
        for (int i = 0; i < count; i++)
        {
            using var art = SampleArt.Create(SampleSeeds.Artist + i);
            foreach (var alteration in Alterations.Standard)
            {
                using var copy = Alterations.Apply(art, alteration);
                copy.SaveAsJpeg(Path.Combine(folder, $"artwork-{i + 1:00}-{alteration.ToString().ToLowerInvariant()}.jpg"));
            }
        }
        break;
    case "alter":
        // Transparency flattened onto white, as the module's decoder does (a plain Rgb24 load would turn it black).
        using (var loaded = Image.Load<SixLabors.ImageSharp.PixelFormats.Rgba32>(args[2]))
        using (var source = new Image<SixLabors.ImageSharp.PixelFormats.Rgb24>(loaded.Width, loaded.Height, Color.White))
        {
            source.Mutate(c => c.DrawImage(loaded, 1f));
            foreach (var alteration in Enum.GetValues<Alteration>())
            {
                using var copy = Alterations.Apply(source, alteration);
                copy.SaveAsPng(Path.Combine(folder, $"{Path.GetFileNameWithoutExtension(args[2])}-{alteration.ToString().ToLowerInvariant()}.png"));
            }
        }
        break;
    case "trainingset":
        await SampleTrainingSet.WriteFilesLayout(folder, SampleTrainingSet.Create(
            args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 40, args.Length > 3 ? int.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture) : 4));
        break;
    default:
        Console.Error.WriteLine($"unknown sample set '{args[0]}'");
        return 2;
}
Console.WriteLine(folder);
return 0;

namespace OptOut.Samples
{
    public static class SampleSeeds
    {
        /// <summary>Seeds from here on are the demo artist's works; tests use other ranges for strangers.</summary>
        public const int Artist = 1000;

        /// <summary>Seeds from here on are unrelated pictures in the sample training set.</summary>
        public const int Stranger = 100_000;
    }
}
