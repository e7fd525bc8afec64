namespace OptOut.Core.Embedding;

/// <summary>
/// Describes an ONNX image encoder: where it is, what its input and output are called and how pixels
/// are normalised: value = (pixel / 255 - Mean[c]) / Std[c], planar RGB (NCHW), batch of one.
/// </summary>
public sealed record EmbeddingModelSpec
{
    /// <summary>ImageNet statistics in [0,1] as CLIP's image processors use them.</summary>
    public static readonly float[] ClipMean = [0.48145466f, 0.4578275f, 0.40821073f];
    /// <summary>Per-channel standard deviations that go with <see cref="ClipMean"/>.</summary>
    public static readonly float[] ClipStd = [0.26862954f, 0.26130258f, 0.27577711f];

    /// <summary>Name of the model the module ships and indexes are built with by default.</summary>
    public const string DefaultModelName = "ResNet18";
    /// <summary>File name of the default model in the models folder.</summary>
    public const string DefaultModelFile = "ResNet18.onnx";
    /// <summary>File name of the default model's preprocessing graph in the models folder.</summary>
    public const string DefaultPreprocessFile = "ResNetPreprocess.onnx";

    /// <summary>Short name shown with the model id (the id adds the SHA-256 of the ONNX file).</summary>
    public required string Name { get; init; }

    /// <summary>Full path of the ONNX model file.</summary>
    public required string OnnxPath { get; init; }

    /// <summary>
    /// An optional ONNX graph run before the model (the default ResNet18 ships one that reorders RGB
    /// to BGR and subtracts a mean image); its output feeds the model's input.
    /// </summary>
    public string? PreprocessOnnxPath { get; init; }

    /// <summary>Input tensor name; null takes the model's only input.</summary>
    public string? InputName { get; init; }

    /// <summary>Output tensor name; null takes the model's first output.</summary>
    public string? OutputName { get; init; }

    /// <summary>Width in pixels of the model's input picture.</summary>
    public int InputWidth { get; init; } = 224;
    /// <summary>Height in pixels of the model's input picture.</summary>
    public int InputHeight { get; init; } = 224;
    /// <summary>How a picture is brought to the input size.</summary>
    public ResizeMode Resize { get; init; } = ResizeMode.Stretch;
    /// <summary>Per-channel (R, G, B) mean subtracted after scaling pixels to 0..1.</summary>
    public float[] Mean { get; init; } = [0f, 0f, 0f];
    /// <summary>Per-channel (R, G, B) standard deviation divided by after the mean is subtracted; each above 0.</summary>
    public float[] Std { get; init; } = [1f, 1f, 1f];

    /// <summary>
    /// The default model: the pretrained ResNet18 from Microsoft.ML.DnnImageFeaturizer.ResNet18. Its
    /// preprocessing graph takes RGB values in 0..255 (checked by running it: it reorders to BGR and
    /// subtracts a per-pixel mean image averaging 103/116/123), so pixels go in unscaled.
    /// </summary>
    public static EmbeddingModelSpec Default(string modelDirectory) => new()
    {
        Name = DefaultModelName,
        OnnxPath = Path.Combine(modelDirectory, DefaultModelFile),
        PreprocessOnnxPath = Path.Combine(modelDirectory, DefaultPreprocessFile),
        InputName = "Input247",
        OutputName = "Pooling395_Output_0",
        Mean = [0f, 0f, 0f],
        Std = [1f / 255f, 1f / 255f, 1f / 255f],
    };

    /// <summary>Throws <see cref="ArgumentException"/> when the name is empty or the sizes or normalisation are not plausible.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Name)) throw new ArgumentException("A model needs a name.");
        if (InputWidth < 8 || InputHeight < 8 || InputWidth > 4096 || InputHeight > 4096)
            throw new ArgumentException($"Model input size {InputWidth} x {InputHeight} is not plausible (8 to 4096 px a side).");
        if (Mean.Length != 3 || Std.Length != 3)
            throw new ArgumentException("Mean and Std need three values each (R, G, B).");
        if (Std.Any(s => !(s > 0) || float.IsInfinity(s)))
            throw new ArgumentException("Std values must be positive.");
    }
}
