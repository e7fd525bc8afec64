using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using Npgsql;
using NpgsqlTypes;
using OptOut.Core.Urls;

namespace OptOut.Core.Registry.Postgres;

/// <summary>
/// The consent registry in a PostgreSQL database (schema <c>optout</c>): the same records, rules
/// and formats as the SQLite file (<see cref="RegistryStore"/>). Claims, revocations and the audit
/// log are append-only by triggers and by privileges (docs/sql/roles.sql); every write is one
/// transaction under the registry's advisory lock, so writers never interleave and a killed writer
/// leaves whole batches. Bulk adds stage the batch's keys by binary COPY, find the claims already
/// active with one set-based query, and COPY the rest and their audit rows into the tables.
/// </summary>
internal sealed class PostgresRegistryStore : IConsentRegistry
{
    private readonly RegistryLocation location;
    private NpgsqlConnection connection;

    private PostgresRegistryStore(RegistryLocation location, NpgsqlConnection connection, int schemaVersion, bool readOnly)
    {
        this.location = location;
        this.connection = connection;
        SchemaVersion = schemaVersion;
        IsReadOnly = readOnly;
    }

    /// <inheritdoc/>
    public string Path => location.Display;

    public int SchemaVersion { get; }

    public bool IsReadOnly { get; }

    public string? UpgradeNote => null;

    /// <summary>
    /// Opens the registry for writing, creating the schema in an empty database and migrating an
    /// older one; one from a newer OptOut is refused untouched (<see cref="InvalidDataException"/>).
    /// </summary>
    public static PostgresRegistryStore Open(RegistryLocation location, string user) => Open(location, user, int.MaxValue);

