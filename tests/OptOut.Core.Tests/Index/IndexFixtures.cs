using System.Buffers.Binary;
using System.Formats.Tar;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using OptOut.Core.Fingerprinting;
using OptOut.Core.Imaging;
using OptOut.Core.Index;
using OptOut.Samples;
using Parquet;
using Parquet.Schema;
using SixLabors.ImageSharp;

namespace OptOut.Core.Tests.Index;

/// <summary>
/// Writes real dataset files for the index tests: parquet with Parquet.Net, .npy bytes by hand
/// (format 1.0), tar shards with System.Formats.Tar, images with ImageSharp and SampleArt.
/// </summary>
internal static class IndexFixtures
{
    public static Fingerprinter NewFingerprinter() => new(TestEnvironment.DefaultModel, ImageLimits.Default);

    /// <summary>A parquet column: its name and values (string?[], long[], long?[], int[], double[], double?[]).</summary>
    public sealed record Column(string Name, Array Values);

    public static Column Strings(string name, IEnumerable<string?> values) => new(name, values.ToArray());
    public static Column Longs(string name, IEnumerable<long> values) => new(name, values.ToArray());
    public static Column NullableLongs(string name, IEnumerable<long?> values) => new(name, values.ToArray());
    public static Column Doubles(string name, IEnumerable<double> values) => new(name, values.ToArray());
    public static Column NullableDoubles(string name, IEnumerable<double?> values) => new(name, values.ToArray());

    public static void WriteParquet(string path, IReadOnlyList<Column> columns, int rowGroupSize = 100_000) =>
        WriteParquetAsync(path, columns, rowGroupSize).GetAwaiter().GetResult();

    private static async Task WriteParquetAsync(string path, IReadOnlyList<Column> columns, int rowGroupSize)
    {
        var fields = columns.Select(c => c.Values switch
        {
            string?[] => (DataField)new DataField<string>(c.Name, nullable: true),
            long[] => new DataField<long>(c.Name),
            long?[] => new DataField<long?>(c.Name),
            int[] => new DataField<int>(c.Name),
            double[] => new DataField<double>(c.Name),
            double?[] => new DataField<double?>(c.Name),
            _ => throw new ArgumentException($"Unsupported column type {c.Values.GetType()}"),
        }).ToArray();
        int rows = columns[0].Values.Length;
        if (columns.Any(c => c.Values.Length != rows)) throw new ArgumentException("Columns of different lengths.");

        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        await using var stream = File.Create(path);
        await using (var writer = await ParquetWriter.CreateAsync(new ParquetSchema(fields), stream))
        {
            for (int start = 0; start == 0 || start < rows; start += rowGroupSize)
            {
                int count = Math.Min(rowGroupSize, rows - start);
                using var group = writer.CreateRowGroup();
                for (int i = 0; i < columns.Count; i++)
                {
                    switch (columns[i].Values)
                    {
                        case string?[] s: await group.WriteAsync(fields[i], (IReadOnlyCollection<string>)s[start..(start + count)]!); break;
                        case long[] l: await group.WriteAsync<long>(fields[i], l.AsMemory(start, count)); break;
                        case long?[] l: await group.WriteAsync<long>(fields[i], l.AsMemory(start, count)); break;
                        case int[] n: await group.WriteAsync<int>(fields[i], n.AsMemory(start, count)); break;
                        case double[] d: await group.WriteAsync<double>(fields[i], d.AsMemory(start, count)); break;
                        case double?[] d: await group.WriteAsync<double>(fields[i], d.AsMemory(start, count)); break;
                    }
                }
                group.CompleteValidate();
                if (rows == 0) break;
            }
        }
    }

    /// <summary>A NumPy format 1.0 file of a 2-D little-endian float16 or float32 matrix, header padded to 64 bytes.</summary>
    public static byte[] NpyBytes(IReadOnlyList<float[]> rows, bool float16, int? columnsOverride = null)
    {
        int columns = columnsOverride ?? (rows.Count > 0 ? rows[0].Length : 0);
        var dict = string.Create(CultureInfo.InvariantCulture,
            $"{{'descr': '{(float16 ? "<f2" : "<f4")}', 'fortran_order': False, 'shape': ({rows.Count}, {columns}), }}");
        int unpadded = 10 + dict.Length + 1;
        var header = dict + new string(' ', (64 - unpadded % 64) % 64) + "\n";
        using var stream = new MemoryStream();
        stream.Write([0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0]);
        var length = new byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(length, (ushort)header.Length);
        stream.Write(length);
        stream.Write(Encoding.ASCII.GetBytes(header));
        var element = new byte[float16 ? 2 : 4];
        foreach (var row in rows)
        {
            foreach (var value in row)
            {
                if (float16) BinaryPrimitives.WriteHalfLittleEndian(element, (Half)value);
                else BinaryPrimitives.WriteSingleLittleEndian(element, value);
                stream.Write(element);
            }
        }
        return stream.ToArray();
    }

