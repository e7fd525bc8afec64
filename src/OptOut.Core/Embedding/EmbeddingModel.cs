using System.Security.Cryptography;
using Microsoft.ML.OnnxRuntime;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace OptOut.Core.Embedding;

/// <summary>
/// An ONNX image encoder ready to run: turns a decoded picture into an L2-normalised vector tagged
/// with <see cref="ModelId"/>. <see cref="PrepareInput"/> and <see cref="Embed"/> are thread-safe.
/// </summary>
public sealed class EmbeddingModel : IDisposable
{
    // The ONNX Runtime this module was built and tested against; an older library found first on
    // the search path (Windows ships one in System32) would fail in obscure ways.
    private const string ExpectedRuntimeVersionPrefix = "1.31.";

    private readonly InferenceSession? preprocess;
    private readonly InferenceSession session;
    private readonly string sessionInputName;
    private readonly string outputName;
    private readonly string? preprocessInputName;
    private readonly string? preprocessOutputName;
    private readonly long[] inputShape;

    /// <summary>Loads the model <paramref name="spec"/> describes; <paramref name="intraOpThreads"/> is the ONNX Runtime's thread count for one run (at least 1).</summary>
    public EmbeddingModel(EmbeddingModelSpec spec, int intraOpThreads)
    {
        spec.Validate();
        Spec = spec;
        CheckRuntimeVersion();
        RequireFile(spec.OnnxPath, "model");
        if (spec.PreprocessOnnxPath is not null)
        {
            RequireFile(spec.PreprocessOnnxPath, "preprocessing model");
        }

        ModelId = $"{spec.Name}@sha256:{FileSha256(spec.OnnxPath)}";
        inputShape = [1, 3, spec.InputHeight, spec.InputWidth];
        using var options = CreateSessionOptions(intraOpThreads);
        try
        {
            session = new InferenceSession(spec.OnnxPath, options);
            if (spec.PreprocessOnnxPath is not null)
            {
                preprocess = new InferenceSession(spec.PreprocessOnnxPath, options);
                preprocessInputName = SingleInput(preprocess, null, spec.PreprocessOnnxPath);
                preprocessOutputName = preprocess.OutputMetadata.Keys.First();
            }
        }
        catch (OnnxRuntimeException e)
        {
            Dispose();
            throw new EmbeddingModelException($"'{spec.OnnxPath}' cannot be loaded as an ONNX model: {e.Message}", e);
        }

        try
        {
            sessionInputName = SingleInput(session, spec.InputName, spec.OnnxPath);
            outputName = spec.OutputName ?? session.OutputMetadata.Keys.First();
            if (!session.OutputMetadata.ContainsKey(outputName))
            {
                throw new EmbeddingModelException(
                    $"Model '{spec.OnnxPath}' has no output '{outputName}'; its outputs are: {string.Join(", ", session.OutputMetadata.Keys)}.");
            }
            CheckInputShape(preprocess ?? session, preprocessInputName ?? sessionInputName, preprocess is null ? spec.OnnxPath : spec.PreprocessOnnxPath!);

            // One run on a blank picture proves the graph accepts the described input and tells the
            // embedding's size even when the output shape is symbolic.
            Dimensions = Run(new float[3 * spec.InputWidth * spec.InputHeight]).Length;
            if (Dimensions < 2)
            {
                throw new EmbeddingModelException($"Model '{spec.OnnxPath}' output '{outputName}' has {Dimensions} value(s); an image embedding needs a vector.");
            }
        }
        catch
        {
            // The native sessions must not outlive a model that failed its checks.
            Dispose();
            throw;
        }
    }

    /// <summary>What was loaded.</summary>
    public EmbeddingModelSpec Spec { get; }

    /// <summary>Name plus SHA-256 of the ONNX file: vectors with different ids are never compared.</summary>
    public string ModelId { get; }

    /// <summary>Length of an embedding vector (512 for the default ResNet18).</summary>
    public int Dimensions { get; }

    /// <summary>Resizes and normalises a picture into the model's planar input tensor.</summary>
    public float[] PrepareInput(Image<Rgb24> image)
    {
        int width = Spec.InputWidth, height = Spec.InputHeight;
        var options = new ResizeOptions
        {
            Size = new Size(width, height),
            Mode = Spec.Resize == ResizeMode.CenterCrop ? SixLabors.ImageSharp.Processing.ResizeMode.Crop : SixLabors.ImageSharp.Processing.ResizeMode.Stretch,
            Position = AnchorPositionMode.Center,
            Sampler = KnownResamplers.Bicubic,
        };
        using var resized = image.Clone(x => x.Resize(options));

        var tensor = new float[3 * width * height];
        int plane = width * height;
        var scale = new float[3];
        var offset = new float[3];
        for (int c = 0; c < 3; c++)
        {
            scale[c] = 1f / (255f * Spec.Std[c]);
            offset[c] = -Spec.Mean[c] / Spec.Std[c];
        }
        resized.ProcessPixelRows(accessor =>
        {
            for (int y = 0; y < accessor.Height; y++)
            {
                var row = accessor.GetRowSpan(y);
                int at = y * width;
                for (int x = 0; x < row.Length; x++)
                {
                    tensor[at + x] = row[x].R * scale[0] + offset[0];
                    tensor[plane + at + x] = row[x].G * scale[1] + offset[1];
                    tensor[2 * plane + at + x] = row[x].B * scale[2] + offset[2];
                }
            }
        });
        return tensor;
    }

