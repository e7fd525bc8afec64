using System.Diagnostics;
using OptOut.Core.Registry;
using OptOut.Core.Tests.Index;
using Xunit.Abstractions;
using static OptOut.Core.Tests.Registry.RegistryFixtures;

namespace OptOut.Core.Tests.Registry;

/// <summary>
/// A real process killed in the middle of a bulk Add-OptOut (the built module in a child pwsh,
/// batches of 50,000 claims a transaction, written on a thread of their own with the REPLACE
/// guards lifted inside the transaction) leaves whole batches or nothing: never a claim without
/// its audit row, never a torn file, never a registry without its guards.
/// </summary>
public sealed class RegistryKillTests
{
    private const int BatchSize = 50_000;
    private readonly ITestOutputHelper output;

    public RegistryKillTests(ITestOutputHelper output) => this.output = output;

    [BuiltModuleFact]
    public void Killing_a_bulk_add_leaves_whole_batches_and_a_registry_that_takes_new_claims()
    {
        var folder = TestEnvironment.NewScratchFolder();
        var registry = Path.Combine(folder, "registry.db");
        var module = Path.Combine(TestEnvironment.RepositoryRoot, "out", "OptOut", "OptOut.psd1");
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = TestEnvironment.RepositoryRoot,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in new[] { "pwsh", "-NoProfile", "-NonInteractive", "-Command",
            $"Import-Module '{module}'; 1..400000 | ForEach-Object {{ 'https://kill.example/' + $_ + '.jpg' }} | Add-OptOut -RegistryPath '{registry}' -Reason bulk -ErrorAction Stop; 'finished'" })
        {
            start.ArgumentList.Add(argument);
        }

        using var child = Process.Start(start)!;
        var stdout = child.StandardOutput.ReadToEndAsync();
        var stderr = child.StandardError.ReadToEndAsync();
        var clock = Stopwatch.StartNew();
        long seenAtKill = -1;
        bool killed = false;
        var random = new Random();
        while (clock.Elapsed < TimeSpan.FromMinutes(3) && !child.HasExited)
        {
            long count = File.Exists(registry) ? TryCount(registry) : 0;
            if (count >= BatchSize)
            {
                // Somewhere in the next batch: while the pipeline fills it, or inside its transaction.
                Thread.Sleep(random.Next(50, 2000));
                seenAtKill = count;
                child.Kill(entireProcessTree: true);
                killed = true;
                break;
            }
            Thread.Sleep(25);
        }
        child.WaitForExit();
        output.WriteLine($"killed: {killed} after {clock.Elapsed.TotalSeconds:F1} s with {seenAtKill} claims seen; WAL {(File.Exists(registry + "-wal") ? new FileInfo(registry + "-wal").Length : 0):N0} bytes");
        output.WriteLine(stdout.Result);
        output.WriteLine(stderr.Result);
        Assert.True(killed, $"the child finished or never wrote before it could be killed: {stdout.Result} {stderr.Result}");
        Assert.DoesNotContain("finished", stdout.Result);

        long claims = Query<long>(registry, "SELECT count(*) FROM claims");
        long adds = Query<long>(registry, "SELECT count(*) FROM audit WHERE action = 'AddOptOut'");
        output.WriteLine($"after the kill: {claims} claims, {adds} AddOptOut audit rows");
        Assert.Equal(0, claims % BatchSize);
        Assert.True(claims >= seenAtKill);
        Assert.Equal(claims, adds);
        Assert.Equal(0L, Query<long>(registry, "SELECT count(*) FROM claims WHERE id NOT IN (SELECT record_id FROM audit WHERE record_id IS NOT NULL)"));
        Assert.Equal(0L, Query<long>(registry, "SELECT count(*) FROM audit WHERE action = 'AddOptOut' AND record_id NOT IN (SELECT id FROM claims)"));
        Assert.Equal(0L, Query<long>(registry, "SELECT count(*) FROM claims WHERE target NOT LIKE 'https://kill.example/%.jpg' OR reason IS NOT 'bulk'"));
        Assert.Equal(claims, Query<long>(registry, "SELECT count(DISTINCT target) FROM claims"));
        Assert.Equal("ok", Query<string>(registry, "PRAGMA integrity_check"));
        Assert.Equal(2L, Query<long>(registry, "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name IN ('claims_no_replace', 'audit_no_replace')"));

        // The registry opens (recovering the WAL) and takes new claims, which the killed batch did not block.
        using var store = RegistryStore.Open(registry, User);
        Assert.Equal("ok", Query<string>(registry, "PRAGMA integrity_check"));
        var next = store.AddClaims([UrlClaim("https://kill.example/after.jpg"), UrlClaim($"https://kill.example/{claims + 1}.jpg")], User);
        Assert.All(next, o => Assert.True(o.Added));
        Assert.Equal((claims + 2, 0L), store.Counts());
        Assert.Equal(claims + 2, store.History(action: "AddOptOut").LongCount());
    }

    private static long TryCount(string registry)
    {
        try
        {
            return Query<long>(registry, "SELECT count(*) FROM claims");
        }
        catch (Microsoft.Data.Sqlite.SqliteException)
        {
            return 0;   // not created yet, or the schema is being written
        }
    }
}