    /// <summary>As <see cref="Open(RegistryLocation, string)"/>, migrating no further than <paramref name="upTo"/> (tests: a registry as an older OptOut left it).</summary>
    internal static PostgresRegistryStore Open(RegistryLocation location, string user, int upTo)
    {
        var connection = Connect(location);
        try
        {
            PrepareWriterSession(connection);
            PostgresErrors.Translate(location, "create or upgrade the registry (the owner's privileges: CREATE on the database)", () => PostgresMigrations.Apply(connection, user, location.Display, upTo));
            CheckWritePrivileges(location, connection);
            return new PostgresRegistryStore(location, connection, PostgresMigrations.CurrentVersion(connection, null), readOnly: false);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    // A role that may read but not write (the gate's reader) is told so when the registry is
    // opened for a write, naming the privilege, before any claim is made.
    private static void CheckWritePrivileges(RegistryLocation location, NpgsqlConnection connection)
    {
        using var command = new NpgsqlCommand("""
            SELECT t FROM unnest(ARRAY['optout.claims', 'optout.revocations', 'optout.audit']) t WHERE NOT has_table_privilege(t, 'INSERT')
            """, connection);
        var missing = new List<string>();
        PostgresErrors.Translate(location, "check its privileges", () =>
        {
            using var reader = command.ExecuteReader();
            while (reader.Read()) missing.Add(reader.GetString(0));
        });
        if (missing.Count > 0)
        {
            var role = location.Connection?.Username ?? Environment.UserName;
            throw new RegistryPermissionException(
                $"The PostgreSQL role '{role}' may read the registry '{location.Display}' but not write to it: it lacks INSERT on {string.Join(", ", missing)}. " +
                "Adding, revoking and importing need the optout_writer role (docs/registry.md, Roles). Nothing was written.", null);
        }
    }

    /// <summary>
    /// Opens an existing registry read-only (the session's transactions are READ ONLY: nothing can
    /// be written through it). A database without a registry is <see cref="FileNotFoundException"/>.
    /// </summary>
    public static PostgresRegistryStore OpenReadOnly(RegistryLocation location)
    {
        var connection = Connect(location);
        try
        {
            int version = PostgresErrors.Translate(location, "read the registry (the reader's privileges: USAGE on schema optout, SELECT on its tables)", () =>
            {
                PostgresMigrations.Execute(connection, null, "SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY");
                return PostgresMigrations.CurrentVersion(connection, null);
            });
            if (version == 0) throw new FileNotFoundException($"There is no registry in the database '{location.Display}'.");
            if (version > PostgresMigrations.Latest) throw PostgresMigrations.Newer(location.Display, version);
            return new PostgresRegistryStore(location, connection, version, readOnly: true);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>True when the database holds a registry (the caller may connect).</summary>
    public static bool Exists(RegistryLocation location)
    {
        using var connection = Connect(location);
        return PostgresErrors.Translate(location, "read the registry", () => PostgresMigrations.CurrentVersion(connection, null)) > 0;
    }

    // A bulk batch stages its claims' keys (about 5 MB for 50,000 URLs); the default 8 MB of
    // buffers for temporary tables leaves little room. Set before the session first touches one.
    private static void PrepareWriterSession(NpgsqlConnection connection) =>
        PostgresMigrations.Execute(connection, null, "SET temp_buffers = '64MB'");

    private static NpgsqlConnection Connect(RegistryLocation location)
    {
        var connection = new NpgsqlConnection(location.ConnectionString);
        try
        {
            PostgresErrors.Translate(location, "connect", connection.Open);
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    // A write is one transaction; when the connection breaks (the server restarted, a network
    // failure) it was rolled back, so it is run again on a new connection, for up to about a
    // minute. Writes skip claims already active, so a commit whose reply was lost adds nothing twice.
    private T Write<T>(string what, Func<NpgsqlTransaction, T> work)
    {
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                return PostgresErrors.Translate(location, what, () =>
                {
                    using var transaction = connection.BeginTransaction();
                    PostgresMigrations.Execute(connection, transaction, PostgresMigrations.LockSql);
                    var result = work(transaction);
                    transaction.Commit();
                    return result;
                });
            }
            catch (RegistryConnectionException) when (attempt < 30)
            {
                Thread.Sleep(Math.Min(2000, 100 * attempt));
                connection.Dispose();
                connection = new NpgsqlConnection(location.ConnectionString);
                try { connection.Open(); PrepareWriterSession(connection); } catch (Exception e) when (e is NpgsqlException or System.Net.Sockets.SocketException or TimeoutException) { }
            }
        }
    }

    // ---- writing -----------------------------------------------------------------------------

    public IReadOnlyList<AddOutcome> AddClaims(IReadOnlyList<NewClaim> claims, string user)
    {
        var now = DateTime.UtcNow;
        return AddRecords(claims.Select(c => RegistryStore.NewRecord(c, now)).ToList(), user);
    }

    /// <inheritdoc/>
    public IReadOnlyList<AddOutcome> AddRecords(IReadOnlyList<StoredClaim> records, string user)
    {
        foreach (var record in records) PostgresText.Check(record);
        PostgresText.Check(user, "user");
        var (order, hosts) = RegistryStore.IndexOrder(records);
        // The first of each claim in the batch, in input order; a later copy of it is not added.
        var first = new int[records.Count];
        var firsts = new Dictionary<(Decision, ClaimKind, string), int>(records.Count);
        for (int i = 0; i < records.Count; i++)
        {
            ref int at = ref CollectionsMarshal.GetValueRefOrAddDefault(firsts, (records[i].Decision, records[i].Kind, records[i].Target), out bool exists);
            if (!exists) at = i;
            first[i] = at;
        }
        return Write("add claims (the writer's privileges: INSERT on optout.claims and optout.audit)", transaction =>
        {
            // Under the registry's write lock, so no other writer adds or revokes anything between
            // this check and the commit: a claim already active is not added again.
            var active = ActiveAmong(records, order, hosts, first, transaction);
            // What this batch adds, in write order: the first of each claim, unless already active.
            var added = new List<int>(order.Length);
            foreach (int i in order)
            {
                if (first[i] == i && !active.ContainsKey(i)) added.Add(i);
            }
            // The claims and their audit rows go straight into the tables by binary COPY, in
            // write order (the claims index's order for a bulk batch, as in the file; else input
            // order): COPY inserts rows in groups, an INSERT ... SELECT one at a time.
            using (var copy = connection.BeginBinaryImport(
                "COPY optout.claims(id, decision, kind, target, host_rev, phash, embedding, model_id, claimant, reason, evidence, created_at, origin) FROM STDIN (FORMAT BINARY)"))
            {
                foreach (int i in added)
                {
                    copy.StartRow();
                    WriteClaimColumns(copy, records[i], hosts[i]);
                }
                copy.Complete();
            }
            using (var copy = connection.BeginBinaryImport("""COPY optout.audit(at, "user", action, record_id, reason, detail) FROM STDIN (FORMAT BINARY)"""))
            {
                foreach (int i in added)
                {
                    var r = records[i];
                    copy.StartRow();
                    copy.Write(RegistryStore.Timestamp(r.CreatedAt), NpgsqlDbType.Text);
                    copy.Write(user, NpgsqlDbType.Text);
                    copy.Write(RegistryStore.AddedAction(r), NpgsqlDbType.Text);
                    copy.Write(r.Id, NpgsqlDbType.Text);
                    WriteOrNull(copy, r.Reason, NpgsqlDbType.Text);
                    copy.Write(RegistryStore.AddedDetail(r), NpgsqlDbType.Text);
                }
                copy.Complete();
            }
            // A claim not added comes back with the active record that stood in its way: the
            // one already in the registry, or the first of its copies in this batch.
            var outcomes = new AddOutcome[records.Count];
            for (int i = 0; i < outcomes.Length; i++)
            {
                int f = first[i];
                outcomes[i] = active.TryGetValue(f, out var existing) ? new AddOutcome(existing, false)
                    : f == i ? new AddOutcome(records[i], true)
                    : new AddOutcome(records[f], false);
            }
            return (IReadOnlyList<AddOutcome>)outcomes;
        });
    }

    // The active claims already in the registry equal to the batch's (the first of each), by the
    // batch's place of that claim. The batch's keys go by binary COPY into a temporary table of
    // this session (emptied at commit), in write order, and one query probes claims_where for
    // each. Left to itself the planner chose a hash anti-join that read the whole claims table
    // for every batch (a bulk add then slowed down as the registry grew); the keys come in the
    // index's order, so probing walks the index once, in order. A plan this simple gains nothing
    // from JIT compilation, whose start-up costs more than it saves (docs/registry.md).
    private Dictionary<int, StoredClaim> ActiveAmong(IReadOnlyList<StoredClaim> records, int[] order, string?[] hosts, int[] first, NpgsqlTransaction transaction)
    {
        PostgresMigrations.Execute(connection, transaction, """
            CREATE TEMP TABLE IF NOT EXISTS optout_keys(
                ord int, decision text, kind text, host_rev text COLLATE "C", target text COLLATE "C") ON COMMIT DELETE ROWS
            """);
        using (var copy = connection.BeginBinaryImport("COPY optout_keys FROM STDIN (FORMAT BINARY)"))
        {
            foreach (int i in order)
            {
                if (first[i] != i) continue;
                var r = records[i];
                copy.StartRow();
                copy.Write(i, NpgsqlDbType.Integer);
                copy.Write(RegistryStore.DecisionName(r.Decision), NpgsqlDbType.Text);
                copy.Write(RegistryStore.KindName(r.Kind), NpgsqlDbType.Text);
                WriteOrNull(copy, hosts[i], NpgsqlDbType.Text);
                copy.Write(r.Target, NpgsqlDbType.Text);
            }
            copy.Complete();
        }
        PostgresMigrations.Execute(connection, transaction, "SET LOCAL enable_hashjoin = off; SET LOCAL enable_mergejoin = off; SET LOCAL jit = off");
        using var present = new NpgsqlCommand($"""
            SELECT s.ord, {Columns} FROM optout_keys s
            JOIN optout.claims c ON c.kind = s.kind AND coalesce(c.host_rev, '') = coalesce(s.host_rev, '') AND c.target = s.target AND c.decision = s.decision
            LEFT JOIN optout.revocations r ON r.claim_id = c.id
            WHERE r.claim_id IS NULL
            """, connection, transaction);
        var active = new Dictionary<int, StoredClaim>();
        using var reader = present.ExecuteReader();
        while (reader.Read()) active.TryAdd(reader.GetInt32(0), ReadRecord(reader, 1, includeEmbedding: false));
        return active;
    }

    private static void WriteClaimColumns(NpgsqlBinaryImporter copy, StoredClaim r, string? hostKey)
    {
        copy.Write(r.Id, NpgsqlDbType.Text);
        copy.Write(RegistryStore.DecisionName(r.Decision), NpgsqlDbType.Text);
        copy.Write(RegistryStore.KindName(r.Kind), NpgsqlDbType.Text);
        copy.Write(r.Target, NpgsqlDbType.Text);
        WriteOrNull(copy, hostKey, NpgsqlDbType.Text);
        if (r.PerceptualHash is { } h) copy.Write(unchecked((long)h), NpgsqlDbType.Bigint); else copy.WriteNull();
        if (r.Embedding is { } e) copy.Write(MemoryMarshal.AsBytes(e.AsSpan()).ToArray(), NpgsqlDbType.Bytea); else copy.WriteNull();
        WriteOrNull(copy, r.ModelId, NpgsqlDbType.Text);
        copy.Write(r.Claimant, NpgsqlDbType.Text);
        WriteOrNull(copy, r.Reason, NpgsqlDbType.Text);
        WriteOrNull(copy, r.Evidence is null ? null : JsonSerializer.Serialize(r.Evidence, RegistryStore.EvidenceJson), NpgsqlDbType.Text);
        copy.Write(RegistryStore.Timestamp(r.CreatedAt), NpgsqlDbType.Text);
        copy.Write(r.Origin, NpgsqlDbType.Text);
    }

    private static void WriteOrNull(NpgsqlBinaryImporter copy, string? value, NpgsqlDbType type)
    {
        if (value is null) copy.WriteNull(); else copy.Write(value, type);
    }

    /// <summary>Revokes active records; the records stay, with a revocation of their own, and are audited.</summary>
    public IReadOnlyList<StoredClaim> Revoke(IReadOnlyCollection<string> ids, string user, string? reason)
    {
        PostgresText.Check(user, "user");
        PostgresText.Check(reason, "reason");
        var revoked = Write("revoke records (the writer's privileges: INSERT on optout.revocations and optout.audit)", transaction =>
        {
            var now = DateTime.UtcNow;
            var writer = new Writer(this, transaction);
            var done = new List<string>();
            foreach (var id in ids)
            {
                var existing = writer.FindById(id) ?? throw new KeyNotFoundException($"No record with id '{id}'.");
                if (existing.Status == ClaimStatus.Revoked) continue;
                writer.InsertRevocation(id, now, user, reason);
                writer.Audit(now, user, "Revoke", id, reason, $"{existing.Kind} {existing.Target}");
                done.Add(id);
            }
            return done;
        });
        return revoked.Count == 0 ? [] : Read(new RecordFilter { Ids = revoked, IncludeRevoked = true }).ToList();
    }

    public MergeResult Merge(IReadOnlyList<StoredClaim> records, string user, string origin, bool applyRevocations = false, string? listPath = null, Action<int>? progress = null)
    {
        foreach (var record in records) PostgresText.Check(record);
        return Write("import records (the writer's privileges: INSERT on optout.claims, optout.revocations and optout.audit)",
            transaction => RegistryMerge.Run(new Writer(this, transaction), records, user, origin, applyRevocations, listPath, progress));
    }

    /// <inheritdoc/>
    public int CopyIn(IReadOnlyList<StoredClaim> records, IReadOnlyList<AuditEntry> audit, string user, string source)
    {
        foreach (var record in records) PostgresText.Check(record);
        foreach (var entry in audit) PostgresText.Check(entry);
        return Write("copy records in (the writer's privileges)", transaction =>
        {
            using (var copy = connection.BeginBinaryImport("COPY optout.claims(id, decision, kind, target, host_rev, phash, embedding, model_id, claimant, reason, evidence, created_at, origin) FROM STDIN (FORMAT BINARY)"))
            {
                foreach (var r in records) { copy.StartRow(); WriteClaimColumns(copy, r, RegistryStore.HostKey(r.Kind, r.Target)); }
                copy.Complete();
            }
            using (var copy = connection.BeginBinaryImport("COPY optout.revocations(claim_id, revoked_at, revoked_by, reason) FROM STDIN (FORMAT BINARY)"))
            {
                foreach (var r in records.Where(r => r.Status == ClaimStatus.Revoked))
                {
                    copy.StartRow();
                    copy.Write(r.Id, NpgsqlDbType.Text);
                    copy.Write(RegistryStore.Timestamp(r.RevokedAt ?? r.CreatedAt), NpgsqlDbType.Text);
                    copy.Write(r.RevokedBy ?? r.Claimant, NpgsqlDbType.Text);
                    WriteOrNull(copy, r.RevokedReason, NpgsqlDbType.Text);
                }
                copy.Complete();
            }
            using (var copy = connection.BeginBinaryImport("""COPY optout.audit(at, "user", action, record_id, reason, detail) FROM STDIN (FORMAT BINARY)"""))
            {
                foreach (var a in audit)
                {
                    copy.StartRow();
                    copy.Write(RegistryStore.Timestamp(a.At), NpgsqlDbType.Text);
                    copy.Write(a.User, NpgsqlDbType.Text);
                    copy.Write(a.Action, NpgsqlDbType.Text);
                    WriteOrNull(copy, a.RecordId, NpgsqlDbType.Text);
                    WriteOrNull(copy, a.Reason, NpgsqlDbType.Text);
                    WriteOrNull(copy, a.Detail, NpgsqlDbType.Text);
                }
                copy.Complete();
            }
            new Writer(this, transaction).Audit(DateTime.UtcNow, user, "Copy", null, null, $"{records.Count} records and {audit.Count} audit rows copied from {source}");
            return records.Count;
        });
    }

    /// <summary>One write transaction's statements, for merges and revocations (few rows each).</summary>
    private sealed class Writer(PostgresRegistryStore store, NpgsqlTransaction transaction) : IRecordWriter
    {
        public StoredClaim? FindById(string id) => store.Read(new RecordFilter { Ids = [id], IncludeRevoked = true }, transaction, inIdOrder: false).FirstOrDefault();

        public StoredClaim? FindActive(Decision decision, ClaimKind kind, string target)
        {
            using var command = new NpgsqlCommand($"""
                SELECT {Columns} FROM optout.claims c LEFT JOIN optout.revocations r ON r.claim_id = c.id
                WHERE c.kind = $1 AND coalesce(c.host_rev, '') = $2 AND c.target = $3 AND c.decision = $4 AND r.claim_id IS NULL LIMIT 1
                """, store.connection, transaction);
            Add(command, RegistryStore.KindName(kind), RegistryStore.HostKey(kind, target) ?? "", target, RegistryStore.DecisionName(decision));
            using var reader = command.ExecuteReader();
            return reader.Read() ? ReadRecord(reader, 0, includeEmbedding: false) : null;
        }

        public void Insert(StoredClaim r)
        {
            using var command = new NpgsqlCommand("""
                INSERT INTO optout.claims(id, decision, kind, target, host_rev, phash, embedding, model_id, claimant, reason, evidence, created_at, origin)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
                """, store.connection, transaction);
            Add(command, r.Id, RegistryStore.DecisionName(r.Decision), RegistryStore.KindName(r.Kind), r.Target, RegistryStore.HostKey(r.Kind, r.Target));
            command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Bigint, Value = r.PerceptualHash is { } h ? unchecked((long)h) : DBNull.Value });
            command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Bytea, Value = r.Embedding is { } e ? MemoryMarshal.AsBytes(e.AsSpan()).ToArray() : DBNull.Value });
            Add(command, r.ModelId, r.Claimant, r.Reason, r.Evidence is null ? null : JsonSerializer.Serialize(r.Evidence, RegistryStore.EvidenceJson), RegistryStore.Timestamp(r.CreatedAt), r.Origin);
            command.ExecuteNonQuery();
        }

        public void InsertRevocation(string id, DateTime at, string by, string? reason)
        {
            using var command = new NpgsqlCommand("INSERT INTO optout.revocations(claim_id, revoked_at, revoked_by, reason) VALUES ($1, $2, $3, $4)", store.connection, transaction);
            Add(command, id, RegistryStore.Timestamp(at), by, reason);
            command.ExecuteNonQuery();
        }

        public void Audit(DateTime at, string user, string action, string? recordId, string? reason, string? detail)
        {
            using var command = new NpgsqlCommand("""INSERT INTO optout.audit(at, "user", action, record_id, reason, detail) VALUES ($1, $2, $3, $4, $5, $6)""", store.connection, transaction);
            Add(command, RegistryStore.Timestamp(at), user, action, recordId, reason, detail);
            command.ExecuteNonQuery();
        }

        public void Dispose()
        {
        }
    }

