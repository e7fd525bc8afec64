namespace OptOut.Core.SiteReservations;

/// <summary>What a robots.txt says of one path for one crawler, and the rule that decided it (none: no rule matched, so allowed).</summary>
internal sealed record RobotsDecision(bool Allowed, RobotsRule? Rule, string? GroupAgent);
