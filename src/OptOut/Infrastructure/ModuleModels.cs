using System.Management.Automation;
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

    /// <summary>Opens the model a command was given, or stops the command with OptOut.ModelLoadFailed.</summary>
    public static EmbeddingModel OpenOrStop(PSCmdlet cmdlet, EmbeddingModelSpec? spec, string? recommendedAction = null)
    {
        try
        {
            return Open(spec);
        }
        catch (Exception e) when (e is EmbeddingModelException or ArgumentException)
        {
            cmdlet.ThrowTerminatingError(ErrorIds.Record(e, ErrorIds.ModelLoadFailed, ErrorCategory.InvalidArgument, spec?.OnnxPath, recommendedAction));
            throw;  // not reached: ThrowTerminatingError throws
        }
    }
}
