using Npgsql;

namespace OptOut.Core.Registry.Postgres;

/// <summary>
/// The PostgreSQL registry's schema (in the schema <c>optout</c>), version by version, as
/// <see cref="RegistryMigrations"/> for SQLite: each step runs once, in a transaction, under the
/// registry's write lock, and is audited; steps are only ever appended. Its version 1 holds what
/// SQLite's four versions built: the same tables and columns (times as the same UTC text, so
/// records and exports are byte for byte the same), one index for every lookup, and the
/// append-only rule as triggers that raise on UPDATE, DELETE and TRUNCATE. Version 2 makes a bulk
/// add cheaper for the server, keeping every row as it was.
/// </summary>
internal static class PostgresMigrations
{
    public static readonly IReadOnlyList<(int Version, string Description, string Sql)> Steps =
    [
        (1, "claims, revocations and the audit log (PostgreSQL)", """
            CREATE SCHEMA IF NOT EXISTS optout;
            CREATE TABLE optout.meta(key text PRIMARY KEY, value text NOT NULL);
            CREATE TABLE optout.claims(
                seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                id text NOT NULL UNIQUE,
                decision text NOT NULL CHECK (decision IN ('Refuse', 'Grant')),
                kind text NOT NULL CHECK (kind IN ('Url', 'Domain', 'Content')),
                target text COLLATE "C" NOT NULL,
                host_rev text COLLATE "C",
                phash bigint,
                embedding bytea,
                model_id text,
                claimant text NOT NULL,
                reason text,
                evidence text,
                created_at text NOT NULL,
                origin text NOT NULL DEFAULT 'local');
            -- One index for every lookup, as SQLite's claims_where: a URL by its reversed host and
            -- URL, a domain and its subdomains as one range of reversed hosts ("C" collation: the
            -- same byte order as SQLite), a content claim by its hash (no host: '').
            CREATE INDEX claims_where ON optout.claims(kind, (coalesce(host_rev, '')), target);
            CREATE TABLE optout.revocations(
                claim_id text PRIMARY KEY REFERENCES optout.claims(id),
                revoked_at text NOT NULL,
                revoked_by text NOT NULL,
                reason text);
            CREATE TABLE optout.audit(
                seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                at text NOT NULL,
                "user" text NOT NULL,
                action text NOT NULL,
                record_id text,
                reason text,
                detail text);
            CREATE FUNCTION optout.append_only() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION 'optout.% is append-only: % refused', TG_TABLE_NAME, TG_OP USING ERRCODE = 'P0001';
            END $$;
            CREATE TRIGGER claims_append_only BEFORE UPDATE OR DELETE ON optout.claims FOR EACH ROW EXECUTE FUNCTION optout.append_only();
            CREATE TRIGGER claims_no_truncate BEFORE TRUNCATE ON optout.claims FOR EACH STATEMENT EXECUTE FUNCTION optout.append_only();
            CREATE TRIGGER revocations_append_only BEFORE UPDATE OR DELETE ON optout.revocations FOR EACH ROW EXECUTE FUNCTION optout.append_only();
            CREATE TRIGGER revocations_no_truncate BEFORE TRUNCATE ON optout.revocations FOR EACH STATEMENT EXECUTE FUNCTION optout.append_only();
            CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON optout.audit FOR EACH ROW EXECUTE FUNCTION optout.append_only();
            CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON optout.audit FOR EACH STATEMENT EXECUTE FUNCTION optout.append_only();
            """),
        // What a bulk add pays the server for each claim, less (docs/registry.md, "The schema's
        // ceiling"). Ids, decisions and kinds compare byte by byte ("C") instead of by the database's
        // collation (strcoll, each comparison in the id index and in claims_where); their text is
        // kept exactly as it was (ids stay text: a uuid column would print imported upper-case ids
        // in lower case, for no measurable gain over "C"). claims_where leaves out kind, which
        // lookups still filter on (a URL, a host and a content hash never share a key: targets of
        // different kinds differ), and deduplication, which found nothing to merge in its keys and
        // cost a pass over each full page before it split. No row is rewritten: a change of
        // collation keeps the tables' rows and rebuilds their indexes.
        (2, "byte-order keys and a narrower claims_where (PostgreSQL)", """
            ALTER TABLE optout.revocations DROP CONSTRAINT revocations_claim_id_fkey;
            ALTER TABLE optout.claims
                ALTER COLUMN id TYPE text COLLATE "C",
                ALTER COLUMN decision TYPE text COLLATE "C",
                ALTER COLUMN kind TYPE text COLLATE "C";
            ALTER TABLE optout.revocations ALTER COLUMN claim_id TYPE text COLLATE "C";
            ALTER TABLE optout.revocations ADD CONSTRAINT revocations_claim_id_fkey FOREIGN KEY (claim_id) REFERENCES optout.claims(id);
            DROP INDEX optout.claims_where;
            CREATE INDEX claims_where ON optout.claims((coalesce(host_rev, '')), target) WITH (deduplicate_items = off);
            """),
    ];

