using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using OptOut.Core.Index;

namespace OptOut.Core.Registry;

/// <summary>Which records a query returns.</summary>
public sealed record RecordFilter
{
    public IReadOnlyCollection<string>? Ids { get; init; }
    public string? Claimant { get; init; }
    public ClaimKind? Kind { get; init; }
    public Decision? Decision { get; init; }
    public string? Url { get; init; }
    public string? Domain { get; init; }
    public DateTime? Since { get; init; }
    public bool IncludeRevoked { get; init; }
    public bool IncludeEmbeddings { get; init; }
}

/// <summary>The outcome of adding one claim.</summary>
public sealed record AddOutcome(ConsentRecord Record, bool Added);

/// <summary>The outcome of merging a list from another registry.</summary>
public sealed record MergeResult(int Added, int Skipped, int Revoked, IReadOnlyList<string> Conflicts);

/// <summary>
/// The consent registry: the data users must never lose. A SQLite file (WAL) with a versioned
/// schema; claims, revocations and the audit log are append-only (triggers refuse updates and
/// deletes). Every write is one transaction (BEGIN IMMEDIATE, busy timeout, retried when another
/// process holds the lock), so a killed writer leaves whole batches or nothing.
/// </summary>
public sealed class RegistryStore : IDisposable
{
    private readonly SqliteConnection connection;

    private RegistryStore(string path, SqliteConnection connection, int schemaVersion)
    {
        Path = path;
        this.connection = connection;
        SchemaVersion = schemaVersion;
    }

    public string Path { get; }

    public int SchemaVersion { get; }

    /// <param name="schemaVersion">Stop migrating at this version (tests build old registries with it).</param>
    public static RegistryStore Open(string path, string user, int? schemaVersion = null)
    {
        var connection = SqliteSetup.Open(path);
        try
        {
            WithRetry(() => RegistryMigrations.Apply(connection, user, schemaVersion));
        }
        catch
        {
            connection.Dispose();
            throw;
        }
        return new RegistryStore(System.IO.Path.GetFullPath(path), connection, RegistryMigrations.CurrentVersion(connection));
    }

