using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Parquet;
using Parquet.Schema;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Jpeg;

namespace OptOut.Samples;

/// <summary>
/// Writes a small training set in img2dataset's "files" layout (00000/ with images, .txt, .json, and
/// 00000.parquet beside it): unrelated pictures from many sites, the sample artist's works re-posted
/// in altered forms on other sites, and two failed downloads, as a real scrape would have.
/// </summary>
public static class SampleTrainingSet
{
    private static readonly string[] Hosts =
    [
        "cdn.stockpix.example", "images.blogspace.example", "i.pinboard.example", "media.newsdaily.example",
        "static.shopfront.example", "uploads.artforum.example", "img.wallpapers.example",
    ];

    private static readonly string[] Subjects =
    [
        "sunset over the harbour", "abstract shapes in blue", "portrait study", "city skyline at night", "bowl of fruit",
        "mountain landscape", "colourful pattern", "vintage poster", "forest path in autumn", "geometric composition",
    ];

    public sealed record Sample(string Key, string Url, string Caption, string Status, byte[]? Jpeg);

    public static IReadOnlyList<Sample> Create(int strangers, int artistWorks)
    {
        var samples = new List<Sample>();
        int n = 0;
        string NextKey() => (n++).ToString("000000000", CultureInfo.InvariantCulture);

        for (int i = 0; i < strangers; i++)
        {
            using var art = SampleArt.Create(SampleSeeds.Stranger + i);
            var host = Hosts[i % Hosts.Length];
            samples.Add(new Sample(NextKey(), $"https://{host}/photos/{i:0000}.jpg", $"{Subjects[i % Subjects.Length]}, stock image {i}", "success", Jpeg(art)));
            if (i == strangers / 2)
            {
                samples.Add(new Sample(NextKey(), $"https://{host}/photos/gone-{i}.jpg", "a picture that could not be downloaded", "failed_to_download", null));
            }
        }
        // The artist's works, scraped from re-posts: altered copies at other addresses.
        var alterations = Alterations.Standard.ToArray();
        for (int w = 0; w < artistWorks; w++)
        {
            using var art = SampleArt.Create(SampleSeeds.Artist + w);
            for (int a = 0; a < alterations.Length; a += 2)
            {
                var alteration = alterations[(a + w) % alterations.Length];
                using var copy = Alterations.Apply(art, alteration);
                var host = Hosts[(w + a) % Hosts.Length];
                samples.Add(new Sample(NextKey(), $"https://{host}/repost/artwork-{w + 1:00}-{alteration.ToString().ToLowerInvariant()}.jpg",
                    $"artwork {w + 1} by jane doe ({alteration.ToString().ToLowerInvariant()})", "success", Jpeg(copy)));
            }
        }
        samples.Add(new Sample(NextKey(), "https://uploads.artforum.example/private/artwork-99.jpg", "artwork by jane doe, private", "failed_to_download", null));
        return samples;
    }

    /// <summary>Writes the samples as shard 00000 of an img2dataset "files" output folder.</summary>
    public static async Task WriteFilesLayout(string outputFolder, IReadOnlyList<Sample> samples)
    {
        var shard = Directory.CreateDirectory(Path.Combine(outputFolder, "00000")).FullName;
        foreach (var s in samples)
        {
            int width = 0, height = 0;
            string? sha256 = null;
            if (s.Jpeg is not null)
            {
                File.WriteAllBytes(Path.Combine(shard, s.Key + ".jpg"), s.Jpeg);
                File.WriteAllText(Path.Combine(shard, s.Key + ".txt"), s.Caption);
                var info = Image.Identify(s.Jpeg);
                (width, height) = (info.Width, info.Height);
                sha256 = Convert.ToHexString(SHA256.HashData(s.Jpeg)).ToLowerInvariant();
                File.WriteAllText(Path.Combine(shard, s.Key + ".json"), JsonSerializer.Serialize(new Dictionary<string, object?>
                {
                    ["url"] = s.Url, ["key"] = s.Key, ["status"] = s.Status, ["error_message"] = null, ["caption"] = s.Caption,
                    ["width"] = width, ["height"] = height, ["original_width"] = width, ["original_height"] = height, ["sha256"] = sha256,
                }));
            }
        }

        var fields = new DataField[]
        {
            new DataField<string>("url"), new DataField<string>("key"), new DataField<string>("status"), new DataField<string>("error_message"),
            new DataField<string>("caption"), new DataField<int?>("width"), new DataField<int?>("height"), new DataField<string>("sha256"),
        };
        var schema = new ParquetSchema(fields);
        await using var stream = File.Create(Path.Combine(outputFolder, "00000.parquet"));
        await using var writer = await ParquetWriter.CreateAsync(schema, stream);
        using var group = writer.CreateRowGroup();
        var sizes = samples.Select(s => s.Jpeg is null ? ((int?)null, (int?)null) : ((int?)Image.Identify(s.Jpeg).Width, (int?)Image.Identify(s.Jpeg).Height)).ToArray();
        await group.WriteAsync(fields[0], samples.Select(s => s.Url).ToArray());
        await group.WriteAsync(fields[1], samples.Select(s => s.Key).ToArray());
        await group.WriteAsync(fields[2], samples.Select(s => s.Status).ToArray());
        await group.WriteAsync(fields[3], samples.Select(s => s.Status == "success" ? null : "HTTP 404").ToArray());
        await group.WriteAsync(fields[4], samples.Select(s => s.Caption).ToArray());
        await group.WriteAsync<int>(fields[5], sizes.Select(z => z.Item1).ToArray().AsMemory());
        await group.WriteAsync<int>(fields[6], sizes.Select(z => z.Item2).ToArray().AsMemory());
        await group.WriteAsync(fields[7], samples.Select(s => s.Jpeg is null ? null : Convert.ToHexString(SHA256.HashData(s.Jpeg)).ToLowerInvariant()).ToArray());
    }

    private static byte[] Jpeg(Image image)
    {
        using var stream = new MemoryStream();
        image.SaveAsJpeg(stream, new JpegEncoder { Quality = 85 });
        return stream.ToArray();
    }
}
