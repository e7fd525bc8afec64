using System.Management.Automation;
using OptOut.Core.Embedding;
using OptOut.Core.Imaging;
using OptOut.Infrastructure;

namespace OptOut.Commands;

/// <summary>
/// What the commands that read a training set share: the dataset paths (wildcards or literal, from
/// the pipeline), its name, the model for local images and precomputed embeddings, the decoding
/// limit, and stopping on Ctrl+C.
/// </summary>
public abstract class DatasetCommandBase : PSCmdlet, IDisposable
{
    protected const string PathSet = "Path";
    protected const string LiteralPathSet = "LiteralPath";

    private readonly CancellationTokenSource cancellation = new();
    protected List<string> Paths { get; } = new();

    [Parameter(Mandatory = true, Position = 0, ParameterSetName = PathSet, ValueFromPipeline = true)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[] Path { get; set; } = [];

    [Parameter(Mandatory = true, ParameterSetName = LiteralPathSet, ValueFromPipelineByPropertyName = true)]
    [Alias("PSPath", "LP")]
    [ValidateNotNullOrEmpty]
    public string[] LiteralPath { get; set; } = [];

    /// <summary>The dataset's name; the first path's name when omitted.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Name { get; set; }

    /// <summary>The model that fingerprints local images, and that produced any .npy embeddings.</summary>
    [Parameter]
    public EmbeddingModelSpec? Model { get; set; }

    /// <summary>For .npy embeddings whose ONNX model you do not have: the id they (and matching claims) are recorded under.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? ModelId { get; set; }

    [Parameter]
    [ValidateRange(1, long.MaxValue)]
    public long MaxPixels { get; set; } = ImageLimits.DefaultMaxPixels;

    protected CancellationToken Cancellation => cancellation.Token;

    protected string DatasetName => Name ?? DatasetPaths.DefaultName(Paths[0]);

    protected override void ProcessRecord()
    {
        bool literal = ParameterSetName == LiteralPathSet;
        Paths.AddRange(DatasetPaths.Resolve(this, literal ? LiteralPath : Path, literal, OnInputError));
    }

    protected override void StopProcessing() => cancellation.Cancel();

    /// <summary>An input that could not be used at all (a missing path, an unrecognised layout).</summary>
    protected virtual void OnInputError(ErrorRecord record) => WriteError(record);

    // PowerShell disposes a cmdlet when its pipeline ends or is stopped.
    public void Dispose()
    {
        cancellation.Dispose();
        GC.SuppressFinalize(this);
    }
}
