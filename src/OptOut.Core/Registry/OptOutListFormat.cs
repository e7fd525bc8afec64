using System.Collections.Concurrent;
using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Parquet;
using Parquet.Schema;
using OptOut.Core.Urls;
using OptOut.Core.OutputSafety;

namespace OptOut.Core.Registry;

/// <summary>
/// Writes and reads registry exports. Every format carries the whole record (id, decision, kind,
/// target, claimant, reason, dates, status, evidence) and, for content claims, the SHA-256,
/// perceptual hash, embedding and model id, so another registry can merge it and another party can
/// match the content. Files are written to a temporary name and renamed, so a reader never sees half
/// a list.
/// </summary>
public static class OptOutListFormat
{
    private static readonly string[] CsvColumns =
    [
        "id", "decision", "kind", "target", "claimant", "reason", "created_at", "status", "revoked_at", "revoked_by", "revoked_reason",
        "perceptual_hash", "model_id", "embedding", "evidence", "origin",
    ];

    /// <summary>The list format a file's extension names (.csv, .json, .parquet, .txt); throws <see cref="ArgumentException"/> for another.</summary>
    public static ListFormat FromExtension(string path) => Path.GetExtension(path).ToLowerInvariant() switch
    {
        ".csv" => ListFormat.Csv,
        ".json" => ListFormat.Json,
        ".parquet" => ListFormat.Parquet,
        ".txt" or ".urls" or ".lst" => ListFormat.UrlList,
        var other => throw new ArgumentException($"Cannot tell the list format from the extension '{other}'; pass -Format."),
    };

    /// <summary>
    /// Writes the records atomically (a temporary file beside <paramref name="path"/>, renamed over
    /// it); returns how many were written. Temporary files an earlier export to the same path left
    /// behind (killed midway) are removed first. Errors name <paramref name="path"/>, never the
    /// temporary file, which is removed whatever happens.
    /// </summary>
    public static long Write(IEnumerable<StoredClaim> records, string path, ListFormat format)
    {
        var full = Path.GetFullPath(path);
        var temporary = Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        PendingFile? file = null;
        try
        {
            RemoveLeftovers(full);
            // FileShare.Delete: the file can be renamed while this handle holds it (Windows), and
            // the handle's shared lock tells RemoveLeftovers in another export that it is in use.
            file = AtomicFile.Begin(full, temporary, FileShare.Delete);
            long count = format switch
            {
                ListFormat.Csv => WriteCsv(records, file.Stream),
                ListFormat.Json => WriteJson(records, file.Stream),
                ListFormat.Parquet => WriteParquet(records, file.Stream).GetAwaiter().GetResult(),
                _ => WriteUrlList(records, file.Stream),
            };
            file.Commit();
            return count;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The system's message names the file it was writing, which is the temporary one.
            var message = $"Cannot write '{full}': {e.Message.Replace(temporary, full, StringComparison.Ordinal).Replace(Path.GetFileName(temporary), Path.GetFileName(full), StringComparison.Ordinal)}";
            throw e is UnauthorizedAccessException ? new UnauthorizedAccessException(message) : new IOException(message);
        }
        finally
        {
            // Not committed: the temporary file goes, and the list that was there stays as it was.
            file?.Dispose();
        }
    }

    /// <summary>
    /// Removes the temporary files earlier exports to <paramref name="path"/> left behind
    /// (".name.&lt;32 hex&gt;.tmp" beside it, from a killed or failed run) that no process holds open
    /// (an export in progress holds its own; opening it exclusively fails). Returns what was removed.
    /// </summary>
    public static IReadOnlyList<string> RemoveLeftovers(string path)
    {
        var full = Path.GetFullPath(path);
        var folder = Path.GetDirectoryName(full)!;
        var prefix = $".{Path.GetFileName(full)}.";
        var removed = new List<string>();
        if (!Directory.Exists(folder)) return removed;
        foreach (var candidate in Directory.EnumerateFiles(folder, prefix + "*.tmp"))
        {
            var middle = Path.GetFileName(candidate)[prefix.Length..^".tmp".Length];
            if (middle.Length != 32 || !middle.All(char.IsAsciiHexDigitLower)) continue;
            try
            {
                using (new FileStream(candidate, FileMode.Open, FileAccess.ReadWrite, FileShare.None)) { }
                File.Delete(candidate);
                removed.Add(candidate);
            }
            catch (IOException) { }                  // in use by an export running now
            catch (UnauthorizedAccessException) { }
        }
        return removed;
    }

