using System.Formats.Tar;
using System.Text.Json;
using OptOut.Core.Imaging;

namespace OptOut.Core.Datasets;

/// <summary>
/// img2dataset's "webdataset" layout: NNNNN.tar holding, per sample, KEY.jpg (or another image
/// type), KEY.txt and KEY.json, members of one sample next to each other. Members are streamed:
/// a member's size is taken from its header before anything is read, an image is read from the
/// file only when the row's image is asked for, and a member over the limit is skipped (seeked
/// past) and reported, so neither memory nor a 2 GiB array limit depends on what the tar holds.
/// </summary>
internal sealed class WebDatasetTarShard : IDatasetShard
{
    /// <summary>The most a .json or .txt member may hold: metadata, read whole.</summary>
    public const int MaxMetadataBytes = 16 << 20;

    private readonly List<string> problems = new();
    private readonly HashSet<int> uncheckedMembers = new();

    public WebDatasetTarShard(string tarPath) => TarPath = tarPath;

    public string TarPath { get; }
    public string Source => TarPath;
    public string FilePath => TarPath;
    public string Identity => ShardIdentity.OfFile(TarPath);
    public string Layout => "webdataset";
    public IReadOnlyList<string> RowProblems => problems;

    /// <summary>The most an image member may hold (the images' file limit by default); a larger one is not read.</summary>
    public long MaxImageBytes { get; init; } = ImageLimits.DefaultMaxFileBytes;

    /// <summary>Members of samples that were skipped unread (known once the rows are read): a clean copy leaves them out.</summary>
    public IReadOnlySet<int> UncheckedMembers => uncheckedMembers;

    public bool CarriesEmbeddings => false;
    public bool HasLocalImages => true;
    public bool NamesRemovalsByKey => true;

    public IEnumerable<RowBatch> ReadBatches(CancellationToken cancellationToken) => SourceRowBatch.Of(ReadRows(cancellationToken));

    /// <summary>The tar without the removed samples' members and the unchecked ones; the parquet beside it without the removed keys.</summary>
    public IDatasetShard WriteCleanCopy(CleanCopyTarget target, RemovedRows removed, CancellationToken cancellationToken)
    {
        var copy = target.CopyTar(TarPath, m => removed.TarMembers.Contains(m) || uncheckedMembers.Contains(m), cancellationToken);
        var metadata = Path.ChangeExtension(TarPath, ".parquet");
        if (File.Exists(metadata)) CopyParquetWithoutKeys(target, metadata, removed.Keys, cancellationToken);
        return new WebDatasetTarShard(copy) { MaxImageBytes = MaxImageBytes };
    }

