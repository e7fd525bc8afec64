using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using IndexBench;
using OptOut.Core.Index;
using OptOut.Core.Registry;
using Parquet;
using Parquet.Schema;
using OptOut.Core.Urls;

namespace GateBench;

/// <summary>
/// The gate benchmark's inputs, written once into a cache folder:
/// <list type="bullet">
/// <item>data/part-NNNNN.parquet: LAION-schema shards (IndexBench's generator, rows numbered across shards so
/// every shard differs), row groups of 100,000 rows, URLs already in the engine's normal form;</item>
/// <item>data-1m/part-00000.parquet: the first shard alone (a hard link), the 1M-row input;</item>
/// <item>registry.db: a real registry written through RegistryStore.AddClaims: URL refusals (about half of
/// them URLs of rows spread over every shard, the rest absent) and domain refusals (some hosts or parent
/// domains of the data, so a few percent of rows are refused by domain; the rest absent);</item>
/// <item>refused_urls.parquet, refused_domains.parquet: the same refusals as the registry stores them, for DuckDB;</item>
/// <item>expected.json: the violating rows (url, domain, both, either) of the 1M and the full set.</item>
/// </list>
/// </summary>
public static class GateData
{
    /// <summary>Bumped whenever generation changes, so cached inputs are regenerated.</summary>
    public const string Version = "v1";

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    private const ulong SelectStream = 5101, ShuffleStream = 5102;
    private const long AbsentUrlRows = 50_000_000_000L;
    public const int RowGroupRows = 100_000;

    public static string ShardName(int shard) => $"part-{shard:00000}.parquet";

    /// <summary>Whether a row's URL is one of the refused URLs present in the data: one row in <paramref name="every"/>, by a hash of the row number.</summary>
    private static bool Selected(long row, int every) => Rng.Derive(SelectStream, row) % (ulong)every == 0;

