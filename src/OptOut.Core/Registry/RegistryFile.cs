using Microsoft.Data.Sqlite;
using OptOut.Core.Index;
using OptOut.Core.Storage;

namespace OptOut.Core.Registry;

/// <summary>
/// Decides whether a file is an OptOut registry before anything is written to it. Opening a path
/// used to create OptOut's tables in whatever database was there, add audit rows and switch it to
/// WAL; a file is now used only when it carries OptOut's mark (the SQLite header's application_id,
/// set by migration 4) or is recognisably a registry written before the mark existed (OptOut's
/// meta, claims, revocations and audit tables with a schema version). Anything else (another
/// program's database, an empty database or file, text, garbage) is refused untouched.
/// </summary>
internal static class RegistryFile
{
    /// <summary>"OptR": the application_id OptOut's registries carry in their SQLite header.</summary>
    public const int ApplicationId = 0x4F707452;

    private static readonly string[] LegacyTables = ["meta", "claims", "revocations", "audit"];

    /// <summary>
    /// True when <paramref name="path"/> is an OptOut registry, false when there is no file there;
    /// throws <see cref="NotARegistryException"/> for anything else. Reads only; creates nothing.
    /// </summary>
    public static bool Check(string path)
    {
        if (Directory.Exists(path)) throw new NotARegistryException(path, "is a folder");
        var file = new FileInfo(path);
        if (!file.Exists) return false;
        // An empty file would be taken by SQLite as an empty database and filled with OptOut's tables;
        // OptOut itself never leaves one (a new registry is built under a temporary name and renamed).
        if (file.Length == 0) throw new NotARegistryException(path, "is an empty file");

        var (applicationId, tables, schema) = Probe(path);
        if (applicationId == ApplicationId) return true;
        if (applicationId != 0)
        {
            throw new NotARegistryException(path, $"is the SQLite database of another application (application_id 0x{applicationId:x8})");
        }
        if (LegacyTables.All(tables.Contains) && int.TryParse(schema, out var version) && version >= 1) return true;
        if (tables.Count == 0) throw new NotARegistryException(path, "is an empty SQLite database");
        throw new NotARegistryException(path, $"is the SQLite database of another application (tables: {string.Join(", ", tables.Order(StringComparer.Ordinal).Take(8))}{(tables.Count > 8 ? ", ..." : "")})");
    }

    // The header's mark and the tables, read through SQLite rather than a FileStream: closing any
    // other descriptor of a database file drops the POSIX locks SQLite holds on it in this process
    // (another runspace may have the registry open), and SQLite's own VFS defers that close. A file
    // without a -wal is read as immutable (no locks, no -wal or -shm created, the WAL not
    // consulted); with a -wal, whose pages may hold the mark or the tables, read-only through it.
    private static (int ApplicationId, HashSet<string> Tables, string? Schema) Probe(string path)
    {
        bool walPresent = File.Exists(path + "-wal");
        var builder = new SqliteConnectionStringBuilder
        {
            DataSource = walPresent ? path : ImmutableUri(path),
            Mode = SqliteOpenMode.ReadOnly,
            Pooling = false,
            DefaultTimeout = SqliteSetup.BusyTimeoutMilliseconds / 1000,
        };
        try
        {
            using var connection = new SqliteConnection(builder.ToString());
            connection.Open();
            SqliteSetup.Execute(connection, $"PRAGMA busy_timeout = {SqliteSetup.BusyTimeoutMilliseconds}");
            int applicationId = SqliteSetup.Scalar<int>(connection, "PRAGMA application_id");
            var tables = new HashSet<string>(StringComparer.Ordinal);
            using (var command = connection.CreateCommand())
            {
                command.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'";
                using var reader = command.ExecuteReader();
                while (reader.Read()) tables.Add(reader.GetString(0));
            }
            string? schema = null;
            if (tables.Contains("meta"))
            {
                try
                {
                    schema = SqliteSetup.Scalar<string>(connection, "SELECT value FROM meta WHERE key = 'schema_version'");
                }
                catch (SqliteException)
                {
                    // Another program's table called meta, without these columns.
                }
            }
            return (applicationId, tables, schema);
        }
        catch (SqliteException e) when (e.SqliteErrorCode is 26 or 11)
        {
            // SQLITE_NOTADB, SQLITE_CORRUPT: not a SQLite database at all.
            throw new NotARegistryException(path, "is not a SQLite database (a text file or other data)");
        }
    }

    // SQLite's URI form of a path (RFC 3986 escapes, which SQLite decodes), with immutable=1.
    private static string ImmutableUri(string path)
    {
        var full = System.IO.Path.GetFullPath(path).Replace('\\', '/');
        var escaped = new System.Text.StringBuilder();
        foreach (var b in System.Text.Encoding.UTF8.GetBytes(full))
        {
            char c = (char)b;
            if (char.IsAsciiLetterOrDigit(c) || c is '/' or '-' or '.' or '_' or '~' or ':') escaped.Append(c);
            else escaped.Append('%').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
        }
        var prefix = full.StartsWith('/') ? "file://" : "file:///";
        return $"{prefix}{escaped}?immutable=1";
    }
}
