using System.Management.Automation;
using OptOut.Core.Registry;
using OptOut.Infrastructure;

namespace OptOut.Commands;

/// <summary>Remove-OptOut: revokes records. They stay in the registry, revoked, with the reason, and the revocation is audited.</summary>
[Cmdlet(VerbsCommon.Remove, "OptOut", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(ConsentRecord))]
public sealed class RemoveOptOutCommand : RegistryCommandBase
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string[] Id { get; set; } = [];

    [Parameter]
    public string? Reason { get; set; }

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    private IConsentRegistry? registry;

    // Revoking writes: the registry is opened for writing (and migrated), but never created.
    protected override void BeginProcessing() => registry = RegistryAccess.OpenExisting(this, RegistryPath, Credential);

    protected override void ProcessRecord()
    {
        foreach (var id in Id)
        {
            if (registry is null)
            {
                WriteError(ErrorIds.Record(new KeyNotFoundException($"No record with id '{id}' (the registry is empty)."), "OptOut.RecordNotFound", ErrorCategory.ObjectNotFound, id, null));
                continue;
            }
            var existing = registry.Read(new RecordFilter { Ids = [id], IncludeRevoked = true }).FirstOrDefault();
            if (existing is null)
            {
                WriteError(ErrorIds.Record(new KeyNotFoundException($"No record with id '{id}'."), "OptOut.RecordNotFound", ErrorCategory.ObjectNotFound, id, null));
                continue;
            }
            if (existing.Status == ClaimStatus.Revoked)
            {
                WriteWarning($"Record {id} was already revoked on {existing.RevokedAt:u}.");
                continue;
            }
            if (!ShouldProcess($"{existing.Decision} {existing.Kind} {existing.Target} by {existing.Claimant} ({id})", "Revoke")) continue;
            foreach (var revoked in registry.Revoke([id], RegistryAccess.CurrentUser, Reason))
            {
                if (PassThru) WriteObject(ConsentRecord.From(revoked));
            }
        }
    }

    protected override void EndProcessing() => registry?.Dispose();
}
