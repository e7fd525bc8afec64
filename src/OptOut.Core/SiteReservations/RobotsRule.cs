namespace OptOut.Core.SiteReservations;

/// <summary>One allow or disallow line of a robots.txt group.</summary>
internal sealed record RobotsRule(bool Allow, PathPattern Pattern, int Line);
