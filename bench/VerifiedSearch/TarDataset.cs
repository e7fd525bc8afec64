using System.Formats.Tar;
using System.Text;
using System.Text.Json;
using OptOut.Samples;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

/// <summary>
/// An img2dataset "webdataset" training set written from a folder of drawings: tar shards of
/// <see cref="RowsPerShard"/> samples (KEY.png or KEY.jpg, KEY.json with the url, KEY.txt), as a scraper
/// leaves them. Row i is drawing i mod n as is (n distinct drawings), or for i >= n an altered variant
/// of it (JPEG, an alteration in turn), so any row count is reached with real pictures. Written once
/// and kept: a later run with the same source and rows reuses the shards.
/// </summary>
internal static class TarDataset
{
    public const int RowsPerShard = 500;

    /// <summary>The url of row <paramref name="row"/>: names the drawing it was made from.</summary>
    public static string Url(int row, string drawing) => $"https://clipart.example/{row:000000}/{Path.GetFileName(drawing)}";

    /// <summary>The shards holding the first <paramref name="rows"/> rows (a multiple of <see cref="RowsPerShard"/>).</summary>
    public static IReadOnlyList<string> Shards(string folder, int rows) =>
        Enumerable.Range(0, (rows + RowsPerShard - 1) / RowsPerShard).Select(i => Path.Combine(folder, $"{i:00000}.tar")).ToList();

    /// <summary>Writes the shards that are missing for <paramref name="rows"/> rows of <paramref name="drawings"/>.</summary>
    public static void Write(string folder, IReadOnlyList<string> drawings, int rows)
    {
        Directory.CreateDirectory(folder);
        var shards = Shards(folder, rows);
        Parallel.For(0, shards.Count, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, shard =>
        {
            if (File.Exists(shards[shard])) return;
            var partial = shards[shard] + ".partial";
            using (var stream = File.Create(partial))
            using (var writer = new TarWriter(stream, TarEntryFormat.Ustar, leaveOpen: false))
            {
                for (int row = shard * RowsPerShard; row < Math.Min(rows, (shard + 1) * RowsPerShard); row++)
                {
                    var drawing = drawings[row % drawings.Count];
                    int variant = row / drawings.Count;
                    var key = $"{row:000000000}";
                    var (bytes, extension) = variant == 0 ? (File.ReadAllBytes(drawing), "png") : (Variant(drawing, variant), "jpg");
                    Add(writer, $"{key}.{extension}", bytes);
                    Add(writer, $"{key}.json", JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
                    {
                        ["key"] = key, ["url"] = Url(row, drawing), ["caption"] = Path.GetFileNameWithoutExtension(drawing),
                    }));
                    Add(writer, $"{key}.txt", Encoding.UTF8.GetBytes(Path.GetFileNameWithoutExtension(drawing)));
                }
            }
            File.Move(partial, shards[shard]);
        });
    }

    /// <summary>The drawing flattened onto white (as the module's decoder does) and altered; JPEG quality 95, img2dataset's default.</summary>
    private static byte[] Variant(string drawing, int variant)
    {
        using var flat = Flatten(drawing);
        var alteration = Alterations.Standard[(variant - 1) % Alterations.Standard.Count];
        using var altered = Alterations.Apply(flat, alteration);
        using var output = new MemoryStream();
        altered.SaveAsJpeg(output, new JpegEncoder { Quality = 95 });
        return output.ToArray();
    }

    public static Image<Rgb24> Flatten(string file)
    {
        using var loaded = Image.Load<Rgba32>(file);
        var flat = new Image<Rgb24>(loaded.Width, loaded.Height, Color.White);
        flat.Mutate(c => c.DrawImage(loaded, 1f));
        return flat;
    }

    private static void Add(TarWriter writer, string name, byte[] bytes)
    {
        var entry = new UstarTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(bytes) };
        writer.WriteEntry(entry);
    }
}
