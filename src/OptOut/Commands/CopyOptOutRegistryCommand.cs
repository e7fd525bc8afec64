using System.Management.Automation;
using OptOut.Core.Registry;
using OptOut.Infrastructure;

namespace OptOut.Commands;

/// <summary>
/// Copy-OptOutRegistry: moves a whole registry from one backend to another (a SQLite file into
/// PostgreSQL, and back), keeping ids, claimants, dates, revocations and the audit trail, then
/// compares every record read back with the source's.
/// </summary>
[Cmdlet(VerbsCommon.Copy, "OptOutRegistry", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(OptOutRegistryCopyResult))]
public sealed class CopyOptOutRegistryCommand : PSCmdlet
{
    private const string RegistryNotEmpty = "OptOut.RegistryNotEmpty";
    private const string RegistryCopyMismatch = "OptOut.RegistryCopyMismatch";

    /// <summary>The registry to copy: a file path or a PostgreSQL connection string. Only read.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    public string Source { get; set; } = "";

    /// <summary>Where to copy it: a file path (created when absent) or a PostgreSQL connection string (the registry is created in the database).</summary>
    [Parameter(Mandatory = true, Position = 1)]
    [ValidateNotNullOrEmpty]
    public string Destination { get; set; } = "";

    /// <summary>Adds to a destination that already holds records: those it lacks (by id), with their audit rows.</summary>
    [Parameter]
    public SwitchParameter Append { get; set; }

    /// <summary>The PostgreSQL login for the source.</summary>
    [Parameter]
    [Credential]
    public PSCredential? SourceCredential { get; set; }

    /// <summary>The PostgreSQL login for the destination.</summary>
    [Parameter]
    [Credential]
    public PSCredential? DestinationCredential { get; set; }

    protected override void EndProcessing()
    {
        var sourceLocation = RegistryAccess.Locate(this, Source, SourceCredential);
        var destinationLocation = RegistryAccess.Locate(this, Destination, DestinationCredential);
        if (sourceLocation.Display == destinationLocation.Display)
        {
            ThrowTerminatingError(ErrorIds.Record(new ArgumentException($"The source and the destination are the same registry ('{sourceLocation.Display}')."),
                "OptOut.InvalidRegistryLocation", ErrorCategory.InvalidArgument, Destination, "Name another destination."));
        }
        using var source = RegistryAccess.OpenForReading(this, Source, SourceCredential)!;
        if (!ShouldProcess(destinationLocation.Display, $"Copy every record and the audit trail of '{source.Path}'")) return;
        using var destination = RegistryAccess.Open(this, destinationLocation);
        RegistryCopyResult result;
        try
        {
            result = RegistryCopy.Run(source, destination, RegistryAccess.CurrentUser, Append);
        }
        catch (RegistryNotEmptyException e)
        {
            ThrowTerminatingError(ErrorIds.Record(e, RegistryNotEmpty, ErrorCategory.ResourceExists, destination.Path, "Copy into an empty registry, or pass -Append."));
            return;
        }
        catch (InvalidDataException e)
        {
            ThrowTerminatingError(ErrorIds.Record(e, RegistryCopyMismatch, ErrorCategory.InvalidResult, destination.Path, null));
            return;
        }
        catch (Exception e) when (RegistryAccess.ToErrorRecord(e, destination.Path) is { } error)
        {
            ThrowTerminatingError(error);
            return;
        }
        catch (ArgumentException e)
        {
            ThrowTerminatingError(ErrorIds.Record(e, "OptOut.InvalidClaim", ErrorCategory.InvalidData, source.Path, "The destination cannot hold this record as it is; nothing was copied."));
            return;
        }
        WriteVerbose($"{result.Records:N0} records ({result.Revoked:N0} revoked) and {result.AuditRows:N0} audit rows copied from {source.Path} to {destination.Path}; {result.Compared:N0} compared after.");
        WriteObject(new OptOutRegistryCopyResult
        {
            Source = source.Path, Destination = destination.Path, Records = result.Records, Revoked = result.Revoked,
            AuditRows = result.AuditRows, AlreadyPresent = result.SkippedPresent, Verified = result.Compared,
        });
    }
}
