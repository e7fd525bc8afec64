using Microsoft.Data.Sqlite;
using OptOut.Core.Registry;
using static OptOut.Core.Tests.Registry.RegistryFixtures;

namespace OptOut.Core.Tests.Registry;

/// <summary>
/// The registry file itself: WAL, versioned schema, append-only tables enforced by the database
/// (checked with raw SQL from a connection of its own), idempotent adds, revocations as records of
/// their own, and an audit row for every change.
/// </summary>
public sealed class RegistryStoreTests : IDisposable
{
    private readonly string path = NewRegistryPath();
    private readonly RegistryStore store;

    public RegistryStoreTests() => store = RegistryStore.Open(path, User);

    public void Dispose() => store.Dispose();

    private StoredClaim AddOne(NewClaim claim)
    {
        var outcome = Assert.Single(store.AddClaims([claim], User));
        Assert.True(outcome.Added);
        return outcome.Record;
    }

    // ---- the file ----------------------------------------------------------------------------

    [Fact]
    public void A_new_registry_is_a_WAL_SQLite_file_at_the_latest_schema_with_its_migrations_audited()
    {
        Assert.Equal("wal", Query<string>(path, "PRAGMA journal_mode"));
        Assert.Equal(4, store.SchemaVersion);
        Assert.Equal("4", Query<string>(path, "SELECT value FROM meta WHERE key = 'schema_version'"));
        Assert.Equal("ok", Query<string>(path, "PRAGMA integrity_check"));
        foreach (var table in new[] { "meta", "claims", "revocations", "audit" })
        {
            Assert.Equal(1L, Query<long>(path, $"SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '{table}'"));
        }
        // Nothing of the training-set index lives here.
        Assert.Equal(0L, Query<long>(path, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'rows'"));

        var migrations = store.History(action: "Migrate").ToList();
        Assert.Equal(4, migrations.Count);
        Assert.Equal(["schema 0 -> 1", "schema 1 -> 2", "schema 2 -> 3", "schema 3 -> 4"], migrations.Select(m => m.Detail));
        Assert.All(migrations, m =>
        {
            Assert.Equal(User, m.User);
            Assert.Null(m.RecordId);
            Assert.False(string.IsNullOrEmpty(m.Reason));
            Assert.Equal(DateTimeKind.Utc, m.At.Kind);
            Assert.InRange(m.At, DateTime.UtcNow.AddMinutes(-5), DateTime.UtcNow.AddMinutes(1));
        });
        Assert.Equal((0L, 0L), store.Counts());
    }

    [Fact]
    public void Reopening_an_up_to_date_registry_migrates_nothing_and_audits_nothing()
    {
        AddOne(UrlClaim("https://a.example/1.jpg"));
        long before = Query<long>(path, "SELECT count(*) FROM audit");
        using (var again = RegistryStore.Open(path, "someone-else")) Assert.Equal(4, again.SchemaVersion);
        Assert.Equal(before, Query<long>(path, "SELECT count(*) FROM audit"));
    }

    // ---- append-only, enforced by the database ------------------------------------------------

    private string SeedForTamper()
    {
        var record = AddOne(UrlClaim("https://a.example/tamper.jpg", reason: "mine"));
        store.Revoke([AddOne(UrlClaim("https://a.example/revoked.jpg")).Id], User, "mistake");
        return record.Id;
    }

    public static TheoryData<string> TamperingStatements() => new()
    {
        "UPDATE claims SET claimant = 'Mallory'",
        "UPDATE claims SET target = 'https://elsewhere.example/' WHERE kind = 'Url'",
        "DELETE FROM claims",
        "DELETE FROM claims WHERE id NOT IN (SELECT claim_id FROM revocations)",
        "UPDATE revocations SET reason = 'forged'",
        "DELETE FROM revocations",
        "UPDATE audit SET user = 'Mallory'",
        "UPDATE audit SET action = 'Nothing' WHERE action = 'Revoke'",
        "DELETE FROM audit",
        "DELETE FROM audit WHERE action = 'Migrate'",
    };

    [Theory]
    [MemberData(nameof(TamperingStatements))]
    public void The_database_refuses_updates_and_deletes_of_claims_revocations_and_audit(string sql)
    {
        SeedForTamper();
        var before = Dump(path);
        var e = Assert.Throws<SqliteException>(() => Execute(path, sql));
        Assert.Contains("append-only", e.Message);
        Assert.Equal(before, Dump(path));
    }

    /// <summary>
    /// REPLACE (and INSERT OR REPLACE) deletes the row it conflicts with. SQLite fires no DELETE
    /// trigger for that unless recursive_triggers is on, which a plain connection does not set: the
    /// append-only triggers must also refuse an insert that would replace an existing row.
    /// </summary>
    public static TheoryData<string> ReplacingStatements() => new()
    {
        "INSERT OR REPLACE INTO audit(seq, at, user, action, record_id, reason, detail) SELECT seq, at, 'Mallory', 'Forged', record_id, reason, detail FROM audit WHERE seq = 1",
        "REPLACE INTO claims(seq, id, decision, kind, target, claimant, created_at) SELECT seq, id, 'Grant', kind, target, 'Mallory', created_at FROM claims ORDER BY seq LIMIT 1",
        "INSERT OR REPLACE INTO revocations(claim_id, revoked_at, revoked_by, reason) SELECT claim_id, revoked_at, 'Mallory', 'forged' FROM revocations",
    };

    [Theory]
    [MemberData(nameof(ReplacingStatements))]
    public void The_database_refuses_a_replace_that_would_overwrite_a_claim_revocation_or_audit_row(string sql)
    {
        SeedForTamper();
        var before = Dump(path);
        Exception? refused = Record.Exception(() => Execute(path, sql));
        var after = Dump(path);
        Assert.True(before == after, $"'{sql}' was accepted and rewrote the registry:\n--- before\n{before}\n--- after\n{after}");
        Assert.IsType<SqliteException>(refused);
    }

    /// <summary>
    /// A bulk add lifts the REPLACE guards inside its own transaction (they cost a trigger program
    /// a row) and puts them back before it commits: afterwards they are there, word for word, and
    /// still refuse a replace.
    /// </summary>
    [Fact]
    public void A_bulk_add_leaves_the_replace_guards_in_place()
    {
        var guards = Triggers(path);
        Assert.Contains("claims_no_replace", guards.Keys);
        Assert.Contains("audit_no_replace", guards.Keys);

        var outcomes = store.AddClaims(Enumerable.Range(0, 2500).Select(i => UrlClaim($"https://bulk{i % 7}.example/{i}.jpg")).ToList(), User);
        Assert.Equal(2500, outcomes.Count(o => o.Added));
        Assert.Equal(guards, Triggers(path));

        var before = Dump(path);
        Assert.IsType<SqliteException>(Record.Exception(() => Execute(path, "INSERT OR REPLACE INTO audit(seq, at, user, action) SELECT seq, at, 'Mallory', 'Forged' FROM audit WHERE seq = 1")));
        Assert.IsType<SqliteException>(Record.Exception(() => Execute(path, "INSERT OR REPLACE INTO claims(id, decision, kind, target, claimant, created_at) SELECT id, 'Grant', kind, target, 'Mallory', created_at FROM claims LIMIT 1")));
        Assert.Equal(before, Dump(path));
    }

    /// <summary>
    /// A bulk batch that fails midway (here a record whose id is already taken) rolls back whole:
    /// no claim of it, no audit row, and the guards it had lifted are back.
    /// </summary>
    [Fact]
    public void A_bulk_batch_that_fails_midway_writes_nothing_and_keeps_the_guards()
    {
        AddOne(UrlClaim("https://a.example/first.jpg"));
        var guards = Triggers(path);
        var before = Dump(path);
        var now = DateTime.UtcNow;
        var records = Enumerable.Range(0, 2000).Select(i => RegistryStore.NewRecord(UrlClaim($"https://fail.example/{i}.jpg"), now)).ToList();
        var taken = store.Read(new RecordFilter()).Single().Id;
        records[1500] = records[1500] with { Id = taken };

        Assert.IsType<SqliteException>(Record.Exception(() => store.AddRecords(records, User)));
        Assert.Equal(before, Dump(path));
        Assert.Equal(guards, Triggers(path));
    }

    /// <summary>
    /// Rows go in sorted by the claims index, but outcomes come back in the order the claims were
    /// given, and of two equal claims in one batch the first is the one recorded.
    /// </summary>
    [Fact]
    public void Outcomes_come_back_in_input_order_and_the_first_of_equal_claims_is_recorded()
    {
        var urls = Enumerable.Range(0, 1200).Select(i => $"https://z{1200 - i}.example/{i}.jpg").ToList();
        var claims = urls.Select((u, i) => UrlClaim(u, reason: $"#{i}")).ToList();
        claims.Add(UrlClaim(urls[10], reason: "again"));
        var outcomes = store.AddClaims(claims, User);

        Assert.Equal(claims.Count, outcomes.Count);
        for (int i = 0; i < urls.Count; i++)
        {
            Assert.True(outcomes[i].Added);
            Assert.Equal(urls[i], outcomes[i].Record.Target);
        }
        Assert.False(outcomes[^1].Added);
        Assert.Equal("#10", outcomes[^1].Record.Reason);
        Assert.Equal(outcomes[10].Record.Id, outcomes[^1].Record.Id);
        Assert.Equal(1200L, Query<long>(path, "SELECT count(*) FROM claims"));
    }

    private static Dictionary<string, string> Triggers(string path)
    {
        using var connection = OpenRaw(path);
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT name, sql FROM sqlite_master WHERE type = 'trigger'";
        using var reader = command.ExecuteReader();
        var triggers = new Dictionary<string, string>();
        while (reader.Read()) triggers[reader.GetString(0)] = reader.GetString(1);
        return triggers;
    }

    [Fact]
    public void Raw_inserts_are_still_possible_so_the_triggers_refuse_only_changes()
    {
        SeedForTamper();
        long before = Query<long>(path, "SELECT count(*) FROM audit");
        Execute(path, "INSERT INTO audit(at, user, action) VALUES ('2030-01-01T00:00:00.0000000Z', 'raw', 'Note')");
        Assert.Equal(before + 1, Query<long>(path, "SELECT count(*) FROM audit"));
    }

    // ---- adding ----------------------------------------------------------------------------------

    [Fact]
    public void A_url_claim_is_stored_normalised_with_its_provenance_and_audited()
    {
        var evidence = new Evidence { MatchedDataset = "laion", MatchedKey = "000123", MatchedUrl = "https://CDN.Example.com:443/a/b.jpg#frag", MatchKind = "Copy", Similarity = 0.93, HashDistance = 4 };
        var started = DateTime.UtcNow;
        var record = AddOne(UrlClaim("  HTTPS://CDN.Example.com:443/a/%7Euser/b.jpg#frag ", claimant: "Jane Doe", reason: "my work", evidence: evidence));

        Assert.True(ClaimIds.IsValid(record.Id));
        Assert.Equal(Decision.Refuse, record.Decision);
        Assert.Equal(ClaimKind.Url, record.Kind);
        Assert.Equal("https://cdn.example.com/a/~user/b.jpg", record.Target);
        Assert.Equal("Jane Doe", record.Claimant);
        Assert.Equal("my work", record.Reason);
        Assert.Equal(evidence, record.Evidence);
        Assert.Equal(ClaimStatus.Active, record.Status);
        Assert.Null(record.RevokedAt);
        Assert.Equal(DateTimeKind.Utc, record.CreatedAt.Kind);
        Assert.InRange(record.CreatedAt, started.AddSeconds(-1), DateTime.UtcNow.AddSeconds(1));

        var stored = Assert.Single(store.Read(new RecordFilter()));
        Assert.Equal(record with { Evidence = null }, stored with { Evidence = null });
        Assert.Equal(evidence, stored.Evidence);

        var audit = Assert.Single(store.History(recordId: record.Id));
        Assert.Equal("AddOptOut", audit.Action);
        Assert.Equal(User, audit.User);
        Assert.Equal("my work", audit.Reason);
        Assert.Equal(DateTimeKind.Utc, audit.At.Kind);
        Assert.Equal(record.CreatedAt, audit.At);
        Assert.Contains("https://cdn.example.com/a/~user/b.jpg", audit.Detail);
    }

    [Fact]
    public void A_grant_is_audited_as_AddOptIn_and_may_stand_beside_a_refusal_of_the_same_target()
    {
        var refusal = AddOne(UrlClaim("https://a.example/x.jpg"));
        var grant = AddOne(UrlClaim("https://a.example/x.jpg", decision: Decision.Grant));
        Assert.NotEqual(refusal.Id, grant.Id);
        Assert.Equal("AddOptIn", Assert.Single(store.History(recordId: grant.Id)).Action);
        Assert.Equal(2, store.Read(new RecordFilter { Url = "https://a.example/x.jpg" }).Count());
    }

    [Fact]
    public void Adding_the_same_active_claim_again_changes_nothing()
    {
        var first = AddOne(UrlClaim("https://a.example/same.jpg"));
        var dump = Dump(path);

        // Same target spelled differently, another claimant, another reason: still the same claim.
        var again = Assert.Single(store.AddClaims([UrlClaim("HTTPS://A.EXAMPLE/same.jpg#x", claimant: "Someone", reason: "again")], User));
        Assert.False(again.Added);
        Assert.Equal(first.Id, again.Record.Id);
        Assert.Equal(dump, Dump(path));

        // Twice within one batch: one record, one audit row.
        var batch = store.AddClaims([UrlClaim("https://a.example/batch.jpg"), UrlClaim("https://a.example/batch.jpg")], User);
        Assert.Equal([true, false], batch.Select(o => o.Added));
        Assert.Equal(batch[0].Record.Id, batch[1].Record.Id);
        Assert.Equal(2L, Query<long>(path, "SELECT count(*) FROM claims"));
        Assert.Equal(2L, Query<long>(path, "SELECT count(*) FROM audit WHERE action = 'AddOptOut'"));
    }

    [Fact]
    public void Revocation_is_a_record_of_its_own_and_the_claim_can_then_be_made_again_as_a_new_record()
    {
        var first = AddOne(UrlClaim("https://a.example/again.jpg", reason: "first"));
        var revoked = Assert.Single(store.Revoke([first.Id], "revoker", "made by mistake"));

        Assert.Equal(first.Id, revoked.Id);
        Assert.Equal(ClaimStatus.Revoked, revoked.Status);
        Assert.Equal("made by mistake", revoked.RevokedReason);
        Assert.Equal("revoker", revoked.RevokedBy);
        Assert.Equal(DateTimeKind.Utc, revoked.RevokedAt!.Value.Kind);
        Assert.True(revoked.RevokedAt >= first.CreatedAt);
        // The claim itself is untouched.
        Assert.Equal(first with { Status = ClaimStatus.Revoked, RevokedAt = revoked.RevokedAt, RevokedBy = "revoker", RevokedReason = "made by mistake" }, revoked);

        Assert.Empty(store.Read(new RecordFilter()));
        Assert.Single(store.Read(new RecordFilter { IncludeRevoked = true }));
        Assert.Equal(1L, Query<long>(path, "SELECT count(*) FROM revocations"));
        var audit = Assert.Single(store.History(recordId: first.Id, action: "Revoke"));
        Assert.Equal("revoker", audit.User);
        Assert.Equal("made by mistake", audit.Reason);

        // Revoking again changes nothing.
        var dump = Dump(path);
        Assert.Empty(store.Revoke([first.Id], "revoker", "again"));
        Assert.Equal(dump, Dump(path));

        var second = AddOne(UrlClaim("https://a.example/again.jpg", reason: "second"));
        Assert.NotEqual(first.Id, second.Id);
        Assert.Equal(2L, Query<long>(path, "SELECT count(*) FROM claims"));
        Assert.Equal((1L, 1L), store.Counts());
        Assert.Equal(["AddOptOut", "Revoke", "AddOptOut"], store.History().Where(h => h.Action != "Migrate").Select(h => h.Action));
    }

    [Fact]
    public void Revoking_an_unknown_id_revokes_nothing_of_the_batch()
    {
        var known = AddOne(UrlClaim("https://a.example/known.jpg"));
        var dump = Dump(path);
        Assert.Throws<KeyNotFoundException>(() => store.Revoke([known.Id, ClaimIds.New()], User, "why"));
        Assert.Equal(dump, Dump(path));
    }

    [Fact]
    public void Domain_and_content_claims_are_keyed_by_host_and_by_sha256()
    {
        var domain = AddOne(DomainClaim("*.Sub.Example.COM."));
        Assert.Equal("sub.example.com", domain.Target);

        var claim = ContentClaim("portrait");
        var content = AddOne(claim);
        Assert.Equal(ClaimKind.Content, content.Kind);
        Assert.Equal(claim.Content!.Sha256.ToLowerInvariant(), content.Target);
        Assert.Equal(claim.Content.PerceptualHash, content.PerceptualHash);
        Assert.Equal(claim.Content.ModelId, content.ModelId);

        var withVector = Assert.Single(store.Read(new RecordFilter { Kind = ClaimKind.Content, IncludeEmbeddings = true }));
        Assert.Equal(claim.Content.Embedding, withVector.Embedding);
        Assert.Equal(claim.Evidence, withVector.Evidence);
        Assert.Null(Assert.Single(store.Read(new RecordFilter { Kind = ClaimKind.Content })).Embedding);

        // The same picture again (its hash in any case) is the same claim.
        Assert.False(Assert.Single(store.AddClaims([claim with { Content = claim.Content with { Sha256 = claim.Content.Sha256.ToLowerInvariant() } }], User)).Added);
    }

    public static TheoryData<string, NewClaim> InvalidClaims() => new()
    {
        { "empty URL", UrlClaim("   ") },
        { "a domain without a dot", DomainClaim("localhost") },
        { "content without a fingerprint", new NewClaim { Decision = Decision.Refuse, Kind = ClaimKind.Content, Claimant = "x" } },
        { "content with a short hash", new NewClaim { Decision = Decision.Refuse, Kind = ClaimKind.Content, Claimant = "x", Content = new ContentFingerprint("abc", null, null, null) } },
    };

    [Theory]
    [MemberData(nameof(InvalidClaims))]
    public void An_invalid_claim_fails_its_whole_batch_and_writes_nothing(string why, NewClaim invalid)
    {
        AddOne(UrlClaim("https://a.example/before.jpg"));
        var dump = Dump(path);
        var e = Assert.Throws<ArgumentException>(() => store.AddClaims([UrlClaim("https://a.example/good.jpg"), invalid], User));
        Assert.False(string.IsNullOrEmpty(e.Message), why);
        Assert.Equal(dump, Dump(path));
    }

    [Theory]
    [InlineData("not a url at all")]
    [InlineData("/etc/passwd")]
    [InlineData("javascript:alert(1)")]
    public void A_url_claim_needs_a_web_address(string notAWebAddress)
    {
        // Import-OptOutList refuses such lines in a URL list ("is not an http(s) URL"); a claim made
        // directly must not record them either.
        var dump = Dump(path);
        Assert.Throws<ArgumentException>(() => store.AddClaims([UrlClaim(notAWebAddress)], User));
        Assert.Equal(dump, Dump(path));
    }

    // ---- reading -----------------------------------------------------------------------------------

    [Fact]
    public void Filters_select_by_id_claimant_kind_decision_url_domain_date_and_status()
    {
        var a = AddOne(UrlClaim("https://www.example.com/a.jpg", claimant: "Jane Doe"));
        var b = AddOne(UrlClaim("https://deep.cdn.example.com/b.jpg", claimant: "John Roe", decision: Decision.Grant));
        var c = AddOne(UrlClaim("https://notexample.com/c.jpg", claimant: "Jane Doe"));
        var d = AddOne(DomainClaim("example.com", claimant: "Studio X"));
        var e = AddOne(UrlClaim("https://example.com.evil.test/e.jpg", claimant: "Jane Doe"));
        var f = AddOne(ContentClaim("f", claimant: "jane doe"));
        Thread.Sleep(20);
        var cut = DateTime.UtcNow;
        Thread.Sleep(20);
        var g = AddOne(UrlClaim("https://example.com/g.jpg", claimant: "Jane Doe"));
        store.Revoke([c.Id], User, "gone");

        string[] Ids(RecordFilter filter) => store.Read(filter).Select(r => r.Id).ToArray();

        Assert.Equal([a.Id, b.Id, d.Id, e.Id, f.Id, g.Id], Ids(new RecordFilter()));
        Assert.Equal([a.Id, b.Id, c.Id, d.Id, e.Id, f.Id, g.Id], Ids(new RecordFilter { IncludeRevoked = true }));
        Assert.Equal([b.Id, f.Id], Ids(new RecordFilter { Ids = [f.Id, b.Id] }));
        Assert.Equal([c.Id], Ids(new RecordFilter { Ids = [c.Id], IncludeRevoked = true }));
        Assert.Equal([a.Id, e.Id, f.Id, g.Id], Ids(new RecordFilter { Claimant = "JANE DOE" }));
        Assert.Equal([d.Id], Ids(new RecordFilter { Kind = ClaimKind.Domain }));
        Assert.Equal([b.Id], Ids(new RecordFilter { Decision = Decision.Grant }));
        Assert.Equal([a.Id], Ids(new RecordFilter { Url = "HTTPS://WWW.EXAMPLE.COM:443/a.jpg#top" }));
        Assert.Empty(Ids(new RecordFilter { Url = "https://www.example.com/A.jpg" }));
        // example.com and its subdomains only: not notexample.com, not example.com.evil.test.
        Assert.Equal([a.Id, b.Id, d.Id, g.Id], Ids(new RecordFilter { Domain = "Example.COM" }));
        Assert.Equal([b.Id], Ids(new RecordFilter { Domain = "cdn.example.com" }));
        Assert.Equal([g.Id], Ids(new RecordFilter { Since = cut }));
        Assert.Equal([g.Id], Ids(new RecordFilter { Since = cut.ToLocalTime() }));
        Assert.Equal([a.Id, g.Id], Ids(new RecordFilter { Claimant = "jane doe", Domain = "example.com", Kind = ClaimKind.Url }));
    }

    [Fact]
    public void History_filters_by_record_date_and_action()
    {
        var a = AddOne(UrlClaim("https://a.example/1.jpg"));
        Thread.Sleep(20);
        var cut = DateTime.UtcNow;
        Thread.Sleep(20);
        var b = AddOne(UrlClaim("https://a.example/2.jpg", decision: Decision.Grant));
        store.Revoke([a.Id], User, "no longer");

        Assert.Equal(["AddOptOut", "Revoke"], store.History(recordId: a.Id).Select(h => h.Action));
        Assert.Equal(["AddOptIn", "Revoke"], store.History(since: cut).Select(h => h.Action));
        Assert.Equal([b.Id], store.History(action: "addoptin").Select(h => h.RecordId));
        var all = store.History().ToList();
        Assert.Equal(all.Select(h => h.Sequence).Order(), all.Select(h => h.Sequence));
        Assert.Equal(7, all.Count);  // 4 migrations, 2 adds, 1 revocation
    }

    [Fact]
    public void Ids_are_uuid_version_7_in_time_order()
    {
        var ids = Enumerable.Range(0, 50).Select(i => ClaimIds.New(DateTimeOffset.UnixEpoch.AddDays(20000).AddMilliseconds(i))).ToList();
        Assert.All(ids, id =>
        {
            Assert.True(ClaimIds.IsValid(id));
            Assert.Equal('7', id[14]);
            Assert.Contains(id[19], "89ab");
        });
        Assert.Equal(ids.Order(StringComparer.Ordinal), ids);
        Assert.Equal(ids.Count, ids.Distinct().Count());
        Assert.False(ClaimIds.IsValid("not-a-guid"));
    }
}
