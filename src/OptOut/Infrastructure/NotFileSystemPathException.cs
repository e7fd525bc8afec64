using System.Management.Automation;

namespace OptOut.Infrastructure;

/// <summary>A path of a provider other than the file system (Env:, HKLM:, ...).</summary>
internal sealed class NotFileSystemPathException : ArgumentException
{
    public NotFileSystemPathException(string path, string provider)
        : base($"'{path}' is not a file-system path (provider {provider}).") { }
}
