using System.Text.Json;

namespace OptOut.Core.Datasets;

/// <summary>
/// img2dataset's "files" layout: a shard folder (00000/) of images with .txt captions and .json
/// metadata, usually with 00000.parquet beside it. Rows come from the parquet when present (it
/// also lists failed downloads), else from the .json files. Each row carries the files it was
/// matched with (its image, caption and metadata, by file-name stem), so a clean copy removes those
/// files whatever key the row itself names. Symbolic links are not followed, and an image that no
/// row claims is reported: neither is read, nor copied.
/// </summary>
internal sealed class Img2DatasetFolderShard : IDatasetShard
{
    internal static readonly EnumerationOptions Listing = new() { RecurseSubdirectories = false, IgnoreInaccessible = true, AttributesToSkip = 0 };

    private readonly List<string> problems = new();
    private readonly HashSet<string> uncheckedImages = new(StringComparer.Ordinal);

    public Img2DatasetFolderShard(string folder, string? parquetPath)
    {
        Folder = folder;
        ParquetPath = parquetPath;
    }

    public string Folder { get; }
    public string? ParquetPath { get; }
    public string Source => Folder;
    public string FilePath => Folder;
    public string Layout => "img2dataset-files";
    public IReadOnlyList<string> RowProblems => problems;

    /// <summary>Images no row claimed (known once the rows are read): they were not checked, so a clean copy leaves them out.</summary>
    public IReadOnlySet<string> UncheckedFiles => uncheckedImages;

    public bool CarriesEmbeddings => false;
    public bool HasLocalImages => true;
    public bool NamesRemovalsByKey => false;

    public IEnumerable<RowBatch> ReadBatches(CancellationToken cancellationToken) => SourceRowBatch.Of(ReadRows(cancellationToken));

    /// <summary>The shard folder without the removed samples' files and the unchecked images; its parquet without the removed rows.</summary>
    public IDatasetShard WriteCleanCopy(CleanCopyTarget target, RemovedRows removed, CancellationToken cancellationToken)
    {
        var folder = target.CopyFolder(Folder, Listing, f => removed.Files.Contains(f) || uncheckedImages.Contains(f), cancellationToken);
        var rows = ParquetPath is { } parquet ? target.CopyParquet(parquet, removed.Contains, cancellationToken) : null;
        return new Img2DatasetFolderShard(folder, rows);
    }

    public string Identity
    {
        get
        {
            var listing = ShardIdentity.OfFolderListing(Folder, Directory.EnumerateFiles(Folder).Order(StringComparer.Ordinal));
            return ParquetPath is null ? listing : ShardIdentity.Combine(listing, ShardIdentity.OfFile(ParquetPath));
        }
    }

    public IEnumerable<SourceRow> ReadRows(CancellationToken cancellationToken)
    {
        var links = new List<string>();
        var files = DatasetFiles.List(Folder, Listing, links);
        foreach (var link in links) problems.Add(DatasetFiles.LinkProblem(link));
        var sample = new SampleFiles(files);

        var rows = ParquetPath is not null
            ? new ParquetMetadataShard(ParquetPath, Layout).ReadRows(cancellationToken).Select(row => sample.Attach(row, row.Key!, null, this))
            : ReadJsonFiles(files, sample, cancellationToken);
        foreach (var row in rows) yield return row;

        foreach (var image in sample.UnclaimedImages())
        {
            uncheckedImages.Add(image);
            problems.Add($"{image}: no row of the shard names this image's key, so it was not checked (and is left out of a clean copy).");
        }
    }

    private IEnumerable<SourceRow> ReadJsonFiles(List<string> files, SampleFiles sample, CancellationToken cancellationToken)
    {
        foreach (var json in files.Where(f => f.EndsWith(".json", StringComparison.Ordinal)))
        {
            cancellationToken.ThrowIfCancellationRequested();
            // The files of a sample share the stem of its .json, whatever key the JSON itself names.
            var stem = ImageFiles.SampleKey(Path.GetFileName(json)).Key;
            SourceRow row;
            try
            {
                row = WebDatasetTarShard.RowFromJson(File.ReadAllBytes(json), stem);
            }
            catch (JsonException e)
            {
                problems.Add($"{json}: not valid JSON ({e.Message}); the sample is skipped.");
                continue;
            }
            var txt = Path.ChangeExtension(json, ".txt");
            if (row.Caption is null && sample.IsRegularFile(txt)) row.Caption = File.ReadAllText(txt);
            yield return sample.Attach(row, stem, json, this);
        }
    }

    internal void AddProblem(string problem) => problems.Add(problem);

    /// <summary>The shard folder's regular files by sample stem (the file name up to its first dot), and which rows claimed them.</summary>
    private sealed class SampleFiles
    {
        private readonly Dictionary<string, List<string>> byStem = new(StringComparer.Ordinal);
        private readonly HashSet<string> claimedStems = new(StringComparer.Ordinal);
        private readonly HashSet<string> regular;

        public SampleFiles(List<string> files)
        {
            regular = new HashSet<string>(files, StringComparer.Ordinal);
            foreach (var file in files)
            {
                var stem = ImageFiles.SampleKey(Path.GetFileName(file)).Key;
                if (!byStem.TryGetValue(stem, out var list)) byStem[stem] = list = new List<string>();
                list.Add(file);
            }
        }

        /// <summary>Gives the row the files of <paramref name="stem"/> and, when it was downloaded, reads its image from them.</summary>
        public SourceRow Attach(SourceRow row, string stem, string? json, Img2DatasetFolderShard shard)
        {
            claimedStems.Add(stem);
            var files = byStem.TryGetValue(stem, out var list) ? list : new List<string>();
            if (json is not null && !files.Contains(json)) files = [.. files, json];
            row.Files = files;
            if (!row.IsSuccess) return row;
            var image = files.FirstOrDefault(ImageFiles.IsImage);
            if (image is null)
            {
                shard.AddProblem($"{shard.Folder}: the image for key {stem} is missing (status success in the {(shard.ParquetPath is null ? "JSON" : "parquet")}).");
                return row;
            }
            row.ImageName = image;
            row.Image = new ImageLocation(image);
            row.ReadImage = () => File.ReadAllBytes(image);
            return row;
        }

        public bool IsRegularFile(string path) => regular.Contains(path);

        public IEnumerable<string> UnclaimedImages() =>
            byStem.Where(s => !claimedStems.Contains(s.Key)).SelectMany(s => s.Value).Where(ImageFiles.IsImage).Order(StringComparer.Ordinal);
    }
}
