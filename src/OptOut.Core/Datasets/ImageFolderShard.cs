namespace OptOut.Core.Datasets;

/// <summary>
/// A plain folder of images with no metadata: each file is a row whose URL is its path. Symbolic
/// links (to files or folders) are not followed: each is a row problem, and no row.
/// </summary>
internal sealed class ImageFolderShard : IDatasetShard
{
    /// <summary>How the folder is listed, by the reader and by a clean copy alike (hidden files are not part of it).</summary>
    internal static readonly EnumerationOptions Listing = new() { RecurseSubdirectories = true, IgnoreInaccessible = true };

    private readonly string[] files;
    private readonly List<string> links = new();

    public ImageFolderShard(string folder)
    {
        Folder = folder;
        files = DatasetFiles.List(folder, Listing, links).Where(ImageFiles.IsImage).ToArray();
    }

    public string Folder { get; }
    public string Source => Folder;
    public string FilePath => Folder;
    public string Identity => ShardIdentity.OfFolderListing(Folder, files);
    public string Layout => "image-folder";
    public IReadOnlyList<string> RowProblems => links.Select(DatasetFiles.LinkProblem).ToList();
    public int Count => files.Length + links.Count;
    public bool CarriesEmbeddings => false;
    public bool HasLocalImages => true;
    public bool NamesRemovalsByKey => false;

    public IEnumerable<RowBatch> ReadBatches(CancellationToken cancellationToken) => SourceRowBatch.Of(ReadRows(cancellationToken));

    /// <summary>The folder without the removed images.</summary>
    public IDatasetShard WriteCleanCopy(CleanCopyTarget target, RemovedRows removed, CancellationToken cancellationToken) =>
        new ImageFolderShard(target.CopyFolder(Folder, Listing, removed.Files.Contains, cancellationToken));

    public IEnumerable<SourceRow> ReadRows(CancellationToken cancellationToken)
    {
        foreach (var file in files)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var path = file;
            yield return new SourceRow
            {
                Key = Path.GetRelativePath(Folder, path),
                Url = path,
                ImageName = path,
                Image = new ImageLocation(path),
                ReadImage = () => File.ReadAllBytes(path),
                Files = [path],
            };
        }
    }
}