    // Text parameters by position; never SQL built from user text.
    private static void Add(NpgsqlCommand command, params string?[] values)
    {
        foreach (var value in values) command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Text, Value = (object?)value ?? DBNull.Value });
    }

    // ---- reading -----------------------------------------------------------------------------

    private const string Columns = "c.id, c.decision, c.kind, c.target, c.phash, c.embedding, c.model_id, c.claimant, c.reason, c.evidence, c.created_at, r.revoked_at, r.revoked_by, r.reason, c.origin";

    private static StoredClaim ReadRecord(NpgsqlDataReader reader, int offset, bool includeEmbedding)
    {
        int o = offset;
        return new StoredClaim
        {
            Id = reader.GetString(o),
            Decision = RegistryStore.ParseDecision(reader.GetString(o + 1)),
            Kind = RegistryStore.ParseKind(reader.GetString(o + 2)),
            Target = reader.GetString(o + 3),
            PerceptualHash = reader.IsDBNull(o + 4) ? null : unchecked((ulong)reader.GetInt64(o + 4)),
            Embedding = includeEmbedding && !reader.IsDBNull(o + 5) ? MemoryMarshal.Cast<byte, float>(reader.GetFieldValue<byte[]>(o + 5)).ToArray() : null,
            ModelId = reader.IsDBNull(o + 6) ? null : reader.GetString(o + 6),
            Claimant = reader.GetString(o + 7),
            Reason = reader.IsDBNull(o + 8) ? null : reader.GetString(o + 8),
            Evidence = reader.IsDBNull(o + 9) ? null : JsonSerializer.Deserialize<Evidence>(reader.GetString(o + 9), RegistryStore.EvidenceJson),
            CreatedAt = RegistryStore.ParseTimestamp(reader.GetString(o + 10)),
            Status = reader.IsDBNull(o + 11) ? ClaimStatus.Active : ClaimStatus.Revoked,
            RevokedAt = reader.IsDBNull(o + 11) ? null : RegistryStore.ParseTimestamp(reader.GetString(o + 11)),
            RevokedBy = reader.IsDBNull(o + 12) ? null : reader.GetString(o + 12),
            RevokedReason = reader.IsDBNull(o + 13) ? null : reader.GetString(o + 13),
            Origin = reader.GetString(o + 14),
        };
    }

    public IEnumerable<StoredClaim> Read(RecordFilter filter) => Read(filter, null, inIdOrder: false);

    private IEnumerable<StoredClaim> Read(RecordFilter filter, NpgsqlTransaction? transaction, bool inIdOrder)
    {
        using var command = new NpgsqlCommand { Connection = connection, Transaction = transaction };
        var values = new List<(object Value, NpgsqlDbType Type)>();
        string P(object value, NpgsqlDbType type = NpgsqlDbType.Text)
        {
            values.Add((value, type));
            return "$" + values.Count.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        bool byIds = filter.Ids is { Count: > 0 };
        var sql = new StringBuilder(byIds
            ? $"SELECT {Columns} FROM unnest({P(filter.Ids!.Distinct(StringComparer.Ordinal).ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Text)}) WITH ORDINALITY AS j(value, key) JOIN optout.claims c ON c.id = j.value LEFT JOIN optout.revocations r ON r.claim_id = c.id WHERE true"
            : $"SELECT {Columns} FROM optout.claims c LEFT JOIN optout.revocations r ON r.claim_id = c.id WHERE true");
        if (!filter.IncludeRevoked) sql.Append(" AND r.claim_id IS NULL");
        if (filter.Claimant is not null)
        {
            // As SQLite: '*' and '?' are wildcards; case-insensitive.
            sql.Append(ClaimantPattern.HasWildcards(filter.Claimant)
                ? $" AND {FoldedClaimant} LIKE {P(ClaimantPattern.FoldAscii(ClaimantPattern.ToLike(filter.Claimant)))} ESCAPE '\\'"
                : $" AND {FoldedClaimant} = {P(ClaimantPattern.FoldAscii(filter.Claimant))}");
        }
        if (filter.Kind is { } kind) sql.Append(System.Globalization.CultureInfo.InvariantCulture, $" AND c.kind = {P(RegistryStore.KindName(kind))}");
        if (filter.Decision is { } decision) sql.Append(System.Globalization.CultureInfo.InvariantCulture, $" AND c.decision = {P(RegistryStore.DecisionName(decision))}");
        if (filter.Since is { } since) sql.Append(System.Globalization.CultureInfo.InvariantCulture, $" AND c.created_at >= {P(RegistryStore.Timestamp(since))}");
        if (filter.Url is not null)
        {
            var url = UrlNormalizer.Normalize(filter.Url).Url;
            sql.Append(System.Globalization.CultureInfo.InvariantCulture, $" AND c.kind = 'Url' AND coalesce(c.host_rev, '') = {P(RegistryStore.HostKey(ClaimKind.Url, url) ?? "")} AND c.target = {P(url)}");
        }
        if (filter.Domain is not null)
        {
            var reversed = UrlNormalizer.ReverseHost(UrlNormalizer.NormalizeDomain(filter.Domain));
            string d = P(reversed), lo = P(reversed + "."), hi = P(reversed + "/");
            sql.Append(System.Globalization.CultureInfo.InvariantCulture, $" AND c.kind IN ('Url', 'Domain') AND coalesce(c.host_rev, '') >= {d} AND coalesce(c.host_rev, '') < {hi} AND (coalesce(c.host_rev, '') = {d} OR coalesce(c.host_rev, '') >= {lo})");
        }
        sql.Append(byIds && inIdOrder ? " ORDER BY j.key" : " ORDER BY c.seq");
        command.CommandText = sql.ToString();
        foreach (var (value, type) in values) command.Parameters.Add(new NpgsqlParameter { Value = value, NpgsqlDbType = type });
        var records = PostgresErrors.Translate(location, "read the registry", () =>
        {
            // Read whole before yielding: a connection serves one reader at a time, and callers
            // look records up (Revoke, merges) while iterating.
            using var reader = command.ExecuteReader();
            var list = new List<StoredClaim>();
            while (reader.Read()) list.Add(ReadRecord(reader, 0, filter.IncludeEmbeddings));
            return list;
        });
        foreach (var record in records) yield return record;
    }

    // Claimants compare as SQLite's NOCASE and LIKE compare them: A-Z folded, nothing else.
    private static string Folded(string column) => $"translate({column}, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')";

    private static readonly string FoldedClaimant = Folded("c.claimant");

    public IReadOnlyList<string> Claimants(string? pattern = null, int limit = 1000)
    {
        using var command = new NpgsqlCommand(pattern is null
            ? $"SELECT claimant FROM (SELECT DISTINCT claimant FROM optout.claims) d ORDER BY {Folded("claimant")} COLLATE \"C\", claimant COLLATE \"C\" LIMIT $1"
            : $"SELECT claimant FROM (SELECT DISTINCT claimant FROM optout.claims WHERE {Folded("claimant")} LIKE $2 ESCAPE '\\') d ORDER BY {Folded("claimant")} COLLATE \"C\", claimant COLLATE \"C\" LIMIT $1", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = limit, NpgsqlDbType = NpgsqlDbType.Integer });
        if (pattern is not null) command.Parameters.Add(new NpgsqlParameter { Value = ClaimantPattern.FoldAscii(ClaimantPattern.ToLike(pattern)), NpgsqlDbType = NpgsqlDbType.Text });
        return PostgresErrors.Translate(location, "read the registry", () =>
        {
            var names = new List<string>();
            using var reader = command.ExecuteReader();
            while (reader.Read()) names.Add(reader.GetString(0));
            return names;
        });
    }

    public IReadOnlyList<string> MissingIds(IReadOnlyCollection<string> ids)
    {
        if (ids.Count == 0) return [];
        using var command = new NpgsqlCommand("SELECT j.value FROM unnest($1) WITH ORDINALITY AS j(value, key) LEFT JOIN optout.claims c ON c.id = j.value WHERE c.id IS NULL ORDER BY j.key", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = ids.Distinct(StringComparer.Ordinal).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        return PostgresErrors.Translate(location, "read the registry", () =>
        {
            var missing = new List<string>();
            using var reader = command.ExecuteReader();
            while (reader.Read()) missing.Add(reader.GetString(0));
            return missing;
        });
    }

    public IEnumerable<StoredClaim> ReadSelection(IReadOnlyList<string>? ids, RecordFilter filter, IReadOnlyList<string>? urls = null) =>
        RegistrySelection.Select(ids, filter, urls, (f, inIdOrder) => Read(f, null, inIdOrder));

    /// <summary>Every active claim, oldest first, with only what a dataset check compares.</summary>
    public IEnumerable<ActiveClaim> ReadActiveClaims()
    {
        // One snapshot for every read below, and sequential scans that start at the table's first
        // page (synchronize_seqscans lets a scan join another one mid-table), so reading the claims
        // twice gives the same physical order both times.
        using var transaction = PostgresErrors.Translate(location, "read the registry", () =>
        {
            var t = connection.BeginTransaction(System.Data.IsolationLevel.RepeatableRead);
            PostgresMigrations.Execute(connection, t, "SET LOCAL synchronize_seqscans = off");
            return t;
        });
        var revoked = new HashSet<string>(StringComparer.Ordinal);
        bool inSeqOrder = PostgresErrors.Translate(location, "read the registry", () =>
        {
            using (var revocations = new NpgsqlCommand("SELECT claim_id FROM optout.revocations", connection, transaction))
            using (var reader = revocations.ExecuteReader())
            {
                while (reader.Read()) revoked.Add(reader.GetString(0));
            }
            return PhysicalOrderIsSeqOrder();
        });
        if (!inSeqOrder)
        {
            // Rare (space left by a rolled-back batch reused by a later one): read all, then sort.
            var all = PostgresErrors.Translate(location, "read the registry", () => ReadAllClaimsForGate(revoked));
            foreach (var claim in all) yield return claim;
            yield break;
        }
        // The usual case: claims go to the caller as they are parsed, so the gate fills its tables
        // (ConsentRules.Load, on another thread) while the rest are still being read.
        using var copy = PostgresErrors.Translate(location, "read the registry", () => connection.BeginBinaryExport(GateClaimsCopy));
        var chunk = new List<ActiveClaim>(4096);
        while (true)
        {
            chunk.Clear();
            bool more = PostgresErrors.Translate(location, "read the registry", () => ReadGateClaims(copy, revoked, chunk, null, 4096));
            foreach (var claim in chunk) yield return claim;
            if (!more) break;
        }
    }

    // The gate loads a million claims before it reads a row: binary COPY of just the columns it
    // compares, in the table's physical order (a sequential scan; ORDER BY seq walks the primary
    // key index instead, several times slower). Claims are only ever appended, one writer at a
    // time, so that order is almost always seq order already: checked first, from seq alone.
    private const string GateClaimsCopy = """
        COPY (SELECT c.seq, c.id, c.decision = 'Grant', CASE c.kind WHEN 'Url' THEN 0 WHEN 'Domain' THEN 1 ELSE 2 END, c.target, c.phash,
                     CASE WHEN c.kind = 'Content' THEN c.embedding END, c.model_id, c.claimant,
                     CASE WHEN c.kind = 'Content' THEN c.evidence END
              FROM optout.claims c) TO STDOUT (FORMAT BINARY)
        """;

    private bool PhysicalOrderIsSeqOrder()
    {
        using var copy = connection.BeginBinaryExport("COPY (SELECT seq FROM optout.claims) TO STDOUT (FORMAT BINARY)");
        long previous = long.MinValue;
        bool ordered = true;
        while (copy.StartRow() >= 0)
        {
            long seq = copy.Read<long>(NpgsqlDbType.Bigint);
            if (seq <= previous) ordered = false;
            previous = seq;
        }
        return ordered;
    }

    private List<ActiveClaim> ReadAllClaimsForGate(HashSet<string> revoked)
    {
        var claims = new List<ActiveClaim>();
        var seqs = new List<long>();
        using (var copy = connection.BeginBinaryExport(GateClaimsCopy))
        {
            ReadGateClaims(copy, revoked, claims, seqs, int.MaxValue);
        }
        var keys = seqs.ToArray();
        var sorted = claims.ToArray();
        Array.Sort(keys, sorted);
        return [.. sorted];
    }

    /// <summary>Adds up to <paramref name="count"/> active claims to <paramref name="claims"/>; false once the COPY is done.</summary>
    private static bool ReadGateClaims(NpgsqlBinaryExporter copy, HashSet<string> revoked, List<ActiveClaim> claims, List<long>? seqs, int count)
    {
        while (claims.Count < count)
        {
            if (copy.StartRow() < 0) return false;
            long seq = copy.Read<long>(NpgsqlDbType.Bigint);
            var id = copy.Read<string>(NpgsqlDbType.Text);
            bool grant = copy.Read<bool>(NpgsqlDbType.Boolean);
            int kind = copy.Read<int>(NpgsqlDbType.Integer);
            var target = copy.Read<string>(NpgsqlDbType.Text);
            ulong? phash = copy.IsNull ? Skip<ulong?>(copy) : unchecked((ulong)copy.Read<long>(NpgsqlDbType.Bigint));
            float[]? embedding = copy.IsNull ? Skip<float[]?>(copy) : MemoryMarshal.Cast<byte, float>(copy.Read<byte[]>(NpgsqlDbType.Bytea)).ToArray();
            string? modelId = copy.IsNull ? Skip<string?>(copy) : copy.Read<string>(NpgsqlDbType.Text);
            var claimant = copy.Read<string>(NpgsqlDbType.Text);
            string? md5 = copy.IsNull ? Skip<string?>(copy) : Md5Of(copy.Read<string>(NpgsqlDbType.Text));
            if (revoked.Count > 0 && revoked.Contains(id)) continue;
            seqs?.Add(seq);
            claims.Add(new ActiveClaim(id, grant ? Decision.Grant : Decision.Refuse, (ClaimKind)kind, target, phash, embedding, modelId, claimant, md5));
        }
        return true;
    }

    private static T Skip<T>(NpgsqlBinaryExporter copy)
    {
        copy.Skip();
        return default!;
    }

    // SQLite's json_extract(evidence, '$.FileMd5') for valid JSON, null otherwise.
    private static string? Md5Of(string evidence)
    {
        try
        {
            using var document = JsonDocument.Parse(evidence);
            return document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("FileMd5", out var md5) && md5.ValueKind == JsonValueKind.String
                ? md5.GetString()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public IEnumerable<AuditEntry> History(string? recordId = null, DateTime? since = null, string? action = null)
    {
        using var command = new NpgsqlCommand { Connection = connection };
        var sql = new StringBuilder("""SELECT seq, at, "user", action, record_id, reason, detail FROM optout.audit WHERE true""");
        if (recordId is not null) { command.Parameters.Add(new NpgsqlParameter { Value = recordId, NpgsqlDbType = NpgsqlDbType.Text }); sql.Append(System.Globalization.CultureInfo.InvariantCulture, $" AND record_id = ${command.Parameters.Count}"); }
        if (since is { } s) { command.Parameters.Add(new NpgsqlParameter { Value = RegistryStore.Timestamp(s), NpgsqlDbType = NpgsqlDbType.Text }); sql.Append(System.Globalization.CultureInfo.InvariantCulture, $" AND at >= ${command.Parameters.Count}"); }
        if (action is not null) { command.Parameters.Add(new NpgsqlParameter { Value = action, NpgsqlDbType = NpgsqlDbType.Text }); sql.Append(System.Globalization.CultureInfo.InvariantCulture, $" AND lower(action) = lower(${command.Parameters.Count})"); }
        sql.Append(" ORDER BY seq");
        command.CommandText = sql.ToString();
        var entries = PostgresErrors.Translate(location, "read the audit log", () =>
        {
            var list = new List<AuditEntry>();
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                list.Add(new AuditEntry(reader.GetInt64(0), RegistryStore.ParseTimestamp(reader.GetString(1)), reader.GetString(2), reader.GetString(3),
                    reader.IsDBNull(4) ? null : reader.GetString(4), reader.IsDBNull(5) ? null : reader.GetString(5), reader.IsDBNull(6) ? null : reader.GetString(6)));
            }
            return list;
        });
        foreach (var entry in entries) yield return entry;
    }

    public (long Active, long Revoked) Counts()
    {
        using var command = new NpgsqlCommand("SELECT (SELECT count(*) FROM optout.claims), (SELECT count(*) FROM optout.revocations)", connection);
        return PostgresErrors.Translate(location, "read the registry", () =>
        {
            using var reader = command.ExecuteReader();
            reader.Read();
            return (reader.GetInt64(0) - reader.GetInt64(1), reader.GetInt64(1));
        });
    }

    public void Dispose() => connection.Dispose();
}
