using System.Diagnostics;
using OptOut.Core.Datasets;
using OptOut.Core.Fingerprinting;
using OptOut.Core.Urls;

namespace OptOut.Core.Index;

/// <summary>
/// Imports datasets shard by shard: each shard in one transaction, recorded so that a second run
/// skips it; a shard that cannot be read is reported and the others go on. Local images are
/// fingerprinted with the index's model as they are read.
/// </summary>
public sealed class TrainingSetImporter
{
    // Progress goes out every 2000 rows or every quarter second, whichever comes first: metadata
    // rows arrive by the hundred thousand a second, images a few dozen.
    private const int ProgressEveryRows = 2000;
    private static readonly TimeSpan ProgressInterval = TimeSpan.FromMilliseconds(250);

    private readonly IndexStore store;
    private readonly Fingerprinter? fingerprinter;
    private readonly string? embeddingModelId;
    private readonly Action<ImportEvent> report;

    /// <param name="fingerprinter">Fingerprints local images; null imports their metadata only.</param>
    /// <param name="embeddingModelId">The model that produced precomputed (.npy) embeddings.</param>
    public TrainingSetImporter(IndexStore store, Fingerprinter? fingerprinter, string? embeddingModelId, Action<ImportEvent> report)
    {
        this.store = store;
        this.fingerprinter = fingerprinter;
        this.embeddingModelId = embeddingModelId;
        this.report = e =>
        {
            try
            {
                report(e);
            }
            catch (Exception failure)
            {
                // The caller's own failure (it gave up): it stops the import, whatever its type.
                callerFailure = failure;
                throw;
            }
        };
    }

    private Exception? callerFailure;

    /// <summary>
    /// When set, each local image's features for verification are extracted by it while the image
    /// is decoded (Matching's <c>StoredFeatureExtraction.For</c>), and stored with its row
    /// (<see cref="IndexStore.GetLocalFeatures"/>), so a search verifies the row without extracting them.
    /// </summary>
    public Func<Imaging.DecodedImage, byte[]?>? LocalFeatureExtraction { get; init; }

    /// <summary>
    /// Imports the datasets under <paramref name="paths"/> on a worker thread and hands every event to
    /// <paramref name="observe"/> on the calling thread (a host such as PowerShell may write only from
    /// its own thread), then returns the summary.
    /// </summary>
    /// <param name="fingerprinter">Fingerprints local images; null imports their metadata only.</param>
    /// <param name="embeddingModelId">The model that produced precomputed (.npy) embeddings.</param>
    /// <param name="localFeatureExtraction">See <see cref="LocalFeatureExtraction"/>; null stores no features.</param>
    /// <exception cref="ModelMismatchException">The index was built with another model; nothing was written.</exception>
    public static ImportSummary Import(IndexStore store, string datasetName, IReadOnlyList<string> paths, Fingerprinter? fingerprinter, string? embeddingModelId,
        Func<Imaging.DecodedImage, byte[]?>? localFeatureExtraction, Action<ImportEvent> observe, CancellationToken cancellationToken)
    {
        using var events = new System.Collections.Concurrent.BlockingCollection<ImportEvent>();
        var importer = new TrainingSetImporter(store, fingerprinter, embeddingModelId, events.Add) { LocalFeatureExtraction = localFeatureExtraction };
        var work = Task.Run(() =>
        {
            try { return importer.Import(datasetName, paths, cancellationToken); }
            finally { events.CompleteAdding(); }
        }, CancellationToken.None);
        // Drained to the end even when cancelled: the worker stops at its next check and completes the queue.
        foreach (var e in events.GetConsumingEnumerable(CancellationToken.None)) observe(e);
        return work.GetAwaiter().GetResult();
    }

