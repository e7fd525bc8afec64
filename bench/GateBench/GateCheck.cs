using OptOut.Core.Datasets;
using OptOut.Core.Index;
using Parquet;
using Parquet.Schema;
using OptOut.Core.Urls;

namespace GateBench;

/// <summary>Rows of a shard (or a set of shards) and how many of them the URL and domain rules refuse.</summary>
public sealed class Counts
{
    public long Rows { get; set; }
    public long UrlRows { get; set; }
    public long DomainRows { get; set; }
    public long BothRows { get; set; }

    /// <summary>Rows that at least one of the two rules refuses (what a cleaned copy drops).</summary>
    public long EitherRows => UrlRows + DomainRows - BothRows;

    /// <summary>Keeps the string columns' characters counted, so reads cannot be optimised away.</summary>
    public long Checksum { get; set; }

    public void Add(Counts other)
    {
        Rows += other.Rows; UrlRows += other.UrlRows; DomainRows += other.DomainRows; BothRows += other.BothRows; Checksum += other.Checksum;
    }

    public Dictionary<string, object?> ToJson() => new()
    {
        ["rows"] = Rows, ["url_rows"] = UrlRows, ["domain_rows"] = DomainRows,
        ["both_rows"] = BothRows, ["either_rows"] = EitherRows,
        ["domain_only_rows"] = DomainRows - BothRows,
    };
}

/// <summary>
/// Straightforward C# versions of the gate's URL and domain checks, used twice: by the generator to
/// compute the expected violation counts, and as the "raw" baselines that show where a check's time
/// goes (Parquet.Net's column read alone, the check on top of it, the engine's shard reader).
/// </summary>
public static class GateCheck
{
    public enum Mode
    {
        /// <summary>Parquet.Net reads the URL column only; nothing is checked.</summary>
        ReadUrl,
        /// <summary>Parquet.Net reads SAMPLE_ID and URL (what a violation needs: Key and Url); nothing is checked.</summary>
        ReadKeyUrl,
        /// <summary>SAMPLE_ID and URL read, each URL looked up in the refused URLs, its host and parents in the refused domains.</summary>
        CheckKeyUrl,
        /// <summary>The same with each URL first put through the engine's UrlNormalizer.</summary>
        CheckKeyUrlNormalized,
        /// <summary>The engine's ParquetMetadataShard.ReadRows (every column it knows: key, url, caption, sizes...), counted.</summary>
        EngineReader,
        /// <summary>ParquetMetadataShard.ReadRows, UrlNormalizer.Normalize, then the lookups.</summary>
        EngineReaderCheck,
    }

    /// <summary>
    /// Runs a mode over shards on <paramref name="threads"/> threads: shard by shard, or with
    /// <paramref name="byRowGroup"/> row group by row group (each task opens its own reader), which
    /// keeps every thread busy even over a single shard.
    /// </summary>
    public static Counts Run(IReadOnlyList<string> shards, int threads, Mode mode, HashSet<string>? urls, HashSet<string>? domains, bool byRowGroup = false)
    {
        if (byRowGroup && mode is not (Mode.EngineReader or Mode.EngineReaderCheck))
        {
            var items = new List<(string Path, int Group)>();
            foreach (var shard in shards)
            {
                using var stream = File.OpenRead(shard);
                var reader = ParquetReader.CreateAsync(stream, leaveStreamOpen: true).GetAwaiter().GetResult();
                for (int g = 0; g < reader.RowGroupCount; g++) items.Add((shard, g));
                reader.DisposeAsync().AsTask().GetAwaiter().GetResult();
            }
            var perGroup = new Counts[items.Count];
            Parallel.For(0, items.Count, new ParallelOptions { MaxDegreeOfParallelism = threads },
                i => perGroup[i] = Shard(items[i].Path, mode, urls, domains, items[i].Group));
            var sum = new Counts();
            foreach (var c in perGroup) sum.Add(c);
            return sum;
        }
        var perShard = new Counts[shards.Count];
        Parallel.For(0, shards.Count, new ParallelOptions { MaxDegreeOfParallelism = threads },
            i => perShard[i] = Shard(shards[i], mode, urls, domains));
        var total = new Counts();
        foreach (var c in perShard) total.Add(c);
        return total;
    }

