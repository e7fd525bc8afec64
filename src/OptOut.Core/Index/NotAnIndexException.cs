namespace OptOut.Core.Index;

/// <summary>The file at an index path is not an OptOut training-set index; it was left untouched.</summary>
public sealed class NotAnIndexException : Exception
{
    public NotAnIndexException(string path, string reason)
        : base($"'{path}' is not an OptOut training-set index ({reason}); it was not opened for writing and nothing was changed.")
    {
        Path = path;
        Reason = reason;
    }

    public string Path { get; }
    public string Reason { get; }
}
