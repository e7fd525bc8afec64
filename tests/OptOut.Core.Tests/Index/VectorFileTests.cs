using System.Globalization;
using Microsoft.Data.Sqlite;
using OptOut.Core.Index;

namespace OptOut.Core.Tests.Index;

/// <summary>
/// Embeddings live in index.db.vectors, a flat file of half floats beside the database; SQLite
/// records how many of them are committed. These tests hold the file to that contract: what is
/// read back is exactly what was imported, a shard that fails leaves nothing that counts, a
/// missing file is a clear error, and an index of the earlier schema (vectors as BLOBs) moves
/// its vectors out without losing one.
/// </summary>
public sealed class VectorFileTests : IDisposable
{
    private const int Dimensions = 8;
    private readonly string folder = TestEnvironment.NewScratchFolder();
    private readonly string indexPath;

    public VectorFileTests()
    {
        indexPath = IndexFixtures.NewIndexPath(folder);
        Directory.CreateDirectory(Path.GetDirectoryName(indexPath)!);
    }

    public void Dispose() => SqliteConnection.ClearAllPools();

    private static Half[] Vector(int seed) =>
        IndexFixtures.UnitVectors(1, Dimensions, seed)[0].Select(v => (Half)v).ToArray();

    private static ImportRow Row(string key, int? vectorSeed) =>
        new() { Key = key, Caption = $"caption {key}", Url = $"https://example.com/{key}.jpg", Embedding = vectorSeed is { } s ? Vector(s) : null };

    private static void Import(IndexStore store, string shard, IEnumerable<ImportRow> rows)
    {
        long dataset = store.EnsureDataset("d");
        Assert.True(store.ImportShard(dataset, shard, shard, "test", rows, () => 0, () => 0, "model-a"));
    }

    private static IEnumerable<ImportRow> ThenFail(IEnumerable<ImportRow> rows)
    {
        foreach (var row in rows) yield return row;
        throw new IOException("the shard's file went away");
    }

    private long FileVectors() => (new FileInfo(VectorFile.PathFor(indexPath)).Length - 16) / (Dimensions * 2);

    [Fact]
    public void Imported_embeddings_are_read_back_bit_for_bit_from_the_file_beside_the_index()
    {
        using var store = IndexStore.Open(indexPath);
        Import(store, "s1", Enumerable.Range(0, 300).Select(i => Row($"k{i}", i % 3 == 0 ? null : i)));

        Assert.Equal(indexPath + ".vectors", store.VectorFilePath);
        Assert.Equal(200, FileVectors());
        Assert.Equal("200", store.GetMeta("vectors"));
        var read = store.EmbeddingsAfter(0).ToList();
        Assert.Equal(200, read.Count);
        var keys = store.GetRows(read.Select(r => r.Id).ToList()).ToDictionary(r => r.Id, r => r.Key!);
        foreach (var (id, vector) in read)
        {
            int seed = int.Parse(keys[id][1..], CultureInfo.InvariantCulture);
            Assert.Equal(Vector(seed), vector);
        }
        // The rows table holds positions, not vectors.
        Assert.Equal("integer", IndexFixtures.QueryFile<string>(indexPath, "SELECT typeof(vector) FROM rows WHERE key = 'k1'"));
        Assert.Equal(0L, IndexFixtures.QueryFile<long>(indexPath, "SELECT count(*) FROM pragma_table_info('rows') WHERE name = 'embedding'"));
        var some = read.Where((_, i) => i % 7 == 0).Select(r => r.Id).ToList();
        var fetched = store.GetEmbeddings(some);
        Assert.Equal(some.Count, fetched.Count);
        foreach (var id in some) Assert.Equal(read.Single(r => r.Id == id).Vector, fetched[id]);
    }

    [Fact]
    public void A_shard_that_fails_midway_leaves_vectors_that_do_not_count_and_the_next_import_overwrites_them()
    {
        using var store = IndexStore.Open(indexPath);
        Import(store, "s1", Enumerable.Range(0, 50).Select(i => Row($"a{i}", i)));
        long dataset = store.EnsureDataset("d");
        Assert.Throws<IOException>(() =>
            store.ImportShard(dataset, "s2", "s2", "test", ThenFail(Enumerable.Range(0, 5000).Select(i => Row($"b{i}", 1000 + i))), () => 0, () => 0, "model-a"));

        // The failed shard's vectors were appended (the file is longer) but are not committed.
        Assert.True(FileVectors() > 50);
        Assert.Equal("50", store.GetMeta("vectors"));
        Assert.Equal(50, store.EmbeddingsAfter(0).Count());

        Import(store, "s3", Enumerable.Range(0, 20).Select(i => Row($"c{i}", 2000 + i)));
        Assert.Equal(70, FileVectors());
        var all = store.EmbeddingsAfter(0).ToList();
        Assert.Equal(70, all.Count);
        Assert.Equal(Enumerable.Range(0, 50).Select(Vector).Concat(Enumerable.Range(2000, 20).Select(Vector)), all.Select(v => v.Vector));
    }

