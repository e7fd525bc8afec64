namespace OptOut.Core.Registry;

/// <summary>A list to import is malformed; nothing of it was imported.</summary>
public sealed class ListFormatException : Exception
{
    internal ListFormatException(string path, string where, string problem)
        : base($"'{path}' is not a valid opt-out list ({where}: {problem}); nothing was imported.")
    {
        Where = where;
    }

    /// <summary>Where in the list the problem is (a line, a row, a field).</summary>
    public string Where { get; }
}
