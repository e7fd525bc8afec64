using System.Buffers.Binary;
using Microsoft.Data.Sqlite;
using OptOut.Core.Fingerprinting;
using OptOut.Core.Storage;

namespace OptOut.Core.Gate;

/// <summary>
/// The turned views of refused pictures (<c>ContentPictures.AddTurnedViews</c>), kept between gate runs
/// in a SQLite file of their own, so that a gate turns each claimant's picture once rather than at every start
/// (two model runs a claim). Keyed by what the views are made from and how: the picture's SHA-256, the model id
/// and the fingerprinter's view recipe (<see cref="Fingerprinter.ViewRecipe"/>); an entry for another model or
/// recipe is never read. Derived data only: deleting the file costs the next gate the turns, nothing else. A
/// cache that cannot be opened, read or written is left alone (<see cref="Problem"/> says why) and the views are
/// made as without it.
/// </summary>
public sealed class TurnedViewCache : IDisposable
{
    // application_id of the file ("OTVC"): another SQLite file given as the cache is refused untouched.
    private const int ApplicationId = 0x4F545643;
    private const int SchemaVersion = 1;

    private readonly SqliteConnection? connection;

    private TurnedViewCache(string path, SqliteConnection? connection, string? problem)
    {
        Path = path;
        this.connection = connection;
        Problem = problem;
    }

    /// <summary>The cache file.</summary>
    public string Path { get; }

    /// <summary>Why the cache is not used (not opened, or a read or write failed), else null.</summary>
    public string? Problem { get; private set; }

    /// <summary>The default cache: <c>cache/turned-views.db</c> under <c>$OPTOUT_HOME</c> (else <c>~/.optout</c>).</summary>
    public static string DefaultPath => System.IO.Path.Combine(OptOutPaths.Home, "cache", "turned-views.db");

    /// <summary>Opens (or creates) the cache at <paramref name="path"/>; never throws for a file it cannot use.</summary>
    public static TurnedViewCache Open(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        SqliteConnection? connection = null;
        try
        {
            connection = SqliteSetup.Open(path);
            long id = SqliteSetup.Scalar<long>(connection, "PRAGMA application_id");
            long tables = SqliteSetup.Scalar<long>(connection, "SELECT count(*) FROM sqlite_master");
            // Only a file marked as the cache, or an empty one (new, or left empty by a crash before its first commit), is used.
            if (id != ApplicationId && (id != 0 || tables != 0))
            {
                connection.Dispose();
                return new TurnedViewCache(path, null, $"'{path}' is not OptOut's turned-view cache; left untouched");
            }
            if (id == 0)
            {
                // The mark and the table in one transaction: a file left half made by a crash is not marked as the cache's.
                using var transaction = connection.BeginTransaction();
                SqliteSetup.Execute(connection, $"PRAGMA application_id = {ApplicationId}", transaction);
                SqliteSetup.Execute(connection, $"PRAGMA user_version = {SchemaVersion}", transaction);
                SqliteSetup.Execute(connection, """
                    CREATE TABLE IF NOT EXISTS turned_views (
                        sha256 TEXT NOT NULL,
                        model_id TEXT NOT NULL,
                        recipe TEXT NOT NULL,
                        width INTEGER NOT NULL,
                        height INTEGER NOT NULL,
                        views BLOB NOT NULL,
                        made_utc TEXT NOT NULL,
                        PRIMARY KEY (sha256, model_id, recipe)
                    ) WITHOUT ROWID
                    """, transaction);
                transaction.Commit();
            }
            return new TurnedViewCache(path, connection, null);
        }
        catch (Exception e) when (e is SqliteException or IOException or UnauthorizedAccessException)
        {
            connection?.Dispose();
            return new TurnedViewCache(path, null, $"the turned-view cache '{path}' cannot be used ({e.Message})");
        }
    }

