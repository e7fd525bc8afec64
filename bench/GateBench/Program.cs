using System.Globalization;
using System.Text.Json;
using GateBench;
using IndexBench;
using Microsoft.Data.Sqlite;
using OptOut.Core.Datasets;
using OptOut.Core.Gate;
using OptOut.Core.Registry;

// The dataset gate benchmark's inputs and raw baselines (issue 5). Each command prints one JSON
// object (and writes it to --result when given); bench/Gate.Bench.ps1 runs them.
//
//   gen --dir DIR [--shards 10] [--rows 1000000] [--url-refusals 1000000] [--domain-refusals 10000] [--domain-share 0.03]
//       writes the shards, registry.db, refused_*.parquet and expected.json into DIR (cached: a second
//       run with the same settings only prints expected.json)
//   raw --dir DIR --scale 1M|10M [--threads 2] [--reps 3] [--modes ReadUrl,CheckKeyUrl,CheckKeyUrl/rg,...]
//       (a mode split by shard, or with /rg by row group)
//       times Parquet.Net reading the shards alone and the URL/domain checks on top of it, in this
//       process (no PowerShell, no output objects), plus loading the refusals from the registry;
//       mode EngineGate drives the engine's TrainingSetGate directly (the cmdlets' work without PowerShell);
//       EngineGateContent the same with 1,000 content refusals added
//   content --images DIR --work DIR --models DIR [--rows 1000] [--claims 100] [--threads 2] [--reps 3]
//       the gate on an image folder with content claims (ContentGate.cs): fingerprinting alone, the gate
//       without content claims, with them under the rule alone, verified (upright claims, and turned as Test-TrainingSet does)

if (args.Length == 0)
{
    Console.Error.WriteLine("usage: GateBench gen|raw [--option value]...; see Program.cs");
    return 2;
}
var line = BenchCommandLine.Parse(args);
string Option(string name, string? fallback = null) => line.Option(name, fallback);
int IntOption(string name, int fallback) => line.IntOption(name, fallback);

return line.Run(() => line.Command switch
{
    "gen" => GateData.Generate(Option("dir"), IntOption("shards", 10), IntOption("rows", 1_000_000), IntOption("url-refusals", 1_000_000),
        IntOption("domain-refusals", 10_000), double.Parse(Option("domain-share", "0.03"), CultureInfo.InvariantCulture)),
    "raw" => Raw(Option("dir"), Option("scale"), IntOption("threads", 2), IntOption("reps", 3),
        Option("modes", "ReadUrl,ReadKeyUrl,CheckKeyUrl,CheckKeyUrlNormalized,EngineReader,EngineReaderCheck")),
    "content" => ContentGate.Run(Option("images"), Option("work"), Option("models"), IntOption("rows", 1000), IntOption("claims", 100),
        IntOption("threads", 2), IntOption("reps", 3)),
    _ => throw new ArgumentException($"unknown command {line.Command}"),
});