    // ---- CSV (RFC 4180) ----------------------------------------------------------------------

    private static long WriteCsv(IEnumerable<StoredClaim> records, Stream stream)
    {
        using var writer = new StreamWriter(stream, new UTF8Encoding(false), 1 << 16, leaveOpen: true);
        writer.Write(string.Join(',', CsvColumns));
        writer.Write("\r\n");
        long count = 0;
        foreach (var r in records)
        {
            var fields = Fields(r);
            for (int i = 0; i < fields.Length; i++)
            {
                if (i > 0) writer.Write(',');
                WriteCsvField(writer, fields[i]);
            }
            writer.Write("\r\n");
            count++;
        }
        return count;
    }

    private static string?[] Fields(StoredClaim r) =>
    [
        r.Id, r.Decision.ToString(), r.Kind.ToString(), r.Target, r.Claimant, r.Reason, Time(r.CreatedAt), r.Status.ToString(),
        r.RevokedAt is { } at ? Time(at) : null, r.RevokedBy, r.RevokedReason,
        r.PerceptualHash is { } h ? h.ToString("x16", CultureInfo.InvariantCulture) : null, r.ModelId,
        r.Embedding is { } e ? Convert.ToBase64String(EmbeddingBytes(e)) : null,
        r.Evidence is null ? null : JsonSerializer.Serialize(r.Evidence, RegistryStore.EvidenceJson), r.Origin,
    ];

    private static void WriteCsvField(TextWriter writer, string? value)
    {
        if (value is null) return;
        if (value.AsSpan().IndexOfAny(",\"\r\n") < 0)
        {
            writer.Write(value);
            return;
        }
        writer.Write('"');
        writer.Write(value.Replace("\"", "\"\""));
        writer.Write('"');
    }

    // ---- JSON --------------------------------------------------------------------------------

