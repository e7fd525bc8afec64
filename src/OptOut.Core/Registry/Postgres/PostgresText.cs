namespace OptOut.Core.Registry.Postgres;

/// <summary>
/// PostgreSQL text cannot hold the NUL character (U+0000). Records are checked before anything is
/// written, and one with a NUL is refused whole with the field named, rather than stored changed.
/// </summary>
internal static class PostgresText
{
    public static void Check(StoredClaim r)
    {
        var id = r.Id.Replace("\0", "\\0", StringComparison.Ordinal);
        Check(r.Id, "id", id); Check(r.Target, "target", id); Check(r.Claimant, "claimant", id); Check(r.Reason, "reason", id); Check(r.ModelId, "model id", id);
        Check(r.RevokedBy, "revoked by", id); Check(r.RevokedReason, "revocation reason", id); Check(r.Origin, "origin", id);
        // Evidence is stored as JSON, which writes a NUL as \u0000: it round-trips.
    }

    public static void Check(AuditEntry a)
    {
        Check(a.User, "audit user"); Check(a.Action, "audit action"); Check(a.RecordId, "audit record"); Check(a.Reason, "audit reason"); Check(a.Detail, "audit detail");
    }

    public static void Check(string? value, string field, string? record = null)
    {
        if (value is not null && value.Contains('\0'))
        {
            throw new ArgumentException($"The {field}{(record is null ? "" : $" of record {record}")} contains a NUL character (U+0000), which a PostgreSQL registry cannot hold; nothing was written. Remove it and try again.");
        }
    }
}