    /// <summary>Imports the shards at <paramref name="paths"/> into dataset <paramref name="datasetName"/>, shard by shard, each in one transaction; events go to the observer given at construction.</summary>
    public ImportSummary Import(string datasetName, IEnumerable<string> paths, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var shards = new List<IDatasetShard>();
        foreach (var path in paths)
        {
            try
            {
                shards.AddRange(DatasetDiscovery.Discover(path));
            }
            catch (Exception e) when (IsAboutTheData(e))
            {
                report(new ImportProblem(path, e is FileNotFoundException or DirectoryNotFoundException ? e : NamingTheFile(path, e)));
            }
        }

        // A model the index cannot take is refused before anything (even the dataset's name) is written.
        foreach (var shard in shards)
        {
            if (shard.CarriesEmbeddings && embeddingModelId is not null) store.CheckModel(embeddingModelId);
            else if (shard.HasLocalImages && fingerprinter is not null) store.CheckModel(fingerprinter.Model.ModelId);
        }

        // The dataset's row is written with its first shard (IndexStore.ImportShard), so an import
        // whose every shard fails leaves no empty dataset behind.
        var totals = new Totals();
        int imported = 0, already = 0, failed = 0;
        for (int s = 0; s < shards.Count; s++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var shard = shards[s];
            report(new ImportProgress(totals.Rows, totals.Skipped, totals.Errors, shard.Source, s, shards.Count));
            try
            {
                var result = ImportShard(datasetName, shard, totals, s, shards.Count, cancellationToken);
                if (result.AlreadyImported) already++; else imported++;
                report(new ImportShardDone(result));
            }
            catch (Exception e) when (IsAboutTheData(e) && e != callerFailure)
            {
                failed++;
                totals.Errors++;
                report(new ImportProblem(shard.Source, NamingTheFile(shard.Source, e)));
            }
        }
        return new ImportSummary(datasetName, totals.Rows, totals.Fingerprinted, totals.Skipped, totals.Errors, imported, already, failed, clock.Elapsed);
    }

    /// <summary>
    /// Whether a shard's failure is its own (whatever the reader threw on its bytes: a damaged file,
    /// a member too large for an array, a number out of range) so the other shards go on. Not:
    /// cancellation, memory exhaustion, a model the index cannot take, or the index itself failing
    /// (SQLite: a full disk or a damaged index would fail every shard the same way).
    /// </summary>
    internal static bool IsAboutTheData(Exception e) =>
        e is not (OperationCanceledException or OutOfMemoryException or InsufficientExecutionStackException
            or ModelMismatchException or Microsoft.Data.Sqlite.SqliteException);

    /// <summary>The failure as an error that names the user's file (an overflow's own message names nothing).</summary>
    private static DatasetFormatException NamingTheFile(string path, Exception e) =>
        e as DatasetFormatException ?? new DatasetFormatException(path, $"{e.Message} ({e.GetType().Name})", e);


    private sealed class Totals
    {
        public long Rows, Fingerprinted, Skipped, Errors;
    }

    private ShardResult ImportShard(string datasetName, IDatasetShard shard, Totals totals, int shardIndex, int shardCount, CancellationToken cancellationToken)
    {
        var identity = shard.Identity;
        if (store.FindDataset(datasetName) is { } datasetId && store.IsShardImported(datasetId, identity))
        {
            return new ShardResult(shard.Source, true, 0, 0, 0, 0);
        }

        bool hasImages = shard.HasLocalImages;
        string? modelId = null;
        if (shard.CarriesEmbeddings)
        {
            modelId = embeddingModelId ?? throw new DatasetFormatException(shard.Source,
                "precomputed embeddings need the model that produced them: pass -Model (or -ModelId).");
        }
        else if (hasImages && fingerprinter is not null)
        {
            modelId = fingerprinter.Model.ModelId;
        }
        if (modelId is not null) store.CheckModel(modelId);

        long rows = 0, fingerprinted = 0, skipped = 0, errors = 0;
        int reportedProblems = 0;
        var sinceReport = Stopwatch.StartNew();
        void ReportRowProblems()
        {
            for (; reportedProblems < shard.RowProblems.Count; reportedProblems++)
            {
                errors++;
                report(new ImportProblem(shard.Source, new SampleProblemException(shard.RowProblems[reportedProblems])));
            }
        }

        IEnumerable<ImportRow> Rows()
        {
            var source = shard.ReadRows(cancellationToken).Where(r =>
            {
                if (r.IsSuccess) return true;
                skipped++;
                return false;
            });
            var converted = hasImages && fingerprinter is not null
                ? Fingerprinted(source, cancellationToken)
                : ReadAhead(source.Select(r => ToIndexRow(r, null)), cancellationToken);
            foreach (var (row, failure) in converted.Select(x => x))
            {
                if (failure is not null)
                {
                    errors++;
                    report(new ImportProblem(failure.Value.Name, failure.Value.Error));
                }
                rows++;
                if (row.PerceptualHash is not null) fingerprinted++;
                if (rows % ProgressEveryRows == 0 || sinceReport.Elapsed >= ProgressInterval)
                {
                    sinceReport.Restart();
                    ReportRowProblems();
                    report(new ImportProgress(totals.Rows + rows, totals.Skipped + skipped, totals.Errors + errors, shard.Source, shardIndex, shardCount));
                }
                yield return row;
            }
            ReportRowProblems();
        }

        bool written = store.ImportShard(datasetName, shard.Source, identity, shard.Layout, Rows(), () => skipped, () => errors, modelId, cancellationToken);
        if (!written)
        {
            return new ShardResult(shard.Source, true, 0, 0, 0, 0);
        }
        totals.Rows += rows;
        totals.Fingerprinted += fingerprinted;
        totals.Skipped += skipped;
        totals.Errors += errors;
        return new ShardResult(shard.Source, false, rows, fingerprinted, skipped, errors);
    }

