using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using OptOut.Core.Urls;
using OptOut.Core.Storage;

namespace OptOut.Core.Registry;

/// <summary>
/// The consent registry: the data users must never lose. A SQLite file (WAL) with a versioned
/// schema; claims, revocations and the audit log are append-only (triggers refuse updates and
/// deletes). Every write is one transaction (BEGIN IMMEDIATE, busy timeout, retried when another
/// process holds the lock), so a killed writer leaves whole batches or nothing.
/// </summary>
internal sealed class RegistryStore : IConsentRegistry
{
    private readonly SqliteConnection connection;

    private RegistryStore(string path, SqliteConnection connection, int schemaVersion, bool readOnly)
    {
        Path = path;
        this.connection = connection;
        SchemaVersion = schemaVersion;
        IsReadOnly = readOnly;
    }

    public string Path { get; }

    public int SchemaVersion { get; }

    /// <summary>Opened by <see cref="OpenReadOnly"/>: nothing can be written through it.</summary>
    public bool IsReadOnly { get; }

    /// <summary>
    /// For a registry opened read-only whose schema is older than this OptOut's: that it was read as
    /// it is, and what upgrades it. Null when it is up to date.
    /// </summary>
    public string? UpgradeNote => SchemaVersion < RegistryMigrations.Latest
        ? $"The registry '{Path}' has schema {SchemaVersion} (this OptOut writes {RegistryMigrations.Latest}); it was read as it is, without changing it. "
            + "The next command that writes to it (Add-OptOut, Add-OptIn, Remove-OptOut or Import-OptOutList) upgrades it."
        : null;

    /// <summary>
    /// Opens the registry at <paramref name="path"/> for writing, creating it when there is no file
    /// and migrating an older one. A file that is not an OptOut registry is refused untouched
    /// (<see cref="NotARegistryException"/>), as is one from a newer OptOut (<see cref="InvalidDataException"/>).
    /// </summary>
    /// <param name="schemaVersion">Stop migrating at this version (tests build old registries with it).</param>
    public static RegistryStore Open(string path, string user, int? schemaVersion = null)
    {
        var full = System.IO.Path.GetFullPath(path);
        if (!RegistryFile.Check(full)) Create(full, user, schemaVersion);
        var connection = SqliteSetup.Open(full);
        // 256 MiB of page cache at most (as the index): a bulk add of a million claims lands all
        // over the claims index, and pages read back from disk cost more than the inserts.
        SqliteSetup.Execute(connection, "PRAGMA cache_size = -262144");
        try
        {
            WithRetry(() => RegistryMigrations.Apply(connection, user, schemaVersion));
        }
        catch
        {
            connection.Dispose();
            throw;
        }
        return new RegistryStore(full, connection, RegistryMigrations.CurrentVersion(connection), readOnly: false);
    }

    /// <summary>
    /// Opens an existing registry for reading only (SQLite's read-only mode): nothing is created,
    /// migrated or audited, whatever the file is. A registry with an older schema is read as it is
    /// (<see cref="UpgradeNote"/>); a file that is not an OptOut registry, or none at all, is refused.
    /// </summary>
    public static RegistryStore OpenReadOnly(string path)
    {
        var full = System.IO.Path.GetFullPath(path);
        if (!RegistryFile.Check(full)) throw new FileNotFoundException($"There is no registry at '{full}'.", full);
        var connection = SqliteSetup.Open(full, readOnly: true);
        try
        {
            SqliteSetup.Execute(connection, "PRAGMA cache_size = -262144");
            int version = RegistryMigrations.CurrentVersion(connection);
            if (version > RegistryMigrations.Latest)
            {
                throw new InvalidDataException($"The registry '{full}' was written by a newer OptOut (schema {version}; this one knows up to {RegistryMigrations.Latest}). Nothing was changed.");
            }
            return new RegistryStore(full, connection, version, readOnly: true);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    // A new registry is built whole under a temporary name and renamed into place without
    // replacing anything, so no path ever holds a half-made registry (an empty file or an empty
    // database, which RegistryFile refuses as not a registry). When two processes create the same
    // registry at once, one rename wins and the other opens the winner's file.
    private static void Create(string path, string user, int? schemaVersion)
    {
        var folder = System.IO.Path.GetDirectoryName(path)!;
        Directory.CreateDirectory(folder);
        var temporary = System.IO.Path.Combine(folder, $".{System.IO.Path.GetFileName(path)}.{Guid.NewGuid():N}.new");
        try
        {
            // Closing the only connection checkpoints the WAL into the file and removes -wal and -shm.
            using (var connection = SqliteSetup.Open(temporary))
            {
                RegistryMigrations.Apply(connection, user, schemaVersion);
            }
            try
            {
                File.Move(temporary, path, overwrite: false);
            }
            catch (IOException) when (File.Exists(path))
            {
                // Another process created it first: theirs is used.
            }
        }
        finally
        {
            foreach (var leftover in new[] { temporary, temporary + "-wal", temporary + "-shm", temporary + "-journal" })
            {
                if (File.Exists(leftover)) File.Delete(leftover);
            }
        }
    }

    // "O" of a UTC time is exactly the registry's format (yyyy-MM-ddTHH:mm:ss.fffffffZ) and has a
    // fast path in .NET; bulk adds write two of these a claim.
    internal static string Timestamp(DateTime utc) =>
        (utc.Kind == DateTimeKind.Utc ? utc : utc.ToUniversalTime()).ToString("O", CultureInfo.InvariantCulture);

    // Exports read a million of these: the exact format the registry writes is parsed first (several
    // times faster than the general parser), anything else (older or hand-made rows) as before.
    internal static DateTime ParseTimestamp(string value) =>
        DateTime.TryParseExact(value, "yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture,
            DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var exact)
            ? exact
            : DateTime.Parse(value, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);

    // SQLite answers BUSY when another process holds the write lock past the busy timeout, or when
    // a deferred reader must be upgraded; the whole transaction is run again.
    private static T WithRetry<T>(Func<T> work)
    {
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                return work();
            }
            catch (SqliteException e) when (e.SqliteErrorCode is 5 or 6 && attempt < 20)
            {
                Thread.Sleep(Random.Shared.Next(20, 200) * attempt);
            }
        }
    }

