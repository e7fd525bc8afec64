namespace OptOut.Core.Registry;

/// <summary>
/// Merges records exported by another registry, the same rule for every backend (see
/// <see cref="IConsentRegistry.Merge"/>): ids, claimants and dates kept; a record whose id is here
/// is skipped (a conflict when its content differs); an active claim identical to one here is
/// skipped; one opposite to one here is added and reported. A list's revocations are applied only
/// when asked, and then as the importer's own, naming the list and what it said.
/// </summary>
internal static class RegistryMerge
{
    public static MergeResult Run(IRecordWriter writer, IReadOnlyList<StoredClaim> records, string user, string origin, bool applyRevocations, string? listPath, Action<int>? progress)
    {
        var seen = 0;
        var now = DateTime.UtcNow;
        var list = listPath ?? origin;
        int added = 0, skipped = 0, revoked = 0, notApplied = 0;
        var conflicts = new List<string>();
        foreach (var incoming in records)
        {
            if (++seen % 1000 == 0) progress?.Invoke(seen);
            var record = incoming with { Origin = incoming.Origin == "local" ? origin : incoming.Origin };
            var existing = writer.FindById(record.Id);
            if (existing is not null)
            {
                if (existing.Decision != record.Decision || existing.Kind != record.Kind || existing.Target != record.Target)
                {
                    conflicts.Add($"{record.Id}: this registry has it as {existing.Decision} {existing.Kind} {existing.Target}, the list as {record.Decision} {record.Kind} {record.Target}; kept this registry's.");
                }
                else if (record.Status == ClaimStatus.Revoked && existing.Status == ClaimStatus.Active)
                {
                    if (!applyRevocations)
                    {
                        notApplied++;
                        continue;
                    }
                    RevokeFromList(writer, record, now, user, list);
                    revoked++;
                    continue;
                }
                skipped++;
                continue;
            }

            if (record.Status == ClaimStatus.Revoked && !applyRevocations)
            {
                notApplied++;
                continue;
            }
            if (record.Status == ClaimStatus.Active)
            {
                if (writer.FindActive(record.Decision, record.Kind, record.Target) is not null)
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
                // Added as it stands in the list, revoked: counted in both, so the summary says what the registry now holds.
                RevokeFromList(writer, record, now, user, list);
                revoked++;
            }
            added++;
        }
        return new MergeResult(added, skipped, revoked, conflicts, notApplied);
    }

    // A revocation a list carried, recorded as the importer's, with the list and what it said.
    private static void RevokeFromList(IRecordWriter writer, StoredClaim record, DateTime now, string user, string list)
    {
        var said = (record.RevokedBy is { } by ? $" by {by}" : "") + (record.RevokedAt is { } at ? $" on {RegistryStore.Timestamp(at)}" : "")
            + (record.RevokedReason is { } why ? $": {why}" : "");
        writer.InsertRevocation(record.Id, now, user, $"revoked in the imported list '{list}'{said}");
        writer.Audit(now, user, "ImportRevoke", record.Id, record.RevokedReason, $"{record.Kind} {record.Target}: revoked in the imported list '{list}'{said}");
    }
}
