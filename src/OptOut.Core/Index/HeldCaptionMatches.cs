namespace OptOut.Core.Index;

/// <summary>Matches held by the readers of one search, against its limit (counted in batches: a shared count a row would cost the two cores).</summary>
internal sealed class HeldCaptionMatches(int limit)
{
    public const int Batch = 1_024;
    private long count;
    private volatile bool stopped;

    public bool Overflowed { get; private set; }

    /// <summary>Counts <paramref name="rows"/> more; false when the search must stop (too many, or stopped).</summary>
    public bool Add(int rows)
    {
        if (Interlocked.Add(ref count, rows) > limit)
        {
            Overflowed = true;
            stopped = true;
        }
        return !stopped;
    }

    public void Stop() => stopped = true;
}
