using System.Collections.Concurrent;
using System.Management.Automation;
using OptOut.Core.Embedding;
using OptOut.Core.Fingerprinting;
using OptOut.Core.Imaging;
using OptOut.Core.Index;
using OptOut.Infrastructure;

namespace OptOut.Commands;

/// <summary>Import-TrainingSet: adds a LAION / img2dataset / clip-retrieval dataset or a folder of images to the index.</summary>
[Cmdlet(VerbsData.Import, "TrainingSet", DefaultParameterSetName = PathSet, SupportsShouldProcess = true)]
[OutputType(typeof(TrainingSetImportSummary))]
public sealed class ImportTrainingSetCommand : PSCmdlet
{
    private const string PathSet = "Path";
    private const string LiteralPathSet = "LiteralPath";

    private readonly List<string> paths = new();
    private readonly CancellationTokenSource cancellation = new();

    [Parameter(Mandatory = true, Position = 0, ParameterSetName = PathSet, ValueFromPipeline = true)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[] Path { get; set; } = [];

    [Parameter(Mandatory = true, ParameterSetName = LiteralPathSet, ValueFromPipelineByPropertyName = true)]
    [Alias("PSPath", "LP")]
    [ValidateNotNullOrEmpty]
    public string[] LiteralPath { get; set; } = [];

    /// <summary>The dataset's name in the index; the first path's name when omitted.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Name { get; set; }

    [Parameter]
    public string? IndexPath { get; set; }

    /// <summary>The model that fingerprints local images, and that produced any .npy embeddings.</summary>
    [Parameter]
    public EmbeddingModelSpec? Model { get; set; }

    /// <summary>For .npy embeddings whose ONNX model you do not have: the id to record them under.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? ModelId { get; set; }

    [Parameter]
    [ValidateRange(1, long.MaxValue)]
    public long MaxPixels { get; set; } = ImageLimits.DefaultMaxPixels;

    protected override void ProcessRecord()
    {
        bool literal = ParameterSetName == LiteralPathSet;
        paths.AddRange(DatasetPaths.Resolve(this, literal ? LiteralPath : Path, literal, WriteError));
    }

    protected override void EndProcessing()
    {
        if (paths.Count == 0) return;
        var indexPath = IndexPaths.Resolve(this, IndexPath);
        var dataset = Name ?? DatasetPaths.DefaultName(paths[0]);
        if (!ShouldProcess(indexPath, $"Import {string.Join(", ", paths)} as dataset '{dataset}'")) return;

        var model = ModuleModels.OpenOrStop(this, Model);
        var fingerprinter = new Fingerprinter(model, new ImageLimits { MaxPixels = MaxPixels });
        string? embeddingModelId = ModelId ?? (Model is null ? null : model.ModelId);

        using var store = IndexStore.Open(indexPath);
        var events = new BlockingCollection<ImportEvent>();
        var importer = new TrainingSetImporter(store, fingerprinter, embeddingModelId, events.Add);
        var work = Task.Run(() =>
        {
            try { return importer.Import(dataset, paths, cancellation.Token); }
            finally { events.CompleteAdding(); }
        });

        var progress = new ProgressReporter(this, 2, $"Importing '{dataset}'");
        foreach (var e in events.GetConsumingEnumerable())
        {
            switch (e)
            {
                case ImportProgress p:
                    var eta = p.ShardsDone > 0 && p.ShardsTotal > p.ShardsDone
                        ? $", about {TimeSpan.FromSeconds(progress.Elapsed.TotalSeconds / p.ShardsDone * (p.ShardsTotal - p.ShardsDone)):hh\\:mm\\:ss} left"
                        : "";
                    progress.Report(p.Rows, null, "rows",
                        $", shard {p.ShardsDone + 1} of {p.ShardsTotal}, {p.Skipped:N0} skipped, {p.Errors:N0} errors{eta}: {System.IO.Path.GetFileName(p.CurrentShard)}");
                    break;
                case ImportProblem problem:
                    WriteError(ForProblem(problem));
                    break;
                case ImportShardDone done when done.Result.AlreadyImported:
                    WriteVerbose($"{done.Result.Source}: already imported, skipped.");
                    break;
                case ImportShardDone done:
                    WriteVerbose($"{done.Result.Source}: {done.Result.Rows:N0} rows, {done.Result.Fingerprinted:N0} fingerprinted, {done.Result.Skipped:N0} skipped, {done.Result.Errors:N0} errors.");
                    break;
            }
        }
        progress.Complete();

        ImportSummary summary;
        try
        {
            summary = work.GetAwaiter().GetResult();
        }
        catch (ModelMismatchException e)
        {
            ThrowTerminatingError(ErrorIds.Record(e, IndexPaths.ModelMismatch, ErrorCategory.InvalidData, indexPath,
                "Import into another -IndexPath, or pass the -Model the index was built with."));
            return;
        }
        catch (OperationCanceledException)
        {
            return;
        }

        WriteObject(new TrainingSetImportSummary
        {
            Dataset = summary.Dataset,
            Rows = summary.Rows,
            ImagesFingerprinted = summary.Fingerprinted,
            Skipped = summary.Skipped,
            Errors = summary.Errors,
            ShardsImported = summary.ShardsImported,
            ShardsAlreadyImported = summary.ShardsAlreadyImported,
            ShardsFailed = summary.ShardsFailed,
            Elapsed = summary.Elapsed,
            RowsPerSecond = Math.Round(summary.Rows / Math.Max(summary.Elapsed.TotalSeconds, 1e-3), 1),
            IndexPath = indexPath,
        });
    }

    protected override void StopProcessing() => cancellation.Cancel();

    private static ErrorRecord ForProblem(ImportProblem problem) => problem.Error switch
    {
        SampleProblemException e => ErrorIds.Record(e, IndexPaths.SampleFailed, ErrorCategory.ObjectNotFound, problem.Target, null),
        ImageFileException e => ErrorIds.ForFile(e, problem.Target),
        DatasetFormatException e => ErrorIds.Record(e, IndexPaths.DatasetReadFailed, ErrorCategory.InvalidData, e.Path,
            "Check the file; the other shards were imported, and running the command again imports only what is missing."),
        FileNotFoundException e => ErrorIds.Record(e, ErrorIds.FileNotFound, ErrorCategory.ObjectNotFound, problem.Target, null),
        var e => ErrorIds.Record(e, IndexPaths.DatasetReadFailed, ErrorCategory.ReadError, problem.Target, null),
    };
}
