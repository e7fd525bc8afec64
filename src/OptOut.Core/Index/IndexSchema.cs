using System.Globalization;
using Microsoft.Data.Sqlite;
using OptOut.Core.Storage;

namespace OptOut.Core.Index;

/// <summary>
/// The index file's tables, its mark and its meta values: what creating, marking and migrating an
/// index write, and what every part of an open index reads its settings from.
/// </summary>
internal static class IndexSchema
{
    public const int Version = 3;

    // The secondary indexes on rows. The first shard imported into an empty index is inserted
    // without them and they are built after it, in the same transaction: one sort instead of a
    // million random B-tree inserts (figures: docs/index-benchmarks.md, "Figures behind choices in code").
    public const string RowIndexes = """
        CREATE INDEX IF NOT EXISTS rows_url ON rows(url_hash);
        CREATE INDEX IF NOT EXISTS rows_host ON rows(host_rev);
        CREATE INDEX IF NOT EXISTS rows_sha256 ON rows(sha256) WHERE sha256 IS NOT NULL;
        CREATE INDEX IF NOT EXISTS rows_md5 ON rows(md5) WHERE md5 IS NOT NULL;
        """;

    public const string DropRowIndexes = "DROP INDEX IF EXISTS rows_url; DROP INDEX IF EXISTS rows_host; DROP INDEX IF EXISTS rows_sha256; DROP INDEX IF EXISTS rows_md5;";

    public static IndexSchemaTooNewException NewerSchema(string? version) => new(version);

    /// <summary>
    /// Creates a new index's schema with its mark in one transaction, before the file is switched to
    /// WAL: killed midway, the file is left empty (rolled back from its journal), never a database
    /// without the mark that a later open would refuse as another application's.
    /// </summary>
    public static void CreateMarked(string path)
    {
        using var connection = SqliteSetup.Open(path, readOnly: false, journalModeWal: false);
        CreateTables(connection);
    }

    /// <summary>Creates what is missing of the schema, migrates an earlier one, and refuses a newer one.</summary>
    public static void Create(SqliteConnection connection, string vectorPath)
    {
        CreateTables(connection);
        IndexMigrations.Run(connection, vectorPath);
        var version = ReadMeta(connection, "schema_version", null);
        if (version != Version.ToString(CultureInfo.InvariantCulture)) throw NewerSchema(version);
    }

    private static void CreateTables(SqliteConnection connection)
    {
        using var transaction = connection.BeginTransaction();
        // The mark goes in with the tables (and on an index written before marks existed, at its
        // first import): the header's application id is part of the transaction.
        SqliteSetup.Execute(connection, $"PRAGMA application_id = {IndexFile.ApplicationId}", transaction);
        SqliteSetup.Execute(connection, """
            CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
            CREATE TABLE IF NOT EXISTS datasets(
                id INTEGER PRIMARY KEY,
                name TEXT NOT NULL UNIQUE COLLATE NOCASE,
                created_at TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS shards(
                id INTEGER PRIMARY KEY,
                dataset_id INTEGER NOT NULL REFERENCES datasets(id),
                source TEXT NOT NULL,
                identity TEXT NOT NULL,
                layout TEXT NOT NULL,
                rows INTEGER NOT NULL DEFAULT 0,
                fingerprinted INTEGER NOT NULL DEFAULT 0,
                skipped INTEGER NOT NULL DEFAULT 0,
                errors INTEGER NOT NULL DEFAULT 0,
                imported_at TEXT NOT NULL,
                UNIQUE(dataset_id, identity));
            CREATE TABLE IF NOT EXISTS rows(
                id INTEGER PRIMARY KEY,
                dataset_id INTEGER NOT NULL,
                shard_id INTEGER NOT NULL,
                key TEXT,
                url TEXT,
                url_hash INTEGER,
                host_rev TEXT,
                caption TEXT,
                width INTEGER,
                height INTEGER,
                sha256 BLOB,
                md5 BLOB,
                phash INTEGER,
                vector INTEGER,
                image_place INTEGER,
                image_member TEXT,
                image_offset INTEGER,
                image_length INTEGER);
            CREATE TABLE IF NOT EXISTS image_places(id INTEGER PRIMARY KEY, path TEXT NOT NULL UNIQUE);
            CREATE TABLE IF NOT EXISTS local_features(row_id INTEGER PRIMARY KEY, features BLOB NOT NULL);
            INSERT OR IGNORE INTO meta(key, value) VALUES ('schema_version', '3');
            INSERT OR IGNORE INTO meta(key, value) VALUES ('index_id', lower(hex(randomblob(16))));
            """ + RowIndexes, transaction);
        transaction.Commit();
    }

    /// <summary>One value of the index's meta table, inside <paramref name="transaction"/> when given.</summary>
    public static string? ReadMeta(SqliteConnection connection, string key, SqliteTransaction? transaction) =>
        SqliteSetup.Scalar<string>(connection, "SELECT value FROM meta WHERE key = $k", transaction, ("$k", key));
}
