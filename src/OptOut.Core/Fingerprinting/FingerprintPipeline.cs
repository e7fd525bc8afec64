using System.Collections.Concurrent;
using OptOut.Core.Imaging;

namespace OptOut.Core.Fingerprinting;

/// <summary>
/// Overlaps decoding and inference: files submitted are decoded in parallel on the thread pool
/// while one inference loop embeds them in submission order, so results come out in input order.
/// The caller's thread only submits and takes; a bounded window keeps memory flat.
/// </summary>
public sealed class FingerprintPipeline : IDisposable
{
    private readonly Fingerprinter fingerprinter;
    private readonly BlockingCollection<(string Path, Task<PreparedImage?> Work, object? Tag)> decoding;
    private readonly BlockingCollection<FingerprintOutcome> results = new();
    private readonly CancellationTokenSource cancellation;
    private readonly Task inferenceLoop;

    /// <param name="window">How many files may be decoded ahead of inference (2 x cores by default).</param>
    /// <param name="budget">Bounds the bytes the decodes in flight hold together (<see cref="DecodeBudget"/>; 1 GiB by default).</param>
    public FingerprintPipeline(Fingerprinter fingerprinter, int window = 0, DecodeBudget? budget = null, CancellationToken cancellationToken = default)
    {
        this.fingerprinter = fingerprinter;
        Budget = budget ?? new DecodeBudget();
        decoding = new BlockingCollection<(string, Task<PreparedImage?>, object?)>(window > 0 ? window : 2 * Environment.ProcessorCount);
        cancellation = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        inferenceLoop = Task.Factory.StartNew(RunInference, TaskCreationOptions.LongRunning);
    }

    /// <summary>
    /// The memory bound of the decodes in flight: the window bounds how many files are read ahead,
    /// the budget how many bytes their decodes hold at once, whatever their headers claim.
    /// </summary>
    public DecodeBudget Budget { get; }

    /// <summary>Queues a file. Blocks while the window is full; never blocks on unread results.</summary>
    public void Submit(string path)
    {
        var token = cancellation.Token;
        Submit(path, () => fingerprinter.Prepare(path, ImageLoader.ReadFile(path, fingerprinter.Limits), Budget, token), null);
    }

    /// <summary>Queues an image read by <paramref name="read"/>; the outcome carries <paramref name="tag"/>.</summary>
    public void Submit(string name, Func<byte[]> read, object? tag)
    {
        var token = cancellation.Token;
        Submit(name, () => fingerprinter.Prepare(name, read(), Budget, token), tag);
    }

    /// <summary>Queues an item with nothing to fingerprint, so it comes out in order with the others.</summary>
    public void SubmitWithoutImage(string name, object? tag)
    {
        var token = cancellation.Token;
        decoding.Add((name, Task.FromResult<PreparedImage?>(null), tag), token);
    }

    /// <summary>Queues an input that already failed (a missing path), so its error comes out in order.</summary>
    public void SubmitFailure(string name, Exception error, object? tag = null)
    {
        var token = cancellation.Token;
        decoding.Add((name, Task.FromException<PreparedImage?>(error), tag), token);
    }

    private void Submit(string name, Func<PreparedImage> prepare, object? tag)
    {
        var token = cancellation.Token;
        decoding.Add((name, Task.Run<PreparedImage?>(prepare, token), tag), token);
    }

    /// <summary>Queues a resolved input: a file to fingerprint, or the error that kept it from being one.</summary>
    public void Submit(string path, Exception? resolutionError)
    {
        if (resolutionError is null) Submit(path);
        else SubmitFailure(path, resolutionError);
    }

    /// <summary>The results that are ready, in submission order, without waiting.</summary>
    public IEnumerable<FingerprintOutcome> TakeReady()
    {
        while (TryTake(out var outcome)) yield return outcome;
    }

    /// <summary>The next result in submission order, if it is ready.</summary>
    public bool TryTake(out FingerprintOutcome outcome) => results.TryTake(out outcome!);

    /// <summary>No more files: yields every remaining result in order, waiting for each.</summary>
    public IEnumerable<FingerprintOutcome> CompleteAndDrain()
    {
        decoding.CompleteAdding();
        foreach (var outcome in results.GetConsumingEnumerable(cancellation.Token))
        {
            yield return outcome;
        }
        inferenceLoop.GetAwaiter().GetResult();
    }

    /// <summary>Stops decoding and inference; results not yet made are not made.</summary>
    public void Cancel() => cancellation.Cancel();

    private void RunInference()
    {
        try
        {
            foreach (var pending in decoding.GetConsumingEnumerable(cancellation.Token))
            {
                results.Add(Embed(pending));
            }
        }
        catch (OperationCanceledException)
        {
            // Stopped by the caller: what was not embedded is dropped.
        }
        finally
        {
            results.CompleteAdding();
        }
    }

    private FingerprintOutcome Embed((string Path, Task<PreparedImage?> Work, object? Tag) pending)
    {
        try
        {
            var prepared = pending.Work.GetAwaiter().GetResult();
            return new FingerprintOutcome(pending.Path, prepared is null ? null : fingerprinter.Complete(prepared), null, pending.Tag);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellation.IsCancellationRequested)
        {
            return new FingerprintOutcome(pending.Path, null, e, pending.Tag);
        }
    }

    /// <summary>Cancels what is still running, waits for it to stop and releases the queues.</summary>
    public void Dispose()
    {
        cancellation.Cancel();
        try { inferenceLoop.Wait(); } catch (AggregateException) { }
        decoding.Dispose();
        results.Dispose();
        cancellation.Dispose();
    }
}