    /// <summary>Random unit vectors, as clip-retrieval stores them.</summary>
    public static float[][] UnitVectors(int count, int dimensions, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ => Normalize(Enumerable.Range(0, dimensions).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray())).ToArray();
    }

    public static float[] Normalize(float[] vector)
    {
        double norm = Math.Sqrt(vector.Sum(v => (double)v * v));
        return vector.Select(v => (float)(v / norm)).ToArray();
    }

    public sealed record TarMember(string Name, byte[] Content);

    /// <summary>Writes a ustar tar; returns the offset of each member's 512-byte header.</summary>
    public static long[] WriteTar(string path, IEnumerable<TarMember> members)
    {
        var offsets = new List<long>();
        using var stream = File.Create(path);
        using (var writer = new TarWriter(stream, TarEntryFormat.Ustar, leaveOpen: true))
        {
            foreach (var member in members)
            {
                stream.Flush();
                offsets.Add(stream.Position);
                var entry = new UstarTarEntry(TarEntryType.RegularFile, member.Name)
                {
                    DataStream = new MemoryStream(member.Content),
                    ModificationTime = new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero),
                };
                writer.WriteEntry(entry);
            }
        }
        return offsets.ToArray();
    }

    /// <summary>img2dataset's per-sample JSON.</summary>
    public static byte[] SampleJson(string key, string? url, string? caption, string status, int? width = null, int? height = null, string? sha256 = null) =>
        JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object?>
        {
            ["url"] = url,
            ["key"] = key,
            ["status"] = status,
            ["error_message"] = status == "success" ? null : "HTTP 404",
            ["caption"] = caption,
            ["width"] = width,
            ["height"] = height,
            ["original_width"] = width,
            ["original_height"] = height,
            ["exif"] = "{}",
            ["sha256"] = sha256,
        });

    public static byte[] Png(int seed, int width = 96, int height = 72)
    {
        using var art = SampleArt.Create(seed, width, height);
        using var stream = new MemoryStream();
        art.SaveAsPng(stream);
        return stream.ToArray();
    }

    public static byte[] Jpeg(int seed, int width = 96, int height = 72)
    {
        using var art = SampleArt.Create(seed, width, height);
        using var stream = new MemoryStream();
        art.SaveAsJpeg(stream);
        return stream.ToArray();
    }

    public static string Sha256Hex(byte[] content) => Convert.ToHexString(SHA256.HashData(content)).ToLowerInvariant();

    /// <summary>Runs an import, collecting its events.</summary>
    public static (ImportSummary Summary, List<ImportEvent> Events) Import(IndexStore store, Fingerprinter? fingerprinter, string? embeddingModelId,
        string dataset, params string[] paths)
    {
        var events = new List<ImportEvent>();
        var importer = new TrainingSetImporter(store, fingerprinter, embeddingModelId, e => { lock (events) events.Add(e); });
        var summary = importer.Import(dataset, paths, CancellationToken.None);
        return (summary, events);
    }

    public static List<ImportProblem> Problems(IEnumerable<ImportEvent> events) => events.OfType<ImportProblem>().ToList();

    public static List<ShardResult> Shards(IEnumerable<ImportEvent> events) => events.OfType<ImportShardDone>().Select(e => e.Result).ToList();

    /// <summary>A second, independent connection to the index file: what another process would see.</summary>
    public static T QueryFile<T>(string indexPath, string sql)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = indexPath, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (T)Convert.ChangeType(command.ExecuteScalar()!, typeof(T), CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// The caption file agrees with the index: FTS5's own check of its structure passes, it holds
    /// exactly the rows with a caption (by id), and it records the index's last row as its level.
    /// </summary>
    public static void CheckCaptionIndex(string indexPath)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = indexPath + ".captions", Pooling = false }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "INSERT INTO captions(captions, rank) VALUES ('integrity-check', 0)";
        command.ExecuteNonQuery();
        command.CommandText = "ATTACH DATABASE $p AS idx";
        command.Parameters.AddWithValue("$p", indexPath);
        command.ExecuteNonQuery();
        command.Parameters.Clear();
        command.CommandText = """
            SELECT (SELECT count(*) FROM captions),
                   (SELECT count(*) FROM idx.rows WHERE caption IS NOT NULL AND caption <> ''),
                   (SELECT count(*) FROM captions c JOIN idx.rows r ON r.id = c.rowid WHERE r.caption IS NOT NULL AND r.caption <> ''),
                   (SELECT value FROM state WHERE key = 'through'),
                   (SELECT coalesce(max(id), 0) FROM idx.rows)
            """;
        using var reader = command.ExecuteReader();
        reader.Read();
        long held = reader.GetInt64(0), withCaption = reader.GetInt64(1), matched = reader.GetInt64(2);
        if (held != withCaption || matched != withCaption || reader.GetString(3) != reader.GetInt64(4).ToString(CultureInfo.InvariantCulture))
        {
            throw new InvalidOperationException($"caption file: {held} entries, {matched} of them rows with a caption; index: {withCaption} rows with a caption; level {reader.GetString(3)} vs last row {reader.GetInt64(4)}");
        }
    }

    // ---- whole layouts ---------------------------------------------------------------------------

    /// <summary>A LAION Hugging Face export: SAMPLE_ID, URL, TEXT, HEIGHT, WIDTH (float64 or int64), LICENSE, NSFW, similarity, optional md5.</summary>
    public static void WriteLaionUpperCase(string path, long firstId, int count, bool widthAsDouble, bool withMd5 = false, bool withPandasIndex = true, int rowGroupSize = 100_000)
    {
        var ids = Enumerable.Range(0, count).Select(i => firstId + i).ToArray();
        var columns = new List<Column>
        {
            Longs("SAMPLE_ID", ids),
            Strings("URL", ids.Select(LaionUrl)),
            Strings("TEXT", ids.Select(LaionCaption)),
        };
        if (widthAsDouble)
        {
            // pandas writes a missing size as NaN/null in a float64 column.
            columns.Add(NullableDoubles("HEIGHT", ids.Select(id => id % 7 == 3 ? (double?)null : 300 + id % 100)));
            columns.Add(NullableDoubles("WIDTH", ids.Select(id => id % 7 == 3 ? (double?)null : 400 + id % 100)));
        }
        else
        {
            columns.Add(Longs("HEIGHT", ids.Select(id => 300 + id % 100)));
            columns.Add(Longs("WIDTH", ids.Select(id => 400 + id % 100)));
        }
        columns.Add(Strings("LICENSE", ids.Select(_ => "?")));
        columns.Add(Strings("NSFW", ids.Select(_ => "UNLIKELY")));
        columns.Add(Doubles("similarity", ids.Select(id => 0.3 + id % 10 / 100.0)));
        if (withMd5) columns.Add(Strings("md5", ids.Select(id => Md5Hex(id))));
        if (withPandasIndex) columns.Add(Longs("__index_level_0__", ids.Select(id => id - firstId)));
        WriteParquet(path, columns, rowGroupSize);
    }

    public static string LaionUrl(long id) => $"https://img{id % 5}.example.com/photos/{id}.jpg";
    public static string LaionCaption(long id) => $"sample number {id} of the laion fixture";
    public static string KeyMd5Hex(string key) => Convert.ToHexString(MD5.HashData(Encoding.UTF8.GetBytes(key))).ToLowerInvariant();
    public static string Md5Hex(long id) => Convert.ToHexString(MD5.HashData(BitConverter.GetBytes(id))).ToLowerInvariant();

    /// <summary>The parquet stored beside clip-retrieval embeddings and written by img2dataset: lower-case columns with status.</summary>
    public static void WriteLowerCaseMetadata(string path, IReadOnlyList<(string Key, string Url, string Caption, string Status, long Width, long Height)> rows,
        bool withSha256 = false, IReadOnlyList<string?>? sha256 = null)
    {
        var columns = new List<Column>
        {
            Strings("image_path", rows.Select(r => r.Key + ".jpg")),
            Strings("caption", rows.Select(r => r.Caption)),
            Strings("NSFW", rows.Select(_ => "UNLIKELY")),
            Doubles("similarity", rows.Select(_ => 0.31)),
            Strings("LICENSE", rows.Select(_ => "?")),
            Strings("url", rows.Select(r => r.Url)),
            Strings("key", rows.Select(r => r.Key)),
            Strings("status", rows.Select(r => r.Status)),
            Strings("error_message", rows.Select(r => r.Status == "success" ? null : "HTTP Error 404: Not Found")),
            Longs("width", rows.Select(r => r.Width)),
            Longs("height", rows.Select(r => r.Height)),
            Longs("original_width", rows.Select(r => r.Width * 2)),
            Longs("original_height", rows.Select(r => r.Height * 2)),
            Strings("exif", rows.Select(_ => "{}")),
            Strings("md5", rows.Select(r => KeyMd5Hex(r.Key))),
        };
        if (withSha256) columns.Add(Strings("sha256", sha256 ?? rows.Select(_ => (string?)null).ToList()));
        WriteParquet(path, columns);
    }

    public sealed record Sample(string Key, int Seed, string Url, string Caption, bool Success, byte[]? Image);

    /// <summary>Samples of an img2dataset shard: successes have an image, failures only metadata.</summary>
    public static List<Sample> MakeSamples(int shard, int count, Func<int, bool> failed, int seedBase = 7000)
    {
        return Enumerable.Range(0, count).Select(i =>
        {
            var key = $"{shard:D5}{i:D4}";
            bool success = !failed(i);
            int seed = seedBase + shard * 100 + i;
            return new Sample(key, seed, $"https://shard{shard}.example.net/img/{key}.jpg", $"fixture picture {key} shard{shard}", success,
                success ? Jpeg(seed) : null);
        }).ToList();
    }

    /// <summary>img2dataset's "files" layout: root/NNNNN/ with KEY.jpg, KEY.txt, KEY.json, and root/NNNNN.parquet (all rows).</summary>
    public static string WriteImg2DatasetFilesShard(string root, int shard, IReadOnlyList<Sample> samples, bool withParquet = true)
    {
        var folder = Path.Combine(root, $"{shard:D5}");
        Directory.CreateDirectory(folder);
        foreach (var s in samples)
        {
            if (s.Success)
            {
                File.WriteAllBytes(Path.Combine(folder, s.Key + ".jpg"), s.Image!);
                File.WriteAllText(Path.Combine(folder, s.Key + ".txt"), s.Caption);
            }
            if (s.Success || !withParquet)
            {
                File.WriteAllBytes(Path.Combine(folder, s.Key + ".json"),
                    SampleJson(s.Key, s.Url, s.Caption, s.Success ? "success" : "failed_to_download", s.Success ? 96 : null, s.Success ? 72 : null,
                        s.Success ? Sha256Hex(s.Image!) : null));
            }
        }
        if (withParquet)
        {
            WriteLowerCaseMetadata(folder + ".parquet",
                samples.Select(s => (s.Key, s.Url, s.Caption, s.Success ? "success" : "failed_to_download", s.Success ? 96L : 0L, s.Success ? 72L : 0L)).ToList(),
                withSha256: true, sha256: samples.Select(s => s.Success ? Sha256Hex(s.Image!) : null).ToList());
        }
        return folder;
    }

    /// <summary>img2dataset's "webdataset" layout: KEY.jpg, KEY.txt, KEY.json per sample; failed samples have only their .json.</summary>
    public static long[] WriteWebDatasetTar(string path, IReadOnlyList<Sample> samples)
    {
        var members = new List<TarMember>();
        foreach (var s in samples)
        {
            if (s.Success)
            {
                members.Add(new TarMember(s.Key + ".jpg", s.Image!));
                members.Add(new TarMember(s.Key + ".txt", Encoding.UTF8.GetBytes(s.Caption)));
            }
            // The caption is left out of the JSON so the .txt member supplies it.
            members.Add(new TarMember(s.Key + ".json", SampleJson(s.Key, s.Url, null, s.Success ? "success" : "failed_to_download",
                s.Success ? 96 : null, s.Success ? 72 : null, s.Success ? Sha256Hex(s.Image!) : null)));
        }
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        return WriteTar(path, members);
    }

    /// <summary>clip-retrieval: root/img_emb/img_emb_N.npy aligned with root/metadata/metadata_N.parquet.</summary>
    public static (string Npy, string Parquet) WriteClipRetrievalPart(string root, int part, IReadOnlyList<float[]> vectors, bool float16, int? metadataRows = null)
    {
        var npy = Path.Combine(root, "img_emb", $"img_emb_{part}.npy");
        var parquet = Path.Combine(root, "metadata", $"metadata_{part}.parquet");
        Directory.CreateDirectory(Path.GetDirectoryName(npy)!);
        Directory.CreateDirectory(Path.GetDirectoryName(parquet)!);
        File.WriteAllBytes(npy, NpyBytes(vectors, float16));
        WriteLowerCaseMetadata(parquet, Enumerable.Range(0, metadataRows ?? vectors.Count)
            .Select(i => (ClipKey(part, i), $"https://clip{part}.example.org/{i}.jpg", $"clip part {part} row {i}", "success", 224L, 224L)).ToList());
        return (npy, parquet);
    }

    public static string ClipKey(int part, int row) => $"{part:D3}{row:D6}";

    public static string NewIndexPath(string folder) => Path.Combine(folder, "index", "optout-index.db");
}