    private static void WithRetry(Action work) => WithRetry(() => { work(); return 0; });

    // ---- writing -----------------------------------------------------------------------------

    /// <summary>
    /// Adds claims in one transaction. A claim identical to an active one (same decision, kind and
    /// target) changes nothing and returns the existing record. A claim that cannot be recorded
    /// (<see cref="NewRecord(NewClaim, DateTime)"/>) throws before anything is written.
    /// </summary>
    public IReadOnlyList<AddOutcome> AddClaims(IReadOnlyList<NewClaim> claims, string user)
    {
        var now = DateTime.UtcNow;
        return AddRecords(claims.Select(c => NewRecord(c, now)).ToList(), user);
    }

    /// <summary>
    /// Adds records made by <see cref="NewRecord(NewClaim, DateTime)"/> in one transaction, as <see cref="AddClaims"/>.
    /// Bulk writers make the records as claims arrive (reporting the ones that cannot be recorded
    /// one by one) and hand whole batches to a writing thread.
    /// </summary>
    public IReadOnlyList<AddOutcome> AddRecords(IReadOnlyList<StoredClaim> records, string user) => WithRetry(() =>
    {
        var (order, hosts) = IndexOrder(records);
        var outcomes = new AddOutcome[records.Count];
        using var transaction = connection.BeginTransaction(deferred: false);
        using var writer = new ClaimWriter(connection, transaction, SchemaVersion);
        // Active claims already present, looked up for the whole batch at once (one query per
        // 5,000 targets instead of one per claim).
        var inThisBatch = FindActive(records, hosts, transaction);
        var guards = records.Count >= BulkSize ? LiftReplaceGuards(transaction) : [];
        foreach (int i in order)
        {
            var record = records[i];
            var key = (record.Decision, record.Kind, record.Target);
            if (inThisBatch.TryGetValue(key, out var earlier))
            {
                outcomes[i] = new AddOutcome(earlier, false);
                continue;
            }
            writer.Insert(record, hosts[i]);
            writer.Audit(record.CreatedAt, user, AddedAction(record), record.Id, record.Reason, AddedDetail(record));
            inThisBatch[key] = record;
            outcomes[i] = new AddOutcome(record, true);
        }
        foreach (var trigger in guards) SqliteSetup.Execute(connection, trigger, transaction);
        transaction.Commit();
        return (IReadOnlyList<AddOutcome>)outcomes;
    });

    // Below this many records a batch keeps the REPLACE guards in place (lifting them is a schema
    // change: cheap next to thousands of rows, not next to one).
    private const int BulkSize = 1000;

