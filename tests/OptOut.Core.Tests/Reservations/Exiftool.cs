using System.Diagnostics;
using System.Text.Json;

namespace OptOut.Core.Tests.Reservations;

/// <summary>
/// Debian's exiftool (libimage-exiftool-perl, installed by build.ps1 for the tests): an independent
/// reader of what OptOut writes. Version 12.57 predates plus:DataMining, so the fixtures' config defines it.
/// </summary>
internal static class Exiftool
{
    public static string? Executable { get; } = TestEnvironment.FindOnPath("exiftool");

    public static string SkipReason => Executable is null ? "exiftool is not installed (build.ps1 Test installs libimage-exiftool-perl when run as root)" : "";

    private static string Config => Path.Combine(TestEnvironment.RepositoryRoot, "tests", "fixtures", "signals", "plus-datamining.config");

    /// <summary>The tags exiftool reads from the file (-j -G1: names like "XMP-plus:DataMining"), with its warnings.</summary>
    public static Dictionary<string, JsonElement> Read(string file)
    {
        var start = new ProcessStartInfo(Executable!) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { "-config", Config, "-j", "-G1", "-struct", "-a", file }) start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd();
        process.StandardError.ReadToEnd();
        process.WaitForExit();
        using var json = JsonDocument.Parse(output);
        return json.RootElement[0].EnumerateObject().ToDictionary(p => p.Name, p => p.Value.Clone());
    }
}
