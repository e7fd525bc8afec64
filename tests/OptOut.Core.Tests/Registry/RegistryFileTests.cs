using System.Buffers.Binary;
using Microsoft.Data.Sqlite;
using OptOut.Core.Index;
using OptOut.Core.Registry;
using static OptOut.Core.Tests.Registry.RegistryFixtures;
using OptOut.Core.Storage;

namespace OptOut.Core.Tests.Registry;

/// <summary>
/// Only OptOut registries are used as registries (issue 12, item 9): a new registry carries OptOut's
/// application_id; one written before the mark is recognised by its tables and marked when it is
/// next written; anything else (another program's database, text, garbage, an empty file or
/// database) is refused untouched, bytes, time and siblings, whether opened for writing or reading;
/// and opening for reading never writes, not even to migrate.
/// </summary>
public sealed class RegistryFileTests
{
    private readonly string folder = TestEnvironment.NewScratchFolder();

    /// <summary>What a file looks like from outside: its bytes, its time and the files beside it.</summary>
    private static (byte[] Bytes, DateTime Written, string[] Siblings) Snapshot(string path) =>
        (File.ReadAllBytes(path), File.GetLastWriteTimeUtc(path),
         Directory.GetFiles(Path.GetDirectoryName(path)!).Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal).ToArray());

    private static void AssertUntouched((byte[] Bytes, DateTime Written, string[] Siblings) before, string path)
    {
        var after = Snapshot(path);
        Assert.Equal(before.Bytes, after.Bytes);
        Assert.Equal(before.Written, after.Written);
        Assert.Equal(before.Siblings, after.Siblings);
    }

    /// <summary>Another program's database, written and closed by a connection of its own.</summary>
    private string ForeignDatabase(string name, bool wal = false, int applicationId = 0)
    {
        var path = Path.Combine(folder, name);
        using (var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString()))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = $"""
                {(wal ? "PRAGMA journal_mode = WAL;" : "")}
                PRAGMA application_id = {applicationId};
                CREATE TABLE photos(id INTEGER PRIMARY KEY, url TEXT);
                INSERT INTO photos(url) VALUES ('https://a.example/1.jpg');
                """;
            command.ExecuteNonQuery();
        }
        // A time the test can tell from "now".
        File.SetLastWriteTimeUtc(path, new DateTime(2020, 1, 2, 3, 4, 5, DateTimeKind.Utc));
        return path;
    }

    public static TheoryData<string> Foreign() => new("rollback", "wal", "marked by another application");

    [Theory]
    [MemberData(nameof(Foreign))]
    public void Another_programs_database_is_refused_untouched_for_writing_and_for_reading(string kind)
    {
        var path = ForeignDatabase("photos.db", wal: kind == "wal", applicationId: kind.StartsWith("marked", StringComparison.Ordinal) ? 0x12345678 : 0);
        var before = Snapshot(path);

        var write = Assert.Throws<NotARegistryException>(() => RegistryStore.Open(path, User));
        Assert.Contains(path, write.Message);
        Assert.Contains("not an OptOut registry", write.Message);
        AssertUntouched(before, path);

        var read = Assert.Throws<NotARegistryException>(() => RegistryStore.OpenReadOnly(path));
        Assert.Contains(path, read.Message);
        AssertUntouched(before, path);
        Assert.False(File.Exists(path + "-wal"));
        Assert.Equal(1L, Query<long>(path, "SELECT count(*) FROM sqlite_master"));
    }

    public static TheoryData<string, byte[], string> NotDatabases() => new()
    {
        { "notes.txt", "claims, revocations, audit\nnot a database\n"u8.ToArray(), "not a SQLite database" },
        { "garbage.bin", Enumerable.Range(0, 5000).Select(i => (byte)(i * 7919 % 251)).ToArray(), "not a SQLite database" },
        { "empty.db", [], "empty file" },
        { "short.db", "SQLite"u8.ToArray(), "not a SQLite database" },
    };

    [Theory]
    [MemberData(nameof(NotDatabases))]
    public void Text_garbage_and_an_empty_file_are_refused_untouched_with_the_path(string name, byte[] content, string what)
    {
        var path = Path.Combine(folder, name);
        File.WriteAllBytes(path, content);
        File.SetLastWriteTimeUtc(path, new DateTime(2020, 1, 2, 3, 4, 5, DateTimeKind.Utc));
        var before = Snapshot(path);

        Assert.Contains(what, Assert.Throws<NotARegistryException>(() => RegistryStore.Open(path, User)).Message);
        Assert.Contains(path, Assert.Throws<NotARegistryException>(() => RegistryStore.OpenReadOnly(path)).Message);
        AssertUntouched(before, path);
    }

    [Fact]
    public void An_empty_SQLite_database_and_a_folder_are_refused()
    {
        var path = Path.Combine(folder, "blank.db");
        using (var connection = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA user_version = 7";  // a header, no tables
            command.ExecuteNonQuery();
        }
        var before = Snapshot(path);
        Assert.Contains("empty SQLite database", Assert.Throws<NotARegistryException>(() => RegistryStore.Open(path, User)).Message);
        AssertUntouched(before, path);

        Assert.Contains("folder", Assert.Throws<NotARegistryException>(() => RegistryStore.Open(folder, User)).Message);
    }

    [Fact]
    public void A_new_registry_carries_the_OptOut_mark_in_its_header_and_leaves_no_temporary_file()
    {
        var path = Path.Combine(folder, "new", "registry.db");
        using (var store = RegistryStore.Open(path, User))
        {
            Assert.Equal(RegistryMigrations.Latest, store.SchemaVersion);
        }
        Assert.Equal(RegistryFile.ApplicationId, Query<int>(path, "PRAGMA application_id"));
        Assert.Equal(RegistryMigrations.Latest, Query<int>(path, "PRAGMA user_version"));
        // In the file's own header (offset 68, big-endian), where file(1) and any reader see it.
        var header = File.ReadAllBytes(path).AsSpan(0, 100);
        Assert.Equal(RegistryFile.ApplicationId, BinaryPrimitives.ReadInt32BigEndian(header[68..]));
        Assert.Equal("OptR", System.Text.Encoding.ASCII.GetString(header.Slice(68, 4)));
        // Nothing of the temporary file it was built under (the raw reads above may leave -wal and -shm).
        Assert.Equal(["registry.db"], Directory.GetFiles(Path.GetDirectoryName(path)!).Select(Path.GetFileName).Where(n => !n!.EndsWith("-wal", StringComparison.Ordinal) && !n.EndsWith("-shm", StringComparison.Ordinal)));
    }

    /// <summary>The check reads a file without a -wal through SQLite's URI form: every character of a path survives it.</summary>
    [Fact]
    public void A_registry_whose_path_has_uri_characters_is_recognised()
    {
        var path = Path.Combine(folder, "a b#c?d%25e&f=ü;[x]", "registry.db");
        using (var store = RegistryStore.Open(path, User)) store.AddClaims([UrlClaim("https://odd.example/a.jpg")], User);
        Assert.False(File.Exists(path + "-wal"));
        using (var store = RegistryStore.OpenReadOnly(path)) Assert.Single(store.Read(new RecordFilter()));
        using (var store = RegistryStore.Open(path, User)) Assert.Single(store.Read(new RecordFilter()));
        var foreign = ForeignDatabase("a b#c?d%25e ü.db");
        Assert.Throws<NotARegistryException>(() => RegistryStore.OpenReadOnly(foreign));
    }

    [Fact]
    public void Connections_creating_the_same_registry_at_once_end_with_one_registry()
    {
        var path = Path.Combine(folder, "race", "registry.db");
        var stores = Enumerable.Range(0, 8).AsParallel().WithDegreeOfParallelism(8).Select(i => RegistryStore.Open(path, $"user{i}")).ToList();
        var ids = stores.Select((s, i) => s.AddClaims([UrlClaim($"https://race.example/{i}.jpg")], User)[0].Record.Id).ToList();
        foreach (var store in stores) store.Dispose();
        Assert.Equal(4L, Query<long>(path, "SELECT count(*) FROM audit WHERE action = 'Migrate'"));
        Assert.Equal(8L, Query<long>(path, "SELECT count(*) FROM claims"));
        Assert.Equal(["registry.db"], Directory.GetFiles(Path.GetDirectoryName(path)!).Select(Path.GetFileName).Where(n => !n!.EndsWith("-wal", StringComparison.Ordinal) && !n.EndsWith("-shm", StringComparison.Ordinal)));
    }

    /// <summary>
    /// A registry as the code before the mark wrote it: the same connection setup and the same
    /// migrations, stopped at schema 3, so it has OptOut's tables and no application_id.
    /// </summary>
    private string UnmarkedRegistry(out List<StoredClaim> records)
    {
        var path = Path.Combine(folder, "old", "registry.db");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using (var connection = SqliteSetup.Open(path))
        {
            RegistryMigrations.Apply(connection, "old-user", 3);
        }
        using (var v3 = RegistryStore.Open(path, "old-user", schemaVersion: 3))
        {
            var added = v3.AddClaims([UrlClaim("https://old.example/a.jpg", reason: "before the mark"), DomainClaim("old.example", decision: Decision.Grant), ContentClaim("old")], "old-user");
            v3.Revoke([added[0].Record.Id], "old-user", "changed my mind");
            records = v3.Read(new RecordFilter { IncludeRevoked = true, IncludeEmbeddings = true }).ToList();
        }
        Assert.Equal(0, Query<int>(path, "PRAGMA application_id"));
        return path;
    }

    [Fact]
    public void A_registry_from_before_the_mark_is_read_read_only_without_any_change()
    {
        var path = UnmarkedRegistry(out var records);
        var dump = Dump(path);
        var before = Snapshot(path);

        using (var store = RegistryStore.OpenReadOnly(path))
        {
            Assert.True(store.IsReadOnly);
            Assert.Equal(3, store.SchemaVersion);
            Assert.Contains("Add-OptOut", store.UpgradeNote);
            var read = store.Read(new RecordFilter { IncludeRevoked = true, IncludeEmbeddings = true }).ToList();
            Assert.Equal(records.Select(r => r with { Embedding = null, Evidence = null }), read.Select(r => r with { Embedding = null, Evidence = null }));
            Assert.Equal(2, store.ReadActiveClaims().Count());
            Assert.Equal(3, store.History(action: "Migrate").Count());
            // Nothing can be written through it.
            Assert.Throws<SqliteException>(() => store.AddClaims([UrlClaim("https://old.example/new.jpg")], User));
        }
        Assert.Equal(dump, Dump(path));
        Assert.Equal(before.Bytes, File.ReadAllBytes(path));
        Assert.Equal(before.Written, File.GetLastWriteTimeUtc(path));
        Assert.Equal(0, Query<int>(path, "PRAGMA application_id"));
    }

    [Fact]
    public void A_registry_from_before_the_mark_is_marked_when_opened_for_writing_its_data_intact()
    {
        var path = UnmarkedRegistry(out var records);
        using var store = RegistryStore.Open(path, "migrator");
        Assert.Equal(4, store.SchemaVersion);
        Assert.Null(store.UpgradeNote);
        Assert.Equal(RegistryFile.ApplicationId, Query<int>(path, "PRAGMA application_id"));
        Assert.Equal(4, Query<int>(path, "PRAGMA user_version"));
        var after = store.Read(new RecordFilter { IncludeRevoked = true, IncludeEmbeddings = true }).ToList();
        Assert.Equal(records.Count, after.Count);
        for (int i = 0; i < records.Count; i++)
        {
            Assert.Equal(records[i] with { Embedding = null, Evidence = null }, after[i] with { Embedding = null, Evidence = null });
            Assert.Equal(records[i].Embedding, after[i].Embedding);
            Assert.Equal(records[i].Evidence, after[i].Evidence);
        }
        var migrate = store.History(action: "Migrate").Last();
        Assert.Equal(("migrator", "schema 3 -> 4"), (migrate.User, migrate.Detail));
        Assert.Equal("ok", Query<string>(path, "PRAGMA integrity_check"));
    }

    [Fact]
    public void A_current_registry_opened_read_only_is_not_written()
    {
        var path = Path.Combine(folder, "current.db");
        using (var store = RegistryStore.Open(path, User)) store.AddClaims([UrlClaim("https://now.example/a.jpg")], User);
        var dump = Dump(path);
        var bytes = File.ReadAllBytes(path);
        using (var store = RegistryStore.OpenReadOnly(path))
        {
            Assert.Single(store.Read(new RecordFilter()));
            Assert.Null(store.UpgradeNote);
        }
        Assert.Equal(dump, Dump(path));
        Assert.Equal(bytes, File.ReadAllBytes(path));
        Assert.Throws<FileNotFoundException>(() => RegistryStore.OpenReadOnly(Path.Combine(folder, "none.db")));
        Assert.False(File.Exists(Path.Combine(folder, "none.db")));
    }
}