    /// <summary>
    /// The REPLACE guards (BEFORE INSERT triggers on claims and audit, see RegistryMigrations) stop
    /// any tool's INSERT OR REPLACE from deleting a record; SQLite runs a trigger program for every
    /// row inserted, which was a quarter of a bulk add's time (1M URLs: ~40,000/s with them,
    /// ~55,000/s without). OptOut's own inserts never replace (a plain INSERT over an existing key
    /// aborts), so a bulk add drops them inside its own write transaction and creates them again,
    /// from their stored SQL, before it commits: DDL is transactional in SQLite, so no other
    /// connection ever sees the registry without them, and a writer killed midway rolls back to
    /// them. Returns the SQL that restores them.
    /// </summary>
    private List<string> LiftReplaceGuards(SqliteTransaction transaction)
    {
        var guards = new List<(string Name, string Sql)>();
        using (var command = connection.CreateCommand())
        {
            command.Transaction = transaction;
            command.CommandText = "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name IN ('claims_no_replace', 'audit_no_replace')";
            using var reader = command.ExecuteReader();
            while (reader.Read()) guards.Add((reader.GetString(0), reader.GetString(1)));
        }
        foreach (var (name, _) in guards) SqliteSetup.Execute(connection, $"DROP TRIGGER {name}", transaction);
        return guards.Select(g => g.Sql).ToList();
    }

    // A bulk batch is written in the order of the claims index (kind, reversed host, target), so
    // its rows fill the index's pages one after another instead of each landing on a different
    // page (faster than input order: docs/index-benchmarks.md, "Figures behind choices in code").
    // Its records are then stored, and listed, in
    // that order; smaller batches keep the order they were given. Equal claims keep their input
    // order, so the first is the one recorded. The hosts (the index's second column) are worked
    // out once.
    internal static (int[] Order, string?[] Hosts) IndexOrder(IReadOnlyList<StoredClaim> records)
    {
        var order = new int[records.Count];
        var hosts = new string?[records.Count];
        for (int i = 0; i < records.Count; i++)
        {
            order[i] = i;
            hosts[i] = HostKey(records[i].Kind, records[i].Target);
        }
        if (records.Count < BulkSize) return (order, hosts);
        Array.Sort(order, (a, b) =>
        {
            int c = string.CompareOrdinal(KindName(records[a].Kind), KindName(records[b].Kind));
            if (c == 0) c = string.CompareOrdinal(hosts[a], hosts[b]);
            if (c == 0) c = string.CompareOrdinal(records[a].Target, records[b].Target);
            return c != 0 ? c : a.CompareTo(b);
        });
        return (order, hosts);
    }

    private Dictionary<(Decision, ClaimKind, string), StoredClaim> FindActive(IReadOnlyList<StoredClaim> records, string?[] hosts, SqliteTransaction transaction)
    {
        var found = new Dictionary<(Decision, ClaimKind, string), StoredClaim>();
        foreach (var group in Enumerable.Range(0, records.Count).GroupBy(i => records[i].Kind))
        {
            foreach (var chunk in group.DistinctBy(i => records[i].Target).Chunk(5000))
            {
                // One JSON array parameter instead of thousands of named ones (SQLite looks named
                // parameters up by name, one by one); each target with its reversed host, the
                // second column of the index the lookup walks.
                using var command = connection.CreateCommand();
                command.Transaction = transaction;
                command.CommandText = $"""
                    SELECT {ColumnsFor(SchemaVersion)} FROM json_each($targets) j
                    CROSS JOIN claims c ON c.kind = $kind AND c.host_rev IS j.value ->> 0 AND c.target = j.value ->> 1
                    LEFT JOIN revocations r ON r.claim_id = c.id
                    WHERE r.claim_id IS NULL
                    """;
                command.Parameters.AddWithValue("$kind", KindName(group.Key));
                command.Parameters.AddWithValue("$targets", JsonSerializer.Serialize(chunk.Select(i => new[] { hosts[i], records[i].Target })));
                using var reader = command.ExecuteReader();
                while (reader.Read())
                {
                    var record = ReadRecord(reader, includeEmbedding: false);
                    found.TryAdd((record.Decision, record.Kind, record.Target), record);
                }
            }
        }
        return found;
    }

    /// <summary>Revokes active records; the records stay, with a revocation of their own, and are audited.</summary>
    public IReadOnlyList<StoredClaim> Revoke(IReadOnlyCollection<string> ids, string user, string? reason) => WithRetry(() =>
    {
        var now = DateTime.UtcNow;
        using var transaction = connection.BeginTransaction(deferred: false);
        using var writer = new ClaimWriter(connection, transaction, SchemaVersion);
        var revoked = new List<string>();
        foreach (var id in ids)
        {
            var existing = Read(new RecordFilter { Ids = [id], IncludeRevoked = true }, transaction).FirstOrDefault();
            if (existing is null) throw new KeyNotFoundException($"No record with id '{id}'.");
            if (existing.Status == ClaimStatus.Revoked) continue;
            writer.InsertRevocation(id, now, user, reason);
            writer.Audit(now, user, "Revoke", id, reason, $"{existing.Kind} {existing.Target}");
            revoked.Add(id);
        }
        transaction.Commit();
        return revoked.Count == 0 ? (IReadOnlyList<StoredClaim>)[] : Read(new RecordFilter { Ids = revoked, IncludeRevoked = true }).ToList();
    });

