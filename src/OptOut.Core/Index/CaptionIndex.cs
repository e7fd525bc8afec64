using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Data.Sqlite;
using OptOut.Core.Storage;

namespace OptOut.Core.Index;

/// <summary>
/// The full-text index of captions, in a SQLite file of its own beside the index
/// (<c>index.db.captions</c>: a contentless FTS5 table and a little state). It is kept apart so that
/// a shard's captions are tokenized by a second connection on a second core while the index's own
/// connection inserts the rows and builds its B-tree indexes (SQLite allows one writer per file;
/// docs/index-benchmarks.md has the figures).
///
/// The index file stays the source of truth. The caption file records which index it belongs to
/// (meta 'index_id'), the last row it holds and the shard import that wrote that row; when any of these
/// disagrees with the index (the caption file was lost, belongs to a deleted index, or its shard
/// was rolled back by a power loss) it is emptied and rebuilt from the rows, and when it is only
/// behind (a process killed between the two commits) the missing rows are added. Both happen on
/// the next import or caption search.
/// </summary>
internal static class CaptionIndex
{
    /// <summary>FTS5's in-memory term buffer: with 64 MiB a million captions are written as a few large
    /// segments instead of hundreds of 1 MiB ones to merge (docs/index-benchmarks.md).</summary>
    public const int HashBytes = 64 << 20;

    public static string PathFor(string indexPath) => indexPath + ".captions";

    /// <summary>The caption file's FTS5 tokenizer (CaptionTokens learns its treatment of each character from it).</summary>
    public const string Tokenizer = "unicode61 remove_diacritics 2";

    /// <summary>Where the caption file must stand: which index, the last committed row, and which import of which shard wrote that row.</summary>
    public sealed record Level(string IndexId, long Through, string ThroughShard);

    /// <summary>What the index tells the caption file: which shard import wrote a row, and the captions of the rows with ids in (after, upTo], in id order.</summary>
    public sealed record Source(Func<long, string?> ShardOfRow, Func<long, long, IEnumerable<(long Id, string Caption)>> Captions);