    /// <summary>Runs the model on a prepared input and returns the L2-normalised embedding.</summary>
    public float[] Embed(float[] input)
    {
        var vector = Run(input);
        VectorMath.NormalizeInPlace(vector);
        return vector;
    }

    /// <summary>Runs the model and returns its raw output, flattened.</summary>
    public float[] Run(float[] input)
    {
        if (input.Length != 3 * Spec.InputWidth * Spec.InputHeight)
        {
            throw new ArgumentException($"Input has {input.Length} values; the model takes {3 * Spec.InputWidth * Spec.InputHeight}.");
        }
        try
        {
            // The options live (and are disposed) around the native calls: an unreferenced
            // RunOptions could be finalised by the GC while ONNX Runtime still uses it.
            using var runOptions = new RunOptions();
            using var inputValue = OrtValue.CreateTensorValueFromMemory(input, inputShape);
            if (preprocess is null)
            {
                return RunSession(inputValue, runOptions);
            }
            using var prepared = preprocess.Run(runOptions, [preprocessInputName!], [inputValue], [preprocessOutputName!]);
            return RunSession(prepared[0], runOptions);
        }
        catch (OnnxRuntimeException e)
        {
            throw new EmbeddingModelException(
                $"Model '{Spec.OnnxPath}' failed on a {Spec.InputWidth} x {Spec.InputHeight} RGB input: {e.Message}. Check the model's input size, input name and output name.", e);
        }
    }

    private float[] RunSession(OrtValue input, RunOptions runOptions)
    {
        using var outputs = session.Run(runOptions, [sessionInputName], [input], [outputName]);
        return outputs[0].GetTensorDataAsSpan<float>().ToArray();
    }

    /// <summary>Releases the ONNX sessions.</summary>
    public void Dispose()
    {
        session?.Dispose();
        preprocess?.Dispose();
    }

    /// <summary>SHA-256 of a file as lower-case hex.</summary>
    public static string FileSha256(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexString(SHA256.HashData(stream)).ToLowerInvariant();
    }

    private static SessionOptions CreateSessionOptions(int intraOpThreads)
    {
        var options = new SessionOptions
        {
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            IntraOpNumThreads = Math.Max(1, intraOpThreads),
            InterOpNumThreads = 1,
        };
        // Idle intra-op threads would otherwise spin and take the cores the image decoders need.
        options.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
        return options;
    }

    private static void CheckRuntimeVersion()
    {
        string version;
        try
        {
            version = OrtEnv.Instance().GetVersionString();
        }
        catch (Exception e) when (e is DllNotFoundException or TypeInitializationException or EntryPointNotFoundException)
        {
            throw new EmbeddingModelException($"The ONNX Runtime native library could not be loaded: {e.Message}", e);
        }
        if (!version.StartsWith(ExpectedRuntimeVersionPrefix, StringComparison.Ordinal))
        {
            throw new EmbeddingModelException(
                $"ONNX Runtime {version} was loaded, but this module needs {ExpectedRuntimeVersionPrefix}x; another onnxruntime library was found first on the library search path.");
        }
    }

    private static void RequireFile(string path, string what)
    {
        if (!File.Exists(path))
        {
            throw new EmbeddingModelException($"The {what} file '{path}' does not exist.");
        }
    }

    private static string SingleInput(InferenceSession s, string? wanted, string path)
    {
        if (wanted is not null)
        {
            if (!s.InputMetadata.ContainsKey(wanted))
            {
                throw new EmbeddingModelException($"Model '{path}' has no input '{wanted}'; its inputs are: {string.Join(", ", s.InputMetadata.Keys)}.");
            }
            return wanted;
        }
        if (s.InputMetadata.Count != 1)
        {
            throw new EmbeddingModelException($"Model '{path}' has {s.InputMetadata.Count} inputs ({string.Join(", ", s.InputMetadata.Keys)}); name the image input.");
        }
        return s.InputMetadata.Keys.First();
    }

    private void CheckInputShape(InferenceSession s, string name, string path)
    {
        var meta = s.InputMetadata[name];
        if (meta.ElementType != typeof(float))
        {
            throw new EmbeddingModelException($"Model '{path}' input '{name}' takes {meta.ElementType.Name}; an image encoder taking float pixels is needed.");
        }
        var dims = meta.Dimensions;
        bool fits = dims.Length == 4
            && Matches(dims[0], 1) && Matches(dims[1], 3)
            && Matches(dims[2], Spec.InputHeight) && Matches(dims[3], Spec.InputWidth);
        if (!fits)
        {
            throw new EmbeddingModelException(
                $"Model '{path}' input '{name}' has shape [{string.Join(",", dims)}], but the model was described as taking [1,3,{Spec.InputHeight},{Spec.InputWidth}] (N, RGB, height, width).");
        }

        static bool Matches(int actual, int wanted) => actual <= 0 || actual == wanted;
    }
}
