using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using IndexBench;
using Microsoft.Data.Sqlite;
using OptOut.Core.Index;

// Scale benchmarks of the training-set index. Each command prints one JSON object (and writes it to
// --result when given); bench/IndexScale.ps1 runs them and writes docs/index-benchmarks.md.
//
//   machine                                   machine and library facts
//   gen-laion  --rows N --out FILE            LAION-schema metadata parquet (cached)
//   gen-clip   --rows N --dir DIR             clip-retrieval part: img_emb/img_emb_0.npy + metadata/metadata_0.parquet (cached)
//   import-metadata --parquet FILE --work DIR [--reps R] [--engine-only]
//   import-npy --dir DIR --work DIR [--reps R] [--engine-only]
//   text-search --db FILE [--reps R]
//   decode-make --dir DIR [--count 12] [--width 30000] [--height 3000]   small JPEGs that claim many pixels
//   decode-memory --dir DIR --mode one|import --models DIR   peak memory fingerprinting them (a process per run)
//   query-bounds --db FILE [--reps R] [--baseline-budget-seconds S]   repeated-term caption queries, capped and not, against FTS5 as typed
//   vector-build --db FILE [--budget-seconds S]    the engine's build (VectorIndex.Open without a cache)
//   vector-build-parallel --db FILE [--threads T] [--budget-seconds S]  the same graph with concurrent adds, saved as the engine's cache
//   scan-kernels --db FILE [--rows N]           one-thread dot-product kernels over the stored vectors (evidence)
//   vector-search --db FILE [--heldout 100] [--perturbed 100] [--sweep] [--exact-only]

if (args.Length == 0)
{
    Console.Error.WriteLine("usage: IndexBench <command> [--option value]...; see Program.cs");
    return 2;
}
var line = BenchCommandLine.Parse(args);
string Option(string name, string? fallback = null) => line.Option(name, fallback);
int IntOption(string name, int fallback) => line.IntOption(name, fallback);

return line.Run(() => line.Command switch
{
    "machine" => Machine(),
    "gen-laion" => GenLaion(Option("out"), IntOption("rows", 100_000)),
    "gen-clip" => GenClip(Option("dir"), IntOption("rows", 100_000)),
    "import-metadata" => ImportBench.Metadata(Option("parquet"), Option("work"), IntOption("reps", 1), line.Flag("engine-only")),
    "import-npy" => ImportBench.Embeddings(Option("dir"), Option("work"), IntOption("reps", 1), line.Flag("engine-only")),
    "text-search" => TextSearchBench.Run(Option("db"), IntOption("reps", 5)),
    "decode-make" => DecodeMemoryBench.Make(Option("dir"), IntOption("count", 12), IntOption("width", 30_000), IntOption("height", 3_000)),
    "decode-memory" => DecodeMemoryBench.Run(Option("dir"), Option("mode", "one"), Option("models")),
    "query-bounds" => QueryBoundsBench.Run(Option("db"), IntOption("reps", 5), line.DoubleOption("baseline-budget-seconds", 5)),
    "vector-build" => VectorBench.Build(Option("db"), double.Parse(Option("budget-seconds", "0"), CultureInfo.InvariantCulture)),
    "vector-build-parallel" => VectorBench.BuildParallel(Option("db"), IntOption("threads", Environment.ProcessorCount), double.Parse(Option("budget-seconds", "0"), CultureInfo.InvariantCulture)),
    "scan-kernels" => ScanKernels.Run(Option("db"), IntOption("rows", 100_000)),
    "vector-search" => VectorBench.Search(Option("db"), IntOption("heldout", 100), IntOption("perturbed", 100), line.Flag("sweep"), line.Flag("exact-only")),
    _ => throw new ArgumentException($"unknown command {line.Command}"),
});

static Dictionary<string, object?> GenLaion(string path, int rows)
{
    var stamp = path + ".json";
    var wanted = $"{DataGen.Version}:laion:{rows}";
    var result = new Dictionary<string, object?> { ["path"] = path, ["rows"] = rows };
    if (File.Exists(path) && File.Exists(stamp) && File.ReadAllText(stamp) == wanted)
    {
        result["cached"] = true;
    }
    else
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        _ = DataGen.Text;
        result["generate_s"] = Measure.Round(Measure.Seconds(() => DataGen.WriteLaionParquet(path, rows)), 1);
        File.WriteAllText(stamp, wanted);
        result["cached"] = false;
    }
    result["bytes"] = Measure.FileSize(path);
    return result;
}

static Dictionary<string, object?> GenClip(string folder, int rows)
{
    var stamp = Path.Combine(folder, "generated.json");
    var wanted = $"{DataGen.Version}:clip:{rows}:{EmbeddingGen.Seed}";
    var result = new Dictionary<string, object?> { ["path"] = folder, ["rows"] = rows };
    if (File.Exists(stamp) && File.ReadAllText(stamp) == wanted)
    {
        result["cached"] = true;
    }
    else
    {
        _ = DataGen.Text;
        result["generate_s"] = Measure.Round(Measure.Seconds(() => DataGen.WriteClipPart(folder, rows, new EmbeddingGen())), 1);
        File.WriteAllText(stamp, wanted);
        result["cached"] = false;
    }
    result["npy_bytes"] = Measure.FileSize(Path.Combine(folder, "img_emb", "img_emb_0.npy"));
    result["parquet_bytes"] = Measure.FileSize(Path.Combine(folder, "metadata", "metadata_0.parquet"));
    return result;
}

static Dictionary<string, object?> Machine()
{
    string? cpu = null;
    if (File.Exists("/proc/cpuinfo"))
    {
        cpu = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim();
    }
    long? memoryKb = null;
    if (File.Exists("/proc/meminfo"))
    {
        var line = File.ReadLines("/proc/meminfo").First(l => l.StartsWith("MemTotal:", StringComparison.Ordinal));
        memoryKb = long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
    }
    string sqliteVersion;
    using (var connection = new SqliteConnection("Data Source=:memory:"))
    {
        connection.Open();
        using var c = connection.CreateCommand();
        c.CommandText = "SELECT sqlite_version()";
        sqliteVersion = (string)c.ExecuteScalar()!;
    }
    var flags = File.Exists("/proc/cpuinfo") ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("flags", StringComparison.Ordinal)) ?? "" : "";
    return new()
    {
        ["date"] = DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture),
        ["nproc"] = Environment.ProcessorCount,
        ["cpu"] = cpu ?? RuntimeInformation.ProcessArchitecture.ToString(),
        ["avx2"] = flags.Contains(" avx2", StringComparison.Ordinal),
        ["avx512f"] = flags.Contains(" avx512f", StringComparison.Ordinal),
        ["memory_GiB"] = memoryKb is { } kb ? Math.Round(kb / 1048576.0, 1) : null,
        ["os"] = RuntimeInformation.OSDescription,
        ["dotnet"] = RuntimeInformation.FrameworkDescription,
        ["sqlite"] = sqliteVersion,
        ["usearch_hnsw_available"] = VectorIndex.HnswAvailable(),
    };
}
