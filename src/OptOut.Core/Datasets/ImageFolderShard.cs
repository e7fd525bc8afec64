namespace OptOut.Core.Datasets;

/// <summary>A plain folder of images with no metadata: each file is a row whose URL is its path.</summary>
public sealed class ImageFolderShard : IDatasetShard
{
    private readonly string[] files;

    public ImageFolderShard(string folder)
    {
        Folder = folder;
        var options = new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true };
        files = Directory.EnumerateFiles(folder, "*", options).Where(ImageFiles.IsImage).Order(StringComparer.Ordinal).ToArray();
    }

    public string Folder { get; }
    public string Source => Folder;
    public string FilePath => Folder;
    public string Identity => ShardIdentity.OfFolderListing(Folder, files);
    public string Layout => "image-folder";
    public IReadOnlyList<string> RowProblems => [];
    public int Count => files.Length;

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
                ReadImage = () => File.ReadAllBytes(path),
            };
        }
    }
}
