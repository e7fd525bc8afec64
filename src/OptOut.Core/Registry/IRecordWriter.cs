namespace OptOut.Core.Registry;

/// <summary>What a merge needs from one backend's write transaction.</summary>
internal interface IRecordWriter : IDisposable
{
    ConsentRecord? FindById(string id);

    ConsentRecord? FindActive(Decision decision, ClaimKind kind, string target);

    void Insert(ConsentRecord record);

    void InsertRevocation(string id, DateTime at, string by, string? reason);

    void Audit(DateTime at, string user, string action, string? recordId, string? reason, string? detail);
}
