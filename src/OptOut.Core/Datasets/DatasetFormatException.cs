namespace OptOut.Core.Datasets;

/// <summary>A dataset file cannot be read; the import of that file stops, the others go on.</summary>
public sealed class DatasetFormatException : Exception
{
    internal DatasetFormatException(string path, string reason, Exception? inner = null)
        : base($"Cannot read '{path}': {reason}", inner) => Path = path;

    /// <summary>The dataset file that could not be read.</summary>
    public string Path { get; }
}