    public static Dictionary<string, object?> Generate(string root, int shards, int rowsPerShard, int urlRefusals, int domainRefusals, double domainShare)
    {
        root = Path.GetFullPath(root);
        var expectedPath = Path.Combine(root, "expected.json");
        var stamp = $"{Version}:{shards}x{rowsPerShard}:{urlRefusals}:{domainRefusals}:{domainShare:R}";
        if (File.Exists(expectedPath))
        {
            var cached = JsonSerializer.Deserialize<Dictionary<string, object?>>(File.ReadAllText(expectedPath))!;
            if (cached.TryGetValue("stamp", out var s) && s?.ToString() == stamp)
            {
                cached["cached"] = true;
                return cached;
            }
        }

        Directory.CreateDirectory(root);
        var data = Path.Combine(root, "data");
        Directory.CreateDirectory(data);
        var result = new Dictionary<string, object?> { ["stamp"] = stamp, ["root"] = root };
        var clock = Stopwatch.StartNew();
        _ = DataGen.Text;

        // Shards: every (rows / (urlRefusals / 2))-th row, by hash, gives its URL to the refusals.
        long totalRows = (long)shards * rowsPerShard;
        int every = (int)Math.Max(1, totalRows / Math.Max(1, urlRefusals / 2));
        var hostRows = new Dictionary<string, long>(StringComparer.Ordinal);
        var refusedUrls = new List<string>(urlRefusals);
        var refusedUrlSet = new HashSet<string>(StringComparer.Ordinal);
        long renormalised = 0, hostless = 0;
        var shardPaths = new List<string>();
        for (int s = 0; s < shards; s++)
        {
            var path = Path.Combine(data, ShardName(s));
            shardPaths.Add(path);
            var (changed, noHost) = WriteShard(path, (long)s * rowsPerShard, rowsPerShard, every, hostRows, refusedUrls, refusedUrlSet);
            renormalised += changed; hostless += noHost;
            Measure.Log($"shard {s + 1}/{shards} written ({clock.Elapsed.TotalSeconds:F0} s)");
        }
        int presentUrls = refusedUrls.Count;
        result["generate_shards_s"] = Measure.Round(clock.Elapsed.TotalSeconds, 1);
        result["urls_renormalised"] = renormalised;
        result["rows_without_host"] = hostless;
        result["distinct_hosts"] = hostRows.Count;

        // Absent URL refusals: URLs of rows far past the data (same generator, so they look alike).
        for (long r = AbsentUrlRows; refusedUrls.Count < urlRefusals; r++)
        {
            var url = UrlNormalizer.Normalize(DataGen.Laion(r).Url).Url;
            if (refusedUrlSet.Add(url)) refusedUrls.Add(url);
        }
        Shuffle(refusedUrls, ShuffleStream);

        var (refusedDomains, presentDomains, domainRowsChosen) = ChooseDomains(hostRows, totalRows, domainRefusals, domainShare);
        result["refusals"] = new Dictionary<string, object?>
        {
            ["urls"] = refusedUrls.Count,
            ["urls_taken_from_rows"] = presentUrls,
            ["urls_from_outside_the_data"] = refusedUrls.Count - presentUrls,
            ["domains"] = refusedDomains.Count,
            ["domains_of_hosts_in_the_data"] = presentDomains,
            ["rows_under_those_domains_at_choice"] = domainRowsChosen,
        };

        GateCheck.WriteStrings(Path.Combine(root, "refused_urls.parquet"), "url", refusedUrls);
        GateCheck.WriteStrings(Path.Combine(root, "refused_domains.parquet"), "domain", refusedDomains);

        // The registry, through the engine's own store.
        clock.Restart();
        var registry = Path.Combine(root, "registry.db");
        foreach (var suffix in new[] { "", "-wal", "-shm", "-journal" }) File.Delete(registry + suffix);
        long stored;
        using (var store = RegistryStore.Open(registry, "bench"))
        {
            foreach (var (kind, targets) in new[] { (ClaimKind.Url, (IReadOnlyList<string>)refusedUrls), (ClaimKind.Domain, refusedDomains) })
            {
                for (int start = 0; start < targets.Count; start += 10_000)
                {
                    var batch = targets.Skip(start).Take(10_000)
                        .Select(t => new NewClaim { Decision = Decision.Refuse, Kind = kind, Target = t, Claimant = "bench", Reason = "gate benchmark" })
                        .ToList();
                    var outcomes = store.AddClaims(batch, "bench");
                    foreach (var o in outcomes)
                    {
                        if (!o.Added) throw new InvalidOperationException($"registry: '{o.Record.Target}' was not added (duplicate?)");
                    }
                    // What the registry stores must be what DuckDB compares: the same spelling.
                    for (int i = 0; i < batch.Count; i++)
                    {
                        if (outcomes[i].Record.Target != batch[i].Target)
                            throw new InvalidOperationException($"registry stored '{outcomes[i].Record.Target}' for '{batch[i].Target}': the generator's spelling is not the normal form");
                    }
                }
                Measure.Log($"registry: {targets.Count:N0} {kind} refusals added ({clock.Elapsed.TotalSeconds:F0} s)");
            }
            stored = store.Counts().Active;
        }
        if (stored != refusedUrls.Count + refusedDomains.Count) throw new InvalidOperationException($"registry holds {stored} active claims, expected {refusedUrls.Count + refusedDomains.Count}");
        result["registry_s"] = Measure.Round(clock.Elapsed.TotalSeconds, 1);
        result["registry_bytes"] = Measure.DatabaseSize(registry);

        // The 1M-row input: the first shard alone, in a folder of its own.
        var oneShard = Path.Combine(root, "data-1m");
        Directory.CreateDirectory(oneShard);
        var linked = Path.Combine(oneShard, ShardName(0));
        if (File.Exists(linked)) File.Delete(linked);
        if (!HardLink(shardPaths[0], linked)) File.Copy(shardPaths[0], linked);

        // Expected violations, by reading the shards back (Parquet.Net) and checking every row.
        clock.Restart();
        var domainSet = new HashSet<string>(refusedDomains, StringComparer.Ordinal);
        var perShard = new Counts[shards];
        Parallel.For(0, shards, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount },
            s => perShard[s] = GateCheck.Shard(shardPaths[s], GateCheck.Mode.CheckKeyUrl, refusedUrlSet, domainSet));
        var all = new Counts();
        foreach (var c in perShard) all.Add(c);
        result["expected_s"] = Measure.Round(clock.Elapsed.TotalSeconds, 1);
        result["scales"] = new Dictionary<string, object?>
        {
            [Label(rowsPerShard)] = With(perShard[0].ToJson(), "path", oneShard, "shards", 1),
            [Label(totalRows)] = With(all.ToJson(), "path", data, "shards", shards),
        };
        result["per_shard"] = perShard.Select((c, i) => With(c.ToJson(), "shard", ShardName(i))).ToList();
        result["data_bytes"] = shardPaths.Sum(Measure.FileSize);
        result["registry"] = registry;
        result["refused_urls"] = Path.Combine(root, "refused_urls.parquet");
        result["refused_domains"] = Path.Combine(root, "refused_domains.parquet");
        File.WriteAllText(expectedPath, JsonSerializer.Serialize(result, Indented));
        result["cached"] = false;
        return result;
    }

    public static string Label(long n) => n >= 1_000_000 && n % 1_000_000 == 0 ? $"{n / 1_000_000}M" : n >= 1000 && n % 1000 == 0 ? $"{n / 1000}k" : n.ToString(CultureInfo.InvariantCulture);

    private static Dictionary<string, object?> With(Dictionary<string, object?> d, params object[] pairs)
    {
        for (int i = 0; i < pairs.Length; i += 2) d[(string)pairs[i]] = pairs[i + 1];
        return d;
    }

    private static (long Renormalised, long Hostless) WriteShard(string path, long firstRow, int rows, int every,
        Dictionary<string, long> hostRows, List<string> refusedUrls, HashSet<string> refusedUrlSet)
    {
        var schema = DataGen.LaionSchema();
        long renormalised = 0, hostless = 0;
        var temporary = path + ".tmp";
        using (var stream = File.Create(temporary))
        {
            var writer = ParquetWriter.CreateAsync(schema, stream).GetAwaiter().GetResult();
            for (int start = 0; start < rows; start += RowGroupRows)
            {
                int n = Math.Min(RowGroupRows, rows - start);
                var data = new DataGen.LaionRow[n];
                var hosts = new string?[n];
                Parallel.For(0, n, i =>
                {
                    var row = DataGen.Laion(firstRow + start + i);
                    var normalized = UrlNormalizer.Normalize(row.Url);
                    if (normalized.Url != row.Url)
                    {
                        Interlocked.Increment(ref renormalised);
                        row = row with { Url = normalized.Url };
                    }
                    data[i] = row;
                    hosts[i] = normalized.Host;
                });
                for (int i = 0; i < n; i++)
                {
                    if (hosts[i] is { } host) hostRows[host] = hostRows.GetValueOrDefault(host) + 1;
                    else hostless++;
                    if (Selected(firstRow + start + i, every) && refusedUrlSet.Add(data[i].Url)) refusedUrls.Add(data[i].Url);
                }
                DataGen.WriteLaionGroup(writer, schema, data);
            }
            writer.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
        File.Move(temporary, path, overwrite: true);
        return (renormalised, hostless);
    }

    /// <summary>
    /// Domain refusals: hosts of the data (or, for www./cdn./images. hosts, their parent domain, so the
    /// parent rule is exercised), in a fixed pseudo-random order, skipping any that alone cover more than
    /// 0.4% of rows, until <paramref name="share"/> of the rows is covered; then made-up domains that no
    /// row's host falls under, up to <paramref name="count"/>.
    /// </summary>
    private static (List<string> Domains, int Present, long RowsCovered) ChooseDomains(Dictionary<string, long> hostRows, long totalRows, int count, double share)
    {
        // Rows under each candidate domain (a parent covers all its subdomains).
        var under = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var (host, rows) in hostRows)
        {
            var labels = host.Split('.');
            for (int i = 0; i < labels.Length - 1; i++)
            {
                var domain = string.Join('.', labels[i..]);
                under[domain] = under.GetValueOrDefault(domain) + rows;
            }
        }
        static string Candidate(string host)
        {
            foreach (var prefix in new[] { "www.", "cdn.", "images." })
            {
                if (host.StartsWith(prefix, StringComparison.Ordinal) && host.Count(c => c == '.') >= 2) return host[prefix.Length..];
            }
            return host;
        }
        // Shared parents that would refuse whole platforms: never chosen.
        var platforms = new HashSet<string>(StringComparer.Ordinal) { "wordpress.com", "files.wordpress.com", "blogspot.com", "bp.blogspot.com", "co.uk", "com.au", "com.br", "amazonaws.com" };
        var candidates = hostRows.Keys.Select(Candidate).Distinct(StringComparer.Ordinal)
            .Where(d => d.Contains('.') && !platforms.Contains(d))
            .OrderBy(d => Rng.Derive(7, (long)Fnv(d)))
            .ThenBy(d => d, StringComparer.Ordinal)
            .ToList();
        var chosen = new List<string>();
        var chosenSet = new HashSet<string>(StringComparer.Ordinal);
        long covered = 0;
        double limit = 0.004 * totalRows;
        foreach (var domain in candidates)
        {
            if (covered >= share * totalRows || chosen.Count >= count) break;
            long rows = under[domain];
            if (rows > limit) continue;
            // A subdomain of a chosen domain (or a parent of one) would double-count.
            if (chosenSet.Any(c => domain.EndsWith("." + c, StringComparison.Ordinal) || c.EndsWith("." + domain, StringComparison.Ordinal))) continue;
            chosen.Add(domain);
            chosenSet.Add(domain);
            covered += rows;
        }
        int present = chosen.Count;

        // Absent domains: made-up names (the generator's caption vocabulary) on common TLDs.
        string[] tlds = ["com", "net", "org", "de", "fr", "co.uk", "io", "art", "gallery", "studio"];
        var text = DataGen.Text;
        for (int i = 0; chosen.Count < count; i++)
        {
            var rng = new Rng(Rng.Derive(ShuffleStream + 1, i));
            var name = text.Word(400 + rng.Next(200_000)) + (rng.Chance(0.5) ? "-" + text.Word(400 + rng.Next(200_000)) : "") + (rng.Chance(0.3) ? rng.Next(100).ToString(CultureInfo.InvariantCulture) : "");
            var domain = (rng.Chance(0.2) ? rng.Pick(["www.", "img.", "media.", "static."]) : "") + name + "." + rng.Pick(tlds);
            domain = UrlNormalizer.NormalizeDomain(domain);
            if (under.ContainsKey(domain) || hostRows.ContainsKey(domain) || !chosenSet.Add(domain)) continue;
            // Nor a parent of any host (checked through the labels: "x.com" is under[] when a host ends in it).
            chosen.Add(domain);
        }
        Shuffle(chosen, ShuffleStream + 2);
        return (chosen, present, covered);
    }

    private static ulong Fnv(string s)
    {
        ulong h = 14695981039346656037UL;
        foreach (var c in s) { h ^= c; h *= 1099511628211UL; }
        return h;
    }

    private static void Shuffle<T>(List<T> list, ulong seed)
    {
        var rng = new Rng(seed);
        for (int i = list.Count - 1; i > 0; i--)
        {
            int j = (int)(rng.Next() % (ulong)(i + 1));
            (list[i], list[j]) = (list[j], list[i]);
        }
    }

    [DllImport("libc", EntryPoint = "link", SetLastError = true)]
#pragma warning disable CA2101 // False positive: the marshaling is explicit (UTF-8, what libc expects for paths); the rule only accepts LPWStr, which libc cannot read.
    private static extern int Link([MarshalAs(UnmanagedType.LPUTF8Str)] string oldPath, [MarshalAs(UnmanagedType.LPUTF8Str)] string newPath);
#pragma warning restore CA2101

    private static bool HardLink(string from, string to)
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS()) return false;
        try { return Link(from, to) == 0; }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException) { return false; }
    }
}
