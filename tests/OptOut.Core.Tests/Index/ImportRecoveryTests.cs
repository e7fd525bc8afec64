using System.Diagnostics;
using OptOut.Core.Fingerprinting;
using OptOut.Core.Index;
using Xunit.Abstractions;
using static OptOut.Core.Tests.Index.IndexFixtures;

namespace OptOut.Core.Tests.Index;

/// <summary>Importing twice adds nothing; an interrupted import leaves no trace of the shard it was in and finishes on the next run.</summary>
public sealed class ImportRecoveryTests : IDisposable
{
    private readonly string folder = TestEnvironment.NewScratchFolder();
    private readonly IndexStore store;
    private readonly Fingerprinter fingerprinter = NewFingerprinter();
    private readonly ITestOutputHelper output;

    public ImportRecoveryTests(ITestOutputHelper output)
    {
        this.output = output;
        store = IndexStore.Open(NewIndexPath(folder));
    }

    public void Dispose() => store.Dispose();

    private long RowsInIndex() => QueryFile<long>(store.Path, "SELECT count(*) FROM rows");

    private long ShardsRecorded() => QueryFile<long>(store.Path, "SELECT count(*) FROM shards");

    /// <summary>One folder holding every layout: LAION parquet, img2dataset files, webdataset tars, clip-retrieval parts, images.</summary>
    private static Dictionary<string, string> WriteEveryLayout(string root)
    {
        var layouts = new Dictionary<string, string>
        {
            ["parquet"] = Path.Combine(root, "laion"),
            ["files"] = Path.Combine(root, "img2dataset"),
            ["webdataset"] = Path.Combine(root, "wds"),
            ["images"] = Path.Combine(root, "pictures"),
        };
        WriteLaionUpperCase(Path.Combine(layouts["parquet"], "part-00000.parquet"), 0, 30, widthAsDouble: true);
        WriteLaionUpperCase(Path.Combine(layouts["parquet"], "part-00001.parquet"), 30, 20, widthAsDouble: false);
        WriteImg2DatasetFilesShard(layouts["files"], 0, MakeSamples(0, 3, i => i == 1));
        WriteWebDatasetTar(Path.Combine(layouts["webdataset"], "00000.tar"), MakeSamples(0, 3, i => i == 2, seedBase: 7900));
        Directory.CreateDirectory(layouts["images"]);
        File.WriteAllBytes(Path.Combine(layouts["images"], "one.png"), Png(7950));
        File.WriteAllBytes(Path.Combine(layouts["images"], "two.jpg"), Jpeg(7951));
        return layouts;
    }

    [Fact]
    public void Importing_the_same_shards_again_adds_nothing()
    {
        var layouts = WriteEveryLayout(Path.Combine(folder, "data"));
        var paths = layouts.Values.ToArray();
        var (first, firstEvents) = Import(store, fingerprinter, null, "all", paths);
        Assert.Empty(Problems(firstEvents));
        Assert.Equal((50L + 2 + 2 + 2, 5, 0), (first.Rows, first.ShardsImported, first.ShardsAlreadyImported));
        long rows = RowsInIndex();
        var before = store.ListDatasets().Single();

        var (second, events) = Import(store, fingerprinter, null, "all", paths);
        Assert.Equal((0L, 0L, 0, 5), (second.Rows, second.Fingerprinted, second.ShardsImported, second.ShardsAlreadyImported));
        Assert.All(Shards(events), r => Assert.Equal((true, 0L), (r.AlreadyImported, r.Rows)));
        Assert.Empty(Problems(events));
        Assert.Equal(rows, RowsInIndex());
        Assert.Equal(5L, ShardsRecorded());
        Assert.Equal(before with { CreatedAt = default }, store.ListDatasets().Single() with { CreatedAt = default });
    }

    [Fact]
    public void A_copy_of_a_shard_at_another_path_is_recognised_as_already_imported()
    {
        var layouts = WriteEveryLayout(Path.Combine(folder, "data"));
        Import(store, fingerprinter, null, "all", layouts.Values.ToArray());
        long rows = RowsInIndex();

        var copy = Path.Combine(folder, "elsewhere", "copy");
        CopyFolder(Path.Combine(folder, "data"), copy);
        var copies = layouts.Values.Select(p => Path.Combine(copy, Path.GetFileName(p))).ToArray();
        var (again, events) = Import(store, fingerprinter, null, "all", copies);
        Assert.Empty(Problems(events));
        Assert.Equal((0L, 0, 5), (again.Rows, again.ShardsImported, again.ShardsAlreadyImported));
        Assert.Equal(rows, RowsInIndex());

        // A single copied file, passed on its own, too.
        var single = Path.Combine(folder, "single", "part-00001.parquet");
        Directory.CreateDirectory(Path.GetDirectoryName(single)!);
        File.Copy(Path.Combine(layouts["parquet"], "part-00001.parquet"), single);
        var (one, _) = Import(store, null, null, "all", single);
        Assert.Equal((0L, 1), (one.Rows, one.ShardsAlreadyImported));

        // The same copies under another dataset name are a new import.
        var (other, _) = Import(store, fingerprinter, null, "another", copies);
        Assert.Equal(5, other.ShardsImported);
        Assert.Equal(2 * rows, RowsInIndex());
    }

