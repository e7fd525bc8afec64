using System.Globalization;
using OptOut.Core.Registry;
using OptOut.Core.Registry.Postgres;
using static OptOut.Core.Tests.Registry.RegistryFixtures;

namespace OptOut.Core.Tests.Registry.Postgres;

/// <summary>
/// A registry an older OptOut left at schema 1 (built by schema 1's own SQL, written through the
/// same store code), opened by this one: migrated once, in place, under the lock, every record,
/// revocation, audit row, export and the gate's claims exactly as they were; the lookups still go
/// through claims_where.
/// </summary>
public sealed class PostgresMigrationTests
{
    private static PostgresCluster Server => PostgresCluster.Shared;

    // Everything the engine (and so every cmdlet) shows of a registry, as text.
    private static List<string> Snapshot(PostgresRegistryStore store)
    {
        var all = new RecordFilter { IncludeRevoked = true, IncludeEmbeddings = true };
        var view = store.Read(all).Select(r =>
            $"{r.Id}|{r.Decision}|{r.Kind}|{r.Target}|{r.PerceptualHash}|{(r.Embedding is null ? "" : Convert.ToBase64String(System.Runtime.InteropServices.MemoryMarshal.AsBytes(r.Embedding.AsSpan())))}|{r.ModelId}|{r.Claimant}|{r.Reason}|" +
            $"{(r.Evidence is null ? "" : System.Text.Json.JsonSerializer.Serialize(r.Evidence))}|{r.CreatedAt:O}|{r.Status}|{r.RevokedAt:O}|{r.RevokedBy}|{r.RevokedReason}|{r.Origin}").ToList();
        view.AddRange(store.History().Where(a => a.Action != "Migrate").Select(a => $"audit {a.Sequence}|{a.At:O}|{a.User}|{a.Action}|{a.RecordId}|{a.Reason}|{a.Detail}"));
        view.AddRange(store.ReadActiveClaims().Select(c => $"gate {c.Id}|{c.Decision}|{c.Kind}|{c.Target}|{c.PerceptualHash}|{c.Embedding?.Length}|{c.ModelId}|{c.Claimant}|{c.Md5}"));
        view.AddRange(store.Claimants().Select(c => "claimant " + c));
        view.Add($"counts {store.Counts()}");
        view.AddRange(store.Read(new RecordFilter { Url = "https://A.example/7.jpg" }).Select(r => "url " + r.Id));
        view.AddRange(store.Read(new RecordFilter { Domain = "b.example" }).Select(r => "domain " + r.Id));
        view.AddRange(store.Read(new RecordFilter { Kind = ClaimKind.Content }).Select(r => "content " + r.Id));
        var folder = TestEnvironment.NewScratchFolder();
        foreach (var format in new[] { ListFormat.Csv, ListFormat.Json, ListFormat.UrlList, ListFormat.Parquet })
        {
            var file = Path.Combine(folder, "export." + format);
            OptOutListFormat.Write(store.ReadSelection(null, new RecordFilter { IncludeRevoked = true, IncludeEmbeddings = true }), file, format);
            view.Add($"{format} {Convert.ToBase64String(File.ReadAllBytes(file))}");
        }
        return view;
    }

    private static string Collation(string database, string table, string column) => Server.Scalar<string>(database,
        $"SELECT coalesce(c.collname, '') FROM pg_attribute a LEFT JOIN pg_collation c ON c.oid = a.attcollation WHERE a.attrelid = 'optout.{table}'::regclass AND a.attname = '{column}'");

