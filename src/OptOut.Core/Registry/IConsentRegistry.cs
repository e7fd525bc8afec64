namespace OptOut.Core.Registry;

/// <summary>
/// The consent registry, whatever holds it: a SQLite file (<see cref="RegistryStore"/>) or a
/// PostgreSQL database (<see cref="Postgres.PostgresRegistryStore"/>). Both keep the same records
/// under the same rules: claims, revocations and the audit log append-only (enforced by the
/// database), a claim identical to an active one changes nothing, every write one transaction.
/// </summary>
public interface IConsentRegistry : IDisposable
{
    /// <summary>Where the registry is, fit to show: a file's full path, or a connection string without its password.</summary>
    string Path { get; }

    /// <summary>The schema version the registry holds.</summary>
    int SchemaVersion { get; }

    /// <summary>True when the registry was opened for reading only.</summary>
    bool IsReadOnly { get; }

    /// <summary>For an older schema opened read-only: that it was read as it is, and what upgrades it; null when up to date.</summary>
    string? UpgradeNote { get; }

    /// <summary>Adds claims in one transaction, audited as <paramref name="user"/>; one outcome a claim, in order (added, or the active claim it repeats).</summary>
    IReadOnlyList<AddOutcome> AddClaims(IReadOnlyList<NewClaim> claims, string user);

    /// <summary>Adds records made by <see cref="RegistryStore.NewRecord(NewClaim, DateTime)"/> in one transaction.</summary>
    IReadOnlyList<AddOutcome> AddRecords(IReadOnlyList<StoredClaim> records, string user);

    /// <summary>Revokes the active claims <paramref name="ids"/> as <paramref name="user"/>, with <paramref name="reason"/> (may be null); returns the claims revoked.</summary>
    IReadOnlyList<StoredClaim> Revoke(IReadOnlyCollection<string> ids, string user, string? reason);

    /// <summary>Merges records of an imported list (<paramref name="origin"/>: where they came from) in one transaction; revocations in it are applied only when <paramref name="applyRevocations"/>; <paramref name="progress"/> is told the records done.</summary>
    MergeResult Merge(IReadOnlyList<StoredClaim> records, string user, string origin, bool applyRevocations = false, string? listPath = null, Action<int>? progress = null);

    /// <summary>
    /// Copies records and audit rows from another registry exactly as they are (ids, claimants,
    /// dates, revocations, origins), in one transaction, and audits the copy. Records whose id is
    /// already here are left alone and not counted. Returns the records added.
    /// </summary>
    int CopyIn(IReadOnlyList<StoredClaim> records, IReadOnlyList<AuditEntry> audit, string user, string source);

    /// <summary>The records <paramref name="filter"/> selects, in the order they were written.</summary>
    IEnumerable<StoredClaim> Read(RecordFilter filter);

    /// <summary>Distinct claimant names matching <paramref name="pattern"/> ('*' and '?' wildcards; null: all), sorted, at most <paramref name="limit"/>.</summary>
    IReadOnlyList<string> Claimants(string? pattern = null, int limit = 1000);

    /// <summary>Those of <paramref name="ids"/> that name no record.</summary>
    IReadOnlyList<string> MissingIds(IReadOnlyCollection<string> ids);

    /// <summary>The records with <paramref name="ids"/> (null: any) or <paramref name="urls"/> (null: any) that <paramref name="filter"/> also selects.</summary>
    IEnumerable<StoredClaim> ReadSelection(IReadOnlyList<string>? ids, RecordFilter filter, IReadOnlyList<string>? urls = null);

    /// <summary>Every active claim, in the compact form the training-set gate loads.</summary>
    IEnumerable<ActiveClaim> ReadActiveClaims();

    /// <summary>The audit trail in the order written: of one record (null: all), since a time (null: ever), of one action (null: any).</summary>
    IEnumerable<AuditEntry> History(string? recordId = null, DateTime? since = null, string? action = null);

    /// <summary>Numbers of active and revoked claims.</summary>
    (long Active, long Revoked) Counts();
}