static Dictionary<string, object?> Raw(string dir, string scale, int threads, int reps, string modes)
{
    using var expected = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "expected.json")));
    var scaleInfo = expected.RootElement.GetProperty("scales").GetProperty(scale);
    var folder = scaleInfo.GetProperty("path").GetString()!;
    var shards = Directory.EnumerateFiles(folder, "*.parquet").Order(StringComparer.Ordinal).ToList();
    long expectedRows = scaleInfo.GetProperty("rows").GetInt64();
    var result = new Dictionary<string, object?> { ["scale"] = scale, ["shards"] = shards.Count, ["threads"] = threads, ["reps"] = reps };
    foreach (var shard in shards) Measure.Warm(shard);

    // Loading the refusals: from the refusal parquets (what the DuckDB side reads), straight from the
    // registry's SQLite table, and through the engine's RegistryStore.Read.
    HashSet<string> urls = null!, domains = null!;
    var (wall, cpu) = Measure.Timed(() =>
    {
        urls = GateCheck.ReadSet(Path.Combine(dir, "refused_urls.parquet"), "url");
        domains = GateCheck.ReadSet(Path.Combine(dir, "refused_domains.parquet"), "domain");
    });
    result["load_refusals_parquet_s"] = Measure.Round(wall);
    var registry = Path.Combine(dir, "registry.db");
    foreach (var suffix in new[] { "", "-wal" }) if (File.Exists(registry + suffix)) Measure.Warm(registry + suffix);
    // 1. What a straightforward engine query costs: active refusals (revocations joined), both kinds.
    (wall, _) = Measure.Timed(() =>
    {
        using var connection = OpenReadOnly(registry);
        var (u, d) = LoadSets(connection, "SELECT c.kind, c.target FROM claims c LEFT JOIN revocations r ON r.claim_id = c.id WHERE c.decision = 'Refuse' AND c.kind IN ('Url', 'Domain') AND r.claim_id IS NULL");
        if (u.Count != urls.Count || d.Count != domains.Count) throw new InvalidOperationException($"registry holds {u.Count} URL / {d.Count} domain refusals, the parquets {urls.Count} / {domains.Count}");
    });
    result["load_refusals_sqlite_s"] = Measure.Round(wall);
    // 2. The same rows read from the covering index claims_where(kind, host_rev, target) alone (no decision
    //    filter, no revocation join: the floor for reading the targets out of SQLite).
    (wall, _) = Measure.Timed(() =>
    {
        using var connection = OpenReadOnly(registry);
        var (u, d) = LoadSets(connection, "SELECT kind, target FROM claims INDEXED BY claims_where WHERE kind IN ('Url', 'Domain')");
        if (u.Count != urls.Count) throw new InvalidOperationException("covering scan disagrees");
    });
    result["load_refusals_sqlite_covering_s"] = Measure.Round(wall);
    // 3. That scan without building sets: SQLite's and the ADO.NET reader's part alone.
    (wall, _) = Measure.Timed(() =>
    {
        using var connection = OpenReadOnly(registry);
        using var select = connection.CreateCommand();
        select.CommandText = "SELECT kind, target FROM claims INDEXED BY claims_where WHERE kind IN ('Url', 'Domain')";
        using var reader = select.ExecuteReader();
        long chars = 0;
        while (reader.Read()) chars += reader.GetString(1).Length;
        if (chars == 0) throw new InvalidOperationException("no targets");
    });
    result["scan_refusals_sqlite_covering_no_sets_s"] = Measure.Round(wall);
    // 4. Building the sets from strings already in memory: the HashSet's part alone.
    var list = urls.ToList();
    (wall, _) = Measure.Timed(() => { var set = new HashSet<string>(list, StringComparer.Ordinal); if (set.Count != list.Count) throw new InvalidOperationException(); });
    result["build_url_set_in_memory_s"] = Measure.Round(wall);
    list = null;
    // 5. Through the engine's RegistryStore.Read (every column of each record parsed).
    (wall, _) = Measure.Timed(() =>
    {
        using var store = RegistryStore.Open(registry, "bench");
        long n = 0;
        foreach (var kind in new[] { ClaimKind.Url, ClaimKind.Domain })
        {
            foreach (var record in store.Read(new RecordFilter { Kind = kind, Decision = Decision.Refuse })) n += record.Target.Length > 0 ? 1 : 0;
        }
        if (n != urls.Count + domains.Count) throw new InvalidOperationException($"RegistryStore.Read returned {n} refusals");
    });
    result["load_refusals_registrystore_s"] = Measure.Round(wall);
    Measure.Log($"refusals loaded: parquet {result["load_refusals_parquet_s"]} s, SQLite {result["load_refusals_sqlite_s"]} s (covering index {result["load_refusals_sqlite_covering_s"]} s; scan alone {result["scan_refusals_sqlite_covering_no_sets_s"]} s; set build alone {result["build_url_set_in_memory_s"]} s), RegistryStore.Read {result["load_refusals_registrystore_s"]} s");

    // The engine's own load: RegistryStore.ReadActiveClaims into ConsentRules (what the cmdlets do).
    ConsentRules rules = null!;
    (wall, cpu) = Measure.Timed(() =>
    {
        using var store = RegistryStore.Open(registry, "bench");
        rules = ConsentRules.Load(store.ReadActiveClaims());
    });
    result["engine_load_rules_s"] = Measure.Round(wall);
    result["engine_load_rules_cpu_s"] = Measure.Round(cpu);
    // Its two halves: the registry query alone (ReadActiveClaims enumerated), and ConsentRules.Load
    // over claims already in memory.
    List<ActiveClaim> claims = null!;
    (wall, _) = Measure.Timed(() =>
    {
        using var store = RegistryStore.Open(registry, "bench");
        claims = store.ReadActiveClaims().ToList();
    });
    result["engine_read_active_claims_s"] = Measure.Round(wall);
    (wall, _) = Measure.Timed(() => { if (ConsentRules.Load(claims).Count != claims.Count) throw new InvalidOperationException(); });
    result["engine_rules_from_memory_s"] = Measure.Round(wall);
    claims = null!;
    if (rules.UrlCount(Decision.Refuse) != urls.Count || rules.DomainCount(Decision.Refuse) != domains.Count)
        throw new InvalidOperationException($"ConsentRules holds {rules.UrlCount(Decision.Refuse)} URL / {rules.DomainCount(Decision.Refuse)} domain refusals");
    Measure.Log($"engine: ConsentRules.Load(ReadActiveClaims()) {result["engine_load_rules_s"]} s ({cpu:F2} CPU-s); ReadActiveClaims alone {result["engine_read_active_claims_s"]} s, Load from memory {result["engine_rules_from_memory_s"]} s");

    var figures = new Dictionary<string, object?>();
    foreach (var name in modes.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
    {
        if (name == "EngineGate")
        {
            figures[name] = EngineGate(folder, rules, threads, reps, expectedRows, scaleInfo);
            continue;
        }
        if (name == "EngineGateContent")
        {
            // The same check with 1,000 content refusals in the registry as well: these shards carry no
            // hashes, embeddings or images, so the content rule has nothing to compare and the URL/domain
            // rate must hold (issue 13: "without dropping the gate below its current rate").
            using var store = RegistryStore.Open(registry, "bench");
            var withContent = ConsentRules.Load(store.ReadActiveClaims().Concat(ContentClaims(1_000)));
            if (withContent.ContentCount(Decision.Refuse) != 1_000) throw new InvalidOperationException("content claims not loaded");
            figures[name] = EngineGate(folder, withContent, threads, reps, expectedRows, scaleInfo);
            continue;
        }
        // "Mode" splits the work by shard; "Mode/rg" by row group (every thread busy on one shard too).
        bool byRowGroup = name.EndsWith("/rg", StringComparison.Ordinal);
        var mode = Enum.Parse<GateCheck.Mode>(byRowGroup ? name[..^3] : name);
        var walls = new List<double>();
        var cpus = new List<double>();
        Counts counts = null!;
        long allocated = 0; int gen2 = 0;
        for (int r = 0; r < reps; r++)
        {
            long a0 = GC.GetTotalAllocatedBytes(false); int g0 = GC.CollectionCount(2);
            var (w, c) = Measure.Timed(() => counts = GateCheck.Run(shards, threads, mode, urls, domains, byRowGroup));
            allocated = GC.GetTotalAllocatedBytes(false) - a0; gen2 = GC.CollectionCount(2) - g0;
            walls.Add(w); cpus.Add(c);
        }
        if (counts.Rows != expectedRows) throw new InvalidOperationException($"{mode} read {counts.Rows} rows, expected {expectedRows}");
        var entry = new Dictionary<string, object?>
        {
            ["wall_s"] = walls.Select(v => Measure.Round(v)).ToList(),
            ["cpu_s"] = cpus.Select(v => Measure.Round(v)).ToList(),
            ["rows_per_s"] = Math.Round(counts.Rows / Measure.Median(walls)),
            ["rows_per_cpu_s"] = Math.Round(counts.Rows / Measure.Median(cpus)),
            ["allocated_bytes_per_row"] = Math.Round((double)allocated / counts.Rows),
            ["gen2_collections"] = gen2,
        };
        if (mode is GateCheck.Mode.CheckKeyUrl or GateCheck.Mode.CheckKeyUrlNormalized or GateCheck.Mode.EngineReaderCheck)
        {
            entry["counts"] = counts.ToJson();
            bool matches = counts.UrlRows == scaleInfo.GetProperty("url_rows").GetInt64() && counts.DomainRows == scaleInfo.GetProperty("domain_rows").GetInt64()
                && counts.BothRows == scaleInfo.GetProperty("both_rows").GetInt64();
            entry["matches_expected"] = matches;
        }
        figures[name] = entry;
        Measure.Log($"{name}: {counts.Rows / Measure.Median(walls):N0} rows/s ({counts.Rows / Measure.Median(cpus):N0} rows per CPU-s); {(double)allocated / counts.Rows:N0} bytes allocated a row, {gen2} gen2 GCs");
    }
    result["modes"] = figures;
    result["memory"] = Measure.Memory();
    return result;
}