    /// <summary>
    /// Merges records exported by another registry in one transaction, keeping their ids,
    /// claimants and dates. A record whose id is already here is skipped (a conflict when its content
    /// differs); an active claim identical to one here is skipped; an active claim opposite to one
    /// here (a grant where there is a refusal) is added and reported as a conflict.
    /// </summary>
    /// <remarks>
    /// A list can say a record is revoked, but it cannot prove who revoked it: a list that marked
    /// someone's refusal revoked used to lift it here, under the list's (or the claimant's) name.
    /// Revocations in a list are applied only with <paramref name="applyRevocations"/>, and then as
    /// the importer's own (<paramref name="user"/>, now), the reason naming the list and what the
    /// list said (by whom, when, why); the audit row says the same. Without it, revoked records are
    /// left out (a new one is not added, a local one stays active) and counted in
    /// <see cref="MergeResult.RevokedNotApplied"/>.
    /// </remarks>
    /// <param name="origin">The list's name, kept as the origin of the records it adds.</param>
    /// <param name="listPath">The list's full path, named in revocations and their audit rows (<paramref name="origin"/> when null).</param>
    /// <param name="progress">Called on this thread with the number of records merged so far, every 1,000 records.</param>
    public MergeResult Merge(IReadOnlyList<StoredClaim> records, string user, string origin, bool applyRevocations = false, string? listPath = null, Action<int>? progress = null) => WithRetry(() =>
    {
        using var transaction = connection.BeginTransaction(deferred: false);
        using var writer = new ClaimWriter(connection, transaction, SchemaVersion, id => Read(new RecordFilter { Ids = [id], IncludeRevoked = true }, transaction).FirstOrDefault());
        var result = RegistryMerge.Run(writer, records, user, origin, applyRevocations, listPath, progress);
        transaction.Commit();
        return result;
    });

    /// <inheritdoc/>
    public int CopyIn(IReadOnlyList<StoredClaim> records, IReadOnlyList<AuditEntry> audit, string user, string source) => WithRetry(() =>
    {
        using var transaction = connection.BeginTransaction(deferred: false);
        using var writer = new ClaimWriter(connection, transaction, SchemaVersion, id => Read(new RecordFilter { Ids = [id], IncludeRevoked = true }, transaction).FirstOrDefault());
        foreach (var record in records)
        {
            writer.Insert(record, HostKey(record.Kind, record.Target));
            if (record.Status == ClaimStatus.Revoked) writer.InsertRevocation(record.Id, record.RevokedAt ?? record.CreatedAt, record.RevokedBy ?? record.Claimant, record.RevokedReason);
        }
        foreach (var entry in audit) writer.Audit(entry.At, entry.User, entry.Action, entry.RecordId, entry.Reason, entry.Detail);
        writer.Audit(DateTime.UtcNow, user, "Copy", null, null, $"{records.Count} records and {audit.Count} audit rows copied from {source}");
        transaction.Commit();
        return records.Count;
    });

    /// <summary>
    /// The record a claim becomes: its target normalised (a URL's scheme and host case, default
    /// port, percent-encoding; a domain's case and trailing dot; a content hash's case), a new id,
    /// <paramref name="now"/> as its time. Throws <see cref="ArgumentException"/> for a claim that
    /// cannot be recorded (not an http(s) URL, not a domain name, no SHA-256).
    /// </summary>
    public static StoredClaim NewRecord(NewClaim claim, DateTime now) => NewRecord(claim, now, out _);

    /// <summary>
    /// <see cref="NewRecord(NewClaim, DateTime)"/>, with <paramref name="note"/> saying how the
    /// target was respelled when that is more than case (a domain given as a site's web address).
    /// </summary>
    public static StoredClaim NewRecord(NewClaim claim, DateTime now, out string? note)
    {
        note = null;
        // Every backend refuses a NUL in the claimant or reason (PostgreSQL text cannot hold one):
        // the same claim is recordable, or not, in either.
        if (claim.Claimant.Contains('\0') || claim.Reason?.Contains('\0') == true)
        {
            throw new ArgumentException("The claimant or reason contains a NUL character (U+0000), which a registry does not record; remove it.");
        }
        string target;
        ContentFingerprint? content = null;
        switch (claim.Kind)
        {
            case ClaimKind.Url:
                var url = claim.Target ?? throw new ArgumentException("A URL claim needs a URL.");
                var normalized = UrlNormalizer.Normalize(url);
                if (normalized.Host is null || !(normalized.Url.StartsWith("http://", StringComparison.Ordinal) || normalized.Url.StartsWith("https://", StringComparison.Ordinal)))
                {
                    throw new ArgumentException($"'{url}' is not an http(s) URL; a URL claim needs a web address.");
                }
                target = normalized.Url;
                break;
            case ClaimKind.Domain:
                target = UrlNormalizer.NormalizeDomainClaim(claim.Target ?? throw new ArgumentException("A domain claim needs a domain."), out note);
                if (target.Length == 0 || !target.Contains('.')) throw new ArgumentException($"'{claim.Target}' is not a domain name.");
                break;
            default:
                content = claim.Content ?? throw new ArgumentException("A content claim needs the content's fingerprint.");
                if (content.Sha256.Length != 64) throw new ArgumentException("A content claim needs a SHA-256.");
                target = content.Sha256.ToLowerInvariant();
                break;
        }
        return new StoredClaim
        {
            Id = ClaimIds.New(now),
            Decision = claim.Decision,
            Kind = claim.Kind,
            Target = target,
            PerceptualHash = content?.PerceptualHash,
            Embedding = content?.Embedding,
            ModelId = content?.ModelId,
            Claimant = claim.Claimant,
            Reason = claim.Reason,
            Evidence = claim.Evidence,
            CreatedAt = now,
            Status = ClaimStatus.Active,
        };
    }

