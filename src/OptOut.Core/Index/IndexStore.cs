using System.Globalization;
using System.Text;
using Microsoft.Data.Sqlite;
using OptOut.Core.Urls;
using OptOut.Core.Storage;

namespace OptOut.Core.Index;

/// <summary>
/// The training-set index: a SQLite file (WAL) that is the source of truth for datasets, shards and
/// rows. Embeddings are in a vector file beside it (<see cref="VectorFile"/>), captions' full-text
/// index in a caption file (<see cref="CaptionIndex"/>); vector and hash indexes are caches built from it.
/// One instance per thread; several processes may read while one writes.
/// </summary>
public sealed class IndexStore : IDisposable
{
    public const int SchemaVersion = 3;

    private readonly SqliteConnection connection;

    private IndexStore(string path, SqliteConnection connection)
    {
        Path = path;
        this.connection = connection;
        vectorPath = VectorFile.PathFor(path);
    }

    public string Path { get; }

    /// <summary>The file the index's embeddings are kept in, beside the database (<see cref="VectorFile"/>).</summary>
    public string VectorFilePath => vectorPath;

    private readonly string vectorPath;

    /// <summary>The model whose embeddings the index holds, once one has been imported.</summary>
    public string? ModelId => GetMeta("model_id");

    public int? Dimensions => GetMeta("dimensions") is { } d ? int.Parse(d, CultureInfo.InvariantCulture) : null;

    // The secondary indexes on rows. The first shard imported into an empty index is inserted
    // without them and they are built after it, in the same transaction: one sort instead of a
    // million random B-tree inserts (figures: docs/index-benchmarks.md, "Figures behind choices in code").
    private const string RowIndexes = """
        CREATE INDEX IF NOT EXISTS rows_url ON rows(url_hash);
        CREATE INDEX IF NOT EXISTS rows_host ON rows(host_rev);
        CREATE INDEX IF NOT EXISTS rows_sha256 ON rows(sha256) WHERE sha256 IS NOT NULL;
        CREATE INDEX IF NOT EXISTS rows_md5 ON rows(md5) WHERE md5 IS NOT NULL;
        """;

    /// <summary>FTS5's in-memory term buffer while captions are indexed (see <see cref="CaptionIndex"/>).</summary>
    public const int CaptionHashBytes = CaptionIndex.HashBytes;

    private const string DropRowIndexes = "DROP INDEX IF EXISTS rows_url; DROP INDEX IF EXISTS rows_host; DROP INDEX IF EXISTS rows_sha256; DROP INDEX IF EXISTS rows_md5;";

    /// <summary>
    /// Opens the index for importing: creates it where there is no file (or an empty one), marks and
    /// migrates an index written by an earlier OptOut, and refuses, untouched, a file that is not an
    /// OptOut index (<see cref="NotAnIndexException"/>).
    /// </summary>
    public static IndexStore Open(string path)
    {
        var fullPath = System.IO.Path.GetFullPath(path);
        var state = IndexFile.Inspect(fullPath);
        switch (state.Kind)
        {
            case IndexFileKind.NotAnIndex:
                throw new NotAnIndexException(fullPath, state.Reason!);
            case IndexFileKind.Newer:
                throw NewerSchema(state.SchemaVersion);
            case IndexFileKind.Missing or IndexFileKind.Empty:
                CreateMarked(fullPath);
                break;
        }

        var connection = SqliteSetup.Open(fullPath);
        try
        {
            // Imports insert into B-trees on random keys (URL hash, host) and FTS5: with SQLite's
            // 2 MiB default those pages spill to the WAL and are read back. 256 MiB keeps a million-row
            // shard's index pages in memory (docs/index-benchmarks.md, "Figures behind choices in code").
            SqliteSetup.Execute(connection, "PRAGMA cache_size = -262144");
            CreateSchema(connection, VectorFile.PathFor(fullPath));
        }
        catch
        {
            connection.Dispose();
            throw;
        }
        return new IndexStore(fullPath, connection);
    }

    /// <summary>
    /// Opens an existing index for the read-only commands: never creates, migrates, marks or writes
    /// it. A file that is not an OptOut index is refused (<see cref="NotAnIndexException"/>), one of an
    /// earlier schema too, naming the command that upgrades it (<see cref="IndexUpgradeRequiredException"/>).
    /// The caption file beside it is derived data and is still brought level with the rows by a
    /// caption search (<see cref="CaptionIndex"/>).
    /// </summary>
    public static IndexStore OpenForReading(string path)
    {
        var fullPath = System.IO.Path.GetFullPath(path);
        var state = IndexFile.Inspect(fullPath);
        switch (state.Kind)
        {
            case IndexFileKind.Missing:
                throw new FileNotFoundException($"There is no training-set index at '{fullPath}'.", fullPath);
            case IndexFileKind.Empty:
                throw new NotAnIndexException(fullPath, "it is an empty file");
            case IndexFileKind.NotAnIndex:
                throw new NotAnIndexException(fullPath, state.Reason!);
            case IndexFileKind.Newer:
                throw NewerSchema(state.SchemaVersion);
            case IndexFileKind.NeedsMigration:
                throw new IndexUpgradeRequiredException(fullPath, state.SchemaVersion!);
        }
        return new IndexStore(fullPath, SqliteSetup.Open(fullPath, readOnly: true));
    }

    private static IndexSchemaTooNewException NewerSchema(string? version) => new(version);

    /// <summary>
    /// Creates a new index's schema with its mark in one transaction, before the file is switched to
    /// WAL: killed midway, the file is left empty (rolled back from its journal), never a database
    /// without the mark that a later open would refuse as another application's.
    /// </summary>
    private static void CreateMarked(string path)
    {
        using var connection = SqliteSetup.Open(path, readOnly: false, journalModeWal: false);
        CreateTables(connection);
    }

    private static void CreateSchema(SqliteConnection connection, string vectorPath)
    {
        CreateTables(connection);
        IndexMigrations.Run(connection, vectorPath);
        var version = ReadMeta(connection, "schema_version", null);
        if (version != SchemaVersion.ToString(CultureInfo.InvariantCulture)) throw NewerSchema(version);
    }

