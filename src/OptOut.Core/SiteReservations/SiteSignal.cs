namespace OptOut.Core.SiteReservations;

/// <summary>One site-level signal about a URL: which file or header said it, whether it reserves the URL against AI training, and the line or rule that decided.</summary>
public sealed record SiteSignal(string Source, bool Reserves, string Detail);
