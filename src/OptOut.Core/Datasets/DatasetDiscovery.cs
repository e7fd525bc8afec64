using System.Text.RegularExpressions;

namespace OptOut.Core.Datasets;

/// <summary>
/// Works out which layout a path holds and lists its shards: a parquet file; a .tar shard; a
/// clip-retrieval folder (img_emb/ + metadata/) or one of its parts; an img2dataset output folder
/// (shard folders and/or tars with their parquets); a folder of parquet files; else a plain folder of
/// images.
/// </summary>
public static partial class DatasetDiscovery
{
    /// <summary>The shards of the training set at <paramref name="path"/> (a file or a folder); throws <see cref="FileNotFoundException"/> when nothing is there.</summary>
    public static IReadOnlyList<IDatasetShard> Discover(string path)
    {
        if (File.Exists(path))
        {
            return [ForFile(Path.GetFullPath(path))];
        }
        if (!Directory.Exists(path))
        {
            throw new FileNotFoundException($"'{path}' does not exist.", path);
        }
        var folder = Path.GetFullPath(path);

        var embeddings = Path.Combine(folder, EmbeddingFolder);
        var metadata = Path.Combine(folder, MetadataFolder);
        if (Directory.Exists(embeddings) && Directory.Exists(metadata))
        {
            return Directory.EnumerateFiles(embeddings, "img_emb_*.npy").Order(StringComparer.Ordinal)
                .Select(npy => (IDatasetShard)new ClipRetrievalPart(MetadataFor(npy), npy)).ToList();
        }

        var shards = new List<IDatasetShard>();
        var files = Directory.EnumerateFiles(folder).Order(StringComparer.Ordinal).ToList();
        var shardFolders = Directory.EnumerateDirectories(folder).Where(d => ShardName().IsMatch(Path.GetFileName(d)))
            .Order(StringComparer.Ordinal).ToList();
        var claimedParquets = new HashSet<string>(StringComparer.Ordinal);

        foreach (var shardFolder in shardFolders)
        {
            var parquet = shardFolder + ".parquet";
            if (File.Exists(parquet)) claimedParquets.Add(parquet);
            shards.Add(new Img2DatasetFolderShard(shardFolder, File.Exists(parquet) ? parquet : null));
        }
        foreach (var tar in files.Where(f => f.EndsWith(".tar", StringComparison.OrdinalIgnoreCase)))
        {
            // img2dataset writes NNNNN.parquet beside NNNNN.tar with the same rows: the tar has them all.
            claimedParquets.Add(Path.ChangeExtension(tar, ".parquet"));
            shards.Add(new WebDatasetTarShard(tar));
        }
        foreach (var parquet in files.Where(f => f.EndsWith(".parquet", StringComparison.OrdinalIgnoreCase) && !claimedParquets.Contains(f)))
        {
            shards.Add(new ParquetMetadataShard(parquet));
        }
        if (shards.Count > 0) return shards;

        var images = new ImageFolderShard(folder);
        if (images.Count == 0)
        {
            throw new DatasetFormatException(folder, "no dataset found (no parquet, .tar, img_emb/ + metadata/, shard folders or images).");
        }
        return [images];
    }

    /// <summary>The folder that the paths of the shards under <paramref name="path"/> are relative to.</summary>
    public static string RootOf(string path)
    {
        var full = Path.GetFullPath(path);
        if (Directory.Exists(full)) return full;
        var parent = Path.GetDirectoryName(full)!;
        // A clip-retrieval part named by one of its files lives two levels down (img_emb/, metadata/).
        var folderName = Path.GetFileName(parent);
        if ((folderName == EmbeddingFolder || folderName == MetadataFolder) && Directory.Exists(Path.Combine(Path.GetDirectoryName(parent)!, EmbeddingFolder)))
        {
            return Path.GetDirectoryName(parent)!;
        }
        return parent;
    }

    private const string EmbeddingFolder = "img_emb";
    private const string MetadataFolder = "metadata";

    private static IDatasetShard ForFile(string file)
    {
        var extension = Path.GetExtension(file).ToLowerInvariant();
        switch (extension)
        {
            case ".tar":
                return new WebDatasetTarShard(file);
            case ".npy":
                return new ClipRetrievalPart(MetadataFor(file), file);
            case ".parquet":
                var match = MetadataName().Match(Path.GetFileName(file));
                var parent = Path.GetDirectoryName(file)!;
                if (match.Success && Path.GetFileName(parent) == MetadataFolder)
                {
                    var npy = Path.Combine(Path.GetDirectoryName(parent)!, EmbeddingFolder, $"img_emb_{match.Groups[1].Value}.npy");
                    if (File.Exists(npy)) return new ClipRetrievalPart(file, npy);
                }
                var shardFolder = Path.ChangeExtension(file, null);
                if (Directory.Exists(shardFolder)) return new Img2DatasetFolderShard(shardFolder, file);
                return new ParquetMetadataShard(file);
            default:
                throw new DatasetFormatException(file, "not a dataset file (.parquet, .tar or .npy); pass a folder of images to import images.");
        }
    }

    private static string MetadataFor(string npy)
    {
        var match = EmbeddingName().Match(Path.GetFileName(npy));
        if (!match.Success) throw new DatasetFormatException(npy, "an embedding file must be named img_emb_N.npy.");
        var root = Path.GetDirectoryName(Path.GetDirectoryName(npy))!;
        // A missing metadata file is reported when the part is read, so the other parts still import.
        return Path.Combine(root, MetadataFolder, $"metadata_{match.Groups[1].Value}.parquet");
    }

    [GeneratedRegex(@"^\d+$")]
    private static partial Regex ShardName();

    [GeneratedRegex(@"^img_emb_(\d+)\.npy$")]
    private static partial Regex EmbeddingName();

    [GeneratedRegex(@"^metadata_(\d+)\.parquet$")]
    private static partial Regex MetadataName();
}
