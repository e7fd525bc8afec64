using OptOut.Core.Embedding;

namespace OptOut.Core.Tests;

/// <summary>Locates the real pretrained model and gives each test a scratch folder.</summary>
internal static class TestEnvironment
{
    public static string RepositoryRoot { get; } = FindRoot();

    /// <summary>The model laid out by build.ps1, else the NuGet package it comes from.</summary>
    public static string ModelDirectory
    {
        get
        {
            var built = Path.Combine(RepositoryRoot, "out", "OptOut", "models");
            if (File.Exists(Path.Combine(built, EmbeddingModelSpec.DefaultModelFile))) return built;
            var nuget = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
                ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
            var package = Path.Combine(nuget, "microsoft.ml.dnnimagefeaturizer.resnet18", "0.23.1", "tools", "DnnImageModels");
            var staged = Path.Combine(Path.GetTempPath(), "optout-test-models");
            Directory.CreateDirectory(staged);
            File.Copy(Path.Combine(package, "ResNet18Onnx", "ResNet18.onnx"), Path.Combine(staged, "ResNet18.onnx"), overwrite: true);
            File.Copy(Path.Combine(package, "ResNetPrepOnnx", "ResNetPreprocess.onnx"), Path.Combine(staged, "ResNetPreprocess.onnx"), overwrite: true);
            return staged;
        }
    }

    private static readonly Lazy<EmbeddingModel> SharedModel = new(() => EmbeddingModelCache.Get(EmbeddingModelSpec.Default(ModelDirectory), 2));

    /// <summary>One loaded default model for all tests (it is thread-safe).</summary>
    public static EmbeddingModel DefaultModel => SharedModel.Value;

    /// <summary>The full path of a program on PATH (an independent tool a test compares with), or null.</summary>
    public static string? FindOnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(folder => Path.Combine(folder, program)).FirstOrDefault(File.Exists);

    public static string NewScratchFolder()
    {
        var path = Path.Combine(Path.GetTempPath(), "optout-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(path);
        return path;
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "OptOutModule.sln"))) return dir.FullName;
        }
        throw new InvalidOperationException("OptOutModule.sln not found above the test binaries.");
    }
}
