using System.Globalization;
using Microsoft.Data.Sqlite;
using OptOut.Core.Storage;
using OptOut.Core.Urls;

namespace OptOut.Core.Index;

/// <summary>
/// Writes an open index: datasets, and a shard's rows in one transaction with its captions (through
/// <see cref="IndexCaptionFile"/>) and its vectors (through <see cref="IndexVectorFile"/>).
/// What <see cref="TrainingSetImporter"/> drives; searching is <see cref="IndexReader"/>'s.
/// </summary>
internal sealed class IndexWriter(SqliteConnection connection, IndexCaptionFile captionFile, IndexVectorFile vectorFile)
{
    /// <summary>The id of a dataset, created when missing.</summary>
    public long EnsureDataset(string name, SqliteTransaction? transaction)
    {
        SqliteSetup.Execute(connection, "INSERT OR IGNORE INTO datasets(name, created_at) VALUES ($n, $t)", transaction,
            ("$n", name), ("$t", DateTime.UtcNow.ToString("O", CultureInfo.InvariantCulture)));
        return SqliteSetup.Scalar<long?>(connection, "SELECT id FROM datasets WHERE name = $n", transaction, ("$n", name))!.Value;
    }

    public bool IsShardImported(long datasetId, string identity) =>
        SqliteSetup.Scalar<long?>(connection, "SELECT id FROM shards WHERE dataset_id = $d AND identity = $i", null,
            ("$d", datasetId), ("$i", identity)) is not null;

    /// <summary>
    /// Adds one shard's rows in a single transaction, recorded with the shard's identity, so a shard
    /// is either wholly in the index or not at all, and importing it again adds nothing.
    /// <paramref name="dataset"/> gives the dataset's id inside that transaction (creating it there
    /// when new: a dataset whose every shard failed leaves no row behind).
    /// </summary>
    /// <returns>False when the shard was already imported (nothing written).</returns>
    public bool ImportShard(Func<SqliteTransaction, long> dataset, string source, string identity, string layout, IEnumerable<ImportRow> rows,
        Func<long> skipped, Func<long> errors, string? modelId, CancellationToken cancellationToken)
    {
        captionFile.Detach(mustSucceed: true);  // the caption file is written by its own connection
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
        if (buildIndexesAfter) SqliteSetup.Execute(connection, IndexSchema.DropRowIndexes, transaction);

        // The shard's captions are indexed by a second connection on another thread (CaptionIndex).
        var captionsBefore = captionFile.LevelAt(lastRowBefore, transaction);
        using var captions = captionFile.BeginShard(captionsBefore, transaction);

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

        string? indexModel = IndexSchema.ReadMeta(connection, "model_id", transaction);
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
                    dimensions ??= int.Parse(IndexSchema.ReadMeta(connection, "dimensions", transaction)!, CultureInfo.InvariantCulture);
                    if (row.Embedding.Length != dimensions)
                    {
                        throw new InvalidDataException($"An embedding of {row.Embedding.Length} dimensions cannot join an index of {dimensions}-dimensional vectors of the same model.");
                    }
                    vectors ??= vectorFile.OpenForAppend(dimensions.Value, transaction);
                }

                var normalized = row.NormalizedUrl ?? (row.Url is null ? null : UrlNormalizer.Normalize(row.Url));
                insertRow.Bind(3, row.Key);
                insertRow.Bind(4, row.Url);
                insertRow.Bind(5, normalized is { } n ? UrlHash.Of(n.Url) : null);
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
                if (buildIndexesAfter) SqliteSetup.Execute(connection, IndexSchema.RowIndexes, transaction);
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
            if (vectors is not null) vectorFile.RecordCommitted(vectors, transaction);
            captions.Finish();
            var captionsAfter = count == 0 ? captionsBefore
                : captionFile.LevelAt(SqliteSetup.Scalar<long>(connection, "SELECT max(id) FROM rows", transaction), transaction);
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

    private string ClaimModel(string modelId, int dimensions, SqliteTransaction transaction)
    {
        SqliteSetup.Execute(connection, "INSERT OR IGNORE INTO meta(key, value) VALUES ('model_id', $m), ('dimensions', $d)", transaction,
            ("$m", modelId), ("$d", dimensions.ToString(CultureInfo.InvariantCulture)));
        return IndexSchema.ReadMeta(connection, "model_id", transaction)!;
    }

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
}
