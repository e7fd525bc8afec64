using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using Microsoft.Data.Sqlite;

namespace OptOut.Core.Index;

/// <summary>
/// Tells an OptOut index from any other file before it is opened for writing: opening another
/// application's database (or the registry, or a text file) as an index used to create the index's
/// tables in it and switch it to WAL. The index is marked with its own SQLite application id
/// (<see cref="ApplicationId"/>, in the database header); indexes written before the mark are
/// recognised by their tables and meta, and marked at their next import.
/// </summary>
internal static class IndexFile
{
    // Columns only an OptOut index's rows table has: how an unmarked index of today's schema is recognised.
    private static readonly string[] IndexRowColumns = ["url_hash", "host_rev", "phash", "shard_id"];

    /// <summary>
    /// The SQLite application id of an OptOut training-set index: 'OPTI' in ASCII. The registry has
    /// an id of its own, so neither store can be taken for the other.
    /// </summary>
    public const int ApplicationId = 0x4F50_5449;

    private static ReadOnlySpan<byte> SqliteMagic => "SQLite format 3\0"u8;

    // The database header: 100 bytes, the application id a big-endian 32-bit integer at offset 68.
    private const int HeaderBytes = 100;
    private const int ApplicationIdOffset = 68;

    private static readonly string[] IndexTables = ["meta", "datasets", "shards", "rows"];

    /// <summary>
    /// What the file at <paramref name="path"/> is. Reads its header, and where that does not decide,
    /// its schema through a read-only connection that writes nothing (no journal, -wal or -shm file is
    /// created, the file's bytes and time stamps are left as they are).
    /// </summary>
    public static IndexFileState Inspect(string path)
    {
        if (Directory.Exists(path)) return new(IndexFileKind.NotAnIndex, Reason: "it is a folder");
        var file = new FileInfo(path);
        if (!file.Exists) return new(IndexFileKind.Missing);
        if (file.Length == 0) return new(IndexFileKind.Empty);

        var header = new byte[HeaderBytes];
        int read;
        using (var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete))
        {
            read = stream.ReadAtLeast(header, HeaderBytes, throwOnEndOfStream: false);
        }
        if (read < HeaderBytes || !header.AsSpan(0, SqliteMagic.Length).SequenceEqual(SqliteMagic))
        {
            return new(IndexFileKind.NotAnIndex, Reason: "it is not a SQLite database");
        }
        int applicationId = BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(ApplicationIdOffset));
        if (applicationId != 0 && applicationId != ApplicationId) return OtherApplication(applicationId);

        try
        {
            return InspectSchema(path);
        }
        catch (SqliteException e)
        {
            return new(IndexFileKind.NotAnIndex, Reason: $"SQLite cannot read it: {e.Message}");
        }
    }

    private static IndexFileState OtherApplication(int applicationId)
    {
        var ascii = Encoding.ASCII.GetString(BitConverter.GetBytes(BinaryPrimitives.ReverseEndianness(applicationId)));
        var shown = ascii.All(c => c is >= ' ' and <= '~') ? $" '{ascii}'" : "";
        return new(IndexFileKind.NotAnIndex,
            Reason: string.Create(CultureInfo.InvariantCulture, $"it is the SQLite database of another application or store, application id 0x{applicationId:X8}{shown}"));
    }

    private static IndexFileState InspectSchema(string path)
    {
        using var connection = OpenWithoutWriting(path);
        // The header read above may be older than the database's last commits when they are still in
        // its -wal file; SQLite's own answer includes them.
        int applicationId = (int)(long)Scalar(connection, "PRAGMA application_id")!;
        if (applicationId != 0 && applicationId != ApplicationId) return OtherApplication(applicationId);

        var tables = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT name FROM sqlite_schema WHERE type = 'table'";
            using var reader = command.ExecuteReader();
            while (reader.Read()) tables.Add(reader.GetString(0));
        }
        bool marked = applicationId == ApplicationId;
        if (!IndexTables.All(tables.Contains))
        {
            return new(IndexFileKind.NotAnIndex, Reason: tables.Count == 0
                ? "it is a SQLite database without tables, not one OptOut created"
                : marked ? "it is marked as an OptOut index but lacks the index's tables" : "it is a SQLite database without OptOut's index tables");
        }
        var version = Scalar(connection, "SELECT value FROM meta WHERE key = 'schema_version'") as string;
        if (version is null || !int.TryParse(version, NumberStyles.None, CultureInfo.InvariantCulture, out int number))
        {
            return new(IndexFileKind.NotAnIndex, Reason: "it has tables named like OptOut's index tables but no OptOut schema version");
        }
        if (!marked)
        {
            // Before the mark, an index was recognisable by its rows table's own columns too.
            var columns = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT name FROM pragma_table_info('rows')";
            using var reader = command.ExecuteReader();
            while (reader.Read()) columns.Add(reader.GetString(0));
            if (!IndexRowColumns.All(columns.Contains))
            {
                return new(IndexFileKind.NotAnIndex, Reason: "it is a SQLite database whose tables are not OptOut's index tables");
            }
        }
        if (number > IndexSchema.Version) return new(IndexFileKind.Newer, version);
        if (number < IndexSchema.Version) return new(IndexFileKind.NeedsMigration, version);
        return new(marked ? IndexFileKind.Current : IndexFileKind.Unmarked, version);
    }

    /// <summary>
    /// A read-only connection that creates nothing beside the file. Without a -wal file the database
    /// is opened immutable (no locks, no -shm: SQLite would otherwise create -wal and -shm files for a
    /// database in WAL mode even to read it); with one, read-only as SQLite reads a live WAL database.
    /// </summary>
    private static SqliteConnection OpenWithoutWriting(string path)
    {
        var full = Path.GetFullPath(path);
        string dataSource = File.Exists(full + "-wal") ? full : new Uri(full).AbsoluteUri + "?immutable=1";
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = dataSource,
            Mode = SqliteOpenMode.ReadOnly,
            Pooling = false,
        }.ToString());
        connection.Open();
        return connection;
    }

    private static object? Scalar(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        var value = command.ExecuteScalar();
        return value is DBNull ? null : value;
    }
}