    private static void CreateTables(SqliteConnection connection)
    {
        using var transaction = connection.BeginTransaction();
        // The mark goes in with the tables (and on an index written before marks existed, at its
        // first import): the header's application id is part of the transaction.
        SqliteSetup.Execute(connection, $"PRAGMA application_id = {IndexFile.ApplicationId}", transaction);
        SqliteSetup.Execute(connection, """
            CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
            CREATE TABLE IF NOT EXISTS datasets(
                id INTEGER PRIMARY KEY,
                name TEXT NOT NULL UNIQUE COLLATE NOCASE,
                created_at TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS shards(
                id INTEGER PRIMARY KEY,
                dataset_id INTEGER NOT NULL REFERENCES datasets(id),
                source TEXT NOT NULL,
                identity TEXT NOT NULL,
                layout TEXT NOT NULL,
                rows INTEGER NOT NULL DEFAULT 0,
                fingerprinted INTEGER NOT NULL DEFAULT 0,
                skipped INTEGER NOT NULL DEFAULT 0,
                errors INTEGER NOT NULL DEFAULT 0,
                imported_at TEXT NOT NULL,
                UNIQUE(dataset_id, identity));
            CREATE TABLE IF NOT EXISTS rows(
                id INTEGER PRIMARY KEY,
                dataset_id INTEGER NOT NULL,
                shard_id INTEGER NOT NULL,
                key TEXT,
                url TEXT,
                url_hash INTEGER,
                host_rev TEXT,
                caption TEXT,
                width INTEGER,
                height INTEGER,
                sha256 BLOB,
                md5 BLOB,
                phash INTEGER,
                vector INTEGER,
                image_place INTEGER,
                image_member TEXT,
                image_offset INTEGER,
                image_length INTEGER);
            CREATE TABLE IF NOT EXISTS image_places(id INTEGER PRIMARY KEY, path TEXT NOT NULL UNIQUE);
            CREATE TABLE IF NOT EXISTS local_features(row_id INTEGER PRIMARY KEY, features BLOB NOT NULL);
            INSERT OR IGNORE INTO meta(key, value) VALUES ('schema_version', '3');
            INSERT OR IGNORE INTO meta(key, value) VALUES ('index_id', lower(hex(randomblob(16))));
            """ + RowIndexes, transaction);
        transaction.Commit();
    }

    public string? GetMeta(string key) => ReadMeta(connection, key, null);

    /// <summary>One value of the index's meta table, inside <paramref name="transaction"/> when given.</summary>
    internal static string? ReadMeta(SqliteConnection connection, string key, SqliteTransaction? transaction) =>
        SqliteSetup.Scalar<string>(connection, "SELECT value FROM meta WHERE key = $k", transaction, ("$k", key));

    /// <summary>The id of a dataset, created when missing.</summary>
    public long EnsureDataset(string name) => EnsureDataset(name, null);

    private long EnsureDataset(string name, SqliteTransaction? transaction)
    {
        SqliteSetup.Execute(connection, "INSERT OR IGNORE INTO datasets(name, created_at) VALUES ($n, $t)", transaction,
            ("$n", name), ("$t", DateTime.UtcNow.ToString("O", CultureInfo.InvariantCulture)));
        return DatasetId(name, transaction)!.Value;
    }

    private long? DatasetId(string name, SqliteTransaction? transaction = null) =>
        SqliteSetup.Scalar<long?>(connection, "SELECT id FROM datasets WHERE name = $n", transaction, ("$n", name));

    /// <summary>The id of a dataset, or null when the index has none of that name.</summary>
    public long? FindDataset(string name) => DatasetId(name);

    public bool IsShardImported(long datasetId, string identity) =>
        SqliteSetup.Scalar<long?>(connection, "SELECT id FROM shards WHERE dataset_id = $d AND identity = $i", null,
            ("$d", datasetId), ("$i", identity)) is not null;

    /// <summary>
    /// Adds one shard's rows in a single transaction, recorded with the shard's identity, so a shard
    /// is either wholly in the index or not at all, and importing it again adds nothing.
    /// </summary>
    /// <returns>False when the shard was already imported (nothing written).</returns>
    /// <param name="skipped">Read after the rows are consumed: rows the reader skipped (failed downloads).</param>
    /// <param name="errors">Read after the rows are consumed: problems met while reading them.</param>
    public bool ImportShard(long datasetId, string source, string identity, string layout, IEnumerable<IndexRow> rows,
        Func<long> skipped, Func<long> errors, string? modelId, CancellationToken cancellationToken = default) =>
        ImportShard(_ => datasetId, source, identity, layout, rows, skipped, errors, modelId, cancellationToken);

    /// <summary>
    /// As <see cref="ImportShard(long, string, string, string, IEnumerable{IndexRow}, Func{long}, Func{long}, string?, CancellationToken)"/>,
    /// creating the dataset <paramref name="datasetName"/> inside the shard's transaction when it is
    /// new: a dataset whose every shard failed leaves no row behind.
    /// </summary>
    public bool ImportShard(string datasetName, string source, string identity, string layout, IEnumerable<IndexRow> rows,
        Func<long> skipped, Func<long> errors, string? modelId, CancellationToken cancellationToken = default) =>
        ImportShard(transaction => EnsureDataset(datasetName, transaction), source, identity, layout, rows, skipped, errors, modelId, cancellationToken);