    [Fact]
    public void A_killed_import_leaves_a_tail_that_a_reader_ignores_and_the_next_writer_cuts_off()
    {
        using (var store = IndexStore.Open(indexPath))
        {
            Import(store, "s1", Enumerable.Range(0, 10).Select(i => Row($"a{i}", i)));
        }
        // What a process killed after appending, before committing, leaves behind.
        using (var file = new FileStream(VectorFile.PathFor(indexPath), FileMode.Append))
        {
            file.Write(new byte[Dimensions * 2 * 3 + 5]);
        }
        using var reopened = IndexStore.Open(indexPath);
        Assert.Equal(Enumerable.Range(0, 10).Select(Vector), reopened.EmbeddingsAfter(0).Select(v => v.Vector));
        Import(reopened, "s2", [Row("b", 99)]);
        Assert.Equal(11, FileVectors());
        Assert.Equal(0, (new FileInfo(VectorFile.PathFor(indexPath)).Length - 16) % (Dimensions * 2));
        Assert.Equal(Vector(99), reopened.EmbeddingsAfter(0).Last().Vector);
    }

    [Fact]
    public async Task Reading_while_another_connection_imports_sees_whole_shards_and_never_fails()
    {
        using (var first = IndexStore.Open(indexPath)) Import(first, "s0", Enumerable.Range(0, 200).Select(i => Row($"s0-{i}", i)));
        using var writer = IndexStore.Open(indexPath);
        using var reader = IndexStore.Open(indexPath);
        var importing = Task.Run(() =>
        {
            for (int shard = 1; shard <= 40; shard++)
            {
                Import(writer, $"s{shard}", Enumerable.Range(0, 200).Select(i => Row($"s{shard}-{i}", shard * 1000 + i)));
            }
        });
        long last = 0, reads = 0;
        while (!importing.IsCompleted)
        {
            var read = reader.EmbeddingsAfter(0).ToList();
            Assert.True(read.Count >= last && read.Count % 200 == 0, $"{read.Count} vectors after {last}");
            last = read.Count;
            var some = read.Where((_, i) => i % 97 == 0).Select(r => r.Id).ToList();
            Assert.Equal(some.Count, reader.GetEmbeddings(some).Count);
            reads++;
        }
        await importing;
        Assert.Equal(41 * 200, reader.EmbeddingsAfter(0).Count());
        Assert.True(reads > 0);
    }

    [Fact]
    public void A_missing_or_cut_vector_file_is_an_error_naming_it()
    {
        using (var store = IndexStore.Open(indexPath))
        {
            Import(store, "s1", Enumerable.Range(0, 10).Select(i => Row($"a{i}", i)));
        }
        var path = VectorFile.PathFor(indexPath);
        File.Move(path, path + ".away");
        using (var store = IndexStore.Open(indexPath))
        {
            var e = Assert.Throws<InvalidDataException>(() => store.EmbeddingsAfter(0).ToList());
            Assert.Contains(path, e.Message);
            Assert.Contains("10 embeddings", e.Message);
            long dataset = store.EnsureDataset("d");
            Assert.Throws<InvalidDataException>(() => store.ImportShard(dataset, "s2", "s2", "test", [Row("b", 1)], () => 0, () => 0, "model-a"));
            Assert.False(store.IsShardImported(dataset, "s2"));
        }
        File.Move(path + ".away", path);
        using (var file = new FileStream(path, FileMode.Open))
        {
            file.SetLength(file.Length - 1);
        }
        using (var store = IndexStore.Open(indexPath))
        {
            Assert.Contains(path, Assert.Throws<InvalidDataException>(() => store.GetEmbeddings([1])).Message);
        }
    }

    [Fact]
    public void A_stale_file_left_by_a_deleted_index_is_replaced_by_the_new_index()
    {
        File.WriteAllBytes(VectorFile.PathFor(indexPath), new byte[1000]);
        using var store = IndexStore.Open(indexPath);
        Import(store, "s1", [Row("a", 1), Row("b", 2)]);
        Assert.Equal(2, FileVectors());
        Assert.Equal(new[] { Vector(1), Vector(2) }, store.EmbeddingsAfter(0).Select(v => v.Vector));
    }

