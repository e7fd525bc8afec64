using Npgsql;
using OptOut.Core.Registry;
using OptOut.Core.Registry.Postgres;
using static OptOut.Core.Tests.Registry.RegistryFixtures;

namespace OptOut.Core.Tests.Registry.Postgres;

/// <summary>
/// The registry on a real PostgreSQL server (a private cluster, <see cref="PostgresCluster"/>): the
/// same records and rules as the SQLite file, the append-only rule enforced by the database
/// against a plain SQL connection, a newer schema refused untouched, roles, injection, NUL.
/// </summary>
public sealed class PostgresRegistryTests
{
    private static PostgresCluster Server => PostgresCluster.Shared;

    private static (RegistryLocation Location, string Database) NewRegistry()
    {
        var database = Server.NewDatabase();
        return (RegistryLocation.Parse(Server.ConnectionString(database)), database);
    }

    [PostgresFact]
    public void Writers_that_meet_an_empty_database_at_once_all_open_it_and_it_is_created_once()
    {
        // Each writer waits on the migration lock; the ones behind the first must see the registry it
        // created (PostgreSQL does not refresh their catalog caches on an advisory lock).
        for (int round = 0; round < 3; round++)
        {
            var (location, database) = NewRegistry();
            using var start = new Barrier(6);
            var writers = Enumerable.Range(0, 6).Select(i => Task.Run(() =>
            {
                start.SignalAndWait();
                using var store = PostgresRegistryStore.Open(location, User);
                return store.AddClaims([UrlClaim($"https://race.example/{i}.jpg")], User).Single().Added;
            })).ToArray();
            Assert.All(Task.WhenAll(writers).GetAwaiter().GetResult(), Assert.True);
            Assert.Equal(6L, Server.Scalar<long>(database, "SELECT count(*) FROM optout.claims"));
            Assert.Equal(PostgresMigrations.Latest, int.Parse(Server.Scalar<string>(database, "SELECT value FROM optout.meta WHERE key = 'schema_version'"), System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    [PostgresFact]
    public void Claims_are_added_once_read_back_revoked_and_audited()
    {
        var (location, _) = NewRegistry();
        using var store = PostgresRegistryStore.Open(location, User);
        var first = store.AddClaims([UrlClaim("HTTPS://Example.COM:443/a.jpg", reason: "mine"), DomainClaim("Ex.Example."), ContentClaim("cat")], User);
        Assert.All(first, o => Assert.True(o.Added));
        Assert.Equal("https://example.com/a.jpg", first[0].Record.Target);
        Assert.Equal("ex.example", first[1].Record.Target);

        // The same claims again (and twice in one batch): nothing added, the existing records returned.
        var again = store.AddClaims([UrlClaim("https://example.com/a.jpg"), UrlClaim("https://example.com/a.jpg"), DomainClaim("ex.example")], "someone-else");
        Assert.All(again, o => Assert.False(o.Added));
        Assert.Equal(first[0].Record.Id, again[0].Record.Id);
        Assert.Equal(first[0].Record.Id, again[1].Record.Id);
        Assert.Equal((3L, 0L), store.Counts());

        Assert.Single(store.Read(new RecordFilter { Url = "https://EXAMPLE.com/a.jpg" }));
        Assert.Equal(2, store.Read(new RecordFilter { Domain = "example.com" }).Count() + store.Read(new RecordFilter { Domain = "ex.example" }).Count());
        Assert.Empty(store.Read(new RecordFilter { Domain = "example-art.com" }));
        Assert.Equal(3, store.Read(new RecordFilter { Claimant = "JANE doe" }).Count());
        Assert.Equal(3, store.Read(new RecordFilter { Claimant = "jan*" }).Count());
        var content = store.Read(new RecordFilter { Kind = ClaimKind.Content, IncludeEmbeddings = true }).Single();
        Assert.Equal(Vector("cat"), content.Embedding);

        var revoked = store.Revoke([first[0].Record.Id], "admin", "asked to");
        Assert.Equal(ClaimStatus.Revoked, revoked.Single().Status);
        Assert.Equal(("admin", "asked to"), (revoked.Single().RevokedBy, revoked.Single().RevokedReason));
        Assert.Equal((2L, 1L), store.Counts());
        // After revocation the same claim is a new record.
        var renewed = store.AddClaims([UrlClaim("https://example.com/a.jpg")], User).Single();
        Assert.True(renewed.Added);
        Assert.NotEqual(first[0].Record.Id, renewed.Record.Id);

        var history = store.History().ToList();
        // One Migrate row a schema step (1: the tables, 2: byte-order keys), as the file's four.
        Assert.Equal(["Migrate", "Migrate", "AddOptOut", "AddOptOut", "AddOptOut", "Revoke", "AddOptOut"], history.Select(h => h.Action));
        Assert.Equal("Url https://example.com/a.jpg", history[2].Detail);
        Assert.Equal(3, store.Claimants().Count + 2);   // Jane Doe only: duplicates added nothing for someone-else
    }

    [PostgresFact]
    public void Exports_are_byte_for_byte_those_of_the_sqlite_registry()
    {
        var (location, _) = NewRegistry();
        var now = new DateTime(2026, 3, 4, 5, 6, 7, DateTimeKind.Utc).AddTicks(1234567);
        var records = new[] { UrlClaim("https://a.example/1.jpg", reason: "r\"q'uote"), DomainClaim("b.example"), ContentClaim("dog"), UrlClaim("https://c.example/x", decision: Decision.Grant) }
            .Select(c => RegistryStore.NewRecord(c, now)).ToList();
        using var pg = PostgresRegistryStore.Open(location, User);
        using var sqlite = RegistryStore.Open(NewRegistryPath(), User);
        pg.AddRecords(records, User);
        sqlite.AddRecords(records, User);
        var folder = TestEnvironment.NewScratchFolder();
        foreach (var format in new[] { ListFormat.Csv, ListFormat.Json, ListFormat.UrlList, ListFormat.Parquet })
        {
            var fromPg = Path.Combine(folder, "pg." + format);
            var fromSqlite = Path.Combine(folder, "sqlite." + format);
            OptOutListFormat.Write(pg.ReadSelection(null, new RecordFilter { IncludeEmbeddings = true }), fromPg, format);
            OptOutListFormat.Write(sqlite.ReadSelection(null, new RecordFilter { IncludeEmbeddings = true }), fromSqlite, format);
            Assert.Equal(File.ReadAllBytes(fromSqlite), File.ReadAllBytes(fromPg));
        }
    }

    [PostgresFact]
    public void A_bulk_batch_is_stored_in_the_files_order_and_the_gate_reads_every_active_claim_oldest_first()
    {
        // 3,000 claims over 97 hosts, a repeat and a revocation: a batch of 1,000 or more goes in
        // the claims index's order in both backends, so both list the same records in the same order.
        var (location, _) = NewRegistry();
        var now = new DateTime(2026, 3, 4, 5, 6, 7, DateTimeKind.Utc);
        var claims = Enumerable.Range(0, 3000).Select(i => UrlClaim($"https://h{i % 97}.example/w/{i}.jpg")).Append(UrlClaim("https://h5.example/w/5.jpg")).ToList();
        var records = claims.Select(c => RegistryStore.NewRecord(c, now)).ToList();
        using var pg = PostgresRegistryStore.Open(location, User);
        using var sqlite = RegistryStore.Open(NewRegistryPath(), User);
        var pgOutcomes = pg.AddRecords(records, User);
        var sqliteOutcomes = sqlite.AddRecords(records, User);
        Assert.Equal(sqliteOutcomes.Select(o => (o.Record.Id, o.Added)), pgOutcomes.Select(o => (o.Record.Id, o.Added)));
        Assert.False(pgOutcomes[^1].Added);
        Assert.Equal(records[5].Id, pgOutcomes[^1].Record.Id);
        Assert.Equal(sqlite.Read(new RecordFilter()).Select(r => r.Id), pg.Read(new RecordFilter()).Select(r => r.Id));
        Assert.Equal(3000, pg.History(action: "AddOptOut").Count());

        pg.Revoke([records[7].Id], User, null);
        sqlite.Revoke([records[7].Id], User, null);
        var second = pg.AddRecords([RegistryStore.NewRecord(UrlClaim("https://late.example/1.jpg"), now)], User);
        sqlite.AddRecords([second[0].Record], User);
        var gate = pg.ReadActiveClaims().ToList();
        Assert.Equal(sqlite.ReadActiveClaims().Select(c => (c.Id, c.Target, c.Claimant)), gate.Select(c => (c.Id, c.Target, c.Claimant)));
        Assert.Equal(pg.Read(new RecordFilter()).Select(r => r.Id), gate.Select(c => c.Id));
        Assert.DoesNotContain(records[7].Id, gate.Select(c => c.Id));
    }

    [PostgresFact]
    public void The_gate_reads_claims_oldest_first_also_when_the_table_holds_them_in_another_order()
    {
        // The gate streams claims in the table's physical order when that is seq order (the usual
        // case) and sorts them when not. A superuser moves the oldest claim's row to the end of the
        // table (triggers off for the session, content unchanged): what reused space does.
        var (location, database) = NewRegistry();
        var now = new DateTime(2026, 3, 4, 5, 6, 7, DateTimeKind.Utc);
        var records = Enumerable.Range(0, 50).Select(i => RegistryStore.NewRecord(UrlClaim($"https://o.example/{i}.jpg"), now)).ToList();
        using var pg = PostgresRegistryStore.Open(location, User);
        pg.AddRecords(records, User);
        var oldestFirst = pg.ReadActiveClaims().Select(c => c.Id).ToList();
        Assert.Equal(pg.Read(new RecordFilter()).Select(r => r.Id), oldestFirst);

        Server.Execute(database, "SET session_replication_role = replica; UPDATE optout.claims SET reason = reason WHERE seq = (SELECT min(seq) FROM optout.claims)");
        Assert.Equal(oldestFirst[0], Server.Scalar<string>(database, "SELECT id FROM optout.claims ORDER BY ctid DESC LIMIT 1"));

        Assert.Equal(oldestFirst, pg.ReadActiveClaims().Select(c => c.Id).ToList());
    }

    [PostgresFact]
    public void Claimant_filters_fold_a_to_z_only_as_the_file_does()
    {
        var (location, _) = NewRegistry();
        using var pg = PostgresRegistryStore.Open(location, User);
        using var sqlite = RegistryStore.Open(NewRegistryPath(), User);
        var records = new[] { UrlClaim("https://a.example/1.jpg", claimant: "ÉMILE Zola"), UrlClaim("https://a.example/2.jpg", claimant: "émile zola"), UrlClaim("https://a.example/3.jpg", claimant: "Ǆ Straße") }
            .Select(c => RegistryStore.NewRecord(c, DateTime.UtcNow)).ToList();
        pg.AddRecords(records, User);
        sqlite.AddRecords(records, User);
        foreach (var claimant in new[] { "émile zola", "ÉMILE ZOLA", "Émile Zola", "É*", "é*", "*ZOLA", "ǆ straße", "Ǆ STRASSE", "Ǆ STRAßE", "?MILE*" })
        {
            Assert.Equal(sqlite.Read(new RecordFilter { Claimant = claimant }).Select(r => r.Id), pg.Read(new RecordFilter { Claimant = claimant }).Select(r => r.Id));
        }
        Assert.Single(pg.Read(new RecordFilter { Claimant = "émile ZOLA" }));
        Assert.Equal(sqlite.Claimants(), pg.Claimants());
        Assert.Equal(sqlite.Claimants("é*"), pg.Claimants("é*"));
    }

    [PostgresFact]
    public void A_plain_sql_connection_cannot_update_delete_or_truncate_claims_revocations_or_audit()
    {
        var (location, database) = NewRegistry();
        using (var store = PostgresRegistryStore.Open(location, User))
        {
            var id = store.AddClaims([UrlClaim("https://a.example/1.jpg")], User).Single().Record.Id;
            store.Revoke([id], User, "x");
        }
        // Even the superuser that created the tables: the triggers fire for every role.
        foreach (var sql in new[]
        {
            "UPDATE optout.claims SET target = 'https://evil.example/'", "DELETE FROM optout.claims", "TRUNCATE optout.claims CASCADE",
            "UPDATE optout.revocations SET reason = 'x'", "DELETE FROM optout.revocations", "TRUNCATE optout.revocations",
            "UPDATE optout.audit SET \"user\" = 'x'", "DELETE FROM optout.audit", "TRUNCATE optout.audit",
            "INSERT INTO optout.claims(id, decision, kind, target, claimant, created_at) SELECT id, decision, kind, target, claimant, created_at FROM optout.claims ON CONFLICT (id) DO UPDATE SET target = 'x'",
        })
        {
            var e = Assert.Throws<PostgresException>(() => Server.Execute(database, sql));
            Assert.Contains("append-only", e.MessageText, StringComparison.Ordinal);
        }
        Assert.Equal(1L, Server.Scalar<long>(database, "SELECT count(*) FROM optout.claims WHERE target = 'https://a.example/1.jpg'"));
        Assert.Equal(1L, Server.Scalar<long>(database, "SELECT count(*) FROM optout.revocations"));
    }

    [PostgresFact]
    public void A_registry_from_a_newer_optout_is_refused_untouched()
    {
        var (location, database) = NewRegistry();
        using (var store = PostgresRegistryStore.Open(location, User)) store.AddClaims([UrlClaim("https://a.example/1.jpg")], User);
        // meta is not append-only: a newer OptOut writes its version there.
        Server.Execute(database, "UPDATE optout.meta SET value = '99' WHERE key = 'schema_version'");
        string Snapshot() => Server.Scalar<string>(database, "SELECT (SELECT string_agg(t::text, '|' ORDER BY seq) FROM optout.claims t) || (SELECT string_agg(a::text, '|' ORDER BY seq) FROM optout.audit a)");
        var before = Snapshot();
        var write = Assert.Throws<InvalidDataException>(() => PostgresRegistryStore.Open(location, User));
        Assert.Contains("newer OptOut (schema 99", write.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidDataException>(() => PostgresRegistryStore.OpenReadOnly(location));
        Assert.Equal(before, Snapshot());
    }

    [PostgresFact]
    public void Reading_never_writes_and_a_database_without_a_registry_is_not_found()
    {
        var (location, database) = NewRegistry();
        Assert.Throws<FileNotFoundException>(() => PostgresRegistryStore.OpenReadOnly(location));
        Assert.False(Server.Scalar<bool>(database, "SELECT to_regnamespace('optout') IS NOT NULL"));
    }

    [PostgresFact]
    public void Roles_reader_reads_writer_adds_and_revokes_and_neither_rewrites()
    {
        var (location, database) = NewRegistry();
        using (var owner = PostgresRegistryStore.Open(location, User)) owner.AddClaims([UrlClaim("https://a.example/1.jpg")], User);
        Server.Execute(database, File.ReadAllText(Path.Combine(TestEnvironment.RepositoryRoot, "src", "OptOut", "sql", "registry-roles.sql")));
        var suffix = database[2..10];
        Server.Execute(database, $"CREATE ROLE r_{suffix} LOGIN IN ROLE optout_reader; CREATE ROLE w_{suffix} LOGIN IN ROLE optout_writer");

        var asReader = RegistryLocation.Parse(Server.ConnectionString(database, $"r_{suffix}"));
        using (var reader = PostgresRegistryStore.OpenReadOnly(asReader))
        {
            Assert.Single(reader.Read(new RecordFilter()));
            Assert.Single(reader.ReadActiveClaims());
        }
        var denied = Assert.Throws<RegistryPermissionException>(() => PostgresRegistryStore.Open(asReader, "ci"));
        Assert.Contains("INSERT on optout.claims", denied.Message, StringComparison.Ordinal);
        Assert.Contains($"r_{suffix}", denied.Message, StringComparison.Ordinal);

        var asWriter = RegistryLocation.Parse(Server.ConnectionString(database, $"w_{suffix}"));
        using (var writer = PostgresRegistryStore.Open(asWriter, "alice"))
        {
            var added = writer.AddClaims(Enumerable.Range(0, 1500).Select(i => UrlClaim($"https://w.example/{i}.jpg")).ToList(), "alice");
            Assert.All(added, o => Assert.True(o.Added));
            writer.Revoke([added[0].Record.Id], "alice", "mistake");
            Assert.Equal((1500L, 1L), writer.Counts());
        }
        var update = Assert.Throws<PostgresException>(() => Server.Execute(database, "UPDATE optout.claims SET reason = 'x'", $"w_{suffix}"));
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, update.SqlState);
        // The reader cannot create a registry in another schema either: the owner's privilege.
        var blank = Server.NewDatabase();
        Server.Execute(blank, $"REVOKE CREATE ON SCHEMA public FROM PUBLIC; REVOKE CREATE ON DATABASE {blank} FROM PUBLIC");
        var cannotCreate = Assert.Throws<RegistryPermissionException>(() => PostgresRegistryStore.Open(RegistryLocation.Parse(Server.ConnectionString(blank, $"r_{suffix}")), "ci"));
        Assert.Contains("CREATE", cannotCreate.Message, StringComparison.Ordinal);
    }

    [PostgresFact]
    public void Quotes_backslashes_sql_and_very_long_values_are_stored_and_read_back_exactly()
    {
        var (location, database) = NewRegistry();
        var nasty = "O'Brien \"the\" \\ back\\\\slash '); DROP TABLE optout.claims; -- $1 %s {0} \u00e9\u4e2d\ud83d\ude00";
        var longReason = string.Concat(Enumerable.Repeat("why-\u00e9'\\", 200_000));
        using var store = PostgresRegistryStore.Open(location, User);
        var added = store.AddClaims([UrlClaim("https://a.example/it's%20\"q\".jpg?x='1'", claimant: nasty, reason: longReason,
            evidence: new Evidence { Note = nasty + "\0 NUL inside JSON", MatchedUrl = "https://a.example/'" })], nasty);
        var back = store.Read(new RecordFilter { Claimant = nasty }).Single();
        Assert.Equal(added.Single().Record.Target, back.Target);
        Assert.Equal((nasty, longReason), (back.Claimant, back.Reason));
        Assert.Equal(nasty + "\0 NUL inside JSON", back.Evidence!.Note);
        Assert.Equal(nasty, store.History(back.Id).Single().User);
        Assert.Single(store.Read(new RecordFilter { Claimant = "O'Brien*" }));
        Assert.Equal(1L, Server.Scalar<long>(database, "SELECT count(*) FROM optout.claims"));
    }

    [PostgresFact]
    public void A_nul_character_is_refused_with_a_clear_error_and_nothing_is_written()
    {
        var (location, _) = NewRegistry();
        using var store = PostgresRegistryStore.Open(location, User);
        var claim = Assert.Throws<ArgumentException>(() => store.AddClaims([UrlClaim("https://a.example/1.jpg", claimant: "Ja\0ne")], User));
        Assert.Contains("NUL", claim.Message, StringComparison.Ordinal);
        var record = RegistryStore.NewRecord(UrlClaim("https://a.example/2.jpg"), DateTime.UtcNow) with { Claimant = "Ja\0ne" };
        var imported = Assert.Throws<ArgumentException>(() => store.Merge([RegistryStore.NewRecord(UrlClaim("https://a.example/3.jpg"), DateTime.UtcNow), record], User, "list.csv"));
        Assert.Contains(record.Id, imported.Message, StringComparison.Ordinal);
        Assert.Equal((0L, 0L), store.Counts());
    }

    [PostgresFact]
    public void A_wrong_password_is_a_clear_error_that_never_shows_the_password()
    {
        var database = Server.NewDatabase();
        var suffix = database[2..10];
        Server.Execute(database, $"CREATE ROLE p_{suffix} LOGIN PASSWORD 'right-Pa55word'");
        var wrong = RegistryLocation.Parse($"Host=127.0.0.1;Port={Server.Port};Username=p_{suffix};Password=wr0ng-S3cret;Database={database};Pooling=false");
        var e = Assert.ThrowsAny<IOException>(() => PostgresRegistryStore.Open(wrong, User));
        Assert.Contains("refused the login", e.Message, StringComparison.Ordinal);
        for (Exception? x = e; x is not null; x = x.InnerException) Assert.DoesNotContain("wr0ng-S3cret", x.Message + x.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("wr0ng-S3cret", wrong.Display, StringComparison.Ordinal);

        // The right password, from a credential: the registry is created and its audit log holds no password.
        var right = RegistryLocation.Parse($"postgresql://p_{suffix}@127.0.0.1:{Server.Port}/{database}", null, "right-Pa55word");
        Server.Execute(database, $"GRANT CREATE ON DATABASE {database} TO p_{suffix}");
        using var store = PostgresRegistryStore.Open(right, User);
        store.AddClaims([UrlClaim("https://a.example/1.jpg")], User);
        Assert.DoesNotContain("right-Pa55word", store.Path, StringComparison.Ordinal);
        Assert.All(store.History(), h => Assert.DoesNotContain("right-Pa55word", $"{h.User} {h.Reason} {h.Detail}", StringComparison.Ordinal));
    }
}
