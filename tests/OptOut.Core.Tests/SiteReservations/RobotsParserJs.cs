using System.Diagnostics;
using System.Text.Json;

namespace OptOut.Core.Tests.SiteReservations;

/// <summary>
/// npm's robots-parser 3.0.1 (tests/interop/robots, installed with npm ci by build.ps1 Test): an
/// independent robots.txt reader to compare OptOut's decisions with.
/// </summary>
internal static class RobotsParserJs
{
    private static string Folder => Path.Combine(TestEnvironment.RepositoryRoot, "tests", "interop", "robots");

    public static string SkipReason =>
        !File.Exists(Path.Combine(Folder, "node_modules", "robots-parser", "package.json")) ? "robots-parser is not installed (build.ps1 Test runs npm ci in tests/interop/robots)"
        : TestEnvironment.FindOnPath("node") is null ? "node is not installed" : "";

    public static bool[] Decide(string robots, IEnumerable<(string Agent, string Url)> queries)
    {
        var start = new ProcessStartInfo(TestEnvironment.FindOnPath("node")!, "decide.mjs") { WorkingDirectory = Folder, RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start)!;
        process.StandardInput.Write(JsonSerializer.Serialize(new { robots, queries = queries.Select(q => new { agent = q.Agent, url = q.Url }) }));
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEnd();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0) throw new InvalidOperationException($"decide.mjs failed: {error}");
        return JsonSerializer.Deserialize<bool[]>(output)!;
    }
}
