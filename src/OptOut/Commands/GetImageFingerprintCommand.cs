using System.Management.Automation;
using OptOut.Core.Embedding;
using OptOut.Core.Fingerprinting;
using OptOut.Core.Imaging;
using OptOut.Infrastructure;

namespace OptOut.Commands;

/// <summary>Get-ImageFingerprint: SHA-256, perceptual hash and embedding of image files.</summary>
[Cmdlet(VerbsCommon.Get, "ImageFingerprint", DefaultParameterSetName = PathSet)]
[OutputType(typeof(ImageFingerprint))]
public sealed class GetImageFingerprintCommand : FileInputCommandBase, IDisposable
{

    private FingerprintPipeline? pipeline;
    private ProgressReporter? progress;
    private long done;

    /// <summary>Takes the images in folders and their subfolders.</summary>
    [Parameter]
    public SwitchParameter Recurse { get; set; }

    /// <summary>Adds the embedding vector to each output object.</summary>
    [Parameter]
    public SwitchParameter IncludeEmbedding { get; set; }

    /// <summary>An image model described by New-EmbeddingModel; the bundled ResNet18 when omitted.</summary>
    [Parameter]
    public EmbeddingModelSpec? Model { get; set; }

    [Parameter]
    [ValidateRange(1, long.MaxValue)]
    public long MaxPixels { get; set; } = ImageLimits.DefaultMaxPixels;

    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    public int MaxSide { get; set; } = ImageLimits.DefaultMaxSide;

    protected override void BeginProcessing()
    {
        var model = ModuleModels.OpenOrStop(this, Model);
        var limits = new ImageLimits { MaxPixels = MaxPixels, MaxSide = MaxSide };
        pipeline = new FingerprintPipeline(new Fingerprinter(model, limits));
        progress = new ProgressReporter(this, 1, "Fingerprinting images");
    }

    protected override void ProcessRecord()
    {
        foreach (var (file, error) in ResolveInputFiles(Recurse))
        {
            pipeline!.Submit(file, error);
            foreach (var outcome in pipeline.TakeReady()) Emit(outcome);
        }
    }

    protected override void EndProcessing()
    {
        foreach (var outcome in pipeline!.CompleteAndDrain())
        {
            Emit(outcome);
        }
        progress!.Complete();
    }

    protected override void StopProcessing() => pipeline?.Cancel();

    private void Emit(FingerprintOutcome outcome)
    {
        done++;
        if (outcome.Fingerprint is { } fingerprint)
        {
            WriteObject(ImageFingerprint.From(fingerprint, IncludeEmbedding));
        }
        else
        {
            WriteError(ErrorIds.ForFile(outcome.Error!, outcome.Path));
        }
        progress!.Report(done);
    }

    // Runs when the pipeline ends or is stopped; disposing here stops the background inference loop.
    public void Dispose() => pipeline?.Dispose();
}