// The engine's TrainingSetGate driven directly (rules already loaded): the cmdlet's work without
// PowerShell (no parameter binding, no violation objects, no pipeline).
static Dictionary<string, object?> EngineGate(string folder, ConsentRules rules, int threads, int reps, long expectedRows, JsonElement scaleInfo)
{
    var walls = new List<double>();
    var cpus = new List<double>();
    var byRule = new Dictionary<string, long>();
    long rows = 0;
    long allocated = 0; int gen2 = 0;
    for (int r = 0; r < reps; r++)
    {
        byRule.Clear();
        long a0 = GC.GetTotalAllocatedBytes(false); int g0 = GC.CollectionCount(2);
        var (w, c) = Measure.Timed(() =>
        {
            var shards = DatasetDiscovery.Discover(folder);
            var gate = new TrainingSetGate(new GateSettings { Dataset = "bench", Rules = rules });
            foreach (var e in gate.Run(shards, threads, null, TimeSpan.FromMilliseconds(250), CancellationToken.None))
            {
                if (e is ViolationsFound found)
                {
                    foreach (var v in found.Violations) byRule[v.Rule.ToString()] = byRule.GetValueOrDefault(v.Rule.ToString()) + 1;
                }
                else if (e is ShardChecked { Result.Failure: { } failure }) throw new InvalidOperationException("shard failed", failure);
            }
            rows = gate.Counters.Rows;
        });
        allocated = GC.GetTotalAllocatedBytes(false) - a0; gen2 = GC.CollectionCount(2) - g0;
        walls.Add(w); cpus.Add(c);
    }
    if (rows != expectedRows) throw new InvalidOperationException($"EngineGate read {rows} rows, expected {expectedRows}");
    Measure.Log($"EngineGate: {rows / Measure.Median(walls):N0} rows/s ({rows / Measure.Median(cpus):N0} rows per CPU-s); {(double)allocated / rows:N0} bytes allocated a row, {gen2} gen2 GCs; {string.Join(", ", byRule.Select(kv => $"{kv.Key} {kv.Value}"))}");
    return new Dictionary<string, object?>
    {
        ["wall_s"] = walls.Select(v => Measure.Round(v)).ToList(),
        ["cpu_s"] = cpus.Select(v => Measure.Round(v)).ToList(),
        ["rows_per_s"] = Math.Round(rows / Measure.Median(walls)),
        ["rows_per_cpu_s"] = Math.Round(rows / Measure.Median(cpus)),
        ["allocated_bytes_per_row"] = Math.Round((double)allocated / rows),
        ["gen2_collections"] = gen2,
        ["violations"] = byRule,
        ["matches_expected"] = byRule.GetValueOrDefault("Url") == scaleInfo.GetProperty("url_rows").GetInt64()
            && byRule.GetValueOrDefault("Domain") == scaleInfo.GetProperty("domain_rows").GetInt64(),
    };
}

