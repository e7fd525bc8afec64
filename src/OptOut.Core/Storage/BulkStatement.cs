using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace OptOut.Core.Storage;

/// <summary>
/// One prepared statement, bound by position and stepped through SQLite's C API, for the writes
/// that run a million times and the reads that return tens of thousands of rows: Microsoft.Data.Sqlite
/// looks every parameter up by name and converts every value through an object on each execution,
/// which cost about 7 µs a row on a registry claim plus its audit row (more than SQLite's own work
/// for the rows), and reads a column with two calls, each taking the connection's mutex (a large
/// share of an uncapped caption search: docs/index-benchmarks.md). The statement runs inside
/// whatever transaction the connection has open; errors come back as <see cref="SqliteException"/>
/// with SQLite's codes, so busy-retry logic sees them as from any other command.
/// </summary>
internal sealed class BulkStatement : IDisposable
{
    private readonly SqliteConnection connection;
    private readonly sqlite3_stmt statement;

    public BulkStatement(SqliteConnection connection, string sql)
    {
        this.connection = connection;
        int rc = raw.sqlite3_prepare_v2(connection.Handle, sql, out statement);
        if (rc != raw.SQLITE_OK) throw Error(rc);
    }

    /// <summary>Binds parameter <paramref name="index"/> (1-based): text, or NULL.</summary>
    /// <remarks>Bound as UTF-16 straight from the string (SQLite copies and converts it): the
    /// string overload would first copy it into a new UTF-8 array, a garbage object a value. An
    /// empty string goes through that overload: an empty span reaches SQLite as a null pointer,
    /// which it would store as NULL.</remarks>
    public void Bind(int index, string? value) =>
        Check(value is null ? raw.sqlite3_bind_null(statement, index)
            : value.Length == 0 ? raw.sqlite3_bind_text(statement, index, value)
            : raw.sqlite3_bind_text16(statement, index, value.AsSpan()));

    /// <summary>Binds an integer, or NULL.</summary>
    public void Bind(int index, long? value) =>
        Check(value is { } v ? raw.sqlite3_bind_int64(statement, index, v) : raw.sqlite3_bind_null(statement, index));

    /// <summary>Binds a blob, or NULL.</summary>
    public void Bind(int index, byte[]? value) =>
        Check(value is null ? raw.sqlite3_bind_null(statement, index) : raw.sqlite3_bind_blob(statement, index, value));

    /// <summary>Binds a blob from memory the caller owns (SQLite copies it), or NULL when <paramref name="isNull"/>.</summary>
    public void BindBlob(int index, ReadOnlySpan<byte> value, bool isNull = false) =>
        Check(isNull ? raw.sqlite3_bind_null(statement, index) : raw.sqlite3_bind_blob(statement, index, value));

    /// <summary>Runs the statement once with the values bound, then readies it for the next row (the bindings stay until bound again).</summary>
    public void Run()
    {
        int rc = raw.sqlite3_step(statement);
        if (rc != raw.SQLITE_DONE)
        {
            // The message belongs to this step: read it before reset.
            var error = Error(rc);
            raw.sqlite3_reset(statement);
            throw error;
        }
        raw.sqlite3_reset(statement);
    }

    /// <summary>Steps a query: true with a row to read, false when it is done (then bind and step again to rerun it).</summary>
    public bool Step()
    {
        int rc = raw.sqlite3_step(statement);
        if (rc == raw.SQLITE_ROW) return true;
        var error = rc == raw.SQLITE_DONE ? null : Error(rc);
        raw.sqlite3_reset(statement);
        if (error is not null) throw error;
        return false;
    }

    /// <summary>Ends a query before its last row, so it can be bound and run again.</summary>
    public void Reset() => raw.sqlite3_reset(statement);

    public bool IsNull(int column) => raw.sqlite3_column_type(statement, column) == raw.SQLITE_NULL;

    public long Int64(int column) => raw.sqlite3_column_int64(statement, column);

    /// <summary>The column's text, or null.</summary>
    public string? Text(int column)
    {
        var text = raw.sqlite3_column_text(statement, column).utf8_to_string();
        return string.IsNullOrEmpty(text) ? (IsNull(column) ? null : "") : text;
    }

    /// <summary>The column's blob, or null.</summary>
    public byte[]? Blob(int column)
    {
        var bytes = raw.sqlite3_column_blob(statement, column);
        return !bytes.IsEmpty ? bytes.ToArray() : IsNull(column) ? null : [];
    }

    /// <summary>The rowid of the last row this connection inserted.</summary>
    public long LastInsertRowId => raw.sqlite3_last_insert_rowid(connection.Handle);

    private void Check(int rc)
    {
        if (rc != raw.SQLITE_OK) throw Error(rc);
    }

    private SqliteException Error(int rc) =>
        new(raw.sqlite3_errmsg(connection.Handle).utf8_to_string(), rc & 0xFF, raw.sqlite3_extended_errcode(connection.Handle));

    public void Dispose() => statement.Dispose();
}
