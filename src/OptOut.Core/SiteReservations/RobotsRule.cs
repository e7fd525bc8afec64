namespace OptOut.Core.SiteReservations;

/// <summary>One allow or disallow line of a robots.txt group.</summary>
public sealed record RobotsRule(bool Allow, PathPattern Pattern, int Line);
