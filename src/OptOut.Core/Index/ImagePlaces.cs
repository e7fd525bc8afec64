using Microsoft.Data.Sqlite;
using OptOut.Core.Storage;

namespace OptOut.Core.Index;

/// <summary>
/// The folders and tar files that hold rows' images, one row each in <c>image_places</c>: a shard's
/// rows name their folder or tar by id instead of repeating its path.
/// </summary>
internal sealed class ImagePlaces(SqliteConnection connection, SqliteTransaction transaction)
{
    private readonly Dictionary<string, long> ids = new(StringComparer.Ordinal);

    public long IdOf(string path)
    {
        if (ids.TryGetValue(path, out long id)) return id;
        var full = Path.GetFullPath(path);
        SqliteSetup.Execute(connection, "INSERT OR IGNORE INTO image_places(path) VALUES ($p)", transaction, ("$p", full));
        id = SqliteSetup.Scalar<long>(connection, "SELECT id FROM image_places WHERE path = $p", transaction, ("$p", full));
        ids[path] = id;
        return id;
    }
}