    // The second column of the claims index: the reversed host of a URL or domain claim (so one
    // range holds a domain and its subdomains), none for content claims. Targets are stored
    // normalised, so the host comes straight from them.
    internal static string? HostKey(ClaimKind kind, string target)
    {
        var host = kind == ClaimKind.Url ? UrlNormalizer.HostOfNormalized(target) : kind == ClaimKind.Domain ? target : null;
        return host is null ? null : UrlNormalizer.ReverseHost(host);
    }

    // The spellings the CHECK constraints allow, without Enum.ToString's cost a row.
    internal static string KindName(ClaimKind kind) => kind switch { ClaimKind.Url => "Url", ClaimKind.Domain => "Domain", _ => "Content" };

    internal static string DecisionName(Decision decision) => decision == Decision.Grant ? "Grant" : "Refuse";

    /// <summary>The audit action of a claim's addition (both backends write the same audit rows).</summary>
    internal static string AddedAction(StoredClaim record) => record.Decision == Decision.Refuse ? "AddOptOut" : "AddOptIn";

    /// <summary>The audit detail of a claim's addition: its kind and target.</summary>
    internal static string AddedDetail(StoredClaim record) => $"{KindName(record.Kind)} {record.Target}";

    /// <summary>Prepared statements for one write transaction.</summary>
    private sealed class ClaimWriter : IRecordWriter
    {
        private readonly Func<string, StoredClaim?>? findById;

        // Claims and their audit rows go in a million at a time: bound by position (BulkStatement).
        private readonly BulkStatement insert, audit;
        private readonly SqliteCommand revoke, findActive;
        private readonly SqliteConnection connection;
        private readonly SqliteTransaction transaction;
        private readonly bool hasOrigin;

