using OptOut.Core.Datasets;
using OptOut.Core.Gate;
using Xunit;
using static OptOut.Core.Tests.Gate.GateFixtures;
using static OptOut.Core.Tests.Index.IndexFixtures;

namespace OptOut.Core.Tests.Gate;

/// <summary>The gate's verdict and the clean export, asked of the engine directly, as any host asks them.</summary>
public class GateVerdictTests
{
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(50);

    private static TrainingSetGate Gate(ConsentRules rules) => new(new GateSettings { Dataset = "fixture", Rules = rules });

    private static string Laion(int rows)
    {
        var path = Path.Combine(TestEnvironment.NewScratchFolder(), "part-0.parquet");
        WriteLaionUpperCase(path, firstId: 0, count: rows, widthAsDouble: false, rowGroupSize: 16);
        return path;
    }

    [Fact]
    public void A_set_with_a_refused_url_is_not_clean_and_the_verdict_counts_it()
    {
        var path = Laion(40);
        var events = new List<GateEvent>();

        var verdict = Gate(Rules(RefuseUrl(LaionUrl(7)), RefuseUrl(LaionUrl(33)))).Check(DatasetDiscovery.Discover(path), 0, 2, Tick, events.Add, CancellationToken.None);

        Assert.False(verdict.Clean);
        Assert.False(verdict.Cancelled);
        Assert.Equal(1, verdict.Shards);
        Assert.Equal(40, verdict.Rows);
        Assert.Equal(2, verdict.Violations);
        Assert.Equal(2, verdict.ViolatingRows);
        Assert.Equal(0, verdict.IncompleteShards);
        // Every event reached the observer: the two findings, and the shard's summary.
        Assert.Equal(["33", "7"], events.OfType<ViolationsFound>().SelectMany(f => f.Violations).Select(v => v.Key).Order(StringComparer.Ordinal));
        Assert.Single(events.OfType<ShardChecked>());
    }

    [Fact]
    public void A_set_without_findings_is_clean_only_when_every_path_was_read()
    {
        var path = Laion(20);
        var rules = Rules(RefuseUrl("https://elsewhere.example.org/a.jpg"));

        var clean = Gate(rules).Check(DatasetDiscovery.Discover(path), 0, 1, Tick, _ => { }, CancellationToken.None);
        var unreadPath = Gate(rules).Check(DatasetDiscovery.Discover(path), 1, 1, Tick, _ => { }, CancellationToken.None);
        var noShards = Gate(rules).Check([], 0, 1, Tick, _ => { }, CancellationToken.None);

        Assert.True(clean.Clean);
        Assert.Equal(20, clean.Rows);
        Assert.False(unreadPath.Clean);
        Assert.Equal(1, unreadPath.UnreadPaths);
        Assert.False(noShards.Clean);
    }

    [Fact]
    public void A_shard_that_cannot_be_read_makes_the_set_incomplete_and_not_clean()
    {
        var folder = TestEnvironment.NewScratchFolder();
        WriteLaionUpperCase(Path.Combine(folder, "a.parquet"), 0, 10, widthAsDouble: false);
        File.WriteAllText(Path.Combine(folder, "b.parquet"), "not parquet");

        var verdict = Gate(Rules(RefuseUrl("https://elsewhere.example.org/a.jpg"))).Check(DatasetDiscovery.Discover(folder), 0, 2, Tick, _ => { }, CancellationToken.None);

        Assert.False(verdict.Clean);
        Assert.Equal(2, verdict.Shards);
        Assert.Equal(1, verdict.IncompleteShards);
        Assert.Equal(10, verdict.Rows);
    }

    [Fact]
    public void ExportClean_writes_the_kept_rows_into_staging_and_counts_them_by_rule()
    {
        var folder = TestEnvironment.NewScratchFolder();
        var input = Path.Combine(folder, "data");
        Directory.CreateDirectory(input);
        WriteLaionUpperCase(Path.Combine(input, "part-0.parquet"), 0, 30, widthAsDouble: false, rowGroupSize: 8);
        File.WriteAllText(Path.Combine(input, "README.md"), "about the set");
        var staging = Path.Combine(folder, "staging");
        Directory.CreateDirectory(staging);
        var reportPath = Path.Combine(folder, "removed.csv");

        CleanCopyOutcome outcome;
        using (var report = new RemovalReport(reportPath))
        {
            outcome = Gate(Rules(RefuseUrl(LaionUrl(4)), RefuseDomain("img2.example.com")))
                .ExportClean(DatasetDiscovery.Discover(input), input, staging, report, 1, Tick, _ => { }, CancellationToken.None);
            report.Commit();
        }

        // Ids 2, 7, 12, ... are on img2 (id % 5 == 2): six of them, and id 4 by URL.
        Assert.True(outcome.Publishable);
        Assert.Empty(outcome.FailedShards);
        Assert.Equal(30, outcome.Rows);
        Assert.Equal(23, outcome.Kept);
        Assert.Equal(7, outcome.Removed);
        Assert.Equal([new KeyValuePair<GateRule, long>(GateRule.Url, 1), new KeyValuePair<GateRule, long>(GateRule.Domain, 6)], outcome.ViolationsByRule);
        var kept = new ParquetMetadataShard(Path.Combine(staging, "part-0.parquet")).ReadRows(CancellationToken.None).Select(r => r.Key).ToList();
        Assert.Equal(Enumerable.Range(0, 30).Where(i => i != 4 && i % 5 != 2).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)), kept);
        Assert.Equal("about the set", File.ReadAllText(Path.Combine(staging, "README.md")));
        Assert.Equal(1 + 7, File.ReadAllLines(reportPath).Length);
    }

    [Fact]
    public void Overlaps_tells_a_destination_inside_the_source_or_around_it()
    {
        var folder = TestEnvironment.NewScratchFolder();
        var source = Path.Combine(folder, "data");
        Directory.CreateDirectory(source);

        Assert.True(TrainingSetGate.Overlaps(source, Path.Combine(source, "clean")));
        Assert.True(TrainingSetGate.Overlaps(Path.Combine(source, "part.parquet"), source));
        Assert.False(TrainingSetGate.Overlaps(source, Path.Combine(folder, "clean")));
    }
}
