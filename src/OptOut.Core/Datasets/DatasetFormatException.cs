namespace OptOut.Core.Datasets;

/// <summary>A dataset file cannot be read; the import of that file stops, the others go on.</summary>
public sealed class DatasetFormatException : Exception
{
    public DatasetFormatException(string path, string reason, Exception? inner = null)
        : base($"Cannot read '{path}': {reason}", inner) => Path = path;

    public string Path { get; }
}