    public static int Latest => Steps[^1].Version;

    /// <summary>The registry's write lock (a transaction-level advisory lock): one writer at a time, as SQLite's BEGIN IMMEDIATE.</summary>
    public const string LockSql = "SELECT pg_advisory_xact_lock(1332770898)";

    /// <summary>
    /// Brings the schema to the latest version (or to <paramref name="upTo"/>: tests build an older
    /// registry through the same steps); refuses (untouched) one from a newer OptOut.
    /// </summary>
    public static void Apply(NpgsqlConnection connection, string user, string display, int upTo = int.MaxValue)
    {
        // Writers that find an empty database at the same moment all try to create the registry. The
        // advisory lock orders them, but a waiter's catalog lookups can still miss what the first one
        // committed (PostgreSQL refreshes its caches on relation locks, not on advisory ones), so its
        // CREATE meets the objects already there: it rolls back and looks again in a new transaction.
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                ApplyOnce(connection, user, display, Math.Min(upTo, Latest));
                return;
            }
            catch (PostgresException e) when (attempt < 3 && e.SqlState is PostgresErrorCodes.DuplicateTable or PostgresErrorCodes.DuplicateSchema
                or PostgresErrorCodes.DuplicateObject or PostgresErrorCodes.DuplicateFunction or PostgresErrorCodes.UniqueViolation)
            {
            }
        }
    }

    private static void ApplyOnce(NpgsqlConnection connection, string user, string display, int upTo)
    {
        int seen = CurrentVersion(connection, null);
        if (seen > Latest) throw Newer(display, seen);
        if (seen >= upTo) return;
        using var transaction = connection.BeginTransaction();
        Execute(connection, transaction, LockSql);
        int current = CurrentVersion(connection, transaction);
        if (current > Latest) throw Newer(display, current);
        foreach (var (version, description, sql) in Steps)
        {
            if (version <= current || version > upTo) continue;
            Execute(connection, transaction, sql);
            Execute(connection, transaction, "INSERT INTO optout.meta(key, value) VALUES ('schema_version', $1) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                version.ToString(System.Globalization.CultureInfo.InvariantCulture));
            Execute(connection, transaction, """INSERT INTO optout.audit(at, "user", action, reason, detail) VALUES ($1, $2, 'Migrate', $3, $4)""",
                RegistryStore.Timestamp(DateTime.UtcNow), user, description, $"schema {current} -> {version}");
            current = version;
        }
        transaction.Commit();
    }

    public static InvalidDataException Newer(string display, int version) =>
        new($"The registry '{display}' was written by a newer OptOut (schema {version}; this one knows up to {Latest}). Nothing was changed.");

    /// <summary>0 when the database holds no registry (no optout.meta).</summary>
    public static int CurrentVersion(NpgsqlConnection connection, NpgsqlTransaction? transaction)
    {
        using var command = new NpgsqlCommand("SELECT to_regclass('optout.meta') IS NOT NULL", connection, transaction);
        if (!(bool)command.ExecuteScalar()!) return 0;
        using var version = new NpgsqlCommand("SELECT value FROM optout.meta WHERE key = 'schema_version'", connection, transaction);
        return version.ExecuteScalar() is string value ? int.Parse(value, System.Globalization.CultureInfo.InvariantCulture) : 0;
    }

    internal static void Execute(NpgsqlConnection connection, NpgsqlTransaction? transaction, string sql, params object?[] values)
    {
        using var command = new NpgsqlCommand(sql, connection, transaction);
        foreach (var value in values) command.Parameters.Add(new NpgsqlParameter { Value = value ?? DBNull.Value });
        command.ExecuteNonQuery();
    }
}
