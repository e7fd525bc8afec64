using System.Management.Automation;

namespace OptOut.Infrastructure;

/// <summary>Dataset arguments (files or folders, unlike image paths) resolved the way every dataset cmdlet takes them.</summary>
internal static class DatasetPaths
{
    /// <summary>
    /// -Path arguments with wildcards expanded, or -LiteralPath arguments as written; an argument that
    /// matches nothing is reported through <paramref name="onError"/> and the others go on.
    /// </summary>
    public static IEnumerable<string> Resolve(PSCmdlet cmdlet, IEnumerable<string> arguments, bool literal, Action<ErrorRecord> onError)
    {
        foreach (var argument in arguments)
        {
            IReadOnlyList<string> resolved;
            try
            {
                resolved = literal
                    ? [cmdlet.SessionState.Path.GetUnresolvedProviderPathFromPSPath(argument)]
                    : cmdlet.GetResolvedProviderPathFromPSPath(argument, out _);
            }
            catch (ItemNotFoundException e)
            {
                onError(ErrorIds.Record(e, ErrorIds.FileNotFound, ErrorCategory.ObjectNotFound, argument, null));
                continue;
            }
            foreach (var path in resolved) yield return path;
        }
    }

    /// <summary>A dataset's name when none is given: the file's name without extension, or the folder's name.</summary>
    public static string DefaultName(string path)
    {
        var trimmed = path.TrimEnd(System.IO.Path.DirectorySeparatorChar, System.IO.Path.AltDirectorySeparatorChar);
        return File.Exists(trimmed) ? System.IO.Path.GetFileNameWithoutExtension(trimmed) : System.IO.Path.GetFileName(trimmed);
    }
}