    internal static string Timestamp(DateTime utc) => utc.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);

    // Exports read a million of these: the exact format the registry writes is parsed first (several
    // times faster than the general parser), anything else (older or hand-made rows) as before.
    private static DateTime ParseTimestamp(string value) =>
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
    /// target) changes nothing and returns the existing record.
    /// </summary>
    public IReadOnlyList<AddOutcome> AddClaims(IReadOnlyList<NewClaim> claims, string user) => WithRetry(() =>
    {
        var now = DateTime.UtcNow;
        var records = claims.Select(c => Normalize(c, now)).ToList();
        var outcomes = new List<AddOutcome>(claims.Count);
        using var transaction = connection.BeginTransaction(deferred: false);
        using var writer = new ClaimWriter(connection, transaction, SchemaVersion);
        // Active claims already present, looked up for the whole batch at once (one query per
        // 5,000 targets instead of one per claim).
        var inThisBatch = FindActive(records, transaction);
        foreach (var record in records)
        {
            var key = (record.Decision, record.Kind, record.Target);
            if (inThisBatch.TryGetValue(key, out var earlier))
            {
                outcomes.Add(new AddOutcome(earlier, false));
                continue;
            }
            writer.Insert(record);
            writer.Audit(now, user, record.Decision == Decision.Refuse ? "AddOptOut" : "AddOptIn", record.Id, record.Reason, $"{record.Kind} {record.Target}");
            inThisBatch[key] = record;
            outcomes.Add(new AddOutcome(record, true));
        }
        transaction.Commit();
        return (IReadOnlyList<AddOutcome>)outcomes;
    });

    private Dictionary<(Decision, ClaimKind, string), ConsentRecord> FindActive(IReadOnlyList<ConsentRecord> records, SqliteTransaction transaction)
    {
        var found = new Dictionary<(Decision, ClaimKind, string), ConsentRecord>();
        foreach (var group in records.GroupBy(r => r.Kind))
        {
            foreach (var chunk in group.Select(r => r.Target).Distinct().Chunk(5000))
            {
                // One JSON array parameter instead of thousands of named ones (SQLite looks named
                // parameters up by name, one by one).
                using var command = connection.CreateCommand();
                command.Transaction = transaction;
                command.CommandText = $"SELECT {ColumnsFor(SchemaVersion)} FROM claims c LEFT JOIN revocations r ON r.claim_id = c.id WHERE c.kind = $kind AND c.target IN (SELECT value FROM json_each($targets)) AND r.claim_id IS NULL";
                command.Parameters.AddWithValue("$kind", group.Key.ToString());
                command.Parameters.AddWithValue("$targets", JsonSerializer.Serialize(chunk));
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
    public IReadOnlyList<ConsentRecord> Revoke(IReadOnlyCollection<string> ids, string user, string? reason) => WithRetry(() =>
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
        return revoked.Count == 0 ? (IReadOnlyList<ConsentRecord>)[] : Read(new RecordFilter { Ids = revoked, IncludeRevoked = true }).ToList();
    });

    /// <summary>
    /// Merges records exported by another registry in one transaction, keeping their ids,
    /// claimants and dates. A record whose id is already here is skipped (a conflict when its content
    /// differs); an active claim identical to one here is skipped; an active claim opposite to one
    /// here (a grant where there is a refusal) is added and reported as a conflict.
    /// </summary>
    public MergeResult Merge(IReadOnlyList<ConsentRecord> records, string user, string origin) => WithRetry(() =>
    {
        var now = DateTime.UtcNow;
        int added = 0, skipped = 0, revoked = 0;
        var conflicts = new List<string>();
        using var transaction = connection.BeginTransaction(deferred: false);
        using var writer = new ClaimWriter(connection, transaction, SchemaVersion);
        foreach (var incoming in records)
        {
            var record = incoming with { Origin = incoming.Origin == "local" ? origin : incoming.Origin };
            var existing = Read(new RecordFilter { Ids = [record.Id], IncludeRevoked = true }, transaction).FirstOrDefault();
            if (existing is not null)
            {
                if (existing.Decision != record.Decision || existing.Kind != record.Kind || existing.Target != record.Target)
                {
                    conflicts.Add($"{record.Id}: this registry has it as {existing.Decision} {existing.Kind} {existing.Target}, the list as {record.Decision} {record.Kind} {record.Target}; kept this registry's.");
                }
                else if (record.Status == ClaimStatus.Revoked && existing.Status == ClaimStatus.Active)
                {
                    writer.InsertRevocation(record.Id, record.RevokedAt ?? now, record.RevokedBy ?? record.Claimant, record.RevokedReason);
                    writer.Audit(now, user, "ImportRevoke", record.Id, record.RevokedReason, $"from {origin}");
                    revoked++;
                    continue;
                }
                skipped++;
                continue;
            }

            if (record.Status == ClaimStatus.Active)
            {
                if (writer.FindActive(record.Decision, record.Kind, record.Target) is { } same)
                {
                    skipped++;
                    continue;
                }
                var opposite = record.Decision == Decision.Refuse ? Decision.Grant : Decision.Refuse;
                if (writer.FindActive(opposite, record.Kind, record.Target) is { } contrary)
                {
                    conflicts.Add($"{record.Id}: {record.Decision} {record.Kind} {record.Target} by {record.Claimant} contradicts active {contrary.Decision} {contrary.Id} by {contrary.Claimant}; both are kept.");
                }
            }
            writer.Insert(record);
            writer.Audit(now, user, "Import", record.Id, record.Reason, $"{record.Decision} {record.Kind} {record.Target} from {origin}");
            if (record.Status == ClaimStatus.Revoked)
            {
                writer.InsertRevocation(record.Id, record.RevokedAt ?? now, record.RevokedBy ?? record.Claimant, record.RevokedReason);
            }
            added++;
        }
        transaction.Commit();
        return new MergeResult(added, skipped, revoked, conflicts);
    });

    private static ConsentRecord Normalize(NewClaim claim, DateTime now)
    {
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
                target = UrlNormalizer.NormalizeDomain(claim.Target ?? throw new ArgumentException("A domain claim needs a domain."));
                if (target.Length == 0 || !target.Contains('.')) throw new ArgumentException($"'{claim.Target}' is not a domain name.");
                break;
            default:
                content = claim.Content ?? throw new ArgumentException("A content claim needs the content's fingerprint.");
                if (content.Sha256.Length != 64) throw new ArgumentException("A content claim needs a SHA-256.");
                target = content.Sha256.ToLowerInvariant();
                break;
        }
        return new ConsentRecord
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

    /// <summary>Prepared statements for one write transaction.</summary>
    private sealed class ClaimWriter : IDisposable
    {
        private readonly SqliteCommand insert, audit, revoke, findActive;
        private readonly SqliteConnection connection;
        private readonly SqliteTransaction transaction;

        private readonly bool hasOrigin;

        public ClaimWriter(SqliteConnection connection, SqliteTransaction transaction, int schemaVersion)
        {
            this.connection = connection;
            this.transaction = transaction;
            // Schema 1 (kept readable and writable until it is migrated) has no origin column.
            hasOrigin = schemaVersion >= 2;
            insert = hasOrigin
                ? Prepare("""
                    INSERT INTO claims(id, decision, kind, target, host_rev, phash, embedding, model_id, claimant, reason, evidence, created_at, origin)
                    VALUES ($id, $decision, $kind, $target, $host, $phash, $embedding, $model, $claimant, $reason, $evidence, $created, $origin)
                    """, "$id", "$decision", "$kind", "$target", "$host", "$phash", "$embedding", "$model", "$claimant", "$reason", "$evidence", "$created", "$origin")
                : Prepare("""
                    INSERT INTO claims(id, decision, kind, target, host_rev, phash, embedding, model_id, claimant, reason, evidence, created_at)
                    VALUES ($id, $decision, $kind, $target, $host, $phash, $embedding, $model, $claimant, $reason, $evidence, $created)
                    """, "$id", "$decision", "$kind", "$target", "$host", "$phash", "$embedding", "$model", "$claimant", "$reason", "$evidence", "$created");
            audit = Prepare("INSERT INTO audit(at, user, action, record_id, reason, detail) VALUES ($at, $user, $action, $record, $reason, $detail)",
                "$at", "$user", "$action", "$record", "$reason", "$detail");
            revoke = Prepare("INSERT INTO revocations(claim_id, revoked_at, revoked_by, reason) VALUES ($id, $at, $by, $reason)", "$id", "$at", "$by", "$reason");
            findActive = Prepare($"""
                SELECT {ColumnsFor(schemaVersion)} FROM claims c LEFT JOIN revocations r ON r.claim_id = c.id
                WHERE c.kind = $kind AND c.target = $target AND c.decision = $decision AND r.claim_id IS NULL LIMIT 1
                """, "$kind", "$target", "$decision");
        }

        private SqliteCommand Prepare(string sql, params string[] names)
        {
            var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = sql;
            foreach (var name in names) command.Parameters.Add(name, SqliteType.Text);
            command.Prepare();
            return command;
        }

        private static void Set(SqliteCommand command, string name, object? value) => command.Parameters[name].Value = value ?? DBNull.Value;

        public ConsentRecord? FindActive(Decision decision, ClaimKind kind, string target)
        {
            Set(findActive, "$kind", kind.ToString());
            Set(findActive, "$target", target);
            Set(findActive, "$decision", decision.ToString());
            using var reader = findActive.ExecuteReader();
            return reader.Read() ? ReadRecord(reader, includeEmbedding: false) : null;
        }

        public void Insert(ConsentRecord record)
        {
            Set(insert, "$id", record.Id);
            Set(insert, "$decision", record.Decision.ToString());
            Set(insert, "$kind", record.Kind.ToString());
            Set(insert, "$target", record.Target);
            // Targets are stored normalised, so the host comes straight from them.
            var host = record.Kind == ClaimKind.Url ? UrlNormalizer.HostOfNormalized(record.Target) : record.Kind == ClaimKind.Domain ? record.Target : null;
            Set(insert, "$host", host is null ? null : UrlNormalizer.ReverseHost(host));
            Set(insert, "$phash", record.PerceptualHash is { } h ? unchecked((long)h) : null);
            Set(insert, "$embedding", record.Embedding is { } e ? MemoryMarshal.AsBytes(e.AsSpan()).ToArray() : null);
            Set(insert, "$model", record.ModelId);
            Set(insert, "$claimant", record.Claimant);
            Set(insert, "$reason", record.Reason);
            Set(insert, "$evidence", record.Evidence is null ? null : JsonSerializer.Serialize(record.Evidence, EvidenceJson));
            Set(insert, "$created", Timestamp(record.CreatedAt));
            if (hasOrigin) Set(insert, "$origin", record.Origin);
            insert.ExecuteNonQuery();
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
            Set(audit, "$at", Timestamp(at));
            Set(audit, "$user", user);
            Set(audit, "$action", action);
            Set(audit, "$record", recordId);
            Set(audit, "$reason", reason);
            Set(audit, "$detail", detail);
            audit.ExecuteNonQuery();
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

    private static ConsentRecord ReadRecord(SqliteDataReader reader, bool includeEmbedding) => new()
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
    private static Decision ParseDecision(string value) => value == "Grant" ? Decision.Grant : value == "Refuse" ? Decision.Refuse : Enum.Parse<Decision>(value);

    private static ClaimKind ParseKind(string value) => value switch { "Url" => ClaimKind.Url, "Domain" => ClaimKind.Domain, "Content" => ClaimKind.Content, _ => Enum.Parse<ClaimKind>(value) };

    public IEnumerable<ConsentRecord> Read(RecordFilter filter) => Read(filter, null);

    private IEnumerable<ConsentRecord> Read(RecordFilter filter, SqliteTransaction? transaction)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        var sql = new StringBuilder($"SELECT {ColumnsFor(SchemaVersion)} FROM claims c LEFT JOIN revocations r ON r.claim_id = c.id WHERE 1 = 1");
        if (!filter.IncludeRevoked) sql.Append(" AND r.claim_id IS NULL");
        if (filter.Ids is { Count: > 0 } ids)
        {
            var names = ids.Select((id, i) => { command.Parameters.AddWithValue($"$id{i}", id); return $"$id{i}"; });
            sql.Append($" AND c.id IN ({string.Join(",", names)})");
        }
        if (filter.Claimant is not null) { sql.Append(" AND c.claimant = $claimant COLLATE NOCASE"); command.Parameters.AddWithValue("$claimant", filter.Claimant); }
        if (filter.Kind is not null) { sql.Append(" AND c.kind = $kind"); command.Parameters.AddWithValue("$kind", filter.Kind.ToString()); }
        if (filter.Decision is not null) { sql.Append(" AND c.decision = $decision"); command.Parameters.AddWithValue("$decision", filter.Decision.ToString()); }
        if (filter.Since is { } since) { sql.Append(" AND c.created_at >= $since"); command.Parameters.AddWithValue("$since", Timestamp(since)); }
        if (filter.Url is not null)
        {
            sql.Append(" AND c.kind = 'Url' AND c.target = $url");
            command.Parameters.AddWithValue("$url", UrlNormalizer.Normalize(filter.Url).Url);
        }
        if (filter.Domain is not null)
        {
            var reversed = UrlNormalizer.ReverseHost(UrlNormalizer.NormalizeDomain(filter.Domain));
            sql.Append(" AND (c.host_rev = $d OR (c.host_rev >= $lo AND c.host_rev < $hi))");
            command.Parameters.AddWithValue("$d", reversed);
            command.Parameters.AddWithValue("$lo", reversed + ".");
            command.Parameters.AddWithValue("$hi", reversed + "/");
        }
        sql.Append(" ORDER BY c.seq");
        command.CommandText = sql.ToString();
        using var reader = command.ExecuteReader();
        while (reader.Read()) yield return ReadRecord(reader, filter.IncludeEmbeddings);
    }

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