    [PostgresFact]
    public void A_schema_1_registry_is_migrated_in_place_and_shows_every_record_and_audit_row_as_before()
    {
        var database = Server.NewDatabase();
        var location = RegistryLocation.Parse(Server.ConnectionString(database));
        string revokedUrl;
        using (var v1 = PostgresRegistryStore.Open(location, User, upTo: 1))
        {
            Assert.Equal(1, v1.SchemaVersion);
            Assert.Equal("default", Collation(database, "claims", "id"));
            // A bulk batch (index order), single claims of every kind and decision, evidence, an
            // import with its own ids (one in capitals, as a list may carry), revocations.
            var bulk = v1.AddClaims(Enumerable.Range(0, 1500).Select(i => UrlClaim($"https://{(char)('a' + i % 7)}.example/{i}.jpg", reason: i % 2 == 0 ? null : "r'\"\\")).ToList(), User);
            v1.AddClaims([DomainClaim("b.example"), DomainClaim("sub.b.example", decision: Decision.Grant), ContentClaim("cat"), ContentClaim("dog", claimant: "Émile"),
                UrlClaim("https://c.example/e.jpg", evidence: new Evidence { MatchedDataset = "laion", Similarity = 0.91, HashDistance = 3 })], "someone");
            var now = new DateTime(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc).AddTicks(1234567);
            var listed = RegistryStore.NewRecord(UrlClaim("https://d.example/listed.jpg"), now);
            var gone = RegistryStore.NewRecord(UrlClaim("https://d.example/gone.jpg"), now) with
            { Status = ClaimStatus.Revoked, RevokedAt = now, RevokedBy = "partner", RevokedReason = "withdrawn" };
            v1.Merge([listed with { Id = listed.Id.ToUpperInvariant() }, gone], User, "partner.csv", applyRevocations: true, listPath: "/lists/partner.csv");
            revokedUrl = bulk[7].Record.Target;
            v1.Revoke([bulk[7].Record.Id, bulk[8].Record.Id], "admin", "asked to");
        }
        Server.Execute(database, File.ReadAllText(Path.Combine(TestEnvironment.RepositoryRoot, "src", "OptOut", "sql", "registry-roles.sql")));
        var writerRole = "w_" + database[2..10];
        Server.Execute(database, $"CREATE ROLE {writerRole} LOGIN IN ROLE optout_writer");
        List<string> before;
        using (var reader = PostgresRegistryStore.OpenReadOnly(location))
        {
            Assert.Equal(1, reader.SchemaVersion);
            before = Snapshot(reader);
        }
        // The imported id keeps its capitals (ids stay text).
        var listedId = before.First(l => l.Contains("|https://d.example/listed.jpg|", StringComparison.Ordinal)).Split('|')[0];
        Assert.Equal(listedId.ToUpperInvariant(), listedId);

        // A writer cannot migrate (the owner's privilege): told so, and nothing changes.
        var asWriter = RegistryLocation.Parse(Server.ConnectionString(database, writerRole));
        Assert.Throws<RegistryPermissionException>(() => PostgresRegistryStore.Open(asWriter, "alice"));
        Assert.Equal("1", Server.Scalar<string>(database, "SELECT value FROM optout.meta WHERE key = 'schema_version'"));

        using (var v2 = PostgresRegistryStore.Open(location, User))
        {
            Assert.Equal(2, v2.SchemaVersion);
            Assert.Equal(before, Snapshot(v2));
            var migrations = v2.History(action: "Migrate").ToList();
            Assert.Equal(["schema 0 -> 1", "schema 1 -> 2"], migrations.Select(m => m.Detail));
            Assert.Equal(v2.History().Max(a => a.Sequence), migrations[^1].Sequence);
        }
        foreach (var (table, column) in new[] { ("claims", "id"), ("claims", "decision"), ("claims", "kind"), ("claims", "target"), ("claims", "host_rev"), ("revocations", "claim_id") })
        {
            Assert.Equal("C", Collation(database, table, column));
        }
        Assert.Equal("CREATE INDEX claims_where ON optout.claims USING btree (COALESCE(host_rev, ''::text), target) WITH (deduplicate_items=off)",
            Server.Scalar<string>(database, "SELECT pg_get_indexdef('optout.claims_where'::regclass)"));

        // The writer's grants held through the migration; the same claims add nothing twice, a
        // revoked one is added again as a new record, and the append-only rule still holds.
        using (var writer = PostgresRegistryStore.Open(asWriter, "alice"))
        {
            var again = writer.AddClaims(Enumerable.Range(0, 1500).Select(i => UrlClaim($"https://{(char)('a' + i % 7)}.example/{i}.jpg")).ToList(), "alice");
            Assert.Equal([7, 8], again.Select((o, i) => (o, i)).Where(p => p.o.Added).Select(p => p.i));
            Assert.Equal(revokedUrl, again[7].Record.Target);
            Assert.DoesNotContain(writer.AddClaims([DomainClaim("b.example"), ContentClaim("cat")], "alice"), o => o.Added);
            Assert.Equal(2, writer.Read(new RecordFilter { Url = revokedUrl, IncludeRevoked = true }).Count());
        }
        var update = Assert.Throws<Npgsql.PostgresException>(() => Server.Execute(database, "UPDATE optout.claims SET reason = 'x'"));
        Assert.Contains("append-only", update.MessageText, StringComparison.Ordinal);

    }