    public static Counts Shard(string path, Mode mode, HashSet<string>? urls, HashSet<string>? domains, int onlyGroup = -1)
    {
        var counts = new Counts();
        var hostCache = new Dictionary<string, bool>(StringComparer.Ordinal);
        if (mode is Mode.EngineReader or Mode.EngineReaderCheck)
        {
            foreach (var row in new ParquetMetadataShard(path).ReadRows(CancellationToken.None))
            {
                counts.Rows++;
                if (mode == Mode.EngineReader)
                {
                    counts.Checksum += row.Url?.Length ?? 0;
                    continue;
                }
                if (row.Url is null) continue;
                var normalized = UrlNormalizer.Normalize(row.Url);
                Classify(normalized.Url, normalized.Host, counts, urls!, domains!, hostCache);
            }
            return counts;
        }

        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        var reader = ParquetReader.CreateAsync(stream, leaveStreamOpen: true).GetAwaiter().GetResult();
        try
        {
            var fields = reader.Schema.GetDataFields();
            var urlField = fields.First(f => string.Equals(f.Name, "URL", StringComparison.OrdinalIgnoreCase));
            var keyField = fields.First(f => string.Equals(f.Name, "SAMPLE_ID", StringComparison.OrdinalIgnoreCase));
            for (int g = 0; g < reader.RowGroupCount; g++)
            {
                if (onlyGroup >= 0 && g != onlyGroup) continue;
                using var group = reader.OpenRowGroupReader(g);
                int n = checked((int)group.RowCount);
                var values = new string[n];
                if (mode != Mode.ReadUrl)
                {
                    if (keyField.IsNullable)
                    {
                        var keys = new long?[n];
                        group.ReadAsync(keyField, keys.AsMemory()).AsTask().GetAwaiter().GetResult();
                        counts.Checksum += keys[n - 1] ?? 0;
                    }
                    else
                    {
                        var keys = new long[n];
                        group.ReadAsync(keyField, keys.AsMemory()).AsTask().GetAwaiter().GetResult();
                        counts.Checksum += keys[n - 1];
                    }
                }
                group.ReadAsync(urlField, values.AsMemory()).AsTask().GetAwaiter().GetResult();
                counts.Rows += n;
                switch (mode)
                {
                    case Mode.ReadUrl:
                    case Mode.ReadKeyUrl:
                        foreach (var url in values) counts.Checksum += url?.Length ?? 0;
                        break;
                    case Mode.CheckKeyUrl:
                        foreach (var url in values)
                        {
                            if (url is null) continue;
                            Classify(url, HostOf(url), counts, urls!, domains!, hostCache);
                        }
                        break;
                    case Mode.CheckKeyUrlNormalized:
                        foreach (var url in values)
                        {
                            if (url is null) continue;
                            var normalized = UrlNormalizer.Normalize(url);
                            Classify(normalized.Url, normalized.Host, counts, urls!, domains!, hostCache);
                        }
                        break;
                }
            }
        }
        finally { reader.DisposeAsync().AsTask().GetAwaiter().GetResult(); }
        return counts;
    }

    private static void Classify(string url, string? host, Counts counts, HashSet<string> urls, HashSet<string> domains, Dictionary<string, bool> hostCache)
    {
        bool u = urls.Contains(url);
        bool d = false;
        if (host is not null)
        {
            if (!hostCache.TryGetValue(host, out d))
            {
                d = DomainRefused(host, domains);
                hostCache[host] = d;
            }
        }
        if (u) counts.UrlRows++;
        if (d) counts.DomainRows++;
        if (u && d) counts.BothRows++;
    }

    /// <summary>The host of a normalised URL: between "://" and the next '/' or '?' (the engine's HostOfNormalized, minus ports and user info, which generated URLs never have).</summary>
    public static string? HostOf(string url)
    {
        int start = url.IndexOf("://", StringComparison.Ordinal);
        if (start < 0) return null;
        start += 3;
        int end = url.AsSpan(start).IndexOfAny('/', '?');
        return end < 0 ? url[start..] : url.Substring(start, end);
    }

    /// <summary>True when the host or one of its parent domains is refused ("a.b.example.com": itself, b.example.com, example.com, com).</summary>
    public static bool DomainRefused(string host, HashSet<string> domains)
    {
        if (domains.Contains(host)) return true;
        for (int dot = host.IndexOf('.'); dot >= 0; dot = host.IndexOf('.', dot + 1))
        {
            if (domains.Contains(host[(dot + 1)..])) return true;
        }
        return false;
    }

    /// <summary>Reads one string column of a small parquet (the refusal lists) into a set.</summary>
    public static HashSet<string> ReadSet(string path, string column)
    {
        var set = new HashSet<string>(StringComparer.Ordinal);
        using var stream = File.OpenRead(path);
        var reader = ParquetReader.CreateAsync(stream, leaveStreamOpen: true).GetAwaiter().GetResult();
        try
        {
            var field = reader.Schema.GetDataFields().First(f => f.Name == column);
            for (int g = 0; g < reader.RowGroupCount; g++)
            {
                using var group = reader.OpenRowGroupReader(g);
                var values = new string[checked((int)group.RowCount)];
                group.ReadAsync(field, values.AsMemory()).AsTask().GetAwaiter().GetResult();
                foreach (var v in values) if (v is not null) set.Add(v);
            }
        }
        finally { reader.DisposeAsync().AsTask().GetAwaiter().GetResult(); }
        return set;
    }

    public static void WriteStrings(string path, string column, IReadOnlyList<string> values)
    {
        var field = new DataField<string>(column);
        var schema = new ParquetSchema(field);
        var temporary = path + ".tmp";
        using (var stream = File.Create(temporary))
        {
            var writer = ParquetWriter.CreateAsync(schema, stream).GetAwaiter().GetResult();
            for (int start = 0; start < values.Count; start += 250_000)
            {
                int n = Math.Min(250_000, values.Count - start);
                var chunk = new string?[n];
                for (int i = 0; i < n; i++) chunk[i] = values[start + i];
                using var group = writer.CreateRowGroup();
                group.WriteAsync(field, chunk).GetAwaiter().GetResult();
            }
            writer.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
        File.Move(temporary, path, overwrite: true);
    }
}
