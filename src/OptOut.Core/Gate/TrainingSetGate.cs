using System.Collections.Concurrent;
using OptOut.Core.Datasets;

namespace OptOut.Core.Gate;

/// <summary>
/// Checks a training set against the registry's claims without importing it: shards are read in
/// parallel (each streamed, a row group or a batch at a time, so memory does not grow with the
/// dataset), findings come back as events on the caller's thread. A bounded queue between the
/// workers and the caller makes a slow consumer slow the workers instead of filling memory.
/// </summary>
public sealed class TrainingSetGate
{
    private readonly GateSettings settings;

    /// <summary>A gate that checks shards with <paramref name="settings"/>.</summary>
    public TrainingSetGate(GateSettings settings) => this.settings = settings;

    internal GateCounters Counters { get; } = new();

    /// <param name="afterShard">
    /// Runs on the worker once a shard is checked without a failure (the clean copy is written and
    /// read back there) and returns the rows the copy holds; its failure fails the shard.
    /// </param>
    /// <param name="tick">How long to wait for an event before yielding a <see cref="GateTick"/>.</param>
    internal IEnumerable<GateEvent> Run(IReadOnlyList<IDatasetShard> shards, int throttleLimit, Func<IDatasetShard, ShardCheckResult, RemovedRows, long>? afterShard,
        TimeSpan tick, CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var events = new BlockingCollection<GateEvent>(boundedCapacity: 4096);
        int nextShard = -1;
        int workerCount = Math.Max(1, Math.Min(throttleLimit, shards.Count));
        int running = workerCount;

        void Work()
        {
            try
            {
                int index;
                while (!stop.IsCancellationRequested && (index = Interlocked.Increment(ref nextShard)) < shards.Count)
                {
                    var shard = shards[index];
                    var checker = new ShardChecker(settings, shard, e => events.Add(e, stop.Token), Counters);
                    var result = checker.Run(stop.Token);
                    if (result.Failure is null && afterShard is not null)
                    {
                        try
                        {
                            result = result with { RowsWritten = afterShard(shard, result, checker.Removed) };
                        }
                        catch (Exception e) when (e is not OperationCanceledException)
                        {
                            result = result with { Failure = e };
                        }
                    }
                    Counters.ShardDone();
                    events.Add(new ShardChecked(result), stop.Token);
                }
            }
            catch (OperationCanceledException)
            {
                // Stopped: the caller has gone or cancelled; nothing more is reported.
            }
            finally
            {
                if (Interlocked.Decrement(ref running) == 0) events.CompleteAdding();
            }
        }

        var workers = Enumerable.Range(0, workerCount).Select(_ => Task.Factory.StartNew(Work, TaskCreationOptions.LongRunning)).ToArray();
        try
        {
            while (!events.IsCompleted)
            {
                GateEvent? next;
                try
                {
                    if (!events.TryTake(out next, (int)tick.TotalMilliseconds, cancellationToken)) next = events.IsCompleted ? null : GateTick.Instance;
                }
                catch (OperationCanceledException)
                {
                    yield break;
                }
                if (next is not null) yield return next;
            }
        }
        finally
        {
            // The caller may stop reading early (Select-Object -First, Ctrl+C): stop the workers and
            // wait, so no shard is still being written when the command returns.
            stop.Cancel();
            Task.WaitAll(workers.Select(w => w.ContinueWith(_ => { }, CancellationToken.None)).ToArray(), CancellationToken.None);
        }
        foreach (var worker in workers) worker.GetAwaiter().GetResult();
    }

    /// <summary>
    /// Checks the shards and decides whether the set is clean. Each event is handed to
    /// <paramref name="observe"/> on the caller's thread, as it comes, after the verdict has seen it.
    /// </summary>
    /// <param name="unreadPaths">Paths the caller could not read a dataset from: with any, the set is not clean.</param>
    public GateVerdict Check(IReadOnlyList<IDatasetShard> shards, int unreadPaths, int throttleLimit, TimeSpan tick, Action<GateEvent> observe,
        CancellationToken cancellationToken)
    {
        var verdict = new GateVerdict(unreadPaths, shards.Count);
        foreach (var e in Run(shards, throttleLimit, null, tick, cancellationToken))
        {
            verdict.Observe(e);
            observe(e);
        }
        verdict.Cancelled = cancellationToken.IsCancellationRequested;
        verdict.Complete(Counters);
        return verdict;
    }

    /// <summary>
    /// Checks the shards and writes each one's clean copy under <paramref name="staging"/> (read back
    /// and checked again there), the removed rows into <paramref name="report"/>, and, when every
    /// shard was written and <paramref name="source"/> is a folder, the folder's other files. Nothing
    /// is published here: the caller commits the staging folder only when the outcome is
    /// <see cref="CleanCopyOutcome.Publishable"/>.
    /// </summary>
    /// <param name="source">The path the user named (a folder, or one shard file).</param>
    public CleanCopyOutcome ExportClean(IReadOnlyList<IDatasetShard> shards, string source, string staging, RemovalReport report, int throttleLimit, TimeSpan tick,
        Action<GateEvent> observe, CancellationToken cancellationToken)
    {
        var root = DatasetDiscovery.RootOf(source);
        var writer = new CleanCopyWriter(root, staging, settings);
        var outcome = new CleanCopyOutcome();
        foreach (var e in Run(shards, throttleLimit, (shard, result, removed) => writer.Write(shard, result, removed, cancellationToken), tick, cancellationToken))
        {
            outcome.Observe(e, report, root);
            observe(e);
        }
        outcome.Cancelled = cancellationToken.IsCancellationRequested;
        if (outcome.Publishable && Directory.Exists(root) && File.GetAttributes(source).HasFlag(FileAttributes.Directory))
        {
            outcome.AddLeftOut(writer.CopyOtherFiles());
        }
        return outcome;
    }

    /// <summary>Whether a clean copy at <paramref name="destination"/> and the dataset at <paramref name="source"/> overlap (one inside the other).</summary>
    public static bool Overlaps(string source, string destination) =>
        IsInside(source, destination) || (Directory.Exists(source) && IsInside(destination, source));

    private static bool IsInside(string path, string folder)
    {
        var relative = Path.GetRelativePath(Path.GetFullPath(folder), Path.GetFullPath(path));
        return relative == "." || (!relative.StartsWith("..", StringComparison.Ordinal) && !Path.IsPathRooted(relative));
    }
}
