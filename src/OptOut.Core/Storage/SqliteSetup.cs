using Microsoft.Data.Sqlite;

namespace OptOut.Core.Storage;

/// <summary>How every OptOut database is opened: WAL, a busy timeout, foreign keys on.</summary>
internal static class SqliteSetup
{
    /// <summary>How long a writer waits for another process's transaction before giving up.</summary>
    public const int BusyTimeoutMilliseconds = 60_000;

    /// <param name="journalModeWal">False leaves a new file in SQLite's rollback-journal mode (an index is created in it, then switched to WAL).</param>
    /// <param name="busyTimeoutMilliseconds">How long a statement waits for another connection's lock (a cache that only saves time waits less than a database of record).</param>
    public static SqliteConnection Open(string path, bool readOnly = false, bool journalModeWal = true, int busyTimeoutMilliseconds = BusyTimeoutMilliseconds)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!readOnly && !string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }
        var builder = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = readOnly ? SqliteOpenMode.ReadOnly : SqliteOpenMode.ReadWriteCreate,
            Pooling = false,
            DefaultTimeout = Math.Max(1, busyTimeoutMilliseconds / 1000),
        };
        var connection = new SqliteConnection(builder.ToString());
        connection.Open();
        Execute(connection, $"PRAGMA busy_timeout = {busyTimeoutMilliseconds}");
        if (!readOnly && journalModeWal)
        {
            Execute(connection, "PRAGMA journal_mode = WAL");
            // WAL with NORMAL sync: a committed transaction survives a process crash; only a power
            // loss may roll back the last commits, never tear one.
            Execute(connection, "PRAGMA synchronous = NORMAL");
        }
        Execute(connection, "PRAGMA foreign_keys = ON");
        // 64 MiB of page cache (the default is 2 MiB): bulk inserts touch several indexes, and a
        // small cache makes every insert a read of index pages from disk.
        Execute(connection, "PRAGMA cache_size = -65536");
        return connection;
    }

    public static int Execute(SqliteConnection connection, string sql, SqliteTransaction? transaction = null, params (string Name, object? Value)[] parameters)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        return command.ExecuteNonQuery();
    }

    public static T? Scalar<T>(SqliteConnection connection, string sql, SqliteTransaction? transaction = null, params (string Name, object? Value)[] parameters)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        var result = command.ExecuteScalar();
        if (result is null or DBNull) return default;
        return (T)Convert.ChangeType(result, Nullable.GetUnderlyingType(typeof(T)) ?? typeof(T), System.Globalization.CultureInfo.InvariantCulture);
    }
}