        public ClaimWriter(SqliteConnection connection, SqliteTransaction transaction, int schemaVersion, Func<string, StoredClaim?>? findById = null)
        {
            this.findById = findById;
            this.connection = connection;
            this.transaction = transaction;
            // Schema 1 (kept readable and writable until it is migrated) has no origin column.
            hasOrigin = schemaVersion >= 2;
            insert = new BulkStatement(connection, $"""
                INSERT INTO claims(id, decision, kind, target, host_rev, phash, embedding, model_id, claimant, reason, evidence, created_at{(hasOrigin ? ", origin" : "")})
                VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12{(hasOrigin ? ", ?13" : "")})
                """);
            audit = new BulkStatement(connection, "INSERT INTO audit(at, user, action, record_id, reason, detail) VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
            revoke = Prepare("INSERT INTO revocations(claim_id, revoked_at, revoked_by, reason) VALUES ($id, $at, $by, $reason)", "$id", "$at", "$by", "$reason");
            findActive = Prepare($"""
                SELECT {ColumnsFor(schemaVersion)} FROM claims c LEFT JOIN revocations r ON r.claim_id = c.id
                WHERE c.kind = $kind AND c.host_rev IS $host AND c.target = $target AND c.decision = $decision AND r.claim_id IS NULL LIMIT 1
                """, "$kind", "$host", "$target", "$decision");
        }

        private SqliteCommand Prepare(string sql, params string[] names)
        {
            var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = sql;
            foreach (var name in names) command.Parameters.Add(name, SqliteType.Text);
            return command;
        }

        private static void Set(SqliteCommand command, string name, object? value) => command.Parameters[name].Value = value ?? DBNull.Value;

        public StoredClaim? FindActive(Decision decision, ClaimKind kind, string target)
        {
            Set(findActive, "$kind", KindName(kind));
            Set(findActive, "$host", HostKey(kind, target));
            Set(findActive, "$target", target);
            Set(findActive, "$decision", DecisionName(decision));
            using var reader = findActive.ExecuteReader();
            return reader.Read() ? ReadRecord(reader, includeEmbedding: false) : null;
        }

        public StoredClaim? FindById(string id) => findById is null ? throw new InvalidOperationException("This writer looks nothing up by id.") : findById(id);

        public void Insert(StoredClaim record) => Insert(record, HostKey(record.Kind, record.Target));

        public void Insert(StoredClaim record, string? hostKey)
        {
            insert.Bind(1, record.Id);
            insert.Bind(2, DecisionName(record.Decision));
            insert.Bind(3, KindName(record.Kind));
            insert.Bind(4, record.Target);
            insert.Bind(5, hostKey);
            insert.Bind(6, record.PerceptualHash is { } h ? unchecked((long)h) : null);
            insert.BindBlob(7, MemoryMarshal.AsBytes(record.Embedding.AsSpan()), isNull: record.Embedding is null);
            insert.Bind(8, record.ModelId);
            insert.Bind(9, record.Claimant);
            insert.Bind(10, record.Reason);
            insert.Bind(11, record.Evidence is null ? null : JsonSerializer.Serialize(record.Evidence, EvidenceJson));
            insert.Bind(12, Timestamp(record.CreatedAt));
            if (hasOrigin) insert.Bind(13, record.Origin);
            insert.Run();
        }

        public void InsertRevocation(string id, DateTime at, string by, string? reason)
        {
            Set(revoke, "$id", id);
            Set(revoke, "$at", Timestamp(at));
            Set(revoke, "$by", by);
            Set(revoke, "$reason", reason);
            revoke.ExecuteNonQuery();
        }

        public void Audit(DateTime at, string user, string action, string? recordId, string? reason, string? detail)
        {
            audit.Bind(1, Timestamp(at));
            audit.Bind(2, user);
            audit.Bind(3, action);
            audit.Bind(4, recordId);
            audit.Bind(5, reason);
            audit.Bind(6, detail);
            audit.Run();
        }

        public void Dispose()
        {
            insert.Dispose();
            audit.Dispose();
            revoke.Dispose();
            findActive.Dispose();
        }
    }

    // ---- reading -----------------------------------------------------------------------------

    internal static readonly JsonSerializerOptions EvidenceJson = new() { DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull };

    private const string Columns = "c.id, c.decision, c.kind, c.target, c.phash, c.embedding, c.model_id, c.claimant, c.reason, c.evidence, c.created_at, r.revoked_at, r.revoked_by, r.reason, c.origin";

    private static string ColumnsFor(int schemaVersion) => schemaVersion >= 2 ? Columns : Columns.Replace(", c.origin", "");

    internal static StoredClaim ReadRecord(System.Data.Common.DbDataReader reader, bool includeEmbedding) => new()
    {
        Id = reader.GetString(0),
        Decision = ParseDecision(reader.GetString(1)),
        Kind = ParseKind(reader.GetString(2)),
        Target = reader.GetString(3),
        PerceptualHash = reader.IsDBNull(4) ? null : unchecked((ulong)reader.GetInt64(4)),
        Embedding = includeEmbedding && !reader.IsDBNull(5) ? MemoryMarshal.Cast<byte, float>((byte[])reader[5]).ToArray() : null,
        ModelId = reader.IsDBNull(6) ? null : reader.GetString(6),
        Claimant = reader.GetString(7),
        Reason = reader.IsDBNull(8) ? null : reader.GetString(8),
        Evidence = reader.IsDBNull(9) ? null : JsonSerializer.Deserialize<Evidence>(reader.GetString(9), EvidenceJson),
        CreatedAt = ParseTimestamp(reader.GetString(10)),
        Status = reader.IsDBNull(11) ? ClaimStatus.Active : ClaimStatus.Revoked,
        RevokedAt = reader.IsDBNull(11) ? null : ParseTimestamp(reader.GetString(11)),
        RevokedBy = reader.IsDBNull(12) ? null : reader.GetString(12),
        RevokedReason = reader.IsDBNull(13) ? null : reader.GetString(13),
        Origin = reader.FieldCount > 14 && !reader.IsDBNull(14) ? reader.GetString(14) : "local",
    };

    // The CHECK constraints allow only these spellings.
    internal static Decision ParseDecision(string value) => value == "Grant" ? Decision.Grant : value == "Refuse" ? Decision.Refuse : Enum.Parse<Decision>(value);

    internal static ClaimKind ParseKind(string value) => value switch { "Url" => ClaimKind.Url, "Domain" => ClaimKind.Domain, "Content" => ClaimKind.Content, _ => Enum.Parse<ClaimKind>(value) };

    public IEnumerable<StoredClaim> Read(RecordFilter filter) => Read(filter, null);

