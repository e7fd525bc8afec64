namespace OptOut.Core.SiteReservations;

/// <summary>
/// Spawning's ai.txt: robots.txt syntax addressed to every AI dataset tool ("User-Agent: *"), read with
/// the same matching rules.
/// </summary>
public static class AiTxtFile
{
    /// <summary>An ai.txt that disallows <paramref name="paths"/> (robots.txt path patterns) to every AI dataset tool.</summary>
    public static string Write(IReadOnlyList<string> paths)
    {
        var lines = new List<string>
        {
            "# Spawning AI",
            "# Prevent datasets from using the following files (written by OptOut's New-SiteReservation)",
            "User-Agent: *",
        };
        lines.AddRange(paths.Select(p => "Disallow: " + p));
        return string.Join('\n', lines) + "\n";
    }

    internal static RobotsDecision Decide(RobotsTxt aiTxt, string pathAndQuery) => aiTxt.Decide("*", pathAndQuery);
}
