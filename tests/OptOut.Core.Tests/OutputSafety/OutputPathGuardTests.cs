using OptOut.Core.OutputSafety;
using Xunit;

namespace OptOut.Core.Tests.OutputSafety;

/// <summary>Outputs may never land on the user's databases or inputs, however the path is spelled.</summary>
public class OutputPathGuardTests
{
    [Fact]
    public void Real_paths_follow_links_at_every_component_and_resolve_dot_dot_after_them()
    {
        var folder = TestEnvironment.NewScratchFolder();
        var data = Directory.CreateDirectory(Path.Combine(folder, "data", "deep")).FullName;
        File.WriteAllText(Path.Combine(data, "a.txt"), "a");
        var link = Path.Combine(folder, "link");
        Directory.CreateSymbolicLink(link, data);

        Assert.Equal(Path.Combine(data, "a.txt"), RealPath.Resolve(Path.Combine(link, "a.txt")));
        // ".." after a link leaves the link's target, not the link's folder (as the kernel does).
        Assert.Equal(Path.Combine(folder, "data", "b.txt"), RealPath.Resolve(Path.Combine(link, "..", "b.txt")));
        Assert.Equal(Path.Combine(data, "not-yet", "c.txt"), RealPath.Resolve(Path.Combine(link, "not-yet", "c.txt")));
    }

    [Fact]
    public void A_link_loop_is_an_error_not_a_hang()
    {
        var folder = TestEnvironment.NewScratchFolder();
        File.CreateSymbolicLink(Path.Combine(folder, "a"), Path.Combine(folder, "b"));
        File.CreateSymbolicLink(Path.Combine(folder, "b"), Path.Combine(folder, "a"));
        Assert.Throws<IOException>(() => RealPath.Resolve(Path.Combine(folder, "a")));
    }

    [Theory]
    [InlineData("registry.db")]
    [InlineData("registry.db-wal")]
    [InlineData("index.db-shm")]
    [InlineData("index.db.vectors")]
    [InlineData("index.db.captions")]
    public void The_databases_and_their_siblings_are_never_an_output_file(string name)
    {
        var folder = TestEnvironment.NewScratchFolder();
        var guard = OutputPathGuard.For([Path.Combine(folder, "registry.db"), Path.Combine(folder, "index.db")], []);
        var e = Assert.Throws<UnsafeOutputPathException>(() => guard.CheckFile(Path.Combine(folder, name), "-Path"));
        Assert.Contains(name, e.Message);
    }

    [Fact]
    public void A_link_or_dot_dot_to_the_registry_is_refused_too()
    {
        var folder = TestEnvironment.NewScratchFolder();
        var home = Directory.CreateDirectory(Path.Combine(folder, "home")).FullName;
        var registry = Path.Combine(home, "registry.db");
        File.WriteAllText(registry, "not yet a database");
        var elsewhere = Directory.CreateDirectory(Path.Combine(folder, "elsewhere")).FullName;
        File.CreateSymbolicLink(Path.Combine(elsewhere, "report.xml"), registry);
        Directory.CreateSymbolicLink(Path.Combine(elsewhere, "h"), home);
        var guard = OutputPathGuard.For([registry], []);

        Assert.Throws<UnsafeOutputPathException>(() => guard.CheckFile(Path.Combine(elsewhere, "report.xml"), "-ReportPath"));
        Assert.Throws<UnsafeOutputPathException>(() => guard.CheckFile(Path.Combine(elsewhere, "h", "registry.db-wal"), "-ReportPath"));
        Assert.Throws<UnsafeOutputPathException>(() => guard.CheckFile(Path.Combine(elsewhere, "..", "home", ".", "registry.db"), "-ReportPath"));
        guard.CheckFile(Path.Combine(elsewhere, "junit.xml"), "-ReportPath");
    }

    [Fact]
    public void The_default_databases_are_protected_whatever_paths_the_command_uses()
    {
        var home = TestEnvironment.NewScratchFolder();
        var saved = Environment.GetEnvironmentVariable(OptOutPaths.HomeVariable);
        Environment.SetEnvironmentVariable(OptOutPaths.HomeVariable, home);
        try
        {
            var guard = OutputPathGuard.For([], []);
            Assert.Throws<UnsafeOutputPathException>(() => guard.CheckFile(Path.Combine(home, "registry.db"), "-Path"));
            Assert.Throws<UnsafeOutputPathException>(() => guard.CheckFile(Path.Combine(home, "index.db.vectors"), "-Path"));
        }
        finally
        {
            Environment.SetEnvironmentVariable(OptOutPaths.HomeVariable, saved);
        }
    }

    [Fact]
    public void Any_existing_sqlite_database_is_refused_as_an_output_file()
    {
        var folder = TestEnvironment.NewScratchFolder();
        var other = Path.Combine(folder, "someone-elses.db");
        using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={other};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "CREATE TABLE t(x)";
            command.ExecuteNonQuery();
        }
        var guard = OutputPathGuard.For([], []);
        Assert.Throws<UnsafeOutputPathException>(() => guard.CheckFile(other, "-Path"));
    }

    [Fact]
    public void Outputs_inside_an_input_or_over_an_input_file_are_refused()
    {
        var folder = TestEnvironment.NewScratchFolder();
        var dataset = Directory.CreateDirectory(Path.Combine(folder, "dataset")).FullName;
        var shard = Path.Combine(folder, "part-0.parquet");
        File.WriteAllText(shard, "PAR1");
        var link = Path.Combine(folder, "copy-here");
        Directory.CreateSymbolicLink(link, dataset);
        var guard = OutputPathGuard.For([], [dataset, shard]);

        Assert.Throws<UnsafeOutputPathException>(() => guard.CheckFile(shard, "-ReportPath"));
        Assert.Throws<UnsafeOutputPathException>(() => guard.CheckFile(Path.Combine(dataset, "report.csv"), "-ReportPath"));
        Assert.Throws<UnsafeOutputPathException>(() => guard.CheckFolder(link, "-Destination"));
        Assert.Throws<UnsafeOutputPathException>(() => guard.CheckFolder(Path.Combine(dataset, "clean"), "-Destination"));
        Assert.Throws<UnsafeOutputPathException>(() => guard.CheckFolder(folder, "-Destination"));
        guard.CheckFolder(Path.Combine(folder, "clean"), "-Destination");
    }

    [Fact]
    public void A_folder_holding_a_database_is_never_an_output_folder()
    {
        var folder = TestEnvironment.NewScratchFolder();
        var home = Directory.CreateDirectory(Path.Combine(folder, "out", ".optout")).FullName;
        var registry = Path.Combine(home, "registry.db");
        File.WriteAllText(registry, "x");
        var guard = OutputPathGuard.For([registry], []);
        var e = Assert.Throws<UnsafeOutputPathException>(() => guard.CheckFolder(Path.Combine(folder, "out"), "-Destination"));
        Assert.Contains("registry.db", e.Message);
    }
}
