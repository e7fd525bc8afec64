using Microsoft.Data.Sqlite;
using OptOut.Core.Storage;

namespace OptOut.Core.Index;

/// <summary>
/// An open index's caption file (<see cref="CaptionIndex"/>): the one place that knows where it
/// stands against the rows, brings it level, attaches it to a connection for searching, detaches it
/// before a write and starts a shard's caption writer. One instance per open index.
/// </summary>
internal sealed class IndexCaptionFile
{
    private readonly SqliteConnection connection;

    // The level the caption file was last seen at by this instance: a search skips the check while the rows are unchanged.
    private CaptionIndex.Level? seenAt;

    public IndexCaptionFile(SqliteConnection connection, string indexPath)
    {
        this.connection = connection;
        Path = CaptionIndex.PathFor(indexPath);
    }

    public string Path { get; }

    /// <summary>The last row the caption file held when it was last attached (queries keep to the rows it holds).</summary>
    public long SeenThrough => seenAt!.Through;

    /// <summary>The caption file's level for the index's rows through <paramref name="lastRow"/>.</summary>
    public CaptionIndex.Level LevelAt(long lastRow, SqliteTransaction? transaction) =>
        new(IndexSchema.ReadMeta(connection, "index_id", transaction)!, lastRow,
            lastRow == 0 ? "" : ShardOfRow(lastRow, transaction) ?? "");

    /// <summary>
    /// Starts writing a shard's captions on a second connection (see <see cref="CaptionIndex.ShardWriter"/>);
    /// <paramref name="transaction"/> is the shard's, which the writer reads any rows it is behind by through.
    /// </summary>
    public CaptionIndex.ShardWriter BeginShard(CaptionIndex.Level before, SqliteTransaction transaction) =>
        CaptionIndex.ShardWriter.Begin(Path, before, SourceIn(transaction));

    // Which import of which shard wrote a row: the shard record's id and time make it unique even
    // when a rolled-back shard's ids are taken again by another shard, or by the same one.
    private string? ShardOfRow(long id, SqliteTransaction? transaction) =>
        SqliteSetup.Scalar<string>(connection, "SELECT s.id || ' ' || s.imported_at || ' ' || s.identity FROM rows r JOIN shards s ON s.id = r.shard_id WHERE r.id = $id",
            transaction, ("$id", id));

    private CaptionIndex.Source SourceIn(SqliteTransaction? transaction) => new(id => ShardOfRow(id, transaction), (after, upTo) => Captions(after, upTo, transaction));

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

    /// <summary>Brings the caption file level with the committed rows (after a lost file or a killed import), then attaches it as "cap".</summary>
    public IDisposable AttachCurrent()
    {
        CaptionIndex.Level Wanted() => LevelAt(SqliteSetup.Scalar<long>(connection, "SELECT coalesce(max(id), 0) FROM rows"), null);
        var wanted = Wanted();
        if (wanted != seenAt || !File.Exists(Path))
        {
            using var captions = CaptionIndex.Open(Path);
            if (!CaptionIndex.IsAt(captions, null, wanted))
            {
                using var transaction = captions.BeginTransaction(deferred: false);
                // Read again under the caption file's write lock: an import holds that lock from before
                // its rows commit until after its captions do, so the index and the caption file now
                // agree unless an import died between its two commits (and a newer import finished
                // meanwhile must not be mistaken for a caption file ahead of the index and rebuilt).
                wanted = Wanted();
                CaptionIndex.Bring(captions, transaction, wanted, SourceIn(null));
                transaction.Commit();
            }
            seenAt = wanted;
        }
        if (!IsAttached(connection)) SqliteSetup.Execute(connection, "ATTACH DATABASE $p AS cap", null, ("$p", Path));
        return new Attachment(this);
    }

    private static bool IsAttached(SqliteConnection to) =>
        SqliteSetup.Scalar<long>(to, "SELECT count(*) FROM pragma_database_list WHERE name = 'cap'") > 0;

    /// <summary>
    /// Detaches the caption file: attached, it would take part in (and lock) every write transaction
    /// of the index. SQLite refuses while a statement still reads it; it is then detached later.
    /// </summary>
    public void Detach(bool mustSucceed)
    {
        if (!IsAttached(connection)) return;
        try
        {
            SqliteSetup.Execute(connection, "DETACH DATABASE cap");
        }
        catch (SqliteException) when (!mustSucceed)
        {
        }
    }

    /// <summary>Attaches the caption file to a second connection of the same index (an uncapped search's second reader).</summary>
    public void AttachTo(SqliteConnection other)
    {
        // Left attached by a failed detach: attached again, in case the file was replaced since.
        DetachFrom(other);
        SqliteSetup.Execute(other, "ATTACH DATABASE $p AS cap", null, ("$p", Path));
    }

    public static void DetachFrom(SqliteConnection other)
    {
        try
        {
            if (IsAttached(other)) SqliteSetup.Execute(other, "DETACH DATABASE cap");
        }
        catch (SqliteException)
        {
        }
    }

    private sealed class Attachment(IndexCaptionFile file) : IDisposable
    {
        public void Dispose() => file.Detach(mustSucceed: false);
    }
}