    private static void CopyParquetWithoutKeys(CleanCopyTarget target, string parquetPath, IReadOnlySet<string> removedKeys, CancellationToken cancellationToken)
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
        target.CopyParquet(parquetPath, removedRows.Contains, cancellationToken);
    }

    /// <summary>One sample's members as they are met: positions, small metadata members' bytes, where its image lies.</summary>
    private sealed class PendingSample(string key)
    {
        public string Key { get; } = key;
        public List<int> Members { get; } = new();
        public Dictionary<string, byte[]> Metadata { get; } = new(StringComparer.OrdinalIgnoreCase);
        public (string Name, long Offset, long Length)? Image { get; set; }
        public bool ImageRefused { get; set; }
    }

    public IEnumerable<SourceRow> ReadRows(CancellationToken cancellationToken)
    {
        TarIntegrity.Check(TarPath);
        using var stream = new FileStream(TarPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        using var reader = new TarReader(stream);
        PendingSample? current = null;
        int position = 0;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            TarEntry? entry;
            long dataOffset;
            byte[]? metadata = null;
            try
            {
                // copyData: false on a seekable stream: the data is not read; the reader seeks past it
                // and its 512-byte padding at once, and its DataStream seeks back when read.
                entry = reader.GetNextEntry(copyData: false);
                dataOffset = entry is null ? 0 : stream.Position - (entry.Length + 511) / 512 * 512;
                if (entry is { EntryType: TarEntryType.RegularFile or TarEntryType.V7RegularFile } && IsMetadata(entry.Name)
                    && entry.Length <= MaxMetadataBytes && entry.DataStream is { } data)
                {
                    metadata = new byte[(int)entry.Length];
                    data.ReadExactly(metadata);
                }
            }
            catch (Exception e) when (e is InvalidDataException or EndOfStreamException or FormatException or ArgumentException or IOException)
            {
                throw new DatasetFormatException(TarPath, $"member {position} (after '{current?.Key}') is damaged ({e.Message}).", e);
            }
            if (entry is null) break;
            int member = position++;
            if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile)) continue;

            var (key, extension) = ImageFiles.SampleKey(Path.GetFileName(entry.Name));
            if (current is not null && key != current.Key)
            {
                if (MakeRow(current) is { } row) yield return row;
                current = null;
            }
            current ??= new PendingSample(key);
            current.Members.Add(member);
            if (metadata is not null)
            {
                current.Metadata[extension] = metadata;
            }
            else if (IsMetadata(entry.Name))
            {
                problems.Add($"{TarPath}:{entry.Name} is {entry.Length:N0} bytes, over the limit of {MaxMetadataBytes:N0} bytes for metadata; it was not read.");
            }
            else if (ImageFiles.IsImage("x" + extension) && current.Image is null && !current.ImageRefused)
            {
                if (entry.Length > MaxImageBytes)
                {
                    current.ImageRefused = true;
                    problems.Add($"{TarPath}:{entry.Name} is {entry.Length:N0} bytes, over the limit of {MaxImageBytes:N0} bytes for an image; it was not read (its sample's URL and listed hashes were still checked).");
                }
                else
                {
                    current.Image = (entry.Name, dataOffset, entry.Length);
                }
            }
        }
        if (current is not null && MakeRow(current) is { } last) yield return last;
    }

    private static bool IsMetadata(string name) =>
        name.EndsWith(".json", StringComparison.OrdinalIgnoreCase) || name.EndsWith(".txt", StringComparison.OrdinalIgnoreCase);

    private SourceRow? MakeRow(PendingSample sample)
    {
        SourceRow row;
        if (sample.Metadata.TryGetValue(".json", out var json))
        {
            try
            {
                row = RowFromJson(json, sample.Key);
            }
            catch (JsonException e)
            {
                problems.Add($"{TarPath}:{sample.Key}.json is not valid JSON ({e.Message}); the sample is skipped (and left out of a clean copy).");
                uncheckedMembers.UnionWith(sample.Members);
                return null;
            }
        }
        else
        {
            row = new SourceRow { Key = sample.Key };
        }
        if (row.Caption is null && sample.Metadata.TryGetValue(".txt", out var txt)) row.Caption = System.Text.Encoding.UTF8.GetString(txt);
        row.TarMembers = sample.Members;
        if (sample.Image is { } image)
        {
            var path = TarPath;
            row.ReadImage = () => ReadMember(path, image.Offset, image.Length);
            row.ImageName = $"{TarPath}:{image.Name}";
            row.Image = new ImageLocation(path, image.Name, image.Offset, image.Length);
        }
        else if (row.IsSuccess && !sample.ImageRefused)
        {
            problems.Add($"{TarPath}: sample {sample.Key} has no image member.");
        }
        return row;
    }

    /// <summary>Reads one member's data when the row's image is needed, so a batch of rows holds no image bytes.</summary>
    private static byte[] ReadMember(string path, long offset, long length)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1);
        stream.Position = offset;
        var bytes = new byte[length];
        stream.ReadExactly(bytes);
        return bytes;
    }

    /// <summary>img2dataset's per-sample JSON: url, key, status, caption, width, height, sha256, md5.</summary>
    internal static SourceRow RowFromJson(byte[] json, string fallbackKey)
    {
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object) throw new JsonException($"the JSON is a {root.ValueKind}, not an object");
        // A field the rules read that is there but not text would otherwise pass unchecked.
        string? Text(string name)
        {
            if (!root.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null) return null;
            return v.ValueKind == JsonValueKind.String ? v.GetString() : throw new JsonException($"'{name}' is a JSON {v.ValueKind}, not a string");
        }
        int? Number(string name) => root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out var n)
            ? ParquetColumns.ToInt(n)
            : root.TryGetProperty(name, out var d) && d.ValueKind == JsonValueKind.Number ? ParquetColumns.ToInt((long)d.GetDouble()) : null;
        return new SourceRow
        {
            Key = Text("key") ?? fallbackKey,
            Url = Text("url"),
            Caption = Text("caption"),
            Status = Text("status"),
            Width = Number("width"),
            Height = Number("height"),
            Sha256 = ParquetColumns.ParseHex(Text("sha256"), 32),
            Md5 = ParquetColumns.ParseHex(Text("md5"), 16),
        };
    }
}