    [PostgresFact]
    public void Writers_that_open_a_schema_1_registry_at_once_migrate_it_once()
    {
        var database = Server.NewDatabase();
        var location = RegistryLocation.Parse(Server.ConnectionString(database));
        using (var v1 = PostgresRegistryStore.Open(location, User, upTo: 1)) v1.AddClaims([UrlClaim("https://a.example/0.jpg")], User);
        using var start = new Barrier(6);
        var writers = Enumerable.Range(1, 6).Select(i => Task.Run(() =>
        {
            start.SignalAndWait();
            using var store = PostgresRegistryStore.Open(location, User);
            return store.AddClaims([UrlClaim($"https://a.example/{i % 3}.jpg")], User).Single().Added;
        })).ToArray();
        var added = Task.WhenAll(writers).GetAwaiter().GetResult();
        Assert.Equal(2, added.Count(a => a));
        Assert.Equal(3L, Server.Scalar<long>(database, "SELECT count(*) FROM optout.claims"));
        Assert.Equal(1L, Server.Scalar<long>(database, "SELECT count(*) FROM optout.audit WHERE action = 'Migrate' AND detail = 'schema 1 -> 2'"));
        Assert.Equal("2", Server.Scalar<string>(database, "SELECT value FROM optout.meta WHERE key = 'schema_version'"));
    }

    [PostgresFact]
    public void Every_lookup_goes_through_claims_where()
    {
        var database = Server.NewDatabase();
        var location = RegistryLocation.Parse(Server.ConnectionString(database));
        using (var store = PostgresRegistryStore.Open(location, User))
        {
            for (int b = 0; b < 4; b++)
            {
                store.AddClaims(Enumerable.Range(b * 5000, 5000).Select(i => i % 50 == 0 ? DomainClaim($"h{i % 400}.example") : UrlClaim($"https://h{i % 400}.example/{i}.jpg")).ToList(), User);
            }
        }
        Server.Execute(database, "ANALYZE optout.claims");
        // The shapes PostgresRegistryStore sends: Get-OptOut -Url, -Domain, a content claim, and a
        // bulk add's check for claims already active (hash and merge joins off, as it sets them).
        var lookups = new[]
        {
            "SELECT * FROM optout.claims c WHERE c.kind = 'Url' AND coalesce(c.host_rev, '') = 'example.h7' AND c.target = 'https://h7.example/7.jpg'",
            "SELECT * FROM optout.claims c WHERE c.kind IN ('Url', 'Domain') AND coalesce(c.host_rev, '') >= 'example.h7' AND coalesce(c.host_rev, '') < 'example.h7/' AND (coalesce(c.host_rev, '') = 'example.h7' OR coalesce(c.host_rev, '') >= 'example.h7.')",
            "SELECT * FROM optout.claims c WHERE c.kind = 'Content' AND coalesce(c.host_rev, '') = '' AND c.target = 'ab'",
        };
        using var connection = new Npgsql.NpgsqlConnection(Server.ConnectionString(database));
        connection.Open();
        string Plan(string sql)
        {
            using var command = new Npgsql.NpgsqlCommand("EXPLAIN " + sql, connection);
            using var reader = command.ExecuteReader();
            var lines = new List<string>();
            while (reader.Read()) lines.Add(reader.GetString(0));
            return string.Join("\n", lines);
        }
        static void UsesClaimsWhere(string plan)
        {
            Assert.Matches(@"Index Scan (using|on) claims_where", plan);
            Assert.DoesNotContain("Seq Scan on claims", plan, StringComparison.Ordinal);
        }
        foreach (var sql in lookups) UsesClaimsWhere(Plan(sql));
        using (var setup = new Npgsql.NpgsqlCommand("""
            CREATE TEMP TABLE optout_keys(ord int, decision text, kind text, host_rev text COLLATE "C", target text COLLATE "C");
            INSERT INTO optout_keys SELECT i, 'Refuse', 'Url', 'example.h' || (i % 400), 'https://h' || (i % 400) || '.example/' || i || '.jpg' FROM generate_series(0, 49999) i;
            SET enable_hashjoin = off; SET enable_mergejoin = off
            """, connection))
        {
            setup.ExecuteNonQuery();
        }
        var probe = Plan("""
            SELECT s.ord, c.id FROM optout_keys s
            JOIN optout.claims c ON c.kind = s.kind AND coalesce(c.host_rev, '') = coalesce(s.host_rev, '') AND c.target = s.target AND c.decision = s.decision
            LEFT JOIN optout.revocations r ON r.claim_id = c.id
            WHERE r.claim_id IS NULL
            """);
        UsesClaimsWhere(probe);
    }
}
