using System.Management.Automation;
using OptOut.Core.Registry;
using OptOut.Infrastructure;

namespace OptOut.Commands;

/// <summary>Get-OptOutHistory: the registry's append-only audit log.</summary>
[Cmdlet(VerbsCommon.Get, "OptOutHistory")]
[OutputType(typeof(OptOutAuditEntry))]
public sealed class GetOptOutHistoryCommand : RegistryCommandBase
{
    /// <summary>Only entries about this record.</summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    public string? Id { get; set; }

    [Parameter]
    public DateTime? Since { get; set; }

    /// <summary>Only entries of this action (AddOptOut, AddOptIn, Revoke, Import, ImportRevoke, Migrate).</summary>
    [Parameter]
    public string? Action { get; set; }

    private IConsentRegistry? registry;

    protected override void BeginProcessing() => registry = RegistryAccess.OpenForReading(this, RegistryPath, Credential);

    protected override void ProcessRecord()
    {
        if (registry is null) return;
        foreach (var e in registry.History(Id, Since?.ToUniversalTime(), Action))
        {
            WriteObject(new OptOutAuditEntry { Sequence = e.Sequence, At = e.At, User = e.User, Action = e.Action, RecordId = e.RecordId, Reason = e.Reason, Detail = e.Detail });
        }
    }

    protected override void EndProcessing() => registry?.Dispose();
}
