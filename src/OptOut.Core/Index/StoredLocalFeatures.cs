using Microsoft.Data.Sqlite;
using OptOut.Core.Storage;

namespace OptOut.Core.Index;

/// <summary>
/// Rows' local features (the verifier's keypoints and descriptors, as bytes) in the index's own
/// <c>local_features</c> table, keyed by row id. Written in the shard's transaction, so they commit
/// and roll back with their rows: no second file to keep level. The table is optional: an index
/// written before it existed (or by an import that stored none) has no rows in it, or no table.
/// </summary>
internal static class StoredLocalFeatures
{
    /// <summary>Inserts a shard's features, one statement bound per row (see <see cref="BulkStatement"/>).</summary>
    public sealed class Writer(SqliteConnection connection) : IDisposable
    {
        private BulkStatement? insert;

        public void Add(long rowId, byte[] features)
        {
            insert ??= new BulkStatement(connection, "INSERT INTO local_features(row_id, features) VALUES (?1, ?2)");
            insert.Bind(1, rowId);
            insert.Bind(2, features);
            insert.Run();
        }

        public void Dispose() => insert?.Dispose();
    }

    public static Dictionary<long, byte[]> Read(SqliteConnection connection, IReadOnlyCollection<long> ids)
    {
        var result = new Dictionary<long, byte[]>();
        if (ids.Count == 0 || !TableExists(connection)) return result;
        foreach (var chunk in ids.Chunk(500))
        {
            using var command = connection.CreateCommand();
            command.CommandText = $"SELECT row_id, features FROM local_features WHERE row_id IN ({string.Join(',', chunk)})";
            using var reader = command.ExecuteReader();
            while (reader.Read()) result[reader.GetInt64(0)] = (byte[])reader[1];
        }
        return result;
    }

    private static bool TableExists(SqliteConnection connection) =>
        SqliteSetup.Scalar<long>(connection, "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = 'local_features'", null) > 0;
}
