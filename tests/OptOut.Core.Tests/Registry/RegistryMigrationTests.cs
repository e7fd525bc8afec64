using OptOut.Core.Registry;
using static OptOut.Core.Tests.Registry.RegistryFixtures;

namespace OptOut.Core.Tests.Registry;

/// <summary>
/// A registry written by the first schema version is migrated in place, its data intact and the
/// step audited; a registry from a newer OptOut is refused untouched.
/// </summary>
public sealed class RegistryMigrationTests
{
    [Fact]
    public void Open_with_schema_version_1_builds_the_first_schema()
    {
        var path = NewRegistryPath();
        using (var v1 = RegistryStore.Open(path, User, schemaVersion: 1))
        {
            Assert.Equal(1, v1.SchemaVersion);
        }
        Assert.Equal("1", Query<string>(path, "SELECT value FROM meta WHERE key = 'schema_version'"));
        Assert.DoesNotContain("origin", Columns(path, "claims"));
        Assert.Equal(1L, Query<long>(path, "SELECT count(*) FROM audit WHERE action = 'Migrate'"));
    }

    /// <summary>The store API on a v1 registry (no origin column): adding, reading, revoking.</summary>
    [Fact]
    public void The_store_api_works_on_a_version_1_registry()
    {
        var path = NewRegistryPath();
        using var v1 = RegistryStore.Open(path, User, schemaVersion: 1);
        var outcomes = v1.AddClaims([UrlClaim("https://a.example/v1.jpg", reason: "v1"), DomainClaim("v1.example"), ContentClaim("v1")], User);
        Assert.All(outcomes, o => Assert.True(o.Added));
        Assert.False(Assert.Single(v1.AddClaims([UrlClaim("https://a.example/v1.jpg")], User)).Added);
        Assert.Single(v1.Revoke([outcomes[1].Record.Id], User, "v1 revoke"));
        var records = v1.Read(new RecordFilter { IncludeRevoked = true, IncludeEmbeddings = true }).ToList();
        Assert.Equal(3, records.Count);
        Assert.All(records, r => Assert.Equal("local", r.Origin));
        Assert.DoesNotContain("origin", Columns(path, "claims"));
    }

    [Fact]
    public void Claims_added_through_the_store_on_version_1_survive_the_migration_to_version_2()
    {
        var path = NewRegistryPath();
        List<StoredClaim> before;
        using (var v1 = RegistryStore.Open(path, User, schemaVersion: 1))
        {
            var outcomes = v1.AddClaims([UrlClaim("https://a.example/v1.jpg", reason: "v1"), DomainClaim("v1.example", decision: Decision.Grant), ContentClaim("v1")], User);
            v1.Revoke([outcomes[0].Record.Id], User, "v1 revoke");
            before = v1.Read(new RecordFilter { IncludeRevoked = true, IncludeEmbeddings = true }).ToList();
        }

        using var v2 = RegistryStore.Open(path, "migrator");
        AssertMigrated(path, v2, before);
    }

    /// <summary>
    /// The same migration from a v1 file whose rows were written with raw SQL in the v1 layout, so the
    /// migration is checked on its own whatever the store API does on v1.
    /// </summary>
    [Fact]
    public void A_version_1_file_written_with_raw_sql_migrates_with_its_data_intact()
    {
        var path = NewRegistryPath();
        using (RegistryStore.Open(path, User, schemaVersion: 1)) { }
        var url = ClaimIds.New(DateTimeOffset.UtcNow.AddDays(-3));
        var content = ClaimIds.New(DateTimeOffset.UtcNow.AddDays(-2));
        var embedding = Vector("raw");
        using (var connection = OpenRaw(path))
        using (var command = connection.CreateCommand())
        {
            command.CommandText = """
                INSERT INTO claims(id, decision, kind, target, host_rev, claimant, reason, evidence, created_at)
                VALUES ($u, 'Refuse', 'Url', 'https://a.example/raw.jpg', 'example.a', 'Jane Doe', 'raw v1', '{"Note":"hand-written"}', '2024-03-01T10:00:00.1234567Z');
                INSERT INTO claims(id, decision, kind, target, phash, embedding, model_id, claimant, created_at)
                VALUES ($c, 'Grant', 'Content', $sha, -1, $e, 'resnet18', 'John Roe', '2024-03-02T11:00:00.0000001Z');
                INSERT INTO revocations(claim_id, revoked_at, revoked_by, reason) VALUES ($u, '2024-03-05T00:00:00.0000000Z', 'jane', 'changed mind');
                INSERT INTO audit(at, user, action, record_id) VALUES ('2024-03-01T10:00:00.1234567Z', 'jane', 'AddOptOut', $u);
                """;
            command.Parameters.AddWithValue("$u", url);
            command.Parameters.AddWithValue("$c", content);
            command.Parameters.AddWithValue("$sha", Sha256Of("raw"));
            command.Parameters.AddWithValue("$e", System.Runtime.InteropServices.MemoryMarshal.AsBytes(embedding.AsSpan()).ToArray());
            command.ExecuteNonQuery();
        }
        List<StoredClaim> before;
        using (var v1 = RegistryStore.Open(path, User, schemaVersion: 1))
        {
            before = v1.Read(new RecordFilter { IncludeRevoked = true, IncludeEmbeddings = true }).ToList();
        }
        Assert.Equal(2, before.Count);
        Assert.Equal(new DateTime(2024, 3, 1, 10, 0, 0, DateTimeKind.Utc).AddTicks(1234567), before[0].CreatedAt);
        Assert.Equal(ulong.MaxValue, before[1].PerceptualHash);
        Assert.Equal(embedding, before[1].Embedding);

        using var v2 = RegistryStore.Open(path, "migrator");
        AssertMigrated(path, v2, before);
        Assert.Equal(ClaimStatus.Revoked, v2.Read(new RecordFilter { Ids = [url], IncludeRevoked = true }).Single().Status);
    }

