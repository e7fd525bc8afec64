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

    int SchemaVersion { get; }

    bool IsReadOnly { get; }

    /// <summary>For an older schema opened read-only: that it was read as it is, and what upgrades it; null when up to date.</summary>
    string? UpgradeNote { get; }

    IReadOnlyList<AddOutcome> AddClaims(IReadOnlyList<NewClaim> claims, string user);

    /// <summary>Adds records made by <see cref="RegistryStore.NewRecord(NewClaim, DateTime)"/> in one transaction.</summary>
    IReadOnlyList<AddOutcome> AddRecords(IReadOnlyList<StoredClaim> records, string user);

    IReadOnlyList<StoredClaim> Revoke(IReadOnlyCollection<string> ids, string user, string? reason);

    MergeResult Merge(IReadOnlyList<StoredClaim> records, string user, string origin, bool applyRevocations = false, string? listPath = null, Action<int>? progress = null);

    /// <summary>
    /// Copies records and audit rows from another registry exactly as they are (ids, claimants,
    /// dates, revocations, origins), in one transaction, and audits the copy. Records whose id is
    /// already here are left alone and not counted. Returns the records added.
    /// </summary>
    int CopyIn(IReadOnlyList<StoredClaim> records, IReadOnlyList<AuditEntry> audit, string user, string source);

    IEnumerable<StoredClaim> Read(RecordFilter filter);

    IReadOnlyList<string> Claimants(string? pattern = null, int limit = 1000);

    IReadOnlyList<string> MissingIds(IReadOnlyCollection<string> ids);

    IEnumerable<StoredClaim> ReadSelection(IReadOnlyList<string>? ids, RecordFilter filter, IReadOnlyList<string>? urls = null);

    IEnumerable<ActiveClaim> ReadActiveClaims();

    IEnumerable<AuditEntry> History(string? recordId = null, DateTime? since = null, string? action = null);

    (long Active, long Revoked) Counts();
}
