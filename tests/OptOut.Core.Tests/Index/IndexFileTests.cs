using System.Buffers.Binary;
using System.Security.Cryptography;
using Microsoft.Data.Sqlite;
using OptOut.Core.Index;
using OptOut.Core.Registry;
using static OptOut.Core.Tests.Index.IndexFixtures;

namespace OptOut.Core.Tests.Index;

/// <summary>
/// Only OptOut indexes are opened as indexes: another application's SQLite database, a registry, a
/// text file or garbage is refused with an error naming it and left exactly as it was (bytes, time
/// stamp, no file created beside it); indexes get OptOut's application id, today's unmarked indexes
/// keep working, and the read-only opening never writes, marks or migrates.
/// </summary>
public sealed class IndexFileTests : IDisposable
{
    private readonly string folder = TestEnvironment.NewScratchFolder();

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
    }

    private string PathIn(string name) => Path.Combine(folder, name);

    /// <summary>Everything in the folder, with each file's bytes' hash and time stamp.</summary>
    private Dictionary<string, (string Hash, DateTime Written)> Snapshot() =>
        Directory.GetFiles(folder).ToDictionary(f => Path.GetFileName(f), f => (Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(f))), File.GetLastWriteTimeUtc(f)));

    private static void Run(string path, string sql, bool wal = false)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = (wal ? "PRAGMA journal_mode = WAL;" : "") + sql;
        command.ExecuteNonQuery();
    }

    private static int HeaderApplicationId(string path)
    {
        var header = new byte[100];
        using var stream = File.OpenRead(path);
        stream.ReadExactly(header);
        return BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(68));
    }

    public static TheoryData<string> ForeignFiles() =>
    [
        "another application's database",
        "another application's database in WAL mode",
        "a database with OptOut's table names and another application id",
        "a database with OptOut's table names but other columns",
        "an empty SQLite database",
        "an OptOut registry",
        "a text file",
        "garbage",
        "garbage after a SQLite header",
    ];

    private string MakeForeign(string kind)
    {
        var path = PathIn("other.db");
        switch (kind)
        {
            case "another application's database":
                Run(path, "CREATE TABLE notes(id INTEGER PRIMARY KEY, body TEXT); INSERT INTO notes(body) VALUES ('keep me');");
                break;
            case "another application's database in WAL mode":
                Run(path, "CREATE TABLE notes(id INTEGER PRIMARY KEY, body TEXT); INSERT INTO notes(body) VALUES ('keep me');", wal: true);
                break;
            case "a database with OptOut's table names and another application id":
                Run(path, "PRAGMA application_id = 1196444487; CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT); CREATE TABLE datasets(id INTEGER PRIMARY KEY);"
                    + " CREATE TABLE shards(id INTEGER PRIMARY KEY); CREATE TABLE rows(id INTEGER PRIMARY KEY, url_hash, host_rev, phash, shard_id); INSERT INTO meta VALUES ('schema_version', '2');");
                break;
            case "a database with OptOut's table names but other columns":
                Run(path, "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT); CREATE TABLE datasets(id INTEGER PRIMARY KEY);"
                    + " CREATE TABLE shards(id INTEGER PRIMARY KEY); CREATE TABLE rows(id INTEGER PRIMARY KEY, price REAL); INSERT INTO meta VALUES ('schema_version', '2');");
                break;
            case "an empty SQLite database":
                Run(path, "PRAGMA user_version = 7;");
                break;
            case "an OptOut registry":
                RegistryStore.Open(path, "tester").Dispose();
                SqliteConnection.ClearAllPools();
                // Its WAL is folded back by its last close; what is left is the registry file alone.
                foreach (var side in new[] { "-wal", "-shm" }) Assert.False(File.Exists(path + side));
                break;
            case "a text file":
                File.WriteAllText(path, "name,url\nartist,https://example.com/\n" + new string('x', 200));
                break;
            case "garbage":
                var bytes = new byte[5000];
                new Random(3).NextBytes(bytes);
                File.WriteAllBytes(path, bytes);
                break;
            case "garbage after a SQLite header":
                var fake = new byte[8192];
                new Random(4).NextBytes(fake);
                "SQLite format 3\0"u8.CopyTo(fake);
                fake[68] = fake[69] = fake[70] = fake[71] = 0;
                File.WriteAllBytes(path, fake);
                break;
        }
        // Time stamps one second apart at least, so a write would show.
        File.SetLastWriteTimeUtc(path, DateTime.UtcNow.AddMinutes(-5));
        return path;
    }

    [Theory]
    [MemberData(nameof(ForeignFiles))]
    public void A_file_that_is_not_an_index_is_refused_untouched_for_import_and_for_reading(string kind)
    {
        var path = MakeForeign(kind);
        var before = Snapshot();

        var forImport = Assert.Throws<NotAnIndexException>(() => IndexStore.Open(path));
        Assert.Equal(path, forImport.Path);
        Assert.Contains(path, forImport.Message);
        var forReading = Assert.Throws<NotAnIndexException>(() => IndexStore.OpenForReading(path));
        Assert.Contains(path, forReading.Message);
        Assert.Equal(IndexFileKind.NotAnIndex, IndexFile.Inspect(path).Kind);

        SqliteConnection.ClearAllPools();
        // Same files (no -wal, -shm, -journal, .vectors or .captions), same bytes, same time stamps.
        Assert.Equal(before, Snapshot());
    }

    [Fact]
    public void A_new_index_carries_optouts_application_id_and_is_current()
    {
        var path = Path.Combine(folder, "new", "index.db");
        using (var store = IndexStore.Open(path))
        {
            WriteLaionUpperCase(PathIn("a.parquet"), 0, 10, widthAsDouble: false);
            Import(store, null, null, "a", PathIn("a.parquet"));
        }
        SqliteConnection.ClearAllPools();
        Assert.Equal(0x4F505449, HeaderApplicationId(path));
        Assert.Equal(IndexFileKind.Current, IndexFile.Inspect(path).Kind);
    }

    [Fact]
    public void An_empty_file_becomes_an_index_on_import_but_is_refused_for_reading()
    {
        var path = PathIn("empty.db");
        File.WriteAllBytes(path, []);
        Assert.Throws<NotAnIndexException>(() => IndexStore.OpenForReading(path));
        Assert.Equal(0, new FileInfo(path).Length);
        using (IndexStore.Open(path)) { }
        SqliteConnection.ClearAllPools();
        Assert.Equal(IndexFileKind.Current, IndexFile.Inspect(path).Kind);
    }

    /// <summary>An index as OptOut wrote it before indexes were marked (schema 2, application id 0).</summary>
    private string MakeUnmarkedIndex()
    {
        var path = PathIn("old.db");
        using (var store = IndexStore.Open(path))
        {
            WriteLaionUpperCase(PathIn("a.parquet"), 0, 30, widthAsDouble: false);
            Import(store, null, null, "a", PathIn("a.parquet"));
        }
        Run(path, "PRAGMA application_id = 0;");
        SqliteConnection.ClearAllPools();
        Assert.Equal(0, HeaderApplicationId(path));
        return path;
    }

    [Fact]
    public void An_unmarked_index_of_today_is_read_without_being_written_and_marked_at_its_next_import()
    {
        var path = MakeUnmarkedIndex();
        Assert.Equal(IndexFileKind.Unmarked, IndexFile.Inspect(path).Kind);
        File.SetLastWriteTimeUtc(path, DateTime.UtcNow.AddMinutes(-5));
        var bytes = File.ReadAllBytes(path);
        var written = File.GetLastWriteTimeUtc(path);

        using (var reading = IndexStore.OpenForReading(path))
        {
            Assert.Equal(30, reading.ListDatasets().Single().Rows);
            Assert.Equal(30, reading.SearchCaptions("laion fixture").Count());
            Assert.Throws<SqliteException>(() => reading.EnsureDataset("b"));
        }
        SqliteConnection.ClearAllPools();
        Assert.Equal(bytes, File.ReadAllBytes(path));
        Assert.Equal(written, File.GetLastWriteTimeUtc(path));

        using (IndexStore.Open(path)) { }
        SqliteConnection.ClearAllPools();
        Assert.Equal(0x4F505449, HeaderApplicationId(path));
        using var again = IndexStore.OpenForReading(path);
        Assert.Equal(30, again.ListDatasets().Single().Rows);
    }

    [Fact]
    public void A_current_index_is_not_written_by_reading_it()
    {
        var path = PathIn("index.db");
        using (var store = IndexStore.Open(path))
        {
            WriteLaionUpperCase(PathIn("a.parquet"), 0, 30, widthAsDouble: false);
            Import(store, null, null, "a", PathIn("a.parquet"));
            Assert.Equal(30, store.SearchCaptions("fixture").Count());  // searched whole: the caption file is level with the rows
        }
        SqliteConnection.ClearAllPools();
        File.SetLastWriteTimeUtc(path, DateTime.UtcNow.AddMinutes(-5));
        var bytes = File.ReadAllBytes(path);
        var written = File.GetLastWriteTimeUtc(path);
        using (var reading = IndexStore.OpenForReading(path))
        {
            Assert.Equal(30, reading.ListDatasets().Single().Rows);
            Assert.Equal(30, reading.SearchCaptions("fixture").Count());
            Assert.Single(reading.SearchCaptions("fixture", limit: 1));
        }
        SqliteConnection.ClearAllPools();
        Assert.Equal(bytes, File.ReadAllBytes(path));
        Assert.Equal(written, File.GetLastWriteTimeUtc(path));
    }

    [Fact]
    public void An_index_of_schema_1_is_refused_untouched_for_reading_with_the_command_that_upgrades_it()
    {
        var path = PathIn("v1.db");
        Run(path, """
            CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
            CREATE TABLE datasets(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE COLLATE NOCASE, created_at TEXT NOT NULL);
            CREATE TABLE shards(id INTEGER PRIMARY KEY, dataset_id INTEGER NOT NULL REFERENCES datasets(id), source TEXT NOT NULL,
                identity TEXT NOT NULL, layout TEXT NOT NULL, rows INTEGER NOT NULL DEFAULT 0, fingerprinted INTEGER NOT NULL DEFAULT 0,
                skipped INTEGER NOT NULL DEFAULT 0, errors INTEGER NOT NULL DEFAULT 0, imported_at TEXT NOT NULL, UNIQUE(dataset_id, identity));
            CREATE TABLE rows(id INTEGER PRIMARY KEY, dataset_id INTEGER NOT NULL, shard_id INTEGER NOT NULL, key TEXT, url TEXT,
                url_hash INTEGER, host_rev TEXT, caption TEXT, width INTEGER, height INTEGER, sha256 BLOB, md5 BLOB, phash INTEGER, embedding BLOB);
            INSERT INTO meta VALUES ('schema_version', '1');
            INSERT INTO datasets VALUES (1, 'old', '2026-11-01T00:00:00.0000000Z');
            INSERT INTO shards(id, dataset_id, source, identity, layout, rows, imported_at) VALUES (1, 1, 's', 's', 'test', 1, '2026-11-01T00:00:00.0000000Z');
            INSERT INTO rows(id, dataset_id, shard_id, key, caption) VALUES (1, 1, 1, 'k', 'an old caption');
            """, wal: true);
        SqliteConnection.ClearAllPools();
        File.SetLastWriteTimeUtc(path, DateTime.UtcNow.AddMinutes(-5));
        var before = Snapshot();

        var refused = Assert.Throws<IndexUpgradeRequiredException>(() => IndexStore.OpenForReading(path));
        Assert.Contains(path, refused.Message);
        Assert.Contains("Import-TrainingSet", refused.Message);
        SqliteConnection.ClearAllPools();
        Assert.Equal(before, Snapshot());

        // An import's opening migrates and marks it.
        using (var store = IndexStore.Open(path)) Assert.Equal("3", store.GetMeta("schema_version"));
        SqliteConnection.ClearAllPools();
        Assert.Equal(IndexFileKind.Current, IndexFile.Inspect(path).Kind);
        using var reading = IndexStore.OpenForReading(path);
        Assert.Equal("an old caption", reading.SearchCaptions("old").Single().Row.Caption);
    }
}
