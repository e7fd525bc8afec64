using OptOut.Core.SiteReservations;

namespace OptOut;

/// <summary>Output of Test-SiteReservation: whether a site's own files and headers reserve one URL against AI training, and which.</summary>
public sealed class SiteReservationVerdict
{
    public string Url { get; init; } = "";

    /// <summary>True when at least one signal reserves the URL.</summary>
    public bool Reserved { get; init; }

    /// <summary>The sources that reserve it (robots.txt, ai.txt, tdmrep.json, a header).</summary>
    public string[] ReservedBy { get; init; } = [];

    /// <summary>Every signal read for the URL, reserving or not, with the line or rule that decided.</summary>
    public IReadOnlyList<SiteSignal> Signals { get; init; } = [];
}