    /// <summary>
    /// The cached views of each picture of <paramref name="sha256s"/> (hex, any case) turned by <paramref name="recipe"/>
    /// for <paramref name="modelId"/> with embeddings of <paramref name="dimensions"/> values; pictures not cached, or
    /// cached unreadably, are left out.
    /// </summary>
    public IReadOnlyDictionary<string, CachedViews> Find(IEnumerable<string> sha256s, string modelId, string recipe, int dimensions)
    {
        var found = new Dictionary<string, CachedViews>(StringComparer.OrdinalIgnoreCase);
        if (connection is null) return found;
        try
        {
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT width, height, views FROM turned_views WHERE sha256 = $sha AND model_id = $model AND recipe = $recipe";
            var sha = command.Parameters.Add("$sha", SqliteType.Text);
            command.Parameters.AddWithValue("$model", modelId);
            command.Parameters.AddWithValue("$recipe", recipe);
            foreach (var key in sha256s.Distinct(StringComparer.OrdinalIgnoreCase))
            {
                sha.Value = key.ToUpperInvariant();
                using var reader = command.ExecuteReader();
                if (!reader.Read()) continue;
                if (Decode((byte[])reader.GetValue(2), dimensions) is { } views)
                {
                    found[key] = new CachedViews(reader.GetInt32(0), reader.GetInt32(1), views);
                }
            }
        }
        catch (SqliteException e)
        {
            Problem = $"the turned-view cache '{Path}' cannot be read ({e.Message})";
        }
        return found;
    }

    /// <summary>Keeps <paramref name="made"/> (SHA-256 -> the picture's size and views), replacing older entries of the same key.</summary>
    public void Store(IReadOnlyDictionary<string, CachedViews> made, string modelId, string recipe)
    {
        if (connection is null || made.Count == 0) return;
        try
        {
            using var transaction = connection.BeginTransaction();
            using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = """
                INSERT OR REPLACE INTO turned_views (sha256, model_id, recipe, width, height, views, made_utc)
                VALUES ($sha, $model, $recipe, $width, $height, $views, $made)
                """;
            var sha = command.Parameters.Add("$sha", SqliteType.Text);
            command.Parameters.AddWithValue("$model", modelId);
            command.Parameters.AddWithValue("$recipe", recipe);
            var width = command.Parameters.Add("$width", SqliteType.Integer);
            var height = command.Parameters.Add("$height", SqliteType.Integer);
            var views = command.Parameters.Add("$views", SqliteType.Blob);
            command.Parameters.AddWithValue("$made", DateTime.UtcNow.ToString("O", System.Globalization.CultureInfo.InvariantCulture));
            foreach (var (key, entry) in made)
            {
                sha.Value = key.ToUpperInvariant();
                width.Value = entry.Width;
                height.Value = entry.Height;
                views.Value = Encode(entry.Views);
                command.ExecuteNonQuery();
            }
            transaction.Commit();
        }
        catch (SqliteException e)
        {
            Problem = $"the turned-view cache '{Path}' cannot be written ({e.Message})";
        }
    }

    /// <inheritdoc />
    public void Dispose() => connection?.Dispose();

    // Little-endian: a view count, then per view its perceptual hash, its value count and the values.
    internal static byte[] Encode(IReadOnlyList<ImageView> views)
    {
        int size = 4 + views.Sum(v => 12 + 4 * v.Embedding.Length);
        var bytes = new byte[size];
        var span = bytes.AsSpan();
        BinaryPrimitives.WriteInt32LittleEndian(span, views.Count);
        int at = 4;
        foreach (var view in views)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(span[at..], view.PerceptualHash);
            BinaryPrimitives.WriteInt32LittleEndian(span[(at + 8)..], view.Embedding.Length);
            at += 12;
            foreach (var value in view.Embedding)
            {
                BinaryPrimitives.WriteSingleLittleEndian(span[at..], value);
                at += 4;
            }
        }
        return bytes;
    }

    // Null for an entry that is not what Encode wrote for this model's vectors (damaged, or another length):
    // it is made again and replaced.
    internal static IReadOnlyList<ImageView>? Decode(byte[] bytes, int dimensions)
    {
        var span = bytes.AsSpan();
        if (span.Length < 4) return null;
        int count = BinaryPrimitives.ReadInt32LittleEndian(span);
        if (count < 1 || (long)count * (12 + 4L * dimensions) != span.Length - 4) return null;
        var views = new List<ImageView>(count);
        int at = 4;
        for (int i = 0; i < count; i++)
        {
            ulong hash = BinaryPrimitives.ReadUInt64LittleEndian(span[at..]);
            if (BinaryPrimitives.ReadInt32LittleEndian(span[(at + 8)..]) != dimensions) return null;
            at += 12;
            var embedding = new float[dimensions];
            for (int j = 0; j < dimensions; j++, at += 4)
            {
                embedding[j] = BinaryPrimitives.ReadSingleLittleEndian(span[at..]);
                if (!float.IsFinite(embedding[j])) return null;
            }
            views.Add(new ImageView(hash, embedding));
        }
        return views;
    }
}
