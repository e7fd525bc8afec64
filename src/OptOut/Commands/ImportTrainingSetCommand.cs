using System.Management.Automation;
using OptOut.Core.Embedding;
using OptOut.Core.Fingerprinting;
using OptOut.Core.Imaging;
using OptOut.Core.Index;
using OptOut.Core.Matching;
using OptOut.Infrastructure;
using OptOut.Core.Datasets;

namespace OptOut.Commands;

/// <summary>Import-TrainingSet: adds a LAION / img2dataset / clip-retrieval dataset or a folder of images to the index.</summary>
[Cmdlet(VerbsData.Import, "TrainingSet", DefaultParameterSetName = PathSet, SupportsShouldProcess = true)]
[OutputType(typeof(TrainingSetImportSummary))]
public sealed class ImportTrainingSetCommand : DatasetCommandBase
{
    [Parameter]
    public string? IndexPath { get; set; }

    /// <summary>Also stores each local image's features for verification, so searches verify its row without extracting them.</summary>
    [Parameter]
    public SwitchParameter LocalFeatures { get; set; }

    protected override void EndProcessing()
    {
        if (Paths.Count == 0) return;
        var indexPath = IndexAccess.Resolve(this, IndexPath);
        var dataset = DatasetName;
        if (!ShouldProcess(indexPath, $"Import {string.Join(", ", Paths)} as dataset '{dataset}'")) return;

        var model = ModuleModels.OpenOrStop(this, Model);
        var fingerprinter = new Fingerprinter(model, new ImageLimits { MaxPixels = MaxPixels });
        string? embeddingModelId = ModelId ?? (Model is null ? null : model.ModelId);

        using var store = IndexAccess.OpenForImport(this, indexPath);
        var localFeatures = LocalFeatures ? StoredFeatureExtraction.For(VerifierOptions.Default) : null;
        var progress = new ProgressReporter(this, 2, $"Importing '{dataset}'");
        ImportSummary summary;
        try
        {
            summary = TrainingSetImporter.Import(store, dataset, Paths, fingerprinter, embeddingModelId, localFeatures, e => Report(e, progress), Cancellation);
        }
        catch (ModelMismatchException e)
        {
            progress.Complete();
            ThrowTerminatingError(ErrorIds.Record(e, ErrorIds.ModelMismatch, ErrorCategory.InvalidData, indexPath,
                "Import into another -IndexPath, or pass the -Model the index was built with."));
            return;
        }
        catch (OperationCanceledException)
        {
            progress.Complete();
            return;
        }
        progress.Complete();

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
            RowsPerSecond = summary.RowsPerSecond,
            IndexPath = indexPath,
        });
    }

    /// <summary>Shows an import event: progress, a problem as an error, a shard's summary.</summary>
    private void Report(ImportEvent e, ProgressReporter progress)
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

    private static ErrorRecord ForProblem(ImportProblem problem) => problem.Error switch
    {
        SampleProblemException e => ErrorIds.Record(e, ErrorIds.SampleFailed, ErrorCategory.ObjectNotFound, problem.Target, null),
        ImageFileException e => ErrorIds.ForFile(e, problem.Target),
        DatasetFormatException e => ErrorIds.Record(e, ErrorIds.DatasetReadFailed, ErrorCategory.InvalidData, e.Path,
            "Check the file; the other shards were imported, and running the command again imports only what is missing."),
        FileNotFoundException e => ErrorIds.Record(e, ErrorIds.FileNotFound, ErrorCategory.ObjectNotFound, problem.Target, null),
        var e => ErrorIds.Record(e, ErrorIds.DatasetReadFailed, ErrorCategory.ReadError, problem.Target, null),
    };
}