    [Fact]
    public void A_changed_shard_is_not_mistaken_for_the_imported_one()
    {
        var file = Path.Combine(folder, "part.parquet");
        WriteLaionUpperCase(file, 0, 10, widthAsDouble: false);
        Import(store, null, null, "d", file);
        WriteLaionUpperCase(file, 100, 12, widthAsDouble: false);
        var (again, _) = Import(store, null, null, "d", file);
        Assert.Equal((12L, 1), (again.Rows, again.ShardsImported));
        Assert.Equal(22L, RowsInIndex());
    }

    private static void CopyFolder(string source, string target)
    {
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var destination = Path.Combine(target, Path.GetRelativePath(source, file));
            Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
            File.Copy(file, destination);
        }
    }

    // ---- interruptions ----------------------------------------------------------------------------

    private (string First, string Big) WriteTwoShards()
    {
        var root = Path.Combine(folder, "laion");
        var first = Path.Combine(root, "part-00000.parquet");
        var big = Path.Combine(root, "part-00001.parquet");
        WriteLaionUpperCase(first, 0, 1000, widthAsDouble: true);
        WriteLaionUpperCase(big, 10_000, 7000, widthAsDouble: true, rowGroupSize: 1500);
        return (first, big);
    }

    /// <summary>The partial shard left nothing: no rows, no shard record, no caption entries, and FTS agrees with the rows.</summary>
    private static void AssertOnlyTheFirstShard(string index)
    {
        Assert.Equal(1000L, QueryFile<long>(index, "SELECT count(*) FROM rows"));
        Assert.Equal(1L, QueryFile<long>(index, "SELECT count(*) FROM shards"));
        Assert.Equal(0L, QueryFile<long>(index, "SELECT count(*) FROM rows WHERE CAST(key AS INTEGER) >= 10000"));
        Assert.Equal(0L, QueryFile<long>(index + ".captions", "SELECT count(*) FROM captions WHERE captions MATCH '\"number 10001\"'"));
        CheckCaptionIndex(index);
    }

    private void AssertFinishesOnTheNextRun(IndexStore target)
    {
        var (summary, events) = Import(target, null, null, "laion", Path.Combine(folder, "laion"));
        Assert.Empty(Problems(events));
        Assert.Equal((7000L, 1, 1), (summary.Rows, summary.ShardsImported, summary.ShardsAlreadyImported));
        Assert.Equal(8000L, QueryFile<long>(target.Path, "SELECT count(*) FROM rows"));
        Assert.Equal(8000L, QueryFile<long>(target.Path, "SELECT count(DISTINCT key) FROM rows"));
        Assert.Single(target.SearchCaptions("\"sample number 16999\""));
        CheckCaptionIndex(target.Path);
    }

    [Fact]
    public void Cancelling_mid_shard_leaves_nothing_of_that_shard_and_the_next_run_imports_it()
    {
        var (_, big) = WriteTwoShards();
        using var cancellation = new CancellationTokenSource();
        long rowsWhenCancelled = 0;
        var importer = new TrainingSetImporter(store, null, null, e =>
        {
            // Progress comes every 2,000 rows: cancel 4,000 rows into the 7,000-row shard.
            if (e is ImportProgress p && p.CurrentShard == big && p.Rows - 1000 >= 4000 && !cancellation.IsCancellationRequested)
            {
                rowsWhenCancelled = p.Rows;
                cancellation.Cancel();
            }
        });
        Assert.ThrowsAny<OperationCanceledException>(() => importer.Import("laion", [Path.Combine(folder, "laion")], cancellation.Token));
        Assert.Equal(5000, rowsWhenCancelled);

        AssertOnlyTheFirstShard(store.Path);
        Assert.Equal(1000, store.ListDatasets().Single().Rows);
        AssertFinishesOnTheNextRun(store);
    }

    [Fact]
    public void An_exception_mid_shard_leaves_nothing_of_that_shard_and_the_next_run_imports_it()
    {
        var (_, big) = WriteTwoShards();
        var importer = new TrainingSetImporter(store, null, null, e =>
        {
            if (e is ImportProgress p && p.CurrentShard == big && p.Rows > 1000) throw new InvalidOperationException("the caller gave up");
        });
        var error = Assert.Throws<InvalidOperationException>(() => importer.Import("laion", [Path.Combine(folder, "laion")], CancellationToken.None));
        Assert.Equal("the caller gave up", error.Message);

        AssertOnlyTheFirstShard(store.Path);
        // A fresh store on the same file (as the next process would open it) finishes the import.
        using var reopened = IndexStore.Open(store.Path);
        AssertFinishesOnTheNextRun(reopened);
    }

    [Fact]
    public void Cancelling_while_images_are_fingerprinted_leaves_nothing_of_that_shard()
    {
        var root = Path.Combine(folder, "pictures");
        Directory.CreateDirectory(root);
        for (int i = 0; i < 12; i++) File.WriteAllBytes(Path.Combine(root, $"{i:00}.png"), Png(8000 + i, 200, 150));
        // A broken file in the middle raises an ImportProblem mid-shard: the moment to cancel.
        File.WriteAllText(Path.Combine(root, "06-broken.png"), "not a png");

        using var cancellation = new CancellationTokenSource();
        var importer = new TrainingSetImporter(store, fingerprinter, null, e =>
        {
            if (e is ImportProblem) cancellation.Cancel();
        });
        Assert.ThrowsAny<OperationCanceledException>(() => importer.Import("pictures", [root], cancellation.Token));
        Assert.Equal(0L, RowsInIndex());
        Assert.Equal(0L, ShardsRecorded());
        Assert.Null(store.ModelId);

        var (summary, events) = Import(store, fingerprinter, null, "pictures", root);
        Assert.Single(Problems(events));
        Assert.Equal((13L, 12L, 1), (summary.Rows, summary.Fingerprinted, summary.ShardsImported));
        Assert.Equal(13L, RowsInIndex());
    }

    /// <summary>
    /// A real process killed mid-shard: Import-TrainingSet from the built module in a child pwsh,
    /// killed once its transaction has spilled pages into the WAL. SQLite must roll the partial
    /// shard back when the file is next opened.
    /// </summary>
    [BuiltModuleFact]
    public void Killing_the_importing_process_mid_shard_leaves_nothing_of_that_shard()
    {
        var (_, big) = WriteTwoShards();
        // A shard big enough that its transaction runs for seconds.
        WriteLaionUpperCase(big, 10_000, 400_000, widthAsDouble: true, rowGroupSize: 50_000);
        var index = Path.Combine(folder, "killed", "index.db");
        Directory.CreateDirectory(Path.GetDirectoryName(index)!);
        var first = Path.Combine(folder, "laion", "part-00000.parquet");
        using (var early = IndexStore.Open(index)) Import(early, null, null, "laion", first);

        var module = Path.Combine(TestEnvironment.RepositoryRoot, "out", "OptOut", "OptOut.psd1");
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = TestEnvironment.RepositoryRoot,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in new[] { "pwsh", "-NoProfile", "-NonInteractive", "-Command",
            $"Import-Module '{module}'; Import-TrainingSet -LiteralPath '{big}' -Name laion -IndexPath '{index}' -ErrorAction Stop | Out-Null; 'finished'" })
        {
            start.ArgumentList.Add(argument);
        }
        using var child = Process.Start(start)!;
        var stdout = child.StandardOutput.ReadToEndAsync();
        var stderr = child.StandardError.ReadToEndAsync();
        var wal = index + "-wal";
        var clock = Stopwatch.StartNew();
        bool killed = false;
        while (clock.Elapsed < TimeSpan.FromMinutes(3) && !child.HasExited)
        {
            if (File.Exists(wal) && new FileInfo(wal).Length > 2 << 20)
            {
                child.Kill(entireProcessTree: true);
                killed = true;
                break;
            }
            Thread.Sleep(20);
        }
        child.WaitForExit();
        output.WriteLine($"child killed: {killed} after {clock.Elapsed.TotalSeconds:F1} s, WAL {(File.Exists(wal) ? new FileInfo(wal).Length : 0):N0} bytes");
        output.WriteLine(stdout.Result);
        output.WriteLine(stderr.Result);
        Assert.True(killed, $"the child finished before it could be killed: {stdout.Result} {stderr.Result}");

        // The next process to open the index recovers it from the WAL.
        using var reopened = IndexStore.Open(index);
        AssertOnlyTheFirstShard(index);
        var (summary, events) = Import(reopened, null, null, "laion", big);
        Assert.Empty(Problems(events));
        Assert.Equal(400_000L, summary.Rows);
        Assert.Equal(401_000L, QueryFile<long>(index, "SELECT count(*) FROM rows"));
    }
}

/// <summary>Runs only where build.ps1 has laid out the module and the pwsh tool is restored; says why otherwise.</summary>
public sealed class BuiltModuleFactAttribute : FactAttribute
{
    public BuiltModuleFactAttribute()
    {
        var root = TestEnvironment.RepositoryRoot;
        if (!File.Exists(Path.Combine(root, "out", "OptOut", "OptOut.psd1")))
        {
            Skip = "out/OptOut is not built: run `dotnet pwsh ./build.ps1` to run this test.";
        }
        else if (!File.Exists(Path.Combine(root, ".config", "dotnet-tools.json")))
        {
            Skip = "the pwsh dotnet tool is not configured (.config/dotnet-tools.json).";
        }
    }
}