    // Metadata rows are read, parsed and their URLs normalised on a second thread while this one
    // writes to SQLite: on two cores that takes the .NET work off the inserting thread. Exceptions
    // from the reader (a damaged file) surface here, in order.
    private static IEnumerable<(ImportRow Row, (string Name, Exception Error)? Failure)> ReadAhead(
        IEnumerable<(ImportRow Row, (string Name, Exception Error)? Failure)> rows, CancellationToken cancellationToken)
    {
        using var buffer = new System.Collections.Concurrent.BlockingCollection<(ImportRow, (string, Exception)?)>(boundedCapacity: 8192);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Exception? failure = null;
        // Runs for the whole shard: a thread of its own rather than a pool worker held that long.
        var reader = Task.Factory.StartNew(() =>
        {
            try
            {
                foreach (var item in rows)
                {
                    if (item.Row.Url is { } url) item.Row.NormalizedUrl = UrlNormalizer.Normalize(url);
                    buffer.Add(item, stop.Token);
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
            }
            catch (Exception e)
            {
                failure = e;
            }
            finally
            {
                buffer.CompleteAdding();
            }
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        try
        {
            foreach (var item in buffer.GetConsumingEnumerable(cancellationToken)) yield return item;
            reader.GetAwaiter().GetResult();
            if (failure is not null) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
        }
        finally
        {
            // The consumer stopped early (an error while writing): let the reader finish.
            stop.Cancel();
            try { reader.Wait(CancellationToken.None); } catch (AggregateException) { }
        }
    }

    private IEnumerable<(ImportRow Row, (string Name, Exception Error)? Failure)> Fingerprinted(IEnumerable<SourceRow> rows, CancellationToken cancellationToken)
    {
        var withFeatures = LocalFeatureExtraction is { } extraction ? fingerprinter!.WithLocalFeatures(extraction) : fingerprinter!;
        using var pipeline = new FingerprintPipeline(withFeatures, cancellationToken: cancellationToken);
        foreach (var row in rows)
        {
            var name = row.ImageName ?? row.Key ?? "";
            if (row.ReadImage is { } read) pipeline.Submit(name, read, row);
            else pipeline.SubmitWithoutImage(name, row);
            while (pipeline.TryTake(out var ready)) yield return Convert(ready);
        }
        foreach (var outcome in pipeline.CompleteAndDrain()) yield return Convert(outcome);

        static (ImportRow, (string, Exception)?) Convert(FingerprintOutcome outcome) =>
            ToIndexRow((SourceRow)outcome.Tag!, outcome.Fingerprint, outcome.Error is null ? null : (outcome.Path, outcome.Error));
    }

    private static (ImportRow Row, (string Name, Exception Error)? Failure) ToIndexRow(SourceRow source, PictureFingerprint? fingerprint, (string, Exception)? failure = null)
    {
        var row = new ImportRow
        {
            Key = source.Key,
            Url = source.Url,
            Caption = source.Caption,
            Width = source.Width ?? fingerprint?.Width,
            Height = source.Height ?? fingerprint?.Height,
            Sha256 = fingerprint is not null ? System.Convert.FromHexString(fingerprint.Sha256) : source.Sha256,
            Md5 = fingerprint?.Md5 ?? source.Md5,
            PerceptualHash = fingerprint?.PerceptualHash,
            Embedding = fingerprint is not null ? HalfVectors.ToHalf(fingerprint.Embedding) : source.Embedding,
            Image = source.Image,
            LocalFeatures = source.Image is null ? null : fingerprint?.LocalFeatures,
        };
        return (row, failure);
    }
}
