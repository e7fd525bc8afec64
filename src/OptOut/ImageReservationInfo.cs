using OptOut.Core.Signals;

namespace OptOut;

/// <summary>Output of Get-ImageReservation: what one file says about AI training, and where it says it.</summary>
public sealed class ImageReservationInfo
{
    public string Path { get; init; } = "";

    /// <summary>True when at least one signal in the file reserves it against AI/ML training (what the gate's Signal rule acts on).</summary>
    public bool ProhibitsTraining { get; init; }

    /// <summary>The IPTC code or C2PA entries, as the first signal that prohibits training gives them, else the first signal's.</summary>
    public string? Value { get; init; }

    /// <summary>Every signal found: IPTC plus:DataMining values and C2PA/CAWG training-mining assertions, with where each was found.</summary>
    public IReadOnlyList<EmbeddedSignal> Signals { get; init; } = [];
}
