using System.IO.Enumeration;

namespace OptOut.Core.Datasets;

/// <summary>
/// Lists the files of a dataset folder without following symbolic links: a link can point anywhere
/// (another user's files, /etc), so a link is never read as a sample nor copied into a clean copy;
/// it is listed apart so that the reader can report it.
/// </summary>
internal static class DatasetFiles
{
    /// <param name="options">How to enumerate (recursion, hidden files); links are never recursed into.</param>
    /// <param name="links">Receives every symbolic link met (files and folders), in file order; null to ignore them.</param>
    /// <returns>The regular files, in ordinal order of their full paths.</returns>
    public static List<string> List(string folder, EnumerationOptions options, List<string>? links)
    {
        var entries = new FileSystemEnumerable<(string Path, bool IsLink, bool IsDirectory)>(folder,
            (ref FileSystemEntry entry) => (entry.ToFullPath(), IsLink(ref entry), entry.IsDirectory), options)
        {
            ShouldIncludePredicate = (ref FileSystemEntry entry) => IsLink(ref entry) || !entry.IsDirectory,
            ShouldRecursePredicate = (ref FileSystemEntry entry) => !IsLink(ref entry),
        };
        var files = new List<string>();
        foreach (var (path, isLink, _) in entries.OrderBy(e => e.Path, StringComparer.Ordinal))
        {
            if (isLink) links?.Add(path);
            else files.Add(path);
        }
        return files;
    }

    /// <summary>What a reader says about a link it did not follow.</summary>
    public static string LinkProblem(string link) => $"{link} is a symbolic link; links are not followed, so it was neither read nor copied.";

    private static bool IsLink(ref FileSystemEntry entry) => (entry.Attributes & FileAttributes.ReparsePoint) != 0;
}
