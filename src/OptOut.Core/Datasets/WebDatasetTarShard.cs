using System.Formats.Tar;
using System.Text.Json;
using OptOut.Core.Index;

namespace OptOut.Core.Datasets;

/// <summary>
/// img2dataset's "webdataset" layout: NNNNN.tar holding, per sample, KEY.jpg (or another image
/// type), KEY.txt and KEY.json, members of one sample next to each other.
/// </summary>
public sealed class WebDatasetTarShard : IDatasetShard
{
    private readonly List<string> problems = new();

    public WebDatasetTarShard(string tarPath) => TarPath = tarPath;

    public string TarPath { get; }
    public string Source => TarPath;
    public string FilePath => TarPath;
    public string Identity => ShardIdentity.OfFile(TarPath);
    public string Layout => "webdataset";
    public IReadOnlyList<string> RowProblems => problems;

    public IEnumerable<SourceRow> ReadRows(CancellationToken cancellationToken)
    {
        TarIntegrity.Check(TarPath);
        using var stream = new FileStream(TarPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        using var reader = new TarReader(stream);
        string? currentKey = null;
        var members = new Dictionary<string, byte[]>(StringComparer.OrdinalIgnoreCase);
        int memberIndex = 0;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            TarEntry? entry;
            byte[]? content = null;
            try
            {
                entry = reader.GetNextEntry();
                if (entry is { EntryType: TarEntryType.RegularFile or TarEntryType.V7RegularFile, DataStream: { } data })
                {
                    content = new byte[entry.Length];
                    data.ReadExactly(content);
                }
            }
            catch (Exception e) when (e is InvalidDataException or EndOfStreamException or FormatException or ArgumentException)
            {
                throw new DatasetFormatException(TarPath, $"member {memberIndex} (after '{currentKey}') is damaged ({e.Message}).", e);
            }
            if (entry is null) break;
            memberIndex++;
            if (content is null) continue;

            var (key, extension) = ImageFiles.SampleKey(Path.GetFileName(entry.Name));
            if (currentKey is not null && key != currentKey)
            {
                if (MakeRow(currentKey, members) is { } row) yield return row;
                members.Clear();
            }
            currentKey = key;
            members[extension] = content;
        }
        if (currentKey is not null && MakeRow(currentKey, members) is { } last) yield return last;
    }

    private SourceRow? MakeRow(string key, Dictionary<string, byte[]> members)
    {
        SourceRow row;
        if (members.TryGetValue(".json", out var json))
        {
            try
            {
                row = RowFromJson(json, key);
            }
            catch (JsonException e)
            {
                problems.Add($"{TarPath}:{key}.json is not valid JSON ({e.Message}); the sample is skipped.");
                return null;
            }
        }
        else
        {
            row = new SourceRow { Key = key };
        }
        if (row.Caption is null && members.TryGetValue(".txt", out var txt)) row.Caption = System.Text.Encoding.UTF8.GetString(txt);
        var image = members.FirstOrDefault(m => ImageFiles.IsImage("x" + m.Key));
        if (image.Value is not null)
        {
            var bytes = image.Value;
            row.ReadImage = () => bytes;
            row.ImageName = $"{TarPath}:{key}{image.Key}";
        }
        else if (row.IsSuccess)
        {
            problems.Add($"{TarPath}: sample {key} has no image member.");
        }
        return row;
    }

    /// <summary>img2dataset's per-sample JSON: url, key, status, caption, width, height, sha256, md5.</summary>
    internal static SourceRow RowFromJson(byte[] json, string fallbackKey)
    {
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        string? Text(string name) => root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
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
