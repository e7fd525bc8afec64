using OptOut.Core.Embedding;
using OptOut.Samples;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace OptOut.Core.Tests;

public class EmbeddingModelTests
{
    [Fact]
    public void The_default_model_gives_unit_512_d_vectors_tagged_with_the_file_hash()
    {
        var model = TestEnvironment.DefaultModel;
        Assert.Equal(512, model.Dimensions);
        var expectedHash = EmbeddingModel.FileSha256(model.Spec.OnnxPath);
        Assert.Equal($"ResNet18@sha256:{expectedHash}", model.ModelId);
        Assert.Matches("^[0-9a-f]{64}$", expectedHash);

        using var art = SampleArt.Create(11);
        var vector = model.Embed(model.PrepareInput(art));
        Assert.Equal(512, vector.Length);
        double norm = Math.Sqrt(vector.Sum(v => (double)v * v));
        Assert.Equal(1.0, norm, 4);
        // ResNet's pooled features are non-negative (after ReLU) and not all zero.
        Assert.All(vector, v => Assert.True(v >= 0));
        Assert.True(vector.Count(v => v > 0) > 100);
    }

    [Fact]
    public void The_default_input_is_raw_RGB_values_because_the_preprocessing_graph_subtracts_the_mean()
    {
        var model = TestEnvironment.DefaultModel;
        using var image = new Image<Rgb24>(224, 224, new Rgb24(10, 20, 30));
        var input = model.PrepareInput(image);
        int plane = 224 * 224;
        Assert.Equal(10f, input[0], 3);
        Assert.Equal(20f, input[plane], 3);
        Assert.Equal(30f, input[2 * plane], 3);
    }

    [Fact]
    public void Custom_normalisation_is_applied_per_channel()
    {
        var spec = EmbeddingModelSpec.Default(TestEnvironment.ModelDirectory) with
        {
            PreprocessOnnxPath = null,
            Mean = [0.5f, 0.25f, 0f],
            Std = [0.5f, 0.25f, 1f],
        };
        using var model = new EmbeddingModel(spec, 1);
        using var image = new Image<Rgb24>(50, 50, new Rgb24(255, 0, 51));
        var input = model.PrepareInput(image);
        int plane = 224 * 224;
        Assert.Equal(1f, input[0], 4);           // (1 - 0.5) / 0.5
        Assert.Equal(-1f, input[plane], 4);      // (0 - 0.25) / 0.25
        Assert.Equal(0.2f, input[2 * plane], 4); // (0.2 - 0) / 1
        Assert.Equal(model.ModelId, TestEnvironment.DefaultModel.ModelId);  // same ONNX file, same id
    }

    [Fact]
    public void A_wrong_description_of_the_model_is_refused_with_a_clear_message()
    {
        var spec = EmbeddingModelSpec.Default(TestEnvironment.ModelDirectory);

        var wrongSize = Assert.Throws<EmbeddingModelException>(() => new EmbeddingModel(spec with { InputWidth = 300, InputHeight = 300 }, 1));
        Assert.Contains("[1,3,224,224]", wrongSize.Message);

        var wrongOutput = Assert.Throws<EmbeddingModelException>(() => new EmbeddingModel(spec with { OutputName = "logits" }, 1));
        Assert.Contains("Pooling395_Output_0", wrongOutput.Message);

        var missing = Assert.Throws<EmbeddingModelException>(() => new EmbeddingModel(spec with { OnnxPath = "/nonexistent/model.onnx" }, 1));
        Assert.Contains("does not exist", missing.Message);

        var notOnnx = Path.Combine(TestEnvironment.NewScratchFolder(), "model.onnx");
        File.WriteAllText(notOnnx, "not a model");
        var invalid = Assert.Throws<EmbeddingModelException>(() => new EmbeddingModel(spec with { OnnxPath = notOnnx, PreprocessOnnxPath = null }, 1));
        Assert.Contains("cannot be loaded", invalid.Message);
    }

    [Fact]
    public void Implausible_descriptions_are_argument_errors()
    {
        var spec = EmbeddingModelSpec.Default(TestEnvironment.ModelDirectory);
        Assert.Throws<ArgumentException>(() => new EmbeddingModel(spec with { Std = [1f, 0f, 1f] }, 1));
        Assert.Throws<ArgumentException>(() => new EmbeddingModel(spec with { Mean = [1f] }, 1));
        Assert.Throws<ArgumentException>(() => new EmbeddingModel(spec with { InputWidth = 2 }, 1));
    }

    [Fact]
    public void The_cache_returns_one_instance_per_model_and_settings()
    {
        var spec = EmbeddingModelSpec.Default(TestEnvironment.ModelDirectory);
        var a = EmbeddingModelCache.Get(spec, 2);
        var b = EmbeddingModelCache.Get(spec with { }, 2);
        Assert.Same(a, b);
        Assert.NotSame(a, EmbeddingModelCache.Get(spec with { Resize = ResizeMode.CenterCrop }, 2));
    }
}
