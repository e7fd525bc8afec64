using System.Collections.Concurrent;
using System.Formats.Tar;
using OptOut.Core.Datasets;

namespace OptOut.Core.Gate;

/// <summary>
/// Writes the cleaned copy of each shard into a staging folder, in the layout it was read from:
/// parquet with the same schema and row order (<see cref="ParquetRowFilter"/>), img2dataset shard
/// folders and tars without the removed samples' files and members, clip-retrieval .npy parts
/// without the removed rows (so they stay aligned with their metadata), image folders without the
/// removed images. Everything else at the top of the input folder (img2dataset's stats files, a
/// README) is copied as it is.
/// </summary>
public sealed class CleanCopyWriter
{
    private readonly string inputRoot;
    private readonly string outputRoot;
    // Every input file a shard covers, kept or removed: "other files" are the rest (a removed image
    // at the top of an image folder must not come back as one).
    private readonly ConcurrentDictionary<string, bool> covered = new(StringComparer.Ordinal);

    /// <param name="inputRoot">The folder the shards' paths are relative to.</param>
    /// <param name="outputRoot">Where their cleaned copies go (a staging folder).</param>
    public CleanCopyWriter(string inputRoot, string outputRoot)
    {
        this.inputRoot = Path.GetFullPath(inputRoot);
        this.outputRoot = Path.GetFullPath(outputRoot);
    }

    /// <summary>The folder that shard paths under <paramref name="path"/> are relative to.</summary>
    public static string RootOf(string path)
    {
        var full = Path.GetFullPath(path);
        if (Directory.Exists(full)) return full;
        var parent = Path.GetDirectoryName(full)!;
        // A clip-retrieval part named by one of its files lives two levels down (img_emb/, metadata/).
        var folderName = Path.GetFileName(parent);
        if ((folderName == "img_emb" || folderName == "metadata") && Directory.Exists(Path.Combine(Path.GetDirectoryName(parent)!, "img_emb")))
        {
            return Path.GetDirectoryName(parent)!;
        }
        return parent;
    }

    /// <summary>Writes one shard's cleaned copy (called on the worker that checked it).</summary>
    public void Write(IDatasetShard shard, RemovedRows removed, CancellationToken cancellationToken)
    {
        switch (shard)
        {
            case ClipRetrievalPart part:
            {
                ParquetRowFilter.Copy(part.ParquetPath, Target(part.ParquetPath), removed.Contains, cancellationToken);
                using var npy = NpyFile.Open(part.EmbeddingPath);
                npy.CopyRowsTo(Target(part.EmbeddingPath), removed.Contains);
                break;
            }
            case ParquetMetadataShard parquet:
                ParquetRowFilter.Copy(parquet.ParquetPath, Target(parquet.ParquetPath), removed.Contains, cancellationToken);
                break;
            case Img2DatasetFolderShard folder:
                CopyFolder(folder.Folder, removed.Keys, recursive: false, cancellationToken);
                if (folder.ParquetPath is { } rows) ParquetRowFilter.Copy(rows, Target(rows), removed.Contains, cancellationToken);
                break;
            case WebDatasetTarShard tar:
            {
                CopyTar(tar.TarPath, removed.Keys, cancellationToken);
                var metadata = Path.ChangeExtension(tar.TarPath, ".parquet");
                if (File.Exists(metadata)) CopyParquetWithoutKeys(metadata, removed.Keys, cancellationToken);
                break;
            }
            case ImageFolderShard images:
                CopyFolder(images.Folder, removed.Keys, recursive: true, cancellationToken);
                break;
            default:
                throw new NotSupportedException($"Cleaning the {shard.Layout} layout is not supported.");
        }
    }

    /// <summary>Copies the input folder's top-level files that no shard wrote (stats, README, licences).</summary>
    public void CopyOtherFiles()
    {
        if (!Directory.Exists(inputRoot)) return;
        foreach (var file in Directory.EnumerateFiles(inputRoot))
        {
            var target = Path.Combine(outputRoot, Path.GetFileName(file));
            if (covered.ContainsKey(Path.GetFullPath(file)) || File.Exists(target)) continue;
            File.Copy(file, target);
        }
    }

    private string Target(string source)
    {
        covered[Path.GetFullPath(source)] = true;
        var relative = Path.GetRelativePath(inputRoot, source);
        if (relative.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(relative))
        {
            throw new InvalidOperationException($"'{source}' is outside the input folder '{inputRoot}'.");
        }
        var target = Path.Combine(outputRoot, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        return target;
    }

    private void CopyFolder(string folder, IReadOnlySet<string> removedKeys, bool recursive, CancellationToken cancellationToken)
    {
        // The shard folder exists in the copy even when every sample in it was removed.
        Directory.CreateDirectory(Path.Combine(outputRoot, Path.GetRelativePath(inputRoot, folder)));
        var options = new EnumerationOptions { RecurseSubdirectories = recursive, IgnoreInaccessible = true };
        foreach (var file in Directory.EnumerateFiles(folder, "*", options).Order(StringComparer.Ordinal))
        {
            cancellationToken.ThrowIfCancellationRequested();
            covered[Path.GetFullPath(file)] = true;
            // Image folders key rows by relative path; img2dataset shard folders by file-name stem.
            bool removed = recursive ? removedKeys.Contains(Path.GetRelativePath(folder, file)) : removedKeys.Contains(ImageFiles.SampleKey(Path.GetFileName(file)).Key);
            if (removed) continue;
            File.Copy(file, Target(file));
        }
    }

    private void CopyTar(string tarPath, IReadOnlySet<string> removedKeys, CancellationToken cancellationToken)
    {
        using var input = new FileStream(tarPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        using var reader = new TarReader(input);
        using var output = new FileStream(Target(tarPath), FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16);
        using var writer = new TarWriter(output, leaveOpen: false);
        while (reader.GetNextEntry(copyData: false) is { } entry)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (removedKeys.Contains(ImageFiles.SampleKey(Path.GetFileName(entry.Name)).Key)) continue;
            writer.WriteEntry(entry);
        }
    }

    private void CopyParquetWithoutKeys(string parquetPath, IReadOnlySet<string> removedKeys, CancellationToken cancellationToken)
    {
        // The parquet beside a tar also lists failed downloads, so rows do not line up with tar
        // samples: rows are matched by key instead.
        var removedRows = new HashSet<long>();
        long row = 0;
        foreach (var sample in new ParquetMetadataShard(parquetPath).ReadRows(cancellationToken))
        {
            if (sample.Key is { } key && removedKeys.Contains(key)) removedRows.Add(row);
            row++;
        }
        ParquetRowFilter.Copy(parquetPath, Target(parquetPath), removedRows.Contains, cancellationToken);
    }
}