    /// <summary>The claimants with records here (revoked ones too), in name order, at most <paramref name="limit"/>, optionally those a pattern (with '*' and '?') matches.</summary>
    public IReadOnlyList<string> Claimants(string? pattern = null, int limit = 1000)
    {
        using var command = connection.CreateCommand();
        command.CommandText = pattern is null
            ? "SELECT DISTINCT claimant FROM claims ORDER BY claimant COLLATE NOCASE LIMIT $limit"
            : "SELECT DISTINCT claimant FROM claims WHERE claimant LIKE $pattern ESCAPE '\\' ORDER BY claimant COLLATE NOCASE LIMIT $limit";
        command.Parameters.AddWithValue("$limit", limit);
        if (pattern is not null) command.Parameters.AddWithValue("$pattern", ClaimantPattern.ToLike(pattern));
        var names = new List<string>();
        using var reader = command.ExecuteReader();
        while (reader.Read()) names.Add(reader.GetString(0));
        return names;
    }

    /// <param name="inIdOrder">Records selected by id come back in the order of the ids (exports of
    /// piped records); otherwise, as every other query, in the order they were written.</param>
    private IEnumerable<StoredClaim> Read(RecordFilter filter, SqliteTransaction? transaction, bool inIdOrder = false)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        // Ids (any number: an export of a million piped records) go in as one JSON array, walked
        // first so each finds its claim by the unique id index.
        bool byIds = filter.Ids is { Count: > 0 };
        var sql = new StringBuilder(byIds
            ? $"SELECT {ColumnsFor(SchemaVersion)} FROM json_each($ids) j CROSS JOIN claims c ON c.id = j.value LEFT JOIN revocations r ON r.claim_id = c.id WHERE 1 = 1"
            : $"SELECT {ColumnsFor(SchemaVersion)} FROM claims c LEFT JOIN revocations r ON r.claim_id = c.id WHERE 1 = 1");
        if (!filter.IncludeRevoked) sql.Append(" AND r.claim_id IS NULL");
        if (byIds) command.Parameters.AddWithValue("$ids", JsonSerializer.Serialize(filter.Ids!.Distinct(StringComparer.Ordinal)));
        if (filter.Claimant is not null)
        {
            // '*' and '?' are wildcards, as PowerShell's own -Name parameters take them; LIKE is case-insensitive for ASCII, as the plain comparison.
            if (ClaimantPattern.HasWildcards(filter.Claimant)) sql.Append(" AND c.claimant LIKE $claimant ESCAPE '\\'");
            else sql.Append(" AND c.claimant = $claimant COLLATE NOCASE");
            command.Parameters.AddWithValue("$claimant", ClaimantPattern.HasWildcards(filter.Claimant) ? ClaimantPattern.ToLike(filter.Claimant) : filter.Claimant);
        }
        if (filter.Kind is not null) { sql.Append(" AND c.kind = $kind"); command.Parameters.AddWithValue("$kind", filter.Kind.ToString()); }
        if (filter.Decision is not null) { sql.Append(" AND c.decision = $decision"); command.Parameters.AddWithValue("$decision", filter.Decision.ToString()); }
        if (filter.Since is { } since) { sql.Append(" AND c.created_at >= $since"); command.Parameters.AddWithValue("$since", Timestamp(since)); }
        if (filter.Url is not null)
        {
            var url = UrlNormalizer.Normalize(filter.Url).Url;
            sql.Append(" AND c.kind = 'Url' AND c.host_rev IS $urlHost AND c.target = $url");
            command.Parameters.AddWithValue("$url", url);
            command.Parameters.AddWithValue("$urlHost", (object?)HostKey(ClaimKind.Url, url) ?? DBNull.Value);
        }
        if (filter.Domain is not null)
        {
            // The domain itself and its subdomains ("com.example" and "com.example.*" reversed): one
            // index range per kind, then the look-alikes inside it ("com.example-art") left out.
            var reversed = UrlNormalizer.ReverseHost(UrlNormalizer.NormalizeDomain(filter.Domain));
            sql.Append(" AND c.kind IN ('Url', 'Domain') AND c.host_rev >= $d AND c.host_rev < $hi AND (c.host_rev = $d OR c.host_rev >= $lo)");
            command.Parameters.AddWithValue("$d", reversed);
            command.Parameters.AddWithValue("$lo", reversed + ".");
            command.Parameters.AddWithValue("$hi", reversed + "/");
        }
        sql.Append(byIds && inIdOrder ? " ORDER BY j.key" : " ORDER BY c.seq");
        command.CommandText = sql.ToString();
        using var reader = command.ExecuteReader();
        while (reader.Read()) yield return ReadRecord(reader, filter.IncludeEmbeddings);
    }

