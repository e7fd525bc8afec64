namespace OptOut.Core.Registry;

/// <summary>
/// The file at a registry path is not an OptOut registry (another program's database, a text file,
/// an empty file); it was left exactly as it was.
/// </summary>
public sealed class NotARegistryException(string path, string what)
    : IOException($"'{path}' {what}, not an OptOut registry. It was not changed. Name an OptOut registry with -RegistryPath, or a new file for a new registry.")
{
    /// <summary>The file, as the command resolved it.</summary>
    public string Path { get; } = path;
}
