using System.Management.Automation;
using OptOut.Core.Embedding;
using OptOut.Infrastructure;

namespace OptOut.Commands;

/// <summary>
/// New-EmbeddingModel: describes an ONNX image encoder (a CLIP visual tower, say) for -Model. The
/// model is loaded and run once here, so a wrong file or description fails now, not mid-import.
/// </summary>
[Cmdlet(VerbsCommon.New, "EmbeddingModel")]
[OutputType(typeof(EmbeddingModelSpec))]
public sealed class NewEmbeddingModelCommand : PSCmdlet
{
    public enum Preset
    {
        /// <summary>Pixels scaled to 0..1 with no mean or std; stretched to the input size.</summary>
        None,

        /// <summary>OpenAI/OpenCLIP preprocessing: centre crop, CLIP mean and std.</summary>
        Clip,

        /// <summary>torchvision ImageNet preprocessing: mean 0.485/0.456/0.406, std 0.229/0.224/0.225, stretched.</summary>
        ImageNet,
    }

    [Parameter(Mandatory = true, Position = 0)]
    [Alias("PSPath")]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = "";

    /// <summary>Short name; the file name without extension when omitted.</summary>
    [Parameter]
    public string? Name { get; set; }

    [Parameter]
    public Preset Normalization { get; set; } = Preset.Clip;

    /// <summary>Square input size in pixels (224 for most CLIP ViT-B and ResNet models, 336 for ViT-L/14@336).</summary>
    [Parameter]
    [ValidateRange(8, 4096)]
    public int InputSize { get; set; } = 224;

    [Parameter]
    public string? InputName { get; set; }

    /// <summary>The output holding the image embedding (for example 'image_embeds' or 'pooler_output').</summary>
    [Parameter]
    public string? OutputName { get; set; }

    /// <summary>Overrides the preset's per-channel mean (R, G, B, in 0..1 units).</summary>
    [Parameter]
    [ValidateCount(3, 3)]
    public float[]? Mean { get; set; }

    /// <summary>Overrides the preset's per-channel standard deviation (R, G, B, in 0..1 units).</summary>
    [Parameter]
    [ValidateCount(3, 3)]
    public float[]? Std { get; set; }

    /// <summary>Overrides the preset's resize: Stretch (whole picture) or CenterCrop.</summary>
    [Parameter]
    public ResizeMode? Resize { get; set; }

    protected override void EndProcessing()
    {
        var onnxPath = SessionState.Path.GetUnresolvedProviderPathFromPSPath(Path);
        var (mean, std, resize) = Normalization switch
        {
            Preset.Clip => (EmbeddingModelSpec.ClipMean, EmbeddingModelSpec.ClipStd, ResizeMode.CenterCrop),
            Preset.ImageNet => (new[] { 0.485f, 0.456f, 0.406f }, new[] { 0.229f, 0.224f, 0.225f }, ResizeMode.Stretch),
            _ => (new[] { 0f, 0f, 0f }, new[] { 1f, 1f, 1f }, ResizeMode.Stretch),
        };
        var spec = new EmbeddingModelSpec
        {
            Name = Name ?? System.IO.Path.GetFileNameWithoutExtension(onnxPath),
            OnnxPath = onnxPath,
            InputName = InputName,
            OutputName = OutputName,
            InputWidth = InputSize,
            InputHeight = InputSize,
            Mean = Mean ?? mean,
            Std = Std ?? std,
            Resize = Resize ?? resize,
        };
        ModuleModels.OpenOrStop(this, spec, "Check -InputSize, -InputName and -OutputName against the model's signature.");
        WriteObject(spec);
    }
}