    private static void AssertMigrated(string path, RegistryStore v2, List<StoredClaim> before)
    {
        Assert.Equal(4, v2.SchemaVersion);
        Assert.Equal("4", Query<string>(path, "SELECT value FROM meta WHERE key = 'schema_version'"));
        Assert.Equal(RegistryFile.ApplicationId, Query<int>(path, "PRAGMA application_id"));
        // Version 3: one index serves every lookup, the two it replaced are gone.
        Assert.Equal(["claims_where"], Indexes(path, "claims").Where(i => !i.StartsWith("sqlite_autoindex", StringComparison.Ordinal)));
        Assert.Contains("origin", Columns(path, "claims"));
        Assert.Equal(0L, Query<long>(path, "SELECT count(*) FROM claims WHERE origin IS NOT 'local'"));
        Assert.Equal("ok", Query<string>(path, "PRAGMA integrity_check"));

        var after = v2.Read(new RecordFilter { IncludeRevoked = true, IncludeEmbeddings = true }).ToList();
        Assert.Equal(before.Count, after.Count);
        for (int i = 0; i < before.Count; i++)
        {
            Assert.Equal(before[i] with { Embedding = null, Evidence = null }, after[i] with { Embedding = null, Evidence = null });
            Assert.Equal(before[i].Embedding, after[i].Embedding);
            Assert.Equal(before[i].Evidence, after[i].Evidence);
        }

        var migrations = v2.History(action: "Migrate").TakeLast(3).ToList();
        Assert.Equal(["schema 1 -> 2", "schema 2 -> 3", "schema 3 -> 4"], migrations.Select(m => m.Detail));
        Assert.All(migrations, migrate =>
        {
            Assert.Equal("migrator", migrate.User);
            Assert.False(string.IsNullOrEmpty(migrate.Reason));
            Assert.InRange(migrate.At, DateTime.UtcNow.AddMinutes(-5), DateTime.UtcNow.AddMinutes(1));
        });

        // Every lookup finds the migrated records through the new index.
        foreach (var record in before.Where(r => r.Status == ClaimStatus.Active))
        {
            var filter = record.Kind switch
            {
                ClaimKind.Url => new RecordFilter { Url = record.Target },
                ClaimKind.Domain => new RecordFilter { Domain = record.Target },
                _ => new RecordFilter { Kind = ClaimKind.Content },
            };
            Assert.Contains(v2.Read(filter), r => r.Id == record.Id);
            var again = Assert.Single(v2.AddClaims([new NewClaim
            {
                Decision = record.Decision, Kind = record.Kind, Target = record.Kind == ClaimKind.Content ? null : record.Target, Claimant = "someone",
                Content = record.Kind == ClaimKind.Content ? new ContentFingerprint(record.Target, record.PerceptualHash, record.Embedding, record.ModelId) : null,
            }], User));
            Assert.False(again.Added);
            Assert.Equal(record.Id, again.Record.Id);
        }

        // The append-only triggers came through, and new claims go in with their origin.
        Assert.Throws<Microsoft.Data.Sqlite.SqliteException>(() => Execute(path, "DELETE FROM claims"));
        var added = Assert.Single(v2.AddClaims([UrlClaim("https://a.example/after-migration.jpg")], User));
        Assert.True(added.Added);
        Assert.Equal("local", Query<string>(path, $"SELECT origin FROM claims WHERE id = '{added.Record.Id}'"));
    }

    [Fact]
    public void A_registry_from_a_newer_OptOut_is_refused_without_being_changed()
    {
        var path = NewRegistryPath();
        using (var store = RegistryStore.Open(path, User))
        {
            store.AddClaims([UrlClaim("https://a.example/future.jpg")], User);
        }
        Execute(path, "UPDATE meta SET value = '99' WHERE key = 'schema_version'");
        Execute(path, "PRAGMA wal_checkpoint(TRUNCATE)");
        var dump = Dump(path);
        var bytes = File.ReadAllBytes(path);

        var e = Assert.Throws<InvalidDataException>(() => RegistryStore.Open(path, User));
        Assert.Contains("99", e.Message);
        Assert.Contains("newer", e.Message);

        Assert.Equal(dump, Dump(path));
        Execute(path, "PRAGMA wal_checkpoint(TRUNCATE)");
        Assert.Equal(bytes, File.ReadAllBytes(path));
        Assert.Equal("99", Query<string>(path, "SELECT value FROM meta WHERE key = 'schema_version'"));
    }
}
