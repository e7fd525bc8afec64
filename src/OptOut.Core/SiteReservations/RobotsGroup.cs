namespace OptOut.Core.SiteReservations;

/// <summary>A robots.txt group: the user agents it names and its rules, in file order.</summary>
internal sealed record RobotsGroup(IReadOnlyList<string> UserAgents, IReadOnlyList<RobotsRule> Rules, int FirstLine);
