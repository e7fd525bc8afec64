using System.Text.Json;
using OptOut.Core.Index;

namespace OptOut.Core.Datasets;

/// <summary>
/// img2dataset's "files" layout: a shard folder (00000/) of images with .txt captions and .json
/// metadata, usually with 00000.parquet beside it. Rows come from the parquet when present (it
/// also lists failed downloads), else from the .json files.
/// </summary>
public sealed class Img2DatasetFolderShard : IDatasetShard
{
    private readonly List<string> problems = new();

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
        var images = Directory.EnumerateFiles(Folder).Where(ImageFiles.IsImage)
            .ToDictionary(f => Path.GetFileNameWithoutExtension(f), StringComparer.Ordinal);

        if (ParquetPath is not null)
        {
            var shard = new ParquetMetadataShard(ParquetPath, Layout, (key, row) => Lookup(images, key, row));
            return shard.ReadRows(cancellationToken);
        }
        return ReadJsonFiles(images, cancellationToken);
    }

    private Func<byte[]>? Lookup(Dictionary<string, string> images, string key, SourceRow row)
    {
        if (images.TryGetValue(key, out var file))
        {
            row.ImageName = file;
            return () => File.ReadAllBytes(file);
        }
        problems.Add($"{Folder}: the image for key {key} is missing (status success in the parquet).");
        return null;
    }

    private IEnumerable<SourceRow> ReadJsonFiles(Dictionary<string, string> images, CancellationToken cancellationToken)
    {
        foreach (var json in Directory.EnumerateFiles(Folder, "*.json").Order(StringComparer.Ordinal))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var key = Path.GetFileNameWithoutExtension(json);
            SourceRow row;
            try
            {
                row = WebDatasetTarShard.RowFromJson(File.ReadAllBytes(json), key);
            }
            catch (JsonException e)
            {
                problems.Add($"{json}: not valid JSON ({e.Message}); the sample is skipped.");
                continue;
            }
            var txt = Path.ChangeExtension(json, ".txt");
            if (row.Caption is null && File.Exists(txt)) row.Caption = File.ReadAllText(txt);
            if (row.IsSuccess)
            {
                row.ReadImage = Lookup(images, key, row);
            }
            yield return row;
        }
    }
}
