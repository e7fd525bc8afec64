namespace OptOut.Core.Registry;

/// <summary>A list to import is malformed; nothing of it was imported.</summary>
public sealed class ListFormatException : Exception
{
    public ListFormatException(string path, string where, string problem)
        : base($"'{path}' is not a valid opt-out list ({where}: {problem}); nothing was imported.")
    {
        Where = where;
    }

    public string Where { get; }
}
