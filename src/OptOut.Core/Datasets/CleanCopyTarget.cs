using System.Collections.Concurrent;
using System.Formats.Tar;

namespace OptOut.Core.Datasets;

/// <summary>
/// Where shards write their cleaned copies: the same relative paths under another folder. It
/// remembers every input file a shard covered, kept or removed, so the files no shard covered
/// (stats, a README) can be copied on their own, and a removed image at the top of an image folder
/// does not come back as one of them. Symbolic links are never copied.
/// </summary>
internal sealed class CleanCopyTarget
{
    private readonly ConcurrentDictionary<string, bool> covered = new(StringComparer.Ordinal);

    /// <param name="inputRoot">The folder the shards' paths are relative to.</param>
    /// <param name="outputRoot">Where their cleaned copies go (a staging folder).</param>
    public CleanCopyTarget(string inputRoot, string outputRoot)
    {
        InputRoot = Path.GetFullPath(inputRoot);
        OutputRoot = Path.GetFullPath(outputRoot);
    }

    /// <summary>The folder the shards' paths are relative to.</summary>
    public string InputRoot { get; }

    /// <summary>Where the cleaned copies go.</summary>
    public string OutputRoot { get; }

    /// <summary>Whether some shard's copy covered this input file (copied it or left it out).</summary>
    public bool IsCovered(string path) => covered.ContainsKey(Path.GetFullPath(path));

    /// <summary>The copy's path for an input file (its folder made), the file counted as covered.</summary>
    public string PathFor(string source)
    {
        covered[Path.GetFullPath(source)] = true;
        var relative = Path.GetRelativePath(InputRoot, source);
        if (relative.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(relative))
        {
            throw new InvalidOperationException($"'{source}' is outside the input folder '{InputRoot}'.");
        }
        var target = Path.Combine(OutputRoot, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        return target;
    }

    /// <summary>Copies a parquet file without the rows <paramref name="isRemoved"/> names (same schema, row order); returns the copy.</summary>
    public string CopyParquet(string parquetPath, Func<long, bool> isRemoved, CancellationToken cancellationToken)
    {
        var target = PathFor(parquetPath);
        ParquetRowFilter.Copy(parquetPath, target, isRemoved, cancellationToken);
        return target;
    }

    /// <summary>Copies the folder's regular files (links are never copied) except those <paramref name="leaveOut"/> names; returns the copy's folder.</summary>
    public string CopyFolder(string folder, EnumerationOptions listing, Func<string, bool> leaveOut, CancellationToken cancellationToken)
    {
        // The shard folder exists in the copy even when every sample in it was removed.
        var target = Path.Combine(OutputRoot, Path.GetRelativePath(InputRoot, folder));
        Directory.CreateDirectory(target);
        var links = new List<string>();
        foreach (var file in DatasetFiles.List(folder, listing, links))
        {
            cancellationToken.ThrowIfCancellationRequested();
            covered[file] = true;
            if (leaveOut(file)) continue;
            File.Copy(file, PathFor(file));
        }
        foreach (var link in links) covered[link] = true;
        return target;
    }

    /// <summary>Copies the tar's members (byte for byte, in order) except those at the positions <paramref name="leaveOut"/> names; returns the copy.</summary>
    public string CopyTar(string tarPath, Func<int, bool> leaveOut, CancellationToken cancellationToken)
    {
        var target = PathFor(tarPath);
        using var input = new FileStream(tarPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        using var reader = new TarReader(input);
        using var output = new FileStream(target, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16);
        using var writer = new TarWriter(output, leaveOpen: false);
        int position = 0;
        // Positions count every entry, as WebDatasetTarShard counts them.
        while (reader.GetNextEntry(copyData: false) is { } entry)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (leaveOut(position++)) continue;
            writer.WriteEntry(entry);
        }
        return target;
    }
}
