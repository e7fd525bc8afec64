namespace OptOut.Core.Imaging;

/// <summary>
/// Bounds the memory that images decoded at the same time hold, in bytes (an estimate made from the
/// header before any pixel is decoded: <see cref="ImageLoader.EstimateDecodeBytes"/>). A decode waits
/// until its bytes fit beside those already reserved; one larger than the whole budget waits until
/// nothing else is reserved and then runs alone, so every image that passes the limits is decoded.
/// A per-image limit alone let a window of 2 x cores small files, each claiming 90 megapixels, hold
/// a gigabyte each (issue 12); with the budget the decodes in flight hold at most
/// max(<see cref="Capacity"/>, the largest single image). Thread-safe.
/// </summary>
public sealed class DecodeBudget
{
    /// <summary>
    /// 1 GiB of decoded images in flight by default: a single image at the default pixel limit costs
    /// about 700 MB to decode (docs/fingerprints.md, "Memory while decoding"), so the largest image
    /// allowed still runs beside small ones, while ordinary photos (12 megapixels, about 100 MB) still
    /// decode on 10 cores at once.
    /// </summary>
    public const long DefaultCapacityBytes = 1L << 30;

    private readonly object gate = new();
    private long reserved;
    private int holders;

    /// <summary>A budget of <paramref name="capacityBytes"/> bytes of decoded images in flight (at least 1).</summary>
    public DecodeBudget(long capacityBytes = DefaultCapacityBytes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacityBytes, 1);
        Capacity = capacityBytes;
    }

    /// <summary>Bytes of decoded images the budget lets be in flight at once.</summary>
    public long Capacity { get; }

    /// <summary>Bytes reserved now.</summary>
    public long Reserved
    {
        get { lock (gate) return reserved; }
    }

    /// <summary>The most bytes ever reserved at once (for tests and benchmarks).</summary>
    public long PeakReserved { get; private set; }

    /// <summary>The most reservations ever held at once.</summary>
    public int PeakHolders { get; private set; }

    /// <summary>How many reservations had to wait for others to be released.</summary>
    public long Waits { get; private set; }

    /// <summary>
    /// Waits until <paramref name="bytes"/> fit (or nothing else is reserved), then reserves them
    /// until the returned lease is disposed.
    /// </summary>
    public IDisposable Reserve(long bytes, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        lock (gate)
        {
            bool waited = false;
            while (holders > 0 && reserved + bytes > Capacity)
            {
                waited = true;
                cancellationToken.ThrowIfCancellationRequested();
                // Woken by every release; the timeout re-checks cancellation (nothing signals it here).
                Monitor.Wait(gate, TimeSpan.FromMilliseconds(200));
            }
            if (waited) Waits++;
            reserved += bytes;
            holders++;
            PeakReserved = Math.Max(PeakReserved, reserved);
            PeakHolders = Math.Max(PeakHolders, holders);
        }
        return new Lease(this, bytes);
    }

    private void Release(long bytes)
    {
        lock (gate)
        {
            reserved -= bytes;
            holders--;
            Monitor.PulseAll(gate);
        }
    }

    private sealed class Lease(DecodeBudget budget, long bytes) : IDisposable
    {
        private int disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref disposed, 1) == 0) budget.Release(bytes);
        }
    }
}
