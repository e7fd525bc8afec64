using System.Diagnostics;
using System.Globalization;
using OptOut.Core.Embedding;
using OptOut.Core.Fingerprinting;
using OptOut.Core.Imaging;
using OptOut.Core.Index;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace IndexBench;

/// <summary>
/// Peak memory of fingerprinting small JPEGs that claim 30,000 x 3,000 px (issue 12, item 12): one
/// file alone, and a folder of them imported (the FingerprintPipeline's window decoding in parallel).
/// Each measurement runs in a process of its own, so VmHWM is that measurement's peak. Uses only
/// APIs that predate the decode budget, so the same file builds against the code before it.
/// </summary>
public static class DecodeMemoryBench
{
    /// <summary>Writes <paramref name="count"/> solid-colour JPEGs (each a different colour, so a different file).</summary>
    public static Dictionary<string, object?> Make(string folder, int count, int width, int height)
    {
        Directory.CreateDirectory(folder);
        var sizes = new List<long>();
        for (int i = 0; i < count; i++)
        {
            using var image = new Image<Rgb24>(width, height, new Rgb24((byte)(40 + i * 7), (byte)(90 + i), (byte)(200 - i * 5)));
            var path = Path.Combine(folder, $"bomb-{i:00}.jpg");
            image.SaveAsJpeg(path);
            sizes.Add(new FileInfo(path).Length);
        }
        return new() { ["folder"] = folder, ["count"] = count, ["width"] = width, ["height"] = height, ["file_bytes"] = sizes };
    }

    public static Dictionary<string, object?> Run(string folder, string mode, string models)
    {
        var model = EmbeddingModelCache.Get(EmbeddingModelSpec.Default(models), Environment.ProcessorCount);
        var fingerprinter = new Fingerprinter(model, ImageLimits.Default);
        var files = Directory.GetFiles(folder, "*.jpg").Order().ToArray();
        var before = Measure.Memory();
        var clock = Stopwatch.StartNew();
        double cpu = Measure.ProcessCpuSeconds();
        var result = new Dictionary<string, object?> { ["mode"] = mode, ["files"] = files.Length, ["cores"] = Environment.ProcessorCount, ["memory_before"] = before };
        switch (mode)
        {
            case "one":
                result["hash"] = fingerprinter.Fingerprint(files[0]).PerceptualHash.ToString("x16", CultureInfo.InvariantCulture);
                break;
            case "import":
                var work = Path.Combine(Path.GetTempPath(), "decode-memory-" + Guid.NewGuid().ToString("N"));
                Directory.CreateDirectory(work);
                try
                {
                    using var store = IndexStore.Open(Path.Combine(work, "index.db"));
                    var importer = new TrainingSetImporter(store, fingerprinter, null, _ => { });
                    var summary = importer.Import("bombs", [folder], CancellationToken.None);
                    result["fingerprinted"] = summary.Fingerprinted;
                }
                finally
                {
                    Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
                    Directory.Delete(work, recursive: true);
                }
                break;
            default:
                throw new ArgumentException($"unknown mode {mode} (one, import)");
        }
        result["wall_s"] = Measure.Round(clock.Elapsed.TotalSeconds, 2);
        result["cpu_s"] = Measure.Round(Measure.ProcessCpuSeconds() - cpu, 2);
        result["memory_after"] = Measure.Memory();
        return result;
    }
}
