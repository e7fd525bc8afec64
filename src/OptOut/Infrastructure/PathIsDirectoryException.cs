using System.Management.Automation;

namespace OptOut.Infrastructure;

/// <summary>A folder was given where files were expected, without -Recurse.</summary>
internal sealed class PathIsDirectoryException : IOException
{
    public PathIsDirectoryException(string path)
        : base($"'{path}' is a folder; pass -Recurse to take the images in it, or pipe Get-ChildItem -File.") { }
}
