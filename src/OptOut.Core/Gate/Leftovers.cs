using System.Text.RegularExpressions;

namespace OptOut.Core.Gate;

/// <summary>
/// Removes what a killed or failed run left beside an output: staging folders
/// (<c>.NAME.partial-GUID</c>), replaced copies not yet deleted (<c>.NAME.old-GUID</c>) and
/// temporary reports (<c>NAME.tmp-GUID</c>). A run in progress holds an exclusive lock on its
/// temporary file (or on the lock file in its staging folder), so another run never removes it.
/// </summary>
internal static partial class Leftovers
{
    /// <summary>The file a staging folder holds, locked, while its run is alive.</summary>
    public const string StagingLockName = ".optout-staging.lock";

    // A staging folder without its lock file may be one being created right now.
    private static readonly TimeSpan UnlockedGrace = TimeSpan.FromMinutes(1);

    /// <summary>A file name for <paramref name="path"/>'s temporary file, which <see cref="RemoveTemporaryFiles"/> recognises.</summary>
    public static string TemporaryFileFor(string path) => path + ".tmp-" + Guid.NewGuid().ToString("N");

    /// <summary>Removes temporary files of <paramref name="path"/> that no running process holds.</summary>
    public static void RemoveTemporaryFiles(string path)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (folder is null || !Directory.Exists(folder)) return;
        var prefix = Path.GetFileName(path) + ".tmp-";
        foreach (var file in Directory.EnumerateFiles(folder, prefix + "*"))
        {
            if (!Guid32().IsMatch(Path.GetFileName(file)[prefix.Length..]) || new FileInfo(file).LinkTarget is not null) continue;
            if (IsHeld(file)) continue;
            TryDelete(() => File.Delete(file));
        }
    }

    /// <summary>Removes staging folders and replaced copies of <paramref name="destination"/> that no running process holds.</summary>
    public static void RemoveStagingFolders(string destination)
    {
        var full = Path.GetFullPath(destination).TrimEnd(Path.DirectorySeparatorChar);
        var parent = Path.GetDirectoryName(full);
        if (parent is null || !Directory.Exists(parent)) return;
        var name = Path.GetFileName(full);
        foreach (var folder in Directory.EnumerateDirectories(parent, "." + name + ".*"))
        {
            var info = new DirectoryInfo(folder);
            if (info.LinkTarget is not null) continue;
            var suffix = info.Name[(name.Length + 1)..];
            if (suffix.StartsWith(".partial-", StringComparison.Ordinal) && Guid32().IsMatch(suffix[".partial-".Length..]))
            {
                var lockFile = Path.Combine(folder, StagingLockName);
                if (File.Exists(lockFile) ? IsHeld(lockFile) : DateTime.UtcNow - info.LastWriteTimeUtc < UnlockedGrace) continue;
                TryDelete(() => Directory.Delete(folder, recursive: true));
            }
            else if (suffix.StartsWith(".old-", StringComparison.Ordinal) && Guid32().IsMatch(suffix[".old-".Length..]) && CleanCopyMarker.Read(folder) is not null)
            {
                // An earlier clean copy already replaced: the commit that renamed it was cut before deleting it.
                TryDelete(() => Directory.Delete(folder, recursive: true));
            }
        }
    }

    /// <summary>Opens <paramref name="path"/> for writing with an exclusive lock, held as long as the stream is open.</summary>
    public static FileStream CreateLocked(string path) => new(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16);

    private static bool IsHeld(string file)
    {
        try
        {
            using var probe = new FileStream(file, FileMode.Open, FileAccess.ReadWrite, FileShare.None);
            return false;
        }
        catch (FileNotFoundException) { return true; }
        catch (IOException) { return true; }
        catch (UnauthorizedAccessException) { return true; }
    }

    private static void TryDelete(Action delete)
    {
        try { delete(); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }

    [GeneratedRegex("^[0-9a-f]{32}$")]
    private static partial Regex Guid32();
}
