using OptOut.Core.Index;
using Xunit;
using static OptOut.Core.Tests.Index.IndexFixtures;

namespace OptOut.Core.Tests.Index;

/// <summary>The whole import behind one call, as any host runs it: events on the caller's thread, the summary at the end.</summary>
public class ImportCallTests
{
    [Fact]
    public void Import_hands_every_event_to_the_calling_thread_and_returns_the_summary()
    {
        var folder = TestEnvironment.NewScratchFolder();
        var root = Path.Combine(folder, "laion");
        WriteLaionUpperCase(Path.Combine(root, "part-00000.parquet"), 1000, 50, widthAsDouble: false);
        WriteLaionUpperCase(Path.Combine(root, "part-00001.parquet"), 2000, 30, widthAsDouble: false);
        File.WriteAllText(Path.Combine(folder, "broken.parquet"), "not parquet");
        using var store = IndexStore.Open(Path.Combine(folder, "index.db"));
        var caller = Environment.CurrentManagedThreadId;
        var events = new List<ImportEvent>();
        var threads = new HashSet<int>();

        var summary = TrainingSetImporter.Import(store, "laion", [root, Path.Combine(folder, "broken.parquet")], null, null, null, e =>
        {
            threads.Add(Environment.CurrentManagedThreadId);
            events.Add(e);
        }, CancellationToken.None);

        Assert.Equal([caller], threads);
        Assert.Equal(("laion", 80L, 2, 1, 0), (summary.Dataset, summary.Rows, summary.ShardsImported, summary.ShardsFailed, summary.ShardsAlreadyImported));
        Assert.Equal(2, events.OfType<ImportShardDone>().Count());
        Assert.Contains("broken.parquet", Assert.Single(events.OfType<ImportProblem>()).Target, StringComparison.Ordinal);
        Assert.True(summary.RowsPerSecond > 0);
        Assert.Equal(Math.Round(80 / Math.Max(summary.Elapsed.TotalSeconds, 1e-3), 1), summary.RowsPerSecond);
        Assert.Single(store.FindByUrl(LaionUrl(2017)));

        var again = TrainingSetImporter.Import(store, "laion", [root], null, null, null, _ => { }, CancellationToken.None);
        Assert.Equal((0L, 0, 2), (again.Rows, again.ShardsImported, again.ShardsAlreadyImported));
    }
}