// Content refusals as the registry hands them to the gate: a file's SHA-256 and MD5, its perceptual hash
// and a unit embedding under the default model's id, all drawn at random (seeded).
static IEnumerable<ActiveClaim> ContentClaims(int count)
{
    var random = new Random(13);
    for (int i = 0; i < count; i++)
    {
        var bytes = new byte[64];
        random.NextBytes(bytes);
        var embedding = new float[512];
        for (int d = 0; d < embedding.Length; d++) embedding[d] = (float)(random.NextDouble() - 0.5);
        float norm = MathF.Sqrt(embedding.Sum(v => v * v));
        for (int d = 0; d < embedding.Length; d++) embedding[d] /= norm;
        yield return new ActiveClaim($"content-{i}", Decision.Refuse, ClaimKind.Content,
            Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(bytes)).ToLowerInvariant(),
            (ulong)random.NextInt64(), embedding, "ResNet18@sha256:bench", "bench",
            Convert.ToHexString(System.Security.Cryptography.MD5.HashData(bytes)).ToLowerInvariant());
    }
}

static SqliteConnection OpenReadOnly(string path)
{
    var connection = new SqliteConnection($"Data Source={path};Mode=ReadOnly");
    connection.Open();
    return connection;
}

static (HashSet<string> Urls, HashSet<string> Domains) LoadSets(SqliteConnection connection, string sql)
{
    using var select = connection.CreateCommand();
    select.CommandText = sql;
    var u = new HashSet<string>(StringComparer.Ordinal);
    var d = new HashSet<string>(StringComparer.Ordinal);
    using var reader = select.ExecuteReader();
    while (reader.Read()) (reader.GetString(0) == "Url" ? u : d).Add(reader.GetString(1));
    return (u, d);
}
