using System.Collections.Concurrent;
using System.Formats.Tar;
using OptOut.Core.Datasets;

namespace OptOut.Core.Gate;

/// <summary>
/// Writes the cleaned copy of each shard into a staging folder, in the layout it was read from:
/// parquet with the same schema and row order (<see cref="ParquetRowFilter"/>), img2dataset shard
/// folders and tars without the files and members the reader matched to the removed rows, clip-retrieval
/// .npy parts without the removed rows (so they stay aligned with their metadata), image folders
/// without the removed images. Files the reader could not match to a row (an image no row names,
/// the members of a sample whose metadata could not be read) were not checked and are left out;
/// symbolic links are never copied. Everything else at the top of the input folder (img2dataset's
/// stats files, a README) is copied as it is.
/// Each shard's copy is then read back with the same reader and checked with the same rules: a row
/// that still breaks a rule, a row count other than the rows kept, or a row that cannot be read in
/// the copy although it was in the original fails the shard (<see cref="CleanCopyCheckException"/>),
/// so nothing is published.
/// </summary>
public sealed class CleanCopyWriter
{
    private readonly string inputRoot;
    private readonly string outputRoot;
    private readonly GateSettings settings;
    // Every input file a shard covers, kept or removed: "other files" are the rest (a removed image
    // at the top of an image folder must not come back as one).
    private readonly ConcurrentDictionary<string, bool> covered = new(StringComparer.Ordinal);

