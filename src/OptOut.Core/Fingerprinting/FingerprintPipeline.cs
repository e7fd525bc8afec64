using System.Collections.Concurrent;

namespace OptOut.Core.Fingerprinting;

/// <summary>
/// Overlaps decoding and inference: files submitted are decoded in parallel on the thread pool
/// while one inference loop embeds them in submission order, so results come out in input order.
/// The caller's thread only submits and takes; a bounded window keeps memory flat.
/// </summary>
public sealed class FingerprintPipeline : IDisposable
{
    private readonly Fingerprinter fingerprinter;
    private readonly BlockingCollection<(string Path, Task<PreparedImage> Work)> decoding;
    private readonly BlockingCollection<FingerprintOutcome> results = new();
    private readonly CancellationTokenSource cancellation;
    private readonly Task inferenceLoop;

    /// <param name="window">How many files may be decoded ahead of inference (2 x cores by default).</param>
    public FingerprintPipeline(Fingerprinter fingerprinter, int window = 0, CancellationToken cancellationToken = default)
    {
        this.fingerprinter = fingerprinter;
        decoding = new BlockingCollection<(string, Task<PreparedImage>)>(window > 0 ? window : 2 * Environment.ProcessorCount);
        cancellation = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        inferenceLoop = Task.Factory.StartNew(RunInference, TaskCreationOptions.LongRunning);
    }

    /// <summary>Queues a file. Blocks while the window is full; never blocks on unread results.</summary>
    public void Submit(string path)
    {
        var token = cancellation.Token;
        decoding.Add((path, Task.Run(() => fingerprinter.Prepare(path), token)), token);
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

    private FingerprintOutcome Embed((string Path, Task<PreparedImage> Work) pending)
    {
        try
        {
            var prepared = pending.Work.GetAwaiter().GetResult();
            return new FingerprintOutcome(pending.Path, fingerprinter.Complete(prepared), null);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellation.IsCancellationRequested)
        {
            return new FingerprintOutcome(pending.Path, null, e);
        }
    }

    public void Dispose()
    {
        cancellation.Cancel();
        try { inferenceLoop.Wait(); } catch (AggregateException) { }
        decoding.Dispose();
        results.Dispose();
        cancellation.Dispose();
    }
}
