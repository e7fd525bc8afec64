namespace OptOut.Core.Signals;

/// <summary>
/// The signals of one file, in the order found, each reported once and at most
/// <see cref="SignalLimits.MaxSignals"/> of them.
/// </summary>
internal sealed class SignalCollector
{
    private readonly List<EmbeddedSignal> signals = new();
    private readonly HashSet<EmbeddedSignal> seen = new();

    public bool IsFull => signals.Count >= SignalLimits.MaxSignals;

    public void Add(EmbeddedSignal signal)
    {
        if (!IsFull && seen.Add(signal)) signals.Add(signal);
    }

    public IReadOnlyList<EmbeddedSignal> ToList() => signals.ToArray();
}
