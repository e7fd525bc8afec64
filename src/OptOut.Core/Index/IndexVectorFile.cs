using System.Globalization;
using Microsoft.Data.Sqlite;
using OptOut.Core.Storage;

namespace OptOut.Core.Index;

/// <summary>
/// An open index's vector file (<see cref="VectorFile"/>): the one place that knows how many of its
/// vectors the committed rows point into, opens it for a shard's appends or for reading, and reads
/// rows' embeddings through it. One instance per open index.
/// </summary>
internal sealed class IndexVectorFile
{
    private readonly SqliteConnection connection;

    public IndexVectorFile(SqliteConnection connection, string indexPath)
    {
        this.connection = connection;
        Path = VectorFile.PathFor(indexPath);
    }

    public string Path { get; }

    /// <summary>Vectors the committed rows point into (the vector file may hold more, from an import that did not finish).</summary>
    public long Committed(SqliteTransaction? transaction) =>
        IndexSchema.ReadMeta(connection, "vectors", transaction) is { } n
            ? long.Parse(n, CultureInfo.InvariantCulture) : 0;

    /// <summary>Opens the file for a shard's vectors, inside the shard's transaction (so no other writer appends).</summary>
    public VectorFile OpenForAppend(int dimensions, SqliteTransaction transaction) =>
        VectorFile.OpenForAppend(Path, dimensions, Committed(transaction));

    /// <summary>Records, inside the shard's transaction, how many vectors its rows now point into.</summary>
    public void RecordCommitted(VectorFile vectors, SqliteTransaction transaction) =>
        SqliteSetup.Execute(connection, "INSERT OR REPLACE INTO meta(key, value) VALUES ('vectors', $n)", transaction,
            ("$n", vectors.Count.ToString(CultureInfo.InvariantCulture)));

    /// <summary>
    /// The vector file, to read what the rows point to; null when the index holds no embeddings.
    /// Queries must keep to positions below its Count: an import committed after it was opened adds
    /// rows whose vectors it was not opened to read (those rows are newer than this read anyway).
    /// </summary>
    private VectorFile? OpenForRead()
    {
        if (IndexSchema.ReadMeta(connection, "dimensions", null) is not { } d) return null;
        long committed = Committed(null);
        return committed == 0 ? null : VectorFile.OpenForRead(Path, int.Parse(d, CultureInfo.InvariantCulture), committed);
    }

    /// <summary>(row id, embedding) of rows with an embedding and an id above <paramref name="afterId"/>.</summary>
    public IEnumerable<(long Id, Half[] Vector)> EmbeddingsAfter(long afterId)
    {
        using var vectors = OpenForRead();
        if (vectors is null) yield break;
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT id, vector FROM rows WHERE vector < $committed AND id > $after ORDER BY id";
        command.Parameters.AddWithValue("$after", afterId);
        command.Parameters.AddWithValue("$committed", vectors.Count);
        using var reader = command.ExecuteReader();
        while (reader.Read()) yield return (reader.GetInt64(0), vectors.Read(reader.GetInt64(1)));
    }

    /// <summary>The embeddings of a few rows (hash-found candidates whose similarity is wanted).</summary>
    public Dictionary<long, Half[]> Get(IReadOnlyCollection<long> ids)
    {
        var result = new Dictionary<long, Half[]>();
        using var vectors = OpenForRead();
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

    /// <summary>Count and largest id of the rows with embeddings: the stamp a vector cache must match.</summary>
    public (long Count, long MaxId) Stamp()
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*), coalesce(max(id), 0) FROM rows WHERE vector IS NOT NULL";
        using var reader = command.ExecuteReader();
        reader.Read();
        return (reader.GetInt64(0), reader.GetInt64(1));
    }
}