    /// <summary>The ids, of those given, that name no record here, in the order given.</summary>
    public IReadOnlyList<string> MissingIds(IReadOnlyCollection<string> ids)
    {
        if (ids.Count == 0) return [];
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT j.value FROM json_each($ids) j LEFT JOIN claims c ON c.id = j.value WHERE c.id IS NULL ORDER BY j.key";
        command.Parameters.AddWithValue("$ids", JsonSerializer.Serialize(ids.Distinct(StringComparer.Ordinal)));
        var missing = new List<string>();
        using var reader = command.ExecuteReader();
        while (reader.Read()) missing.Add(reader.GetString(0));
        return missing;
    }

    /// <summary>
    /// What an export writes: with <paramref name="ids"/> (records piped in, possibly none) exactly
    /// those, in that order, revoked ones included, narrowed by <paramref name="filter"/>; without,
    /// the records the filter selects. <paramref name="urls"/>: records of any of these URLs (after
    /// normalisation), each once.
    /// </summary>
    public IEnumerable<StoredClaim> ReadSelection(IReadOnlyList<string>? ids, RecordFilter filter, IReadOnlyList<string>? urls = null) =>
        RegistrySelection.Select(ids, filter, urls, (f, inIdOrder) => Read(f, null, inIdOrder));

    /// <summary>
    /// Every active claim, oldest first, with only what a dataset check compares (no evidence, no
    /// JSON): the training-set gate loads a million of these before it reads a row.
    /// </summary>
    public IEnumerable<ActiveClaim> ReadActiveClaims()
    {
        // Revocations are few next to claims: reading their ids first spares a lookup a claim. The
        // decision and kind come back as numbers, not a string a row.
        var revoked = new HashSet<string>(StringComparer.Ordinal);
        using (var revocations = connection.CreateCommand())
        {
            revocations.CommandText = "SELECT claim_id FROM revocations";
            using var reader = revocations.ExecuteReader();
            while (reader.Read()) revoked.Add(reader.GetString(0));
        }
        using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT c.id, c.decision = 'Grant', CASE c.kind WHEN 'Url' THEN 0 WHEN 'Domain' THEN 1 ELSE 2 END, c.target, c.phash,
                   CASE WHEN c.kind = 'Content' THEN c.embedding END, c.model_id, c.claimant,
                   CASE WHEN c.kind = 'Content' AND json_valid(c.evidence) THEN json_extract(c.evidence, '$.FileMd5') END
            FROM claims c ORDER BY c.seq
            """;
        using var claims = command.ExecuteReader();
        while (claims.Read())
        {
            var id = claims.GetString(0);
            if (revoked.Count > 0 && revoked.Contains(id)) continue;
            yield return new ActiveClaim(
                id,
                claims.GetInt64(1) == 1 ? Decision.Grant : Decision.Refuse,
                (ClaimKind)claims.GetInt64(2),
                claims.GetString(3),
                claims.IsDBNull(4) ? null : unchecked((ulong)claims.GetInt64(4)),
                claims.IsDBNull(5) ? null : MemoryMarshal.Cast<byte, float>((byte[])claims[5]).ToArray(),
                claims.IsDBNull(6) ? null : claims.GetString(6),
                claims.GetString(7),
                claims.IsDBNull(8) ? null : claims.GetString(8));
        }
    }

    public IEnumerable<AuditEntry> History(string? recordId = null, DateTime? since = null, string? action = null)
    {
        using var command = connection.CreateCommand();
        var sql = new StringBuilder("SELECT seq, at, user, action, record_id, reason, detail FROM audit WHERE 1 = 1");
        if (recordId is not null) { sql.Append(" AND record_id = $id"); command.Parameters.AddWithValue("$id", recordId); }
        if (since is { } s) { sql.Append(" AND at >= $since"); command.Parameters.AddWithValue("$since", Timestamp(s)); }
        if (action is not null) { sql.Append(" AND action = $action COLLATE NOCASE"); command.Parameters.AddWithValue("$action", action); }
        sql.Append(" ORDER BY seq");
        command.CommandText = sql.ToString();
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            yield return new AuditEntry(reader.GetInt64(0), ParseTimestamp(reader.GetString(1)), reader.GetString(2), reader.GetString(3),
                reader.IsDBNull(4) ? null : reader.GetString(4), reader.IsDBNull(5) ? null : reader.GetString(5), reader.IsDBNull(6) ? null : reader.GetString(6));
        }
    }

    public (long Active, long Revoked) Counts()
    {
        long total = SqliteSetup.Scalar<long>(connection, "SELECT count(*) FROM claims");
        long revoked = SqliteSetup.Scalar<long>(connection, "SELECT count(*) FROM revocations");
        return (total - revoked, revoked);
    }

    public void Dispose() => connection.Dispose();
}