    /// <param name="inputRoot">The folder the shards' paths are relative to.</param>
    /// <param name="outputRoot">Where their cleaned copies go (a staging folder).</param>
    /// <param name="settings">The check the copies are read back with: the same as the original's.</param>
    public CleanCopyWriter(string inputRoot, string outputRoot, GateSettings settings)
    {
        this.inputRoot = Path.GetFullPath(inputRoot);
        this.outputRoot = Path.GetFullPath(outputRoot);
        this.settings = settings with { ReportViolations = true };
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

    /// <summary>
    /// Writes one shard's cleaned copy and checks it (called on the worker that checked the shard).
    /// </summary>
    /// <param name="original">What checking the original found.</param>
    /// <returns>The rows the copy holds, as read back from it.</returns>
    /// <exception cref="CleanCopyCheckException">The copy, read back, is not what the check decided.</exception>
    public long Write(IDatasetShard shard, ShardCheckResult original, RemovedRows removed, CancellationToken cancellationToken)
    {
        var copy = WriteCopy(shard, removed, cancellationToken);
        return CheckCopy(shard, copy, original, removed, cancellationToken);
    }

    private IDatasetShard WriteCopy(IDatasetShard shard, RemovedRows removed, CancellationToken cancellationToken)
    {
        switch (shard)
        {
            case ClipRetrievalPart part:
            {
                var parquet = Target(part.ParquetPath);
                var npyCopy = Target(part.EmbeddingPath);
                ParquetRowFilter.Copy(part.ParquetPath, parquet, removed.Contains, cancellationToken);
                using var npy = NpyFile.Open(part.EmbeddingPath);
                npy.CopyRowsTo(npyCopy, removed.Contains);
                return new ClipRetrievalPart(parquet, npyCopy);
            }
            case ParquetMetadataShard parquet:
            {
                var target = Target(parquet.ParquetPath);
                ParquetRowFilter.Copy(parquet.ParquetPath, target, removed.Contains, cancellationToken);
                return new ParquetMetadataShard(target, parquet.Layout);
            }
            case Img2DatasetFolderShard folder:
            {
                var target = CopyFolder(folder.Folder, Img2DatasetFolderShard.Listing, f => removed.Files.Contains(f) || folder.UncheckedFiles.Contains(f), cancellationToken);
                string? rows = null;
                if (folder.ParquetPath is { } parquet)
                {
                    rows = Target(parquet);
                    ParquetRowFilter.Copy(parquet, rows, removed.Contains, cancellationToken);
                }
                return new Img2DatasetFolderShard(target, rows);
            }
            case WebDatasetTarShard tar:
            {
                var target = CopyTar(tar.TarPath, m => removed.TarMembers.Contains(m) || tar.UncheckedMembers.Contains(m), cancellationToken);
                var metadata = Path.ChangeExtension(tar.TarPath, ".parquet");
                if (File.Exists(metadata)) CopyParquetWithoutKeys(metadata, removed.Keys, cancellationToken);
                return new WebDatasetTarShard(target) { MaxImageBytes = tar.MaxImageBytes };
            }
            case ImageFolderShard images:
                return new ImageFolderShard(CopyFolder(images.Folder, ImageFolderShard.Listing, removed.Files.Contains, cancellationToken));
            default:
                throw new NotSupportedException($"Cleaning the {shard.Layout} layout is not supported.");
        }
    }

    /// <summary>Reads the copy back with the same reader and rules, and holds it to what the check of the original decided.</summary>
    private long CheckCopy(IDatasetShard shard, IDatasetShard copy, ShardCheckResult original, RemovedRows removed, CancellationToken cancellationToken)
    {
        Violation? firstViolation = null;
        RowProblem? firstProblem = null;
        var checker = new ShardChecker(settings, copy, e =>
        {
            if (e is ViolationsFound found) firstViolation ??= found.Violations.Count > 0 ? found.Violations[0] : null;
            else if (e is RowProblem problem) firstProblem ??= problem;
        }, new GateCounters());
        var result = checker.Run(cancellationToken);
        var what = $"The clean copy of '{shard.Source}', read back,";
        if (result.Failure is { } failure)
        {
            throw new CleanCopyCheckException($"{what} cannot be read ({failure.Message}); nothing was published.");
        }
        if (result.ViolatingRows > 0)
        {
            throw new CleanCopyCheckException($"{what} still holds {result.ViolatingRows:N0} rows that break a rule (the first: row {firstViolation?.Row}, key {firstViolation?.Key}, " +
                $"{firstViolation?.Rule}: {firstViolation?.Detail}); nothing was published.");
        }
        long expected = original.Rows - original.ViolatingRows;
        if (result.Rows != expected)
        {
            throw new CleanCopyCheckException($"{what} holds {result.Rows:N0} rows, but {expected:N0} of its {original.Rows:N0} rows were to be kept; nothing was published.");
        }
        long expectedImages = original.RowsWithImage - removed.WithImage;
        if (result.RowsWithImage != expectedImages)
        {
            throw new CleanCopyCheckException($"{what} has {result.RowsWithImage:N0} rows with their image where {expectedImages:N0} kept rows had one " +
                $"(the first problem: {firstProblem?.Error.Message}); a kept row lost its image with a removed one. Nothing was published.");
        }
        if (result.RowErrors > original.RowErrors)
        {
            throw new CleanCopyCheckException($"{what} has {result.RowErrors:N0} rows that cannot be checked where the original had {original.RowErrors:N0} " +
                $"(the first: {firstProblem?.Error.Message}); a kept row lost part of its sample. Nothing was published.");
        }
        return result.Rows;
    }

    /// <summary>
    /// Copies the input folder's top-level files that no shard wrote (stats, README, licences).
    /// Symbolic links and images no shard read are not copied: they were not checked.
    /// </summary>
    /// <returns>The files left out, for the caller to report.</returns>
    public IReadOnlyList<string> CopyOtherFiles()
    {
        var leftOut = new List<string>();
        if (!Directory.Exists(inputRoot)) return leftOut;
        var links = new List<string>();
        var options = new EnumerationOptions { RecurseSubdirectories = false, AttributesToSkip = 0, IgnoreInaccessible = true };
        foreach (var file in DatasetFiles.List(inputRoot, options, links))
        {
            var name = Path.GetFileName(file);
            var target = Path.Combine(outputRoot, name);
            if (covered.ContainsKey(Path.GetFullPath(file)) || name == CleanCopyMarker.FileName || File.Exists(target)) continue;
            if (ImageFiles.IsImage(file))
            {
                leftOut.Add(file);
                continue;
            }
            File.Copy(file, target);
        }
        leftOut.AddRange(links.Where(l => !covered.ContainsKey(l)));
        return leftOut;
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

    /// <summary>Copies the folder's regular files (links are never copied) except those <paramref name="leaveOut"/> names; returns the copy's folder.</summary>
    private string CopyFolder(string folder, EnumerationOptions listing, Func<string, bool> leaveOut, CancellationToken cancellationToken)
    {
        // The shard folder exists in the copy even when every sample in it was removed.
        var target = Path.Combine(outputRoot, Path.GetRelativePath(inputRoot, folder));
        Directory.CreateDirectory(target);
        var links = new List<string>();
        foreach (var file in DatasetFiles.List(folder, listing, links))
        {
            cancellationToken.ThrowIfCancellationRequested();
            covered[file] = true;
            if (leaveOut(file)) continue;
            File.Copy(file, Target(file));
        }
        foreach (var link in links) covered[link] = true;
        return target;
    }

    /// <summary>Copies the tar's members (byte for byte, in order) except those at the positions <paramref name="leaveOut"/> names; returns the copy.</summary>
    private string CopyTar(string tarPath, Func<int, bool> leaveOut, CancellationToken cancellationToken)
    {
        var target = Target(tarPath);
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