    private bool ImportShard(Func<SqliteTransaction, long> dataset, string source, string identity, string layout, IEnumerable<IndexRow> rows,
        Func<long> skipped, Func<long> errors, string? modelId, CancellationToken cancellationToken)
    {
        DetachCaptions(mustSucceed: true);  // the caption file is written by its own connection
        using var transaction = connection.BeginTransaction(deferred: false);
        long datasetId = dataset(transaction);
        if (SqliteSetup.Scalar<long?>(connection, "SELECT id FROM shards WHERE dataset_id = $d AND identity = $i", transaction,
                ("$d", datasetId), ("$i", identity)) is not null)
        {
            return false;
        }
        SqliteSetup.Execute(connection, "INSERT INTO shards(dataset_id, source, identity, layout, imported_at) VALUES ($d, $s, $i, $l, $t)", transaction,
            ("$d", datasetId), ("$s", source), ("$i", identity), ("$l", layout), ("$t", DateTime.UtcNow.ToString("O", CultureInfo.InvariantCulture)));
        long shardId = SqliteSetup.Scalar<long>(connection, "SELECT last_insert_rowid()", transaction);
        // The shard's rows get the ids after this one (a rowid range, no index needed).
        long lastRowBefore = SqliteSetup.Scalar<long>(connection, "SELECT coalesce(max(id), 0) FROM rows", transaction);
        // DDL is transactional in SQLite: if the import fails or is killed, the indexes come back.
        bool buildIndexesAfter = lastRowBefore == 0;
        if (buildIndexesAfter) SqliteSetup.Execute(connection, DropRowIndexes, transaction);

        // The shard's captions are indexed by a second connection on another thread (CaptionIndex).
        var captionsBefore = CaptionLevel(lastRowBefore, transaction);
        using var captions = CaptionIndex.ShardWriter.Begin(CaptionIndex.PathFor(Path), captionsBefore, CaptionSource(transaction));

        // A million rows a run: bound by position through SQLite's C API (see BulkStatement).
        using var insertRow = new BulkStatement(connection, """
            INSERT INTO rows(dataset_id, shard_id, key, url, url_hash, host_rev, caption, width, height, sha256, md5, phash, vector,
                image_place, image_member, image_offset, image_length)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)
            """);
        var places = new ImagePlaces(connection, transaction);
        using var features = new StoredLocalFeatures.Writer(connection);
        // The same for every row of the shard: SQLite keeps bindings across runs.
        insertRow.Bind(1, datasetId);
        insertRow.Bind(2, shardId);

        string? indexModel = ModelIdIn(transaction);
        int? dimensions = null;
        // Opened at the shard's first embedding, inside the transaction (so no other writer appends).
        VectorFile? vectors = null;
        try
        {
            long count = 0, fingerprinted = 0;
            foreach (var row in rows)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (row.Embedding is not null)
                {
                    if (modelId is null) throw new ArgumentException("Rows with embeddings need the model id they came from.");
                    indexModel ??= ClaimModel(modelId, row.Embedding.Length, transaction);
                    if (indexModel != modelId) throw new ModelMismatchException(indexModel, modelId);
                    dimensions ??= int.Parse(ReadMeta(connection, "dimensions", transaction)!, CultureInfo.InvariantCulture);
                    if (row.Embedding.Length != dimensions)
                    {
                        throw new InvalidDataException($"An embedding of {row.Embedding.Length} dimensions cannot join an index of {dimensions}-dimensional vectors of the same model.");
                    }
                    vectors ??= VectorFile.OpenForAppend(vectorPath, dimensions.Value, CommittedVectors(transaction));
                }

                var normalized = row.NormalizedUrl ?? (row.Url is null ? null : UrlNormalizer.Normalize(row.Url));
                insertRow.Bind(3, row.Key);
                insertRow.Bind(4, row.Url);
                insertRow.Bind(5, normalized is { } n ? UrlHash(n.Url) : null);
                insertRow.Bind(6, normalized?.ReversedHost);
                insertRow.Bind(7, row.Caption);
                insertRow.Bind(8, row.Width);
                insertRow.Bind(9, row.Height);
                insertRow.Bind(10, row.Sha256);
                insertRow.Bind(11, row.Md5);
                insertRow.Bind(12, row.PerceptualHash is { } h ? unchecked((long)h) : null);
                insertRow.Bind(13, row.Embedding is null ? null : vectors!.Append(row.Embedding));
                BindImage(insertRow, places, row.Image);
                insertRow.Run();
                if (row.LocalFeatures is not null) features.Add(insertRow.LastInsertRowId, row.LocalFeatures);
                count++;
                if (!string.IsNullOrEmpty(row.Caption)) captions.Add(insertRow.LastInsertRowId, row.Caption);
                if (row.PerceptualHash is not null) fingerprinted++;
            }

            captions.NoMoreCaptions();
            // The vectors go to disk (an fsync of up to a gigabyte) while this thread builds the B-tree indexes.
            var vectorsOnDisk = vectors is null ? Task.CompletedTask : Task.Run(vectors.FlushToDisk, CancellationToken.None);
            try
            {
                if (buildIndexesAfter) SqliteSetup.Execute(connection, RowIndexes, transaction);
            }
            catch
            {
                // Never left running; the index build's error is the one to report.
                try { vectorsOnDisk.Wait(CancellationToken.None); } catch (AggregateException) { }
                throw;
            }
            // On disk before the rows that point into it are committed.
            vectorsOnDisk.GetAwaiter().GetResult();

            SqliteSetup.Execute(connection, "UPDATE shards SET rows = $r, fingerprinted = $f, skipped = $s, errors = $e WHERE id = $id", transaction,
                ("$r", count), ("$f", fingerprinted), ("$s", skipped()), ("$e", errors()), ("$id", shardId));
            if (vectors is not null)
            {
                SqliteSetup.Execute(connection, "INSERT OR REPLACE INTO meta(key, value) VALUES ('vectors', $n)", transaction,
                    ("$n", vectors.Count.ToString(CultureInfo.InvariantCulture)));
            }
            captions.Finish();
            var captionsAfter = count == 0 ? captionsBefore
                : CaptionLevel(SqliteSetup.Scalar<long>(connection, "SELECT max(id) FROM rows", transaction), transaction);
            CommitThenCheckpoint(transaction, captions, captionsAfter);
            return true;
        }
        finally
        {
            vectors?.Dispose();
        }
    }

    /// <summary>
    /// Commits a shard, then the caption file, and meanwhile copies the shard's pages from the WAL
    /// into the index file. SQLite would run that checkpoint inside the commit (its automatic one
    /// after 1,000 pages) before the caption file could commit; on two files the two can run at once
    /// (1M-row .npy shard: commit + checkpoint + caption commit 2.4 s one after the other). The
    /// caption file commits only after the index: killed between the two, the caption file is one
    /// shard behind and the next import or search adds it. Neither a failed caption commit (a full
    /// disk) nor a failed checkpoint fails a shard that is in the index: the caption file is caught
    /// up later, and the next checkpoint copies what this one left.
    /// </summary>
    private void CommitThenCheckpoint(SqliteTransaction transaction, CaptionIndex.ShardWriter captions, CaptionIndex.Level captionsAfter)
    {
        SqliteSetup.Execute(connection, "PRAGMA wal_autocheckpoint = 0", transaction);
        try
        {
            transaction.Commit();
        }
        catch
        {
            // Back to SQLite's default without hiding why the commit failed.
            try { SqliteSetup.Execute(connection, "PRAGMA wal_autocheckpoint = 1000", transaction.Connection is null ? null : transaction); } catch { }
            throw;
        }
        // From here the shard is in the index: nothing may fail its import. The caption file is caught
        // up by the next import or search; the next checkpoint copies what this one left.
        var captionsCommitted = Task.Run(() => captions.Commit(captionsAfter));
        try
        {
            // SQLite's default again (it acts at the next commit, not before).
            try { SqliteSetup.Execute(connection, "PRAGMA wal_autocheckpoint = 1000"); } catch (SqliteException) { }
            SqliteSetup.Execute(connection, "PRAGMA wal_checkpoint(PASSIVE)");
        }
        catch (SqliteException)
        {
        }
        finally
        {
            // The caption file's transaction is disposed with its writer: never while it still commits.
            try
            {
                captionsCommitted.GetAwaiter().GetResult();
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
            }
        }
    }

    /// <summary>The caption file's level for the index's rows through <paramref name="lastRow"/>.</summary>
    private CaptionIndex.Level CaptionLevel(long lastRow, SqliteTransaction? transaction) =>
        new(ReadMeta(connection, "index_id", transaction)!, lastRow,
            lastRow == 0 ? "" : ShardOfRow(lastRow, transaction) ?? "");

    // Which import of which shard wrote a row: the shard record's id and time make it unique even
    // when a rolled-back shard's ids are taken again by another shard, or by the same one.
    private string? ShardOfRow(long id, SqliteTransaction? transaction) =>
        SqliteSetup.Scalar<string>(connection, "SELECT s.id || ' ' || s.imported_at || ' ' || s.identity FROM rows r JOIN shards s ON s.id = r.shard_id WHERE r.id = $id",
            transaction, ("$id", id));

    private CaptionIndex.Source CaptionSource(SqliteTransaction? transaction) => new(id => ShardOfRow(id, transaction), (after, upTo) => Captions(after, upTo, transaction));

    private IEnumerable<(long Id, string Caption)> Captions(long after, long upTo, SqliteTransaction? transaction)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SELECT id, caption FROM rows WHERE id > $a AND id <= $b AND caption IS NOT NULL AND caption <> '' ORDER BY id";
        command.Parameters.AddWithValue("$a", after);
        command.Parameters.AddWithValue("$b", upTo);
        using var reader = command.ExecuteReader();
        while (reader.Read()) yield return (reader.GetInt64(0), reader.GetString(1));
    }

    // The level the caption file was last seen at by this instance: a search skips the check while the rows are unchanged.
    private CaptionIndex.Level? captionsSeenAt;

    /// <summary>Brings the caption file level with the committed rows (after a lost file or a killed import), then attaches it as "cap".</summary>
    private CaptionAttachment AttachCurrentCaptions()
    {
        CaptionIndex.Level Wanted() => CaptionLevel(SqliteSetup.Scalar<long>(connection, "SELECT coalesce(max(id), 0) FROM rows"), null);
        var wanted = Wanted();
        var path = CaptionIndex.PathFor(Path);
        if (wanted != captionsSeenAt || !File.Exists(path))
        {
            using var captions = CaptionIndex.Open(path);
            if (!CaptionIndex.IsAt(captions, null, wanted))
            {
                using var transaction = captions.BeginTransaction(deferred: false);
                // Read again under the caption file's write lock: an import holds that lock from before
                // its rows commit until after its captions do, so the index and the caption file now
                // agree unless an import died between its two commits (and a newer import finished
                // meanwhile must not be mistaken for a caption file ahead of the index and rebuilt).
                wanted = Wanted();
                CaptionIndex.Bring(captions, transaction, wanted, CaptionSource(null));
                transaction.Commit();
            }
            captionsSeenAt = wanted;
        }
        if (!CaptionsAttached(connection)) SqliteSetup.Execute(connection, "ATTACH DATABASE $p AS cap", null, ("$p", path));
        return new CaptionAttachment(this);
    }

    private static bool CaptionsAttached(SqliteConnection to) =>
        SqliteSetup.Scalar<long>(to, "SELECT count(*) FROM pragma_database_list WHERE name = 'cap'") > 0;

    /// <summary>
    /// Detaches the caption file: attached, it would take part in (and lock) every write transaction
    /// of the index. SQLite refuses while a statement still reads it; it is then detached later.
    /// </summary>
    private void DetachCaptions(bool mustSucceed)
    {
        if (!CaptionsAttached(connection)) return;
        try
        {
            SqliteSetup.Execute(connection, "DETACH DATABASE cap");
        }
        catch (SqliteException) when (!mustSucceed)
        {
        }
    }

    private sealed class CaptionAttachment(IndexStore store) : IDisposable
    {
        public void Dispose() => store.DetachCaptions(mustSucceed: false);
    }

    /// <summary>Vectors the committed rows point into (the vector file may hold more, from an import that did not finish).</summary>
    private long CommittedVectors(SqliteTransaction? transaction) =>
        ReadMeta(connection, "vectors", transaction) is { } n
            ? long.Parse(n, CultureInfo.InvariantCulture) : 0;

    /// <summary>
    /// The vector file, to read what the rows point to; null when the index holds no embeddings.
    /// Queries must keep to positions below its Count: an import committed after it was opened adds
    /// rows whose vectors it was not opened to read (those rows are newer than this read anyway).
    /// </summary>
    private VectorFile? OpenVectorsForRead()
    {
        if (Dimensions is not { } dimensions) return null;
        long committed = CommittedVectors(null);
        return committed == 0 ? null : VectorFile.OpenForRead(vectorPath, dimensions, committed);
    }

    private string? ModelIdIn(SqliteTransaction transaction) =>
        ReadMeta(connection, "model_id", transaction);

    private string ClaimModel(string modelId, int dimensions, SqliteTransaction transaction)
    {
        SqliteSetup.Execute(connection, "INSERT OR IGNORE INTO meta(key, value) VALUES ('model_id', $m), ('dimensions', $d)", transaction,
            ("$m", modelId), ("$d", dimensions.ToString(CultureInfo.InvariantCulture)));
        return ModelIdIn(transaction)!;
    }

    /// <summary>Refuses a model other than the index's before any work is done.</summary>
    public void CheckModel(string modelId)
    {
        if (ModelId is { } existing && existing != modelId) throw new ModelMismatchException(existing, modelId);
    }

    /// <summary>64-bit FNV-1a of the normalised URL: a compact key for the URL index (matches are re-checked by string).</summary>
    public static long UrlHash(string normalizedUrl)
    {
        // Over the URL's UTF-8 bytes, encoded on the stack (a row each in bulk imports).
        int most = Encoding.UTF8.GetMaxByteCount(normalizedUrl.Length);
        byte[]? rented = most > 1024 ? System.Buffers.ArrayPool<byte>.Shared.Rent(most) : null;
        Span<byte> buffer = rented ?? stackalloc byte[1024];
        int length = Encoding.UTF8.GetBytes(normalizedUrl, buffer);
        ulong hash = 14695981039346656037UL;
        foreach (var b in buffer[..length])
        {
            hash = (hash ^ b) * 1099511628211UL;
        }
        if (rented is not null) System.Buffers.ArrayPool<byte>.Shared.Return(rented);
        return unchecked((long)hash);
    }

    // ---- queries -------------------------------------------------------------------------------

    private const string RowColumns = "r.id, d.name, r.key, r.url, r.caption, r.width, r.height, r.sha256, r.md5, r.phash, r.vector IS NOT NULL, "
        + "p.path, r.image_member, r.image_offset, r.image_length";

    private const string RowTables = "rows r JOIN datasets d ON d.id = r.dataset_id LEFT JOIN image_places p ON p.id = r.image_place";

    // A file in a folder: the folder once (image_places) and the file's name; a tar member: the tar once, the member, its data's offset and length.
    private static void BindImage(BulkStatement insert, ImagePlaces places, Datasets.ImageLocation? image)
    {
        if (image is null)
        {
            for (int i = 14; i <= 17; i++) insert.Bind(i, (string?)null);
            return;
        }
        var place = image.IsArchiveMember ? image.Path : System.IO.Path.GetDirectoryName(image.Path) ?? "";
        insert.Bind(14, places.IdOf(place));
        insert.Bind(15, image.IsArchiveMember ? image.Member : System.IO.Path.GetFileName(image.Path));
        insert.Bind(16, image.IsArchiveMember ? image.Offset : null);
        insert.Bind(17, image.IsArchiveMember ? image.Length : null);
    }

    private static Datasets.ImageLocation? ReadImage(SqliteDataReader reader, int at)
    {
        if (reader.IsDBNull(at) || reader.IsDBNull(at + 1)) return null;
        var place = reader.GetString(at);
        var member = reader.GetString(at + 1);
        return reader.IsDBNull(at + 2)
            ? new Datasets.ImageLocation(System.IO.Path.Combine(place, member))
            : new Datasets.ImageLocation(place, member, reader.GetInt64(at + 2), reader.GetInt64(at + 3));
    }

    private static IndexedRow ReadRow(SqliteDataReader reader) => new(
        reader.GetInt64(0),
        reader.GetString(1),
        reader.IsDBNull(2) ? null : reader.GetString(2),
        reader.IsDBNull(3) ? null : reader.GetString(3),
        reader.IsDBNull(4) ? null : reader.GetString(4),
        reader.IsDBNull(5) ? null : reader.GetInt32(5),
        reader.IsDBNull(6) ? null : reader.GetInt32(6),
        reader.IsDBNull(7) ? null : (byte[])reader[7],
        reader.IsDBNull(8) ? null : (byte[])reader[8],
        reader.IsDBNull(9) ? null : unchecked((ulong)reader.GetInt64(9)),
        reader.GetBoolean(10),
        ReadImage(reader, 11));

    private IEnumerable<IndexedRow> Query(string where, string? orderBy, string? dataset, int? limit, params (string Name, object? Value)[] parameters)
    {
        using var command = connection.CreateCommand();
        var sql = new StringBuilder($"SELECT {RowColumns} FROM {RowTables} WHERE ({where})");
        if (dataset is not null)
        {
            sql.Append(" AND d.name = $dataset");
            command.Parameters.AddWithValue("$dataset", dataset);
        }
        if (orderBy is not null) sql.Append(" ORDER BY ").Append(orderBy);
        if (limit is not null) sql.Append(" LIMIT ").Append(limit.Value.ToString(CultureInfo.InvariantCulture));
        command.CommandText = sql.ToString();
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        using var reader = command.ExecuteReader();
        while (reader.Read()) yield return ReadRow(reader);
    }

    public IReadOnlyList<IndexedRow> GetRows(IReadOnlyCollection<long> ids, string? dataset = null)
    {
        var result = new List<IndexedRow>(ids.Count);
        foreach (var chunk in ids.Chunk(500))
        {
            result.AddRange(Query($"r.id IN ({string.Join(',', chunk)})", "r.id", dataset, null));
        }
        return result;
    }

    /// <summary>Rows whose URL normalises to the same address.</summary>
    public IEnumerable<IndexedRow> FindByUrl(string url, string? dataset = null, int? limit = null)
    {
        var normalized = UrlNormalizer.Normalize(url).Url;
        return Query("r.url_hash = $h", "r.id", dataset, null, ("$h", UrlHash(normalized)))
            .Where(r => r.Url is not null && UrlNormalizer.Normalize(r.Url).Url == normalized)
            .Take(limit ?? int.MaxValue);
    }

    /// <summary>Rows whose host is the domain or one of its subdomains.</summary>
    public IEnumerable<IndexedRow> FindByDomain(string domain, string? dataset = null, int? limit = null)
    {
        var reversed = UrlNormalizer.ReverseHost(UrlNormalizer.NormalizeDomain(domain));
        // '/' sorts right after '.', so [rev + '.', rev + '/') is exactly the subdomains.
        return Query("r.host_rev = $d OR (r.host_rev >= $lo AND r.host_rev < $hi)", "r.id", dataset, limit,
            ("$d", reversed), ("$lo", reversed + "."), ("$hi", reversed + "/"));
    }

    /// <summary>
    /// Caption full-text search, best matches (BM25) first; every match unless <paramref name="limit"/> is given.
    /// The query is parsed (and its size checked: <see cref="CaptionQueryTooLargeException"/>) before this returns.
    /// </summary>
    public IEnumerable<(IndexedRow Row, double Score)> SearchCaptions(string text, string? dataset = null, int? limit = null)
    {
        var phrases = CaptionQuery.Parse(text);
        if (phrases.Count == 0) return [];
        // Each distinct phrase once (CaptionQuery.Parse): the rows are the same, and FTS5 evaluates a
        // phrase given 1,000 times 1,000 times over, its bm25() slower still (docs/index.md, "Query limits").
        var match = CaptionQuery.ToFts5(phrases);
        // Every phrase given the same number of times: FTS5's ranks of the distinct phrases, times that
        // number, are those of the query as typed. Otherwise the scores are computed from the captions
        // with each phrase weighed by its repeats (CaptionRanking).
        int? sameRepeats = phrases.All(p => p.Repeats == phrases[0].Repeats) ? phrases[0].Repeats : null;
        if (limit is { } top)
        {
            return sameRepeats is { } repeats ? SearchCaptionsRankedByFts5(match, dataset, top, repeats) : SearchCaptionsScoredFromCaptions(phrases, match, dataset, top);
        }
        return SearchEveryCaption(phrases, match, dataset, sameRepeats);
    }

    /// <summary>
    /// The <paramref name="top"/> best matches: FTS5 ranks every match (it reads no row for that), then
    /// only those rows are read, 500 at a time as they are consumed; only ids and scores are held.
    /// <paramref name="repeats"/>: how many times the query gave each phrase (the scores are FTS5's times that).
    /// </summary>
    private IEnumerable<(IndexedRow Row, double Score)> SearchCaptionsRankedByFts5(string match, string? dataset, int top, int repeats)
    {
        // Scores first, unsorted, then sorted here: FTS5's own ORDER BY rank evaluates the query a
        // second time for its sorter (about 3x the cost: docs/index-benchmarks.md), and a sort
        // after the join to rows would carry every column. The rows are then read in that order.
        var hits = new List<(long Id, double Rank)>();
        using (AttachCurrentCaptions())
        {
            using var command = connection.CreateCommand();
            command.CommandText = dataset is null
                ? "SELECT c.rowid, c.rank FROM cap.captions c WHERE captions MATCH $q"
                : "SELECT c.rowid, c.rank FROM cap.captions c JOIN rows r ON r.id = c.rowid JOIN datasets d ON d.id = r.dataset_id WHERE captions MATCH $q AND d.name = $dataset";
            command.Parameters.AddWithValue("$q", match);
            if (dataset is not null) command.Parameters.AddWithValue("$dataset", dataset);
            using var reader = command.ExecuteReader();
            while (reader.Read()) hits.Add((reader.GetInt64(0), reader.GetDouble(1)));
        }
        // BM25 ranks are negative, best first; ties in row order, so results are stable.
        hits.Sort((a, b) => a.Rank != b.Rank ? a.Rank.CompareTo(b.Rank) : a.Id.CompareTo(b.Id));
        if (hits.Count > top) hits.RemoveRange(top, hits.Count - top);

        foreach (var chunk in hits.Chunk(500))
        {
            var rows = GetRows(chunk.Select(h => h.Id).ToList()).ToDictionary(r => r.Id);
            foreach (var (id, rank) in chunk)
            {
                if (rows.TryGetValue(id, out var row)) yield return (row, -rank * repeats);
            }
        }
    }

    /// <summary>
    /// The <paramref name="top"/> best matches of a query whose phrases were given different numbers of
    /// times, which FTS5's bm25() cannot weigh: every match's caption is read (no other column) and
    /// scored by <see cref="CaptionRanking"/> with each phrase weighed by its repeats, the scores FTS5
    /// gave the query as typed; only ids and scores are held, then the rows are read as in
    /// <see cref="SearchCaptionsRankedByFts5"/>. Less work than an uncapped search of the same query.
    /// </summary>
    private IEnumerable<(IndexedRow Row, double Score)> SearchCaptionsScoredFromCaptions(IReadOnlyList<CaptionPhrase> phrases, string match, string? dataset, int top)
    {
        var hits = new List<(long Id, double Score)>();
        using (AttachCurrentCaptions())
        {
            long? datasetId = null;
            if (dataset is not null)
            {
                datasetId = DatasetId(dataset);
                if (datasetId is null) yield break;
            }
            var ranking = new CaptionRanking(phrases, CaptionIndex.ReadTotals(connection, "cap"));
            var idf = phrases.Select(p => ranking.Idf(CountCaptionMatches(p.ToFts5()))).ToArray();
            using var query = new BulkStatement(connection,
                "SELECT c.rowid, r.caption FROM cap.captions c JOIN rows r ON r.id = c.rowid WHERE captions MATCH ?1 AND c.rowid <= ?2"
                + (datasetId is null ? "" : " AND r.dataset_id = ?3"));
            query.Bind(1, match);
            query.Bind(2, captionsSeenAt!.Through);
            if (datasetId is not null) query.Bind(3, datasetId);
            while (query.Step()) hits.Add((query.Int64(0), ranking.Score(query.Text(1) ?? "", idf)));
        }
        hits.Sort((a, b) => a.Score != b.Score ? b.Score.CompareTo(a.Score) : a.Id.CompareTo(b.Id));
        if (hits.Count > top) hits.RemoveRange(top, hits.Count - top);

        foreach (var chunk in hits.Chunk(500))
        {
            var rows = GetRows(chunk.Select(h => h.Id).ToList()).ToDictionary(r => r.Id);
            foreach (var (id, score) in chunk)
            {
                if (rows.TryGetValue(id, out var row)) yield return (row, score);
            }
        }
    }

    /// <summary>Once one connection has read this many matches of an uncapped search, a second on another core takes the ranges left.</summary>
    internal const int SecondReaderAfter = 1_000;

    /// <summary>An uncapped search reads the ids in this many ranges, each taken by whichever connection is free.</summary>
    private const int CaptionRanges = 16;

    /// <summary>
    /// Every match, best first. Every matching row is read anyway, so the rows are read in id order
    /// joined to FTS5's matches (sequential in the index file, where reading them in rank order
    /// jumps about it) and scored here from their captions (<see cref="CaptionRanking"/>, the same
    /// BM25 as FTS5's bm25(), which would cost a size lookup and a position walk a match). Common
    /// words match tens of thousands of rows: a second connection on another core then shares the
    /// id ranges left (<see cref="ReadCaptionMatches"/>). 1M rows, 5,700-68,000 matches: docs/index-benchmarks.md.
    /// </summary>
    private IEnumerable<(IndexedRow Row, double Score)> SearchEveryCaption(IReadOnlyList<CaptionPhrase> phrases, string match, string? dataset, int? sameRepeats)
    {
        List<(IndexedRow Row, double Score)>? found;
        using (AttachCurrentCaptions())
        {
            long? datasetId = null;
            if (dataset is not null)
            {
                datasetId = DatasetId(dataset);
                if (datasetId is null) yield break;
            }
            var ranking = new CaptionRanking(phrases, CaptionIndex.ReadTotals(connection, "cap"));
            // A phrase's IDF counts the rows of the whole caption file that contain it, as FTS5 does. A
            // one-phrase query over every dataset matches exactly those rows: counted as they are read.
            bool countWhileReading = phrases.Count == 1 && datasetId is null;
            var idf = countWhileReading ? [1.0] : phrases.Select(p => ranking.Idf(CountCaptionMatches(p.ToFts5()))).ToArray();
            var datasetNames = new Dictionary<long, string>();
            using (var names = connection.CreateCommand())
            {
                names.CommandText = "SELECT id, name FROM datasets";
                using var reader = names.ExecuteReader();
                while (reader.Read()) datasetNames[reader.GetInt64(0)] = reader.GetString(1);
            }
            found = ReadCaptionMatches(match, datasetId, captionsSeenAt!.Through, ranking, idf, datasetNames);
            if (countWhileReading && found is not null)
            {
                double weight = ranking.Idf(found.Count);
                for (int i = 0; i < found.Count; i++) found[i] = (found[i].Row, found[i].Score * weight);
            }
        }
        // Too many to hold: streamed in FTS5's rank order instead (same scores and order, slower).
        var hits = found ?? (sameRepeats is { } repeats
            ? SearchCaptionsRankedByFts5(match, dataset, int.MaxValue, repeats)
            : SearchCaptionsScoredFromCaptions(phrases, match, dataset, int.MaxValue));
        found?.Sort((a, b) => a.Score != b.Score ? b.Score.CompareTo(a.Score) : a.Row.Id.CompareTo(b.Row.Id));
        foreach (var hit in hits) yield return hit;
    }

    /// <summary>
    /// An uncapped search that finds more rows than this (counted as they are read) is streamed in
    /// FTS5's rank order instead (<see cref="SearchCaptionsRankedByFts5"/>, holding only ids and scores),
    /// so that memory stays bounded whatever the index's size: 250,000 rows held are about 150 MB.
    /// </summary>
    internal int MaxCaptionMatchesHeld { get; set; } = 250_000;

    private long CountCaptionMatches(string match) =>
        SqliteSetup.Scalar<long>(connection, "SELECT count(*) FROM cap.captions WHERE captions MATCH $q", null, ("$q", match));

    /// <summary>
    /// The matching rows with ids up to <paramref name="through"/>, scored, or null when there are more
    /// than <see cref="MaxCaptionMatchesHeld"/>. The ids are cut into <see cref="CaptionRanges"/> ranges
    /// taken in turn; once this connection has read <see cref="SecondReaderAfter"/> matches and two
    /// ranges or more are left, a second connection on another core takes ranges too, each connection
    /// the next one free, so both finish together wherever the matches lie.
    /// </summary>
    private List<(IndexedRow Row, double Score)>? ReadCaptionMatches(string match, long? datasetId, long through, CaptionRanking ranking, double[] idf, IReadOnlyDictionary<long, string> datasetNames)
    {
        long span = through / CaptionRanges + 1;
        int next = 0;
        bool TakeRange(out long from, out long to)
        {
            int range = Interlocked.Increment(ref next) - 1;
            from = range * span + 1;
            to = Math.Min(through, from + span - 1);
            return range < CaptionRanges;
        }

        var held = new HeldMatches(MaxCaptionMatchesHeld);
        var found = new List<(IndexedRow Row, double Score)>();
        Task<List<(IndexedRow Row, double Score)>>? second = null;
        CaptionReadersOfLastSearch = 1;
        try
        {
            using var reader = new CaptionMatchReader(connection, match, datasetId, ranking, idf, datasetNames, held);
            while (TakeRange(out long from, out long to) && reader.Read(from, to, found))
            {
                if (second is null && found.Count >= SecondReaderAfter && Volatile.Read(ref next) <= CaptionRanges - 2)
                {
                    CaptionReadersOfLastSearch = 2;
                    var other = secondReader ??= SqliteSetup.Open(Path, readOnly: true);
                    var itsRanking = ranking.ForAnotherThread();
                    second = Task.Factory.StartNew(() =>
                    {
                        var itsFound = new List<(IndexedRow Row, double Score)>();
                        AttachCaptionsTo(other);
                        try
                        {
                            using var itsReader = new CaptionMatchReader(other, match, datasetId, itsRanking, idf, datasetNames, held);
                            while (TakeRange(out long itsFrom, out long itsTo) && itsReader.Read(itsFrom, itsTo, itsFound)) { }
                        }
                        finally
                        {
                            DetachCaptionsFrom(other);
                        }
                        return itsFound;
                    }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
                }
            }
            if (second is not null) found.AddRange(second.GetAwaiter().GetResult());
        }
        finally
        {
            // Never return (and let the store be disposed) while the second connection is still reading;
            // if this thread failed, stop handing it ranges.
            Interlocked.Exchange(ref next, CaptionRanges);
            held.Stop();
            try { second?.Wait(); } catch (AggregateException) { }
        }
        if (held.Overflowed)
        {
            CaptionReadersOfLastSearch = 0;
            return null;
        }
        return found;
    }

    /// <summary>Matches held by the readers of one search, against its limit (counted in batches: a shared count a row would cost the two cores).</summary>
    private sealed class HeldMatches(int limit)
    {
        public const int Batch = 1_024;
        private long count;
        private volatile bool stopped;

        public bool Overflowed { get; private set; }

        /// <summary>Counts <paramref name="rows"/> more; false when the search must stop (too many, or stopped).</summary>
        public bool Add(int rows)
        {
            if (Interlocked.Add(ref count, rows) > limit)
            {
                Overflowed = true;
                stopped = true;
            }
            return !stopped;
        }

        public void Stop() => stopped = true;
    }

    private void AttachCaptionsTo(SqliteConnection other)
    {
        // Left attached by a failed detach: attached again, in case the file was replaced since.
        DetachCaptionsFrom(other);
        SqliteSetup.Execute(other, "ATTACH DATABASE $p AS cap", null, ("$p", CaptionIndex.PathFor(Path)));
    }

    private static void DetachCaptionsFrom(SqliteConnection other)
    {
        try
        {
            if (CaptionsAttached(other)) SqliteSetup.Execute(other, "DETACH DATABASE cap");
        }
        catch (SqliteException)
        {
        }
    }

    /// <summary>The connection's automatic checkpoint threshold in pages (for tests: an import turns it off around its commit).</summary>
    internal long WalAutocheckpoint => SqliteSetup.Scalar<long>(connection, "PRAGMA wal_autocheckpoint");

    /// <summary>How many connections read the last uncapped caption search, 0 when it was streamed in rank order (for tests).</summary>
    internal int CaptionReadersOfLastSearch { get; private set; }

    /// <summary>A second read-only connection for uncapped caption searches (<see cref="ReadCaptionMatches"/>); opened on first use.</summary>
    private SqliteConnection? secondReader;

    /// <summary>
    /// The matching rows of one connection, read through SQLite's C API (<see cref="BulkStatement"/>:
    /// a third fewer calls a row), one id range at a time.
    /// </summary>
    private sealed class CaptionMatchReader(SqliteConnection connection, string match, long? datasetId, CaptionRanking ranking, double[] idf, IReadOnlyDictionary<long, string> datasetNames, HeldMatches held) : IDisposable
    {
        // Width and height are never negative: -1 stands for NULL, saving a call a column.
        private readonly BulkStatement query = new(connection,
            "SELECT r.id, r.dataset_id, r.key, r.url, r.caption, coalesce(r.width, -1), coalesce(r.height, -1), r.sha256, r.md5, r.phash, r.vector IS NOT NULL"
            + " FROM cap.captions c JOIN rows r ON r.id = c.rowid WHERE captions MATCH ?1 AND c.rowid BETWEEN ?2 AND ?3"
            + (datasetId is null ? "" : " AND r.dataset_id = ?4"));

        /// <summary>Adds the matches with ids in [from, through]; false when the search must stop.</summary>
        public bool Read(long from, long through, List<(IndexedRow Row, double Score)> found)
        {
            query.Bind(1, match);
            query.Bind(2, from);
            query.Bind(3, through);
            if (datasetId is not null) query.Bind(4, datasetId);
            int uncounted = 0;
            while (query.Step())
            {
                var caption = query.Text(4);
                long width = query.Int64(5), height = query.Int64(6);
                var row = new IndexedRow(query.Int64(0), datasetNames[query.Int64(1)], query.Text(2), query.Text(3), caption,
                    width < 0 ? null : (int)width, height < 0 ? null : (int)height, query.Blob(7), query.Blob(8),
                    query.IsNull(9) ? null : unchecked((ulong)query.Int64(9)), query.Int64(10) != 0);
                found.Add((row, ranking.Score(caption ?? "", idf)));
                if (++uncounted == HeldMatches.Batch)
                {
                    uncounted = 0;
                    if (!held.Add(HeldMatches.Batch))
                    {
                        query.Reset();
                        return false;
                    }
                }
            }
            return held.Add(uncounted);
        }

        public void Dispose() => query.Dispose();
    }

    public IEnumerable<IndexedRow> FindBySha256(byte[] sha256, string? dataset = null) =>
        Query("r.sha256 = $h", "r.id", dataset, null, ("$h", sha256));

    public IEnumerable<IndexedRow> FindByMd5(byte[] md5, string? dataset = null) =>
        Query("r.md5 = $h", "r.id", dataset, null, ("$h", md5));

    /// <summary>(row id, perceptual hash) of every fingerprinted row, for the hash index.</summary>
    public IEnumerable<(long Id, ulong Hash)> AllPerceptualHashes()
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT id, phash FROM rows WHERE phash IS NOT NULL ORDER BY id";
        using var reader = command.ExecuteReader();
        while (reader.Read()) yield return (reader.GetInt64(0), unchecked((ulong)reader.GetInt64(1)));
    }

    /// <summary>(row id, embedding) of rows with an embedding and an id above <paramref name="afterId"/>.</summary>
    public IEnumerable<(long Id, Half[] Vector)> EmbeddingsAfter(long afterId)
    {
        using var vectors = OpenVectorsForRead();
        if (vectors is null) yield break;
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT id, vector FROM rows WHERE vector < $committed AND id > $after ORDER BY id";
        command.Parameters.AddWithValue("$after", afterId);
        command.Parameters.AddWithValue("$committed", vectors.Count);
        using var reader = command.ExecuteReader();
        while (reader.Read()) yield return (reader.GetInt64(0), vectors.Read(reader.GetInt64(1)));
    }

    /// <summary>The embeddings of a few rows (hash-found candidates whose similarity is wanted).</summary>
    public Dictionary<long, Half[]> GetEmbeddings(IReadOnlyCollection<long> ids)
    {
        var result = new Dictionary<long, Half[]>();
        using var vectors = OpenVectorsForRead();
        if (vectors is null) return result;
        foreach (var chunk in ids.Chunk(500))
        {
            using var command = connection.CreateCommand();
            command.CommandText = $"SELECT id, vector FROM rows WHERE vector < {vectors.Count} AND id IN ({string.Join(',', chunk)})";
            using var reader = command.ExecuteReader();
            while (reader.Read()) result[reader.GetInt64(0)] = vectors.Read(reader.GetInt64(1));
        }
        return result;
    }

    /// <summary>
    /// The stored local features of a few rows (candidates about to be verified), as the bytes the
    /// import stored; rows without (none stored, or an index written before they were) are absent.
    /// </summary>
    public Dictionary<long, byte[]> GetLocalFeatures(IReadOnlyCollection<long> ids) => StoredLocalFeatures.Read(connection, ids);

    /// <summary>Count and largest id of the rows with embeddings: the stamp a vector cache must match.</summary>
    public (long Count, long MaxId) EmbeddingStamp()
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*), coalesce(max(id), 0) FROM rows WHERE vector IS NOT NULL";
        using var reader = command.ExecuteReader();
        reader.Read();
        return (reader.GetInt64(0), reader.GetInt64(1));
    }

    public IReadOnlyList<DatasetInfo> ListDatasets()
    {
        var model = ModelId;
        using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT d.name, d.created_at,
                   (SELECT count(*) FROM shards s WHERE s.dataset_id = d.id),
                   (SELECT coalesce(sum(rows), 0) FROM shards s WHERE s.dataset_id = d.id),
                   (SELECT coalesce(sum(fingerprinted), 0) FROM shards s WHERE s.dataset_id = d.id),
                   (SELECT coalesce(sum(skipped), 0) FROM shards s WHERE s.dataset_id = d.id),
                   (SELECT count(*) FROM rows r WHERE r.dataset_id = d.id AND r.vector IS NOT NULL)
            FROM datasets d ORDER BY d.name
            """;
        using var reader = command.ExecuteReader();
        var result = new List<DatasetInfo>();
        while (reader.Read())
        {
            long withEmbedding = reader.GetInt64(6);
            result.Add(new DatasetInfo(reader.GetString(0), reader.GetInt64(3), reader.GetInt64(2), reader.GetInt64(4), withEmbedding,
                reader.GetInt64(5), withEmbedding > 0 ? model : null,
                DateTime.Parse(reader.GetString(1), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind)));
        }
        return result;
    }

    public void Dispose()
    {
        secondReader?.Dispose();
        connection.Dispose();
    }
}
