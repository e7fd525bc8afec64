using PuppeteerSharp;

namespace OptOut.Core.Tests.Reports;

/// <summary>The machine's own Chromium (Debian's chromium, installed by build.ps1's Test task), driven by PuppeteerSharp; never a downloaded browser.</summary>
internal static class Chromium
{
    public static string? Executable { get; } =
        Environment.GetEnvironmentVariable("OPTOUT_CHROMIUM") is { Length: > 0 } given && File.Exists(given) ? given
        : File.Exists("/usr/bin/chromium") ? "/usr/bin/chromium"
        : TestEnvironment.FindOnPath("chromium") ?? TestEnvironment.FindOnPath("chromium-browser");

    public const string SkipReason = "Chromium is not installed (Debian: apt-get install -y chromium; build.ps1 Test installs it): the report's browser tests need a real browser.";

    public static Task<IBrowser> LaunchAsync(string downloads) => Puppeteer.LaunchAsync(new LaunchOptions
    {
        ExecutablePath = Executable,
        Headless = true,
        // Root in a container has no user namespace for Chromium's sandbox.
        Args = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run", "--disable-extensions"],
        DownloadBehavior = new DownloadBehavior { Policy = DownloadPolicy.Allow, DownloadPath = downloads },
        Timeout = 60_000,
    });
}

/// <summary>A test that needs Chromium: skipped, visibly and with the reason, where it is not installed.</summary>
public sealed class ChromiumFactAttribute : FactAttribute
{
    public ChromiumFactAttribute()
    {
        if (Chromium.Executable is null) Skip = Chromium.SkipReason;
    }
}
