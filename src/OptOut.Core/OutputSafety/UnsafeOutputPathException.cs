namespace OptOut.Core.OutputSafety;

/// <summary>An output path that would overwrite or delete something the user owns; nothing was written.</summary>
public sealed class UnsafeOutputPathException(string message, string path) : IOException(message)
{
    /// <summary>The output path as the user gave it.</summary>
    public string OutputPath { get; } = path;
}
