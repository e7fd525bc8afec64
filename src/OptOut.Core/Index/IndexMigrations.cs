using System.Globalization;
using System.Runtime.InteropServices;
using Microsoft.Data.Sqlite;
using OptOut.Core.Storage;

namespace OptOut.Core.Index;

/// <summary>
/// Brings an index written by an earlier OptOut to the current schema, each step in one
/// transaction (a step killed midway leaves the file as it was, and runs again next time).
/// </summary>
internal static class IndexMigrations
{
    public static void Run(SqliteConnection connection, string vectorPath)
    {
        if (Version(connection, null) == "1") VectorsOutOfRows(connection, vectorPath);
        if (Version(connection, null) == "2") ImageLocations(connection);
        if (IndexSchema.ReadMeta(connection, "vacuum_pending", null) is not null) GiveBackSpace(connection);
    }

    /// <summary>
    /// The vectors' old pages stay in the file as free pages (a million rows: 1.2 GB of a 1.5 GB
    /// file): VACUUM rewrites it without them. Best effort, retried at every open until it is
    /// done: it needs the file to itself (another process reading it makes it wait, then fail)
    /// and room for a temporary copy, and only space is at stake.
    /// </summary>
    private static void GiveBackSpace(SqliteConnection connection)
    {
        // Not worth waiting for: while another process has the file open it is tried at a later open.
        SqliteSetup.Execute(connection, "PRAGMA busy_timeout = 0");
        try
        {
            SqliteSetup.Execute(connection, "VACUUM");
            SqliteSetup.Execute(connection, "DELETE FROM meta WHERE key = 'vacuum_pending'");
        }
        catch (SqliteException)
        {
        }
        finally
        {
            SqliteSetup.Execute(connection, $"PRAGMA busy_timeout = {SqliteSetup.BusyTimeoutMilliseconds}");
        }
    }

    /// <summary>
    /// Schema 2 -> 3: rows gain where their own image lies (<see cref="Datasets.ImageLocation"/>), the
    /// folder or tar named once in <c>image_places</c>. Rows imported before have none (NULL): their
    /// shards are already imported, so they stay unverifiable until imported into a new index.
    /// </summary>
    private static void ImageLocations(SqliteConnection connection)
    {
        using var transaction = connection.BeginTransaction(deferred: false);
        if (Version(connection, transaction) != "2") return;  // another process got here first
        SqliteSetup.Execute(connection, """
            ALTER TABLE rows ADD COLUMN image_place INTEGER;
            ALTER TABLE rows ADD COLUMN image_member TEXT;
            ALTER TABLE rows ADD COLUMN image_offset INTEGER;
            ALTER TABLE rows ADD COLUMN image_length INTEGER;
            CREATE TABLE IF NOT EXISTS image_places(id INTEGER PRIMARY KEY, path TEXT NOT NULL UNIQUE);
            UPDATE meta SET value = '3' WHERE key = 'schema_version';
            """, transaction);
        transaction.Commit();
    }

    private static string? Version(SqliteConnection connection, SqliteTransaction? transaction) =>
        IndexSchema.ReadMeta(connection, "schema_version", transaction);

    /// <summary>
    /// Schema 1 -> 2: embeddings move from a BLOB column of rows into the vector file beside the
    /// index (see <see cref="VectorFile"/>); each row keeps its vector's position. Vectors are
    /// written in row-id order, the order imports append them in. The FTS5 table of captions is
    /// dropped: the caption file (<see cref="CaptionIndex"/>) replaces it.
    /// </summary>
    private static void VectorsOutOfRows(SqliteConnection connection, string vectorPath)
    {
        using var transaction = connection.BeginTransaction(deferred: false);
        if (Version(connection, transaction) != "1") return;  // another process got here first
        SqliteSetup.Execute(connection, "ALTER TABLE rows ADD COLUMN vector INTEGER", transaction);

        var dimensions = IndexSchema.ReadMeta(connection, "dimensions", transaction);
        if (dimensions is not null)
        {
            using var vectors = VectorFile.OpenForAppend(vectorPath, int.Parse(dimensions, CultureInfo.InvariantCulture), committed: 0);
            var ids = new List<long>();
            using (var read = connection.CreateCommand())
            {
                read.Transaction = transaction;
                read.CommandText = "SELECT id, embedding FROM rows WHERE embedding IS NOT NULL ORDER BY id";
                using var reader = read.ExecuteReader();
                while (reader.Read())
                {
                    vectors.Append(MemoryMarshal.Cast<byte, Half>((byte[])reader[1]));
                    ids.Add(reader.GetInt64(0));
                }
            }
            using (var update = new BulkStatement(connection, "UPDATE rows SET vector = ?2 WHERE id = ?1"))
            {
                for (int position = 0; position < ids.Count; position++)
                {
                    update.Bind(1, ids[position]);
                    update.Bind(2, position);
                    update.Run();
                }
            }
            vectors.FlushToDisk();
            SqliteSetup.Execute(connection, "INSERT OR REPLACE INTO meta(key, value) VALUES ('vectors', $n)", transaction,
                ("$n", vectors.Count.ToString(CultureInfo.InvariantCulture)));
        }
        SqliteSetup.Execute(connection, "ALTER TABLE rows DROP COLUMN embedding", transaction);
        // Captions' full-text index moves to the caption file (CaptionIndex), rebuilt there from the
        // rows at the first import or caption search.
        SqliteSetup.Execute(connection, "DROP TABLE IF EXISTS captions", transaction);
        SqliteSetup.Execute(connection, "UPDATE meta SET value = '2' WHERE key = 'schema_version'", transaction);
        SqliteSetup.Execute(connection, "INSERT OR REPLACE INTO meta(key, value) VALUES ('vacuum_pending', '1')", transaction);
        transaction.Commit();
    }
}
