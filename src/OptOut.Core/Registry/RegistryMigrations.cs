using Microsoft.Data.Sqlite;
using OptOut.Core.Storage;

namespace OptOut.Core.Registry;

/// <summary>
/// The registry's schema, version by version. A registry is never rebuilt: each version's step
/// runs once, in a transaction, on registries written by older versions, and is audited. Steps are
/// only ever appended to this list.
/// </summary>
internal static class RegistryMigrations
{
    public static readonly IReadOnlyList<(int Version, string Description, string Sql)> Steps =
    [
        (1, "claims, revocations and the audit log", """
            CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
            CREATE TABLE claims(
                seq INTEGER PRIMARY KEY,
                id TEXT NOT NULL UNIQUE,
                decision TEXT NOT NULL CHECK (decision IN ('Refuse', 'Grant')),
                kind TEXT NOT NULL CHECK (kind IN ('Url', 'Domain', 'Content')),
                target TEXT NOT NULL,
                host_rev TEXT,
                phash INTEGER,
                embedding BLOB,
                model_id TEXT,
                claimant TEXT NOT NULL,
                reason TEXT,
                evidence TEXT,
                created_at TEXT NOT NULL);
            CREATE INDEX claims_target ON claims(kind, target);
            CREATE INDEX claims_host ON claims(host_rev) WHERE host_rev IS NOT NULL;
            CREATE TABLE revocations(
                claim_id TEXT PRIMARY KEY REFERENCES claims(id),
                revoked_at TEXT NOT NULL,
                revoked_by TEXT NOT NULL,
                reason TEXT);
            CREATE TABLE audit(
                seq INTEGER PRIMARY KEY,
                at TEXT NOT NULL,
                user TEXT NOT NULL,
                action TEXT NOT NULL,
                record_id TEXT,
                reason TEXT,
                detail TEXT);
            CREATE TRIGGER claims_append_only_update BEFORE UPDATE ON claims BEGIN SELECT RAISE(ABORT, 'claims are append-only'); END;
            CREATE TRIGGER claims_append_only_delete BEFORE DELETE ON claims BEGIN SELECT RAISE(ABORT, 'claims are append-only'); END;
            CREATE TRIGGER revocations_append_only_update BEFORE UPDATE ON revocations BEGIN SELECT RAISE(ABORT, 'revocations are append-only'); END;
            CREATE TRIGGER revocations_append_only_delete BEFORE DELETE ON revocations BEGIN SELECT RAISE(ABORT, 'revocations are append-only'); END;
            CREATE TRIGGER audit_append_only_update BEFORE UPDATE ON audit BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
            CREATE TRIGGER audit_append_only_delete BEFORE DELETE ON audit BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
            -- REPLACE (INSERT OR REPLACE) deletes the old row without firing delete triggers unless
            -- recursive_triggers is on; refusing an insert over an existing key closes that door.
            CREATE TRIGGER claims_no_replace BEFORE INSERT ON claims
                WHEN EXISTS (SELECT 1 FROM claims WHERE id = NEW.id) OR (NEW.seq IS NOT NULL AND EXISTS (SELECT 1 FROM claims WHERE seq = NEW.seq))
                BEGIN SELECT RAISE(ABORT, 'claims are append-only'); END;
            CREATE TRIGGER revocations_no_replace BEFORE INSERT ON revocations
                WHEN EXISTS (SELECT 1 FROM revocations WHERE claim_id = NEW.claim_id)
                BEGIN SELECT RAISE(ABORT, 'revocations are append-only'); END;
            CREATE TRIGGER audit_no_replace BEFORE INSERT ON audit
                WHEN NEW.seq IS NOT NULL AND EXISTS (SELECT 1 FROM audit WHERE seq = NEW.seq)
                BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
            """),
        // Claimant and date filters scan (a million records in well under a second); every index
        // on claims costs each of the bulk inserts, which is where users wait.
        (2, "record where each claim came from (imported lists keep their origin)", """
            ALTER TABLE claims ADD COLUMN origin TEXT NOT NULL DEFAULT 'local';
            """),
        // Each index on claims is a B-tree every bulk insert lands in at a random place: one index
        // that serves every lookup (a URL by its host and URL, a domain and its subdomains by the
        // reversed host, a content claim by its hash) instead of two makes bulk adds faster
        // (docs/index-benchmarks.md, "Figures behind choices in code"). Indexes only: no record is touched.
        (3, "one index for every claim lookup (faster bulk adds)", """
            CREATE INDEX claims_where ON claims(kind, host_rev, target);
            DROP INDEX claims_target;
            DROP INDEX claims_host;
            """),
        // A file is an OptOut registry when SQLite's header says so (application_id, read without
        // running a query), not because OptOut happened to be pointed at it: before this mark, a
        // read of another program's database created these tables in it. Registries from before
        // the mark are recognised by their tables (RegistryFile) and marked here. The header only.
        (4, "mark the file as an OptOut registry (SQLite application_id)", $"""
            PRAGMA application_id = {RegistryFile.ApplicationId};
            """),
    ];

    public static int Latest => Steps[^1].Version;

    /// <summary>Brings the schema to <paramref name="target"/> (the latest by default).</summary>
    public static void Apply(SqliteConnection connection, string user, int? target = null)
    {
        int wanted = target ?? Latest;
        // Opening an up-to-date registry must not take the write lock: readers and other writers
        // open it all the time. The version is checked again inside the transaction.
        int seen = CurrentVersion(connection);
        if (seen == wanted || (seen > wanted && seen <= Latest)) return;
        using var transaction = connection.BeginTransaction(deferred: false);
        int current = CurrentVersion(connection, transaction);
        if (current > Latest)
        {
            throw new InvalidDataException($"The registry was written by a newer OptOut (schema {current}; this one knows up to {Latest}). Nothing was changed.");
        }
        foreach (var (version, description, sql) in Steps)
        {
            if (version <= current || version > wanted) continue;
            SqliteSetup.Execute(connection, sql, transaction);
            SqliteSetup.Execute(connection, "INSERT OR REPLACE INTO meta(key, value) VALUES ('schema_version', $v)", transaction, ("$v", version.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            // The header's user_version mirrors meta's schema_version, so tools that read only the
            // header (file(1), sqlite3 .dbinfo) see the version too; meta stays the one that counts.
            SqliteSetup.Execute(connection, $"PRAGMA user_version = {version}", transaction);
            SqliteSetup.Execute(connection, "INSERT INTO audit(at, user, action, reason, detail) VALUES ($at, $user, 'Migrate', $reason, $detail)", transaction,
                ("$at", RegistryStore.Timestamp(DateTime.UtcNow)), ("$user", user), ("$reason", description), ("$detail", $"schema {current} -> {version}"));
            current = version;
        }
        transaction.Commit();
    }

    public static int CurrentVersion(SqliteConnection connection, SqliteTransaction? transaction = null)
    {
        bool hasMeta = SqliteSetup.Scalar<long>(connection, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'meta'", transaction) > 0;
        if (!hasMeta) return 0;
        var value = SqliteSetup.Scalar<string>(connection, "SELECT value FROM meta WHERE key = 'schema_version'", transaction);
        return value is null ? 0 : int.Parse(value, System.Globalization.CultureInfo.InvariantCulture);
    }
}
