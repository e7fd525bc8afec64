namespace OptOut.Core.Registry;

/// <summary>
/// Copies a whole registry into another, whatever their backends (SQLite to PostgreSQL and back):
/// every record with its id, claimant, reason, evidence, dates, origin and revocation, and the
/// audit trail (each row with its own time, user and action, after the destination's own rows),
/// in one transaction, then a "Copy" audit row. The destination must hold no records unless
/// <c>append</c>; then records whose id is already there are left alone, and only the audit rows
/// about the records copied are added. Afterwards every record is read back from the destination
/// and compared field by field with the source's; a difference is an error.
/// </summary>
public static class RegistryCopy
{
    /// <summary>Copies every record and audit row of <paramref name="source"/> into <paramref name="destination"/> as <paramref name="user"/>; <paramref name="append"/> allows a destination that already holds records.</summary>
    public static RegistryCopyResult Run(IConsentRegistry source, IConsentRegistry destination, string user, bool append)
    {
        var records = source.Read(new RecordFilter { IncludeRevoked = true, IncludeEmbeddings = true }).ToList();
        var audit = source.History().ToList();
        var (active, revoked) = destination.Counts();
        if (active + revoked > 0 && !append)
        {
            throw new RegistryNotEmptyException($"The destination '{destination.Path}' already holds {active + revoked:N0} records; nothing was copied. Pass -Append to add the records it does not have.");
        }
        int skipped = 0;
        if (active + revoked > 0)
        {
            var missing = destination.MissingIds(records.Select(r => r.Id).ToList()).ToHashSet(StringComparer.Ordinal);
            skipped = records.Count - missing.Count;
            records = records.Where(r => missing.Contains(r.Id)).ToList();
            audit = audit.Where(a => a.RecordId is not null && missing.Contains(a.RecordId)).ToList();
        }
        destination.CopyIn(records, audit, user, source.Path);
        int compared = Verify(records, destination);
        return new RegistryCopyResult(records.Count, records.Count(r => r.Status == ClaimStatus.Revoked), audit.Count, skipped, compared);
    }

    // Every copied record as the destination now reads it, field by field (the embedding's floats bit for bit).
    private static int Verify(List<StoredClaim> copied, IConsentRegistry destination)
    {
        if (copied.Count == 0) return 0;
        var stored = destination.Read(new RecordFilter { Ids = copied.Select(r => r.Id).ToList(), IncludeRevoked = true, IncludeEmbeddings = true })
            .ToDictionary(r => r.Id, StringComparer.Ordinal);
        foreach (var record in copied)
        {
            if (!stored.TryGetValue(record.Id, out var back)) throw new InvalidDataException($"Record {record.Id} is missing from '{destination.Path}' after the copy.");
            if (Differs(record, back) is { } field) throw new InvalidDataException($"Record {record.Id} differs in '{destination.Path}' after the copy ({field}).");
        }
        return copied.Count;
    }

    /// <summary>The first field in which two records differ, or null when they are the same record.</summary>
    public static string? Differs(StoredClaim a, StoredClaim b)
    {
        if (a.Id != b.Id) return "id";
        if (a.Decision != b.Decision) return "decision";
        if (a.Kind != b.Kind) return "kind";
        if (a.Target != b.Target) return "target";
        if (a.PerceptualHash != b.PerceptualHash) return "perceptual hash";
        if (!(a.Embedding ?? []).AsSpan().SequenceEqual(b.Embedding ?? [])) return "embedding";
        if ((a.Embedding is null) != (b.Embedding is null)) return "embedding";
        if (a.ModelId != b.ModelId) return "model id";
        if (a.Claimant != b.Claimant) return "claimant";
        if (a.Reason != b.Reason) return "reason";
        if (a.Evidence != b.Evidence) return "evidence";
        if (a.CreatedAt != b.CreatedAt) return "created at";
        if (a.Status != b.Status) return "status";
        if (a.RevokedAt != b.RevokedAt) return "revoked at";
        if (a.RevokedBy != b.RevokedBy) return "revoked by";
        if (a.RevokedReason != b.RevokedReason) return "revocation reason";
        if (a.Origin != b.Origin) return "origin";
        return null;
    }
}
