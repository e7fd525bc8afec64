using OptOut.Core.Embedding;

namespace OptOut.Infrastructure;

/// <summary>Where the module's bundled model lives, and opening the model a command asked for.</summary>
internal static class ModuleModels
{
    /// <summary>out/OptOut/models, beside the bin folder this assembly is loaded from.</summary>
    public static string BundledModelDirectory
    {
        get
        {
            var binDirectory = System.IO.Path.GetDirectoryName(typeof(ModuleModels).Assembly.Location)!;
            return System.IO.Path.GetFullPath(System.IO.Path.Combine(binDirectory, "..", "models"));
        }
    }

    public static EmbeddingModelSpec DefaultSpec => EmbeddingModelSpec.Default(BundledModelDirectory);

    /// <summary>The loaded model (shared across the process), inference on every core.</summary>
    public static EmbeddingModel Open(EmbeddingModelSpec? spec) =>
        EmbeddingModelCache.Get(spec ?? DefaultSpec, Environment.ProcessorCount);
}