    private static long WriteJson(IEnumerable<StoredClaim> records, Stream stream)
    {
        using var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = false });
        writer.WriteStartArray();
        long count = 0;
        foreach (var r in records)
        {
            writer.WriteStartObject();
            writer.WriteString("id", r.Id);
            writer.WriteString("decision", r.Decision.ToString());
            writer.WriteString("kind", r.Kind.ToString());
            writer.WriteString("target", r.Target);
            writer.WriteString("claimant", r.Claimant);
            if (r.Reason is not null) writer.WriteString("reason", r.Reason);
            writer.WriteString("createdAt", Time(r.CreatedAt));
            writer.WriteString("status", r.Status.ToString());
            if (r.RevokedAt is { } at) writer.WriteString("revokedAt", Time(at));
            if (r.RevokedBy is not null) writer.WriteString("revokedBy", r.RevokedBy);
            if (r.RevokedReason is not null) writer.WriteString("revokedReason", r.RevokedReason);
            if (r.PerceptualHash is { } h) writer.WriteString("perceptualHash", h.ToString("x16", CultureInfo.InvariantCulture));
            if (r.ModelId is not null) writer.WriteString("modelId", r.ModelId);
            if (r.Embedding is { } e)
            {
                writer.WriteStartArray("embedding");
                foreach (var v in e) writer.WriteNumberValue(v);
                writer.WriteEndArray();
            }
            if (r.Evidence is not null)
            {
                writer.WritePropertyName("evidence");
                JsonSerializer.Serialize(writer, r.Evidence, RegistryStore.EvidenceJson);
            }
            writer.WriteString("origin", r.Origin);
            writer.WriteEndObject();
            count++;
            if (count % 4096 == 0) writer.Flush();
        }
        writer.WriteEndArray();
        return count;
    }

    // ---- Parquet -----------------------------------------------------------------------------

    private const int RowGroupSize = 100_000;

    private static readonly DataField[] ParquetFields =
    [
        new DataField<string>("id"), new DataField<string>("decision"), new DataField<string>("kind"), new DataField<string>("target"),
        new DataField<string>("claimant"), new DataField<string>("reason"), new DataField<string>("created_at"), new DataField<string>("status"),
        new DataField<string>("revoked_at"), new DataField<string>("revoked_by"), new DataField<string>("revoked_reason"),
        new DataField<string>("perceptual_hash"), new DataField<string>("model_id"), new DataField<byte[]>("embedding"),
        new DataField<string>("evidence"), new DataField<string>("origin"),
    ];

    private static async Task<long> WriteParquet(IEnumerable<StoredClaim> records, Stream stream)
    {
        var schema = new ParquetSchema(ParquetFields);
        await using var writer = await ParquetWriter.CreateAsync(schema, stream);
        // Reading the registry and encoding parquet take about as long as each other: the next row
        // group is read (on another thread) while this one is encoded (1M records: 137k -> see docs/benchmarks.md).
        using var chunks = new BlockingCollection<ParquetChunk>(boundedCapacity: 2);
        var reading = Task.Run(() =>
        {
            try
            {
                foreach (var chunk in records.Chunk(RowGroupSize)) chunks.Add(ParquetChunk.Of(chunk));
            }
            finally
            {
                chunks.CompleteAdding();
            }
        });
        long count = 0;
        try
        {
            foreach (var chunk in chunks.GetConsumingEnumerable())
            {
                await WriteGroup(writer, chunk);
                count += chunk.Rows.Length;
            }
        }
        finally
        {
            // Stop the reader if writing failed (a full disk), then surface its own failure, if any.
            while (!chunks.IsCompleted && chunks.TryTake(out _, 50)) { }
        }
        await reading;
        if (count == 0) await WriteGroup(writer, ParquetChunk.Of([]));
        return count;
    }

    /// <summary>One row group's values, converted to text on the reading thread.</summary>
    private sealed record ParquetChunk(string?[][] Rows, byte[]?[] Embeddings)
    {
        public static ParquetChunk Of(StoredClaim[] records) =>
            new(records.Select(Fields).ToArray(), records.Select(r => r.Embedding is { } e ? EmbeddingBytes(e) : null).ToArray());
    }

    private static async Task WriteGroup(ParquetWriter writer, ParquetChunk chunk)
    {
        using var group = writer.CreateRowGroup();
        for (int c = 0; c < ParquetFields.Length; c++)
        {
            if (ParquetFields[c].Name == "embedding")
            {
                await group.WriteAsync(ParquetFields[c], chunk.Embeddings!);
            }
            else
            {
                int column = Array.IndexOf(CsvColumns, ParquetFields[c].Name);
                await group.WriteAsync(ParquetFields[c], chunk.Rows.Select(r => r[column]).ToArray()!);
            }
        }
    }

    // ---- URL list ----------------------------------------------------------------------------

    private static long WriteUrlList(IEnumerable<StoredClaim> records, Stream stream)
    {
        using var writer = new StreamWriter(stream, new UTF8Encoding(false), 1 << 16, leaveOpen: true);
        long count = 0;
        foreach (var r in records)
        {
            if (r.Kind != ClaimKind.Url || r.Decision != Decision.Refuse || r.Status != ClaimStatus.Active) continue;
            writer.Write(r.Target);
            writer.Write('\n');
            count++;
        }
        return count;
    }

    // ---- reading -----------------------------------------------------------------------------

    /// <summary>
    /// Reads a list whole and validates every record; the first problem rejects the file with the
    /// line or row where it is. A UrlList has no claimants or dates: its URLs become refusals by
    /// <paramref name="urlListClaimant"/>. <paramref name="notes"/> receives what was respelled on
    /// the way in (a domain given as a site's web address), with the line or row.
    /// </summary>
    public static IReadOnlyList<StoredClaim> Read(string path, ListFormat format, string urlListClaimant, ICollection<string>? notes = null)
    {
        return format switch
        {
            ListFormat.Csv => ReadCsv(path, notes),
            ListFormat.Json => ReadJson(path, notes),
            ListFormat.Parquet => ReadParquet(path, notes),
            _ => ReadUrlList(path, urlListClaimant),
        };
    }

    private static List<StoredClaim> ReadCsv(string path, ICollection<string>? notes)
    {
        var text = File.ReadAllText(path, Encoding.UTF8);
        var rows = ParseCsv(text, path);
        if (rows.Count == 0) throw new ListFormatException(path, "line 1", "the file is empty");
        var header = rows[0].Fields;
        var index = CsvColumns.ToDictionary(c => c, c => Array.FindIndex(header, h => string.Equals(h, c, StringComparison.OrdinalIgnoreCase)));
        foreach (var required in new[] { "id", "decision", "kind", "target", "claimant", "created_at" })
        {
            if (index[required] < 0) throw new ListFormatException(path, "line 1", $"the header has no '{required}' column");
        }
        var records = new List<StoredClaim>(rows.Count - 1);
        foreach (var (line, fields) in rows.Skip(1))
        {
            if (fields.Length == 1 && fields[0].Length == 0) continue;
            if (fields.Length != header.Length) throw new ListFormatException(path, $"line {line}", $"{fields.Length} fields where the header has {header.Length}");
            string? Get(string column) => index[column] >= 0 && fields[index[column]].Length > 0 ? fields[index[column]] : null;
            records.Add(Build(path, $"line {line}", Get, notes));
        }
        return records;
    }

    private static List<(int Line, string[] Fields)> ParseCsv(string text, string path)
    {
        var rows = new List<(int, string[])>();
        var fields = new List<string>();
        var field = new StringBuilder();
        int line = 1, rowLine = 1, i = 0;
        bool quoted = false, fieldStarted = false;
        while (i < text.Length)
        {
            char c = text[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < text.Length && text[i + 1] == '"') { field.Append('"'); i += 2; continue; }
                if (c == '"') { quoted = false; i++; continue; }
                if (c == '\n') line++;
                field.Append(c);
                i++;
                continue;
            }
            switch (c)
            {
                case '"' when field.Length == 0 && !fieldStarted:
                    quoted = true;
                    fieldStarted = true;
                    i++;
                    break;
                case '"':
                    throw new ListFormatException(path, $"line {line}", "a quote inside an unquoted field");
                case ',':
                    fields.Add(field.ToString());
                    field.Clear();
                    fieldStarted = false;
                    i++;
                    break;
                case '\r' or '\n':
                    fields.Add(field.ToString());
                    field.Clear();
                    fieldStarted = false;
                    rows.Add((rowLine, fields.ToArray()));
                    fields.Clear();
                    i += c == '\r' && i + 1 < text.Length && text[i + 1] == '\n' ? 2 : 1;
                    line++;
                    rowLine = line;
                    break;
                default:
                    field.Append(c);
                    fieldStarted = true;
                    i++;
                    break;
            }
        }
        if (quoted) throw new ListFormatException(path, $"line {rowLine}", "a quoted field is not closed");
        if (field.Length > 0 || fields.Count > 0)
        {
            fields.Add(field.ToString());
            rows.Add((rowLine, fields.ToArray()));
        }
        return rows;
    }

    private static List<StoredClaim> ReadJson(string path, ICollection<string>? notes)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(File.ReadAllBytes(path));
        }
        catch (JsonException e)
        {
            throw new ListFormatException(path, $"line {(e.LineNumber ?? 0) + 1}", e.Message);
        }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Array) throw new ListFormatException(path, "top level", "expected an array of records");
            var records = new List<StoredClaim>();
            int n = 0;
            foreach (var element in document.RootElement.EnumerateArray())
            {
                n++;
                if (element.ValueKind != JsonValueKind.Object) throw new ListFormatException(path, $"record {n}", "not an object");
                string? Get(string column)
                {
                    var name = column switch
                    {
                        "created_at" => "createdAt", "revoked_at" => "revokedAt", "revoked_by" => "revokedBy", "revoked_reason" => "revokedReason",
                        "perceptual_hash" => "perceptualHash", "model_id" => "modelId", _ => column,
                    };
                    if (!element.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null) return null;
                    if (column == "embedding")
                    {
                        if (v.ValueKind != JsonValueKind.Array) throw new ListFormatException(path, $"record {n}", "embedding is not an array of numbers");
                        var values = v.EnumerateArray().Select(x => x.ValueKind == JsonValueKind.Number ? x.GetSingle()
                            : throw new ListFormatException(path, $"record {n}", "embedding is not an array of numbers")).ToArray();
                        return Convert.ToBase64String(EmbeddingBytes(values));
                    }
                    if (column == "evidence") return v.GetRawText();
                    return v.ValueKind == JsonValueKind.String ? v.GetString() : throw new ListFormatException(path, $"record {n}", $"'{name}' is not a string");
                }
                records.Add(Build(path, $"record {n}", Get, notes));
            }
            return records;
        }
    }

    private static List<StoredClaim> ReadParquet(string path, ICollection<string>? notes)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        ParquetReader reader;
        try
        {
            reader = ParquetReader.CreateAsync(stream, leaveStreamOpen: true).GetAwaiter().GetResult();
        }
        catch (Exception e)
        {
            throw new ListFormatException(path, "file", $"not a readable parquet file ({e.Message})");
        }
        try
        {
            var fields = reader.Schema.GetDataFields().ToDictionary(f => f.Name, StringComparer.OrdinalIgnoreCase);
            foreach (var required in new[] { "id", "decision", "kind", "target", "claimant", "created_at" })
            {
                if (!fields.ContainsKey(required)) throw new ListFormatException(path, "schema", $"no '{required}' column");
            }
            var records = new List<StoredClaim>();
            long rowBase = 0;
            for (int g = 0; g < reader.RowGroupCount; g++)
            {
                using var group = reader.OpenRowGroupReader(g);
                int count = checked((int)group.RowCount);
                var columns = new Dictionary<string, string?[]>();
                foreach (var name in CsvColumns.Where(c => c != "embedding" && fields.ContainsKey(c)))
                {
                    var values = new string?[count];
                    group.ReadAsync(fields[name], values.AsMemory()).AsTask().GetAwaiter().GetResult();
                    columns[name] = values;
                }
                byte[]?[] embeddings = new byte[count][];
                if (fields.TryGetValue("embedding", out var embeddingField))
                {
                    var values = new byte[]?[count];
                    group.ReadAsync(embeddingField, values.AsMemory()).AsTask().GetAwaiter().GetResult();
                    embeddings = values;
                }
                for (int i = 0; i < count; i++)
                {
                    int row = i;
                    string? Get(string column) => column == "embedding"
                        ? embeddings[row] is { } b ? Convert.ToBase64String(b) : null
                        : columns.TryGetValue(column, out var v) && !string.IsNullOrEmpty(v[row]) ? v[row] : null;
                    records.Add(Build(path, $"row {rowBase + i + 1}", Get, notes));
                }
                rowBase += count;
            }
            return records;
        }
        catch (ListFormatException)
        {
            throw;
        }
        catch (Exception e)
        {
            throw new ListFormatException(path, "file", $"the parquet data cannot be read ({e.Message})");
        }
        finally
        {
            reader.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }

    private static List<StoredClaim> ReadUrlList(string path, string claimant)
    {
        var records = new List<StoredClaim>();
        var now = DateTime.UtcNow;
        int line = 0;
        foreach (var raw in File.ReadLines(path))
        {
            line++;
            var text = raw.Trim();
            if (text.Length == 0 || text.StartsWith('#')) continue;
            if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || (uri.Scheme != "http" && uri.Scheme != "https"))
            {
                throw new ListFormatException(path, $"line {line}", $"'{text}' is not an http(s) URL");
            }
            records.Add(new StoredClaim
            {
                Id = ClaimIds.New(now), Decision = Decision.Refuse, Kind = ClaimKind.Url, Target = UrlNormalizer.Normalize(text).Url,
                Claimant = claimant, CreatedAt = now, Evidence = new Evidence { Note = $"listed in {Path.GetFileName(path)} line {line}" },
            });
        }
        return records;
    }

    private static StoredClaim Build(string path, string where, Func<string, string?> get, ICollection<string>? notes)
    {
        string Required(string column) => get(column) ?? throw new ListFormatException(path, where, $"'{column}' is missing");
        // Names only: Enum.TryParse would read "1" as Grant, turning an "opted out = 1" column into consent.
        T ParseEnum<T>(string column) where T : struct, Enum
        {
            var text = Required(column);
            return Enum.GetNames<T>().FirstOrDefault(n => string.Equals(n, text, StringComparison.OrdinalIgnoreCase)) is { } name
                ? Enum.Parse<T>(name)
                : throw new ListFormatException(path, where, $"'{text}' is not a valid {column} ({string.Join(", ", Enum.GetNames<T>())})");
        }
        DateTime? ParseTime(string column) => get(column) is { } text
            ? DateTime.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var t)
                ? t : throw new ListFormatException(path, where, $"'{text}' is not a date ({column})")
            : null;

        var id = Required("id");
        if (!ClaimIds.IsValid(id)) throw new ListFormatException(path, where, $"'{id}' is not a record id");
        var kind = ParseEnum<ClaimKind>("kind");
        var target = Required("target");
        var normalizedTarget = kind switch
        {
            ClaimKind.Url => UrlNormalizer.Normalize(target).Url,
            ClaimKind.Domain => NormalizeDomainOrThrow(target, path, where, notes),
            _ => target.Length == 64 && target.All(char.IsAsciiHexDigit) ? target.ToLowerInvariant()
                : throw new ListFormatException(path, where, $"a content target must be a SHA-256 (64 hex digits), not '{target}'"),
        };
        ulong? hash = get("perceptual_hash") is { } hex
            ? ulong.TryParse(hex, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var h) && hex.Length == 16 ? h
                : throw new ListFormatException(path, where, $"'{hex}' is not a perceptual hash")
            : null;
        float[]? embedding = null;
        if (get("embedding") is { } base64)
        {
            byte[] bytes;
            try { bytes = Convert.FromBase64String(base64); }
            catch (FormatException) { throw new ListFormatException(path, where, "the embedding is not base64"); }
            if (bytes.Length % 4 != 0 || bytes.Length == 0) throw new ListFormatException(path, where, "the embedding's length is not a whole number of floats");
            embedding = new float[bytes.Length / 4];
            for (int i = 0; i < embedding.Length; i++) embedding[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(i * 4));
        }
        Evidence? evidence = null;
        if (get("evidence") is { } json)
        {
            try { evidence = JsonSerializer.Deserialize<Evidence>(json, RegistryStore.EvidenceJson); }
            catch (JsonException e) { throw new ListFormatException(path, where, $"the evidence is not valid JSON ({e.Message})"); }
        }
        var status = get("status") is null ? ClaimStatus.Active : ParseEnum<ClaimStatus>("status");
        return new StoredClaim
        {
            Id = id,
            Decision = ParseEnum<Decision>("decision"),
            Kind = kind,
            Target = normalizedTarget,
            Claimant = Required("claimant"),
            Reason = get("reason"),
            CreatedAt = ParseTime("created_at")!.Value,
            Status = status,
            RevokedAt = ParseTime("revoked_at"),
            RevokedBy = get("revoked_by"),
            RevokedReason = get("revoked_reason"),
            PerceptualHash = hash,
            ModelId = get("model_id"),
            Embedding = embedding,
            Evidence = evidence,
            Origin = get("origin") ?? "local",
        };
    }

    // The same rule as a domain claim made here: a list cannot record "example.com/path" as a
    // domain either (it would match nothing, or widen to the whole site).
    private static string NormalizeDomainOrThrow(string target, string path, string where, ICollection<string>? notes)
    {
        try
        {
            var domain = UrlNormalizer.NormalizeDomainClaim(target, out var note);
            if (note is not null) notes?.Add($"{where}: {note}");
            return domain;
        }
        catch (ArgumentException e) { throw new ListFormatException(path, where, e.Message); }
    }

    private static string Time(DateTime utc) => RegistryStore.Timestamp(utc);

    private static byte[] EmbeddingBytes(float[] vector)
    {
        var bytes = new byte[vector.Length * 4];
        for (int i = 0; i < vector.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * 4), vector[i]);
        return bytes;
    }
}
