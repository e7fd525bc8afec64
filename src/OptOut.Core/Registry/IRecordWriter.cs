namespace OptOut.Core.Registry;

/// <summary>What a merge needs from one backend's write transaction.</summary>
internal interface IRecordWriter : IDisposable
{
    StoredClaim? FindById(string id);

    StoredClaim? FindActive(Decision decision, ClaimKind kind, string target);

    void Insert(StoredClaim record);

    void InsertRevocation(string id, DateTime at, string by, string? reason);

    void Audit(DateTime at, string user, string action, string? recordId, string? reason, string? detail);
}