    [Fact]
    public void An_index_of_schema_1_moves_its_blob_vectors_into_the_file_and_keeps_every_row()
    {
        // Schema 1 as OptOut wrote it: vectors as BLOBs in rows.
        using (var connection = new SqliteConnection($"Data Source={indexPath};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = """
                PRAGMA journal_mode = WAL;
                CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
                CREATE TABLE datasets(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE COLLATE NOCASE, created_at TEXT NOT NULL);
                CREATE TABLE shards(id INTEGER PRIMARY KEY, dataset_id INTEGER NOT NULL REFERENCES datasets(id), source TEXT NOT NULL,
                    identity TEXT NOT NULL, layout TEXT NOT NULL, rows INTEGER NOT NULL DEFAULT 0, fingerprinted INTEGER NOT NULL DEFAULT 0,
                    skipped INTEGER NOT NULL DEFAULT 0, errors INTEGER NOT NULL DEFAULT 0, imported_at TEXT NOT NULL, UNIQUE(dataset_id, identity));
                CREATE TABLE rows(id INTEGER PRIMARY KEY, dataset_id INTEGER NOT NULL, shard_id INTEGER NOT NULL, key TEXT, url TEXT,
                    url_hash INTEGER, host_rev TEXT, caption TEXT, width INTEGER, height INTEGER, sha256 BLOB, md5 BLOB, phash INTEGER, embedding BLOB);
                CREATE VIRTUAL TABLE captions USING fts5(caption, content='rows', content_rowid='id', tokenize='unicode61 remove_diacritics 2');
                CREATE INDEX rows_url ON rows(url_hash);
                CREATE INDEX rows_host ON rows(host_rev);
                CREATE INDEX rows_sha256 ON rows(sha256) WHERE sha256 IS NOT NULL;
                CREATE INDEX rows_md5 ON rows(md5) WHERE md5 IS NOT NULL;
                INSERT INTO meta VALUES ('schema_version', '1'), ('model_id', 'model-a'), ('dimensions', '8');
                INSERT INTO datasets VALUES (1, 'old', '2026-11-01T00:00:00.0000000Z');
                INSERT INTO shards(id, dataset_id, source, identity, layout, rows, imported_at) VALUES (1, 1, 's', 's', 'test', 6, '2026-11-01T00:00:00.0000000Z');
                """;
            command.ExecuteNonQuery();
            command.CommandText = "INSERT INTO rows(id, dataset_id, shard_id, key, caption, phash, embedding) VALUES ($id, 1, 1, $key, $caption, $phash, $e)";
            // Ids with gaps, one row without a vector.
            foreach (var id in new[] { 3, 5, 6, 10, 11, 40 })
            {
                command.Parameters.Clear();
                command.Parameters.AddWithValue("$id", id);
                command.Parameters.AddWithValue("$key", $"k{id}");
                command.Parameters.AddWithValue("$caption", $"old caption {id}");
                command.Parameters.AddWithValue("$phash", id * 1000);
                command.Parameters.AddWithValue("$e", id == 10 ? DBNull.Value : System.Runtime.InteropServices.MemoryMarshal.AsBytes(Vector(id).AsSpan()).ToArray());
                command.ExecuteNonQuery();
            }
            command.Parameters.Clear();
            command.CommandText = "INSERT INTO captions(captions) VALUES ('rebuild')";
            command.ExecuteNonQuery();
        }

        using (var store = IndexStore.Open(indexPath))
        {
            Assert.Equal(IndexStore.SchemaVersion.ToString(CultureInfo.InvariantCulture), store.GetMeta("schema_version"));
            Assert.Equal("5", store.GetMeta("vectors"));
            var moved = store.EmbeddingsAfter(0).ToList();
            Assert.Equal(new long[] { 3, 5, 6, 11, 40 }, moved.Select(v => v.Id));
            Assert.Equal(new[] { 3, 5, 6, 11, 40 }.Select(Vector), moved.Select(v => v.Vector));
            Assert.Equal((5L, 40L), store.EmbeddingStamp());
            var rows = store.GetRows([3, 10, 40]).ToList();
            Assert.Equal(new[] { true, false, true }, rows.Select(r => r.HasEmbedding));
            Assert.Equal(new ulong?[] { 3000, 10000, 40000 }, rows.Select(r => r.PerceptualHash));
            Assert.Equal(new[] { "k11" }, store.SearchCaptions("old caption 11").Select(r => r.Row.Key).Take(1));
            Assert.Equal(6, store.ListDatasets().Single().Rows);
            Assert.Equal(5, store.ListDatasets().Single().WithEmbedding);

            // New shards append after the moved vectors.
            Import(store, "new", [Row("n1", 77)]);
            Assert.Equal(Vector(77), store.EmbeddingsAfter(40).Single().Vector);
        }
        Assert.Equal(0L, IndexFixtures.QueryFile<long>(indexPath, "SELECT count(*) FROM pragma_table_info('rows') WHERE name = 'embedding'"));
        // The vectors' old pages were given back (VACUUM after the move).
        Assert.Equal(0L, IndexFixtures.QueryFile<long>(indexPath, "PRAGMA freelist_count"));
        IndexFixtures.CheckCaptionIndex(indexPath);
        // Opening again migrates nothing more.
        using (var again = IndexStore.Open(indexPath))
        {
            Assert.Equal(6, again.EmbeddingsAfter(0).Count());
        }
    }
}
