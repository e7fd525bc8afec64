namespace OptOut.Core.Index;

/// <summary>The file at an index path is not an OptOut training-set index; it was left untouched.</summary>
public sealed class NotAnIndexException : Exception
{
    /// <summary>The file at <paramref name="path"/> is not an index, for <paramref name="reason"/>.</summary>
    public NotAnIndexException(string path, string reason)
        : base($"'{path}' is not an OptOut training-set index ({reason}); it was not opened for writing and nothing was changed.")
    {
        Path = path;
        Reason = reason;
    }

    /// <summary>The file that was not opened.</summary>
    public string Path { get; }
    /// <summary>Why it is not taken for an index.</summary>
    public string Reason { get; }
}
