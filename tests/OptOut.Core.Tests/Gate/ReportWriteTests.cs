using OptOut.Core.Gate;
using Xunit;

namespace OptOut.Core.Tests.Gate;

/// <summary>
/// The gate's reports are written through <see cref="OptOut.Core.OutputSafety.AtomicFile"/>: a write
/// that fails or is cut off midway leaves the report that was there before, whole, and no temporary file.
/// </summary>
public class ReportWriteTests
{
    /// <summary>A failure whose text cannot be read: the report's writer fails halfway through the XML.</summary>
    private sealed class UnreadableFailure : Exception
    {
        public override string Message => throw new InvalidOperationException("the failure's text could not be read");
    }

    [Fact]
    public void A_JUnit_report_that_fails_halfway_leaves_the_previous_report_whole()
    {
        var folder = TestEnvironment.NewScratchFolder();
        var path = Path.Combine(folder, "junit.xml");
        var good = new JUnitReport("laion-sample", new Dictionary<string, string> { ["policy"] = "Block" });
        good.AddInputError("missing.parquet", new FileNotFoundException("no such shard"));
        good.Write(path);
        var before = File.ReadAllBytes(path);
        Assert.Contains("no such shard", File.ReadAllText(path));

        var failing = new JUnitReport("laion-sample", new Dictionary<string, string> { ["policy"] = "Block" });
        failing.AddInputError("a.parquet", new FileNotFoundException("first shard"));
        failing.AddInputError("b.parquet", new UnreadableFailure());
        var error = Assert.Throws<InvalidOperationException>(() => failing.Write(path));

        Assert.Equal("the failure's text could not be read", error.Message);
        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Equal([path], Directory.GetFiles(folder));
    }

    [Fact]
    public void A_removal_report_whose_run_stops_before_it_is_committed_leaves_the_previous_report_whole()
    {
        var folder = TestEnvironment.NewScratchFolder();
        var path = Path.Combine(folder, "clean.removed.csv");
        Violation Finding(long row) => new("laion-sample", "part-0", Path.Combine(folder, "part-0.parquet"), row, $"key{row}",
            $"https://a.example/{row}.jpg", GateRule.Url, "rec-1", "Jane Doe", "opted out");

        using (var first = new RemovalReport(path))
        {
            first.Add(Finding(1), "part-0");
            first.Commit();
        }
        var before = File.ReadAllBytes(path);
        Assert.Contains("https://a.example/1.jpg", File.ReadAllText(path));

        // A second run streams findings, then fails (or is stopped) before its commit.
        using (var second = new RemovalReport(path))
        {
            for (long row = 2; row < 5_000; row++) second.Add(Finding(row), "part-0");
            Assert.Equal(2, Directory.GetFiles(folder).Length);
        }

        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Equal([path], Directory.GetFiles(folder));
    }

    [Fact]
    public void A_committed_removal_report_replaces_the_previous_one()
    {
        var folder = TestEnvironment.NewScratchFolder();
        var path = Path.Combine(folder, "clean.removed.csv");
        File.WriteAllText(path, "an older report");

        using (var report = new RemovalReport(path))
        {
            report.Add(new Violation("d", "s", "s.parquet", 7, "k", "https://b.example/7.jpg", GateRule.Url, "rec-2", "John Roe", "opted out"), "s");
            report.Commit();
        }

        var lines = File.ReadAllLines(path);
        Assert.Equal("Shard,Row,Key,Url,Rule,RecordId,Claimant,Detail", lines[0]);
        Assert.StartsWith("s,7,k,https://b.example/7.jpg,Url,rec-2,John Roe,", lines[1]);
        Assert.Equal([path], Directory.GetFiles(folder));
    }
}