    public static SqliteConnection Open(string path)
    {
        var connection = SqliteSetup.Open(path);
        try
        {
            SqliteSetup.Execute(connection, "PRAGMA cache_size = -262144");
            SqliteSetup.Execute(connection, $$"""
                CREATE TABLE IF NOT EXISTS state(key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
                CREATE VIRTUAL TABLE IF NOT EXISTS captions USING fts5(caption, content='', tokenize='{{Tokenizer}}');
                """);
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>True when the caption file holds exactly the committed rows of <paramref name="wanted"/>.</summary>
    public static bool IsAt(SqliteConnection connection, SqliteTransaction? transaction, Level wanted) =>
        ReadLevel(connection, transaction) == wanted;

    /// <summary>
    /// Brings the caption file to <paramref name="wanted"/> inside <paramref name="transaction"/>:
    /// adds the rows it is behind by, or empties and refills it when it is not a state of this index.
    /// </summary>
    public static void Bring(SqliteConnection connection, SqliteTransaction transaction, Level wanted, Source index)
    {
        var current = ReadLevel(connection, transaction);
        if (current == wanted) return;
        // Only behind: the rows it holds are still the index's (same index, and its last row is
        // still in the same shard there). Anything else: start again.
        bool behind = current is not null && current.IndexId == wanted.IndexId && current.Through <= wanted.Through
            && (current.Through == 0 || current.ThroughShard == (current.Through == wanted.Through ? wanted.ThroughShard : index.ShardOfRow(current.Through)));
        long after = behind ? current!.Through : 0;
        if (!behind) SqliteSetup.Execute(connection, "INSERT INTO captions(captions) VALUES ('delete-all')", transaction);
        SqliteSetup.Execute(connection, $"INSERT INTO captions(captions, rank) VALUES ('hashsize', {HashBytes})", transaction);
        using (var insert = new BulkStatement(connection, InsertCaption))
        {
            foreach (var (id, caption) in index.Captions(after, wanted.Through)) Insert(insert, id, caption);
        }
        WriteLevel(connection, transaction, wanted);
    }

    private const string InsertCaption = "INSERT INTO captions(rowid, caption) VALUES (?1, ?2)";

    private static void Insert(BulkStatement insert, long id, string caption)
    {
        insert.Bind(1, id);
        insert.Bind(2, caption);
        insert.Run();
    }

    /// <summary>
    /// Rows and tokens in the caption file, as FTS5's bm25() reads them: its "averages" record (row 1
    /// of <c>captions_data</c>), a SQLite varint row count then one varint of tokens per column.
    /// <paramref name="schema"/> is the name the file is attached under.
    /// </summary>
    public static (long Rows, long Tokens) ReadTotals(SqliteConnection connection, string schema)
    {
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT block FROM {schema}.captions_data WHERE id = 1";
        if (command.ExecuteScalar() is not byte[] record || record.Length == 0) return (0, 0);
        int position = 0;
        long rows = ReadVarint(record, ref position);
        long tokens = position < record.Length ? ReadVarint(record, ref position) : 0;
        return (rows, tokens);
    }

    // SQLite's varint: big-endian groups of 7 bits, high bit set on all but the last; a 9th byte carries 8 bits.
    private static long ReadVarint(byte[] bytes, ref int position)
    {
        long value = 0;
        for (int i = 0; i < 9; i++)
        {
            if (position >= bytes.Length) throw new InvalidDataException("The caption file's FTS5 averages record is truncated.");
            byte b = bytes[position++];
            if (i == 8) return (value << 8) | b;
            value = (value << 7) | (long)(b & 0x7F);
            if ((b & 0x80) == 0) return value;
        }
        return value;
    }

    private static Level? ReadLevel(SqliteConnection connection, SqliteTransaction? transaction)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SELECT key, value FROM state";
        using var reader = command.ExecuteReader();
        var values = new Dictionary<string, string>();
        while (reader.Read()) values[reader.GetString(0)] = reader.GetString(1);
        return values.TryGetValue("index_id", out var indexId) && values.TryGetValue("through", out var through)
            ? new Level(indexId, long.Parse(through, CultureInfo.InvariantCulture), values.GetValueOrDefault("through_shard", ""))
            : null;
    }

    private static void WriteLevel(SqliteConnection connection, SqliteTransaction transaction, Level level) =>
        SqliteSetup.Execute(connection, "INSERT OR REPLACE INTO state(key, value) VALUES ('index_id', $i), ('through', $t), ('through_shard', $s)", transaction,
            ("$i", level.IndexId), ("$t", level.Through.ToString(CultureInfo.InvariantCulture)), ("$s", level.ThroughShard));

    /// <summary>
    /// One shard's captions, indexed on a thread of their own while the index's connection writes
    /// the shard's rows; committed after the index's transaction, and rolled back when the shard
    /// does not complete.
    /// </summary>
    public sealed class ShardWriter : IDisposable
    {
        private readonly SqliteConnection connection;
        private readonly SqliteTransaction transaction;
        private readonly BlockingCollection<(long Id, string Caption)> queue = new(boundedCapacity: 65_536);
        private readonly Task indexing;
        private bool completed;

        private ShardWriter(SqliteConnection connection, SqliteTransaction transaction)
        {
            this.connection = connection;
            this.transaction = transaction;
            // Runs for the whole shard: a thread of its own rather than a pool worker held that long.
            indexing = Task.Factory.StartNew(() =>
            {
                try
                {
                    using var insert = new BulkStatement(connection, InsertCaption);
                    foreach (var (id, caption) in queue.GetConsumingEnumerable()) Insert(insert, id, caption);
                }
                catch
                {
                    queue.CompleteAdding();  // so that Add stops waiting and reports this error
                    throw;
                }
            }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        }

        /// <summary>
        /// Opens the caption file's write transaction and brings it to the index's committed rows
        /// (<paramref name="before"/>), so the shard's captions follow on from them.
        /// </summary>
        public static ShardWriter Begin(string path, Level before, Source index)
        {
            var connection = Open(path);
            try
            {
                if (!IsAt(connection, null, before))
                {
                    // Caught up (or rebuilt) and committed on its own, so searches elsewhere see a
                    // current caption file while this shard's transaction holds the write lock.
                    using var catchUp = connection.BeginTransaction(deferred: false);
                    Bring(connection, catchUp, before, index);
                    catchUp.Commit();
                }
                return new ShardWriter(connection, connection.BeginTransaction(deferred: false));
            }
            catch
            {
                connection.Dispose();
                throw;
            }
        }

        public void Add(long id, string caption)
        {
            try
            {
                queue.Add((id, caption));
            }
            catch (InvalidOperationException)
            {
                // The indexing thread failed and closed the queue: its error is the one to report.
                indexing.GetAwaiter().GetResult();
                throw;
            }
        }

        /// <summary>The shard's last caption has been added: the indexing thread finishes them while the index builds its B-trees.</summary>
        public void NoMoreCaptions() => queue.CompleteAdding();

        /// <summary>Waits until every caption is indexed. Call before the index commits, so that a failure here fails the shard.</summary>
        public void Finish()
        {
            queue.CompleteAdding();
            indexing.GetAwaiter().GetResult();
        }

        /// <summary>Records the new level and commits: call after the index's transaction has committed.</summary>
        public void Commit(Level after)
        {
            WriteLevel(connection, transaction, after);
            transaction.Commit();
            completed = true;
        }

        public void Dispose()
        {
            try
            {
                if (!completed)
                {
                    queue.CompleteAdding();
                    try { indexing.Wait(); } catch (AggregateException) { }
                    transaction.Rollback();
                }
            }
            finally
            {
                transaction.Dispose();
                queue.Dispose();
                connection.Dispose();
            }
        }
    }
}
