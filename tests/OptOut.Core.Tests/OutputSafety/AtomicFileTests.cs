using OptOut.Core.OutputSafety;
using Xunit;

namespace OptOut.Core.Tests.OutputSafety;

/// <summary>A replaced file holds the old content or the new, and no temporary file is left either way.</summary>
public class AtomicFileTests
{
    [Fact]
    public void Replace_puts_the_new_content_under_the_name_and_leaves_nothing_beside_it()
    {
        var folder = TestEnvironment.NewScratchFolder();
        var path = Path.Combine(folder, "robots.txt");
        File.WriteAllText(path, "old");

        AtomicFile.WriteAllText(path, "new ünïcode");

        Assert.Equal("new ünïcode", File.ReadAllText(path));
        Assert.Equal([0x6E, 0x65, 0x77], File.ReadAllBytes(path)[..3]);
        Assert.Equal([path], Directory.GetFiles(folder));
    }

    [Fact]
    public void A_failing_writer_leaves_the_old_content_and_no_temporary_file()
    {
        var folder = TestEnvironment.NewScratchFolder();
        var path = Path.Combine(folder, "cache.bin");
        File.WriteAllText(path, "old");
        string? seen = null;

        var error = Assert.Throws<InvalidDataException>(() => AtomicFile.Replace(path, temporary =>
        {
            seen = temporary;
            File.WriteAllText(temporary, "half");
            throw new InvalidDataException("the writer failed");
        }));

        Assert.Equal("the writer failed", error.Message);
        Assert.Equal(folder, Path.GetDirectoryName(seen));
        Assert.Equal("old", File.ReadAllText(path));
        Assert.Equal([path], Directory.GetFiles(folder));
    }

    [Fact]
    public void A_streamed_file_replaces_the_old_one_only_when_committed()
    {
        var folder = TestEnvironment.NewScratchFolder();
        var path = Path.Combine(folder, "list.csv");
        File.WriteAllText(path, "old");

        using (var pending = AtomicFile.Begin(path))
        {
            pending.Stream.Write("half of a new list"u8);
            Assert.Equal(folder, Path.GetDirectoryName(pending.TemporaryPath));
            Assert.Equal("old", File.ReadAllText(path));
            // Disposed without a commit: a writer that failed or was stopped.
        }
        Assert.Equal("old", File.ReadAllText(path));
        Assert.Equal([path], Directory.GetFiles(folder));

        using (var pending = AtomicFile.Begin(path))
        {
            pending.Stream.Write("new"u8);
            pending.Commit();
        }
        Assert.Equal("new", File.ReadAllText(path));
        Assert.Equal([path], Directory.GetFiles(folder));
    }

    [Theory]
    [InlineData(FileShare.None)]
    [InlineData(FileShare.Delete)]
    public void A_streamed_file_under_a_writers_own_temporary_name_is_renamed_over_the_target(FileShare share)
    {
        var folder = TestEnvironment.NewScratchFolder();
        var path = Path.Combine(folder, "junit.xml");
        var temporary = path + ".tmp-" + Guid.NewGuid().ToString("N");

        using (var pending = AtomicFile.Begin(path, temporary, share))
        {
            Assert.True(File.Exists(temporary));
            pending.Stream.Write("<testsuites/>"u8);
            pending.Commit();
        }

        Assert.Equal("<testsuites/>", File.ReadAllText(path));
        Assert.Equal([path], Directory.GetFiles(folder));
        Assert.Throws<ArgumentException>(() => AtomicFile.Begin(path, Path.Combine(folder, "elsewhere", "x.tmp")));
    }
}
