using System.Management.Automation;
using OptOut.Core.Registry;
using OptOut.Infrastructure;

namespace OptOut.Commands;

/// <summary>Get-OptOut: the registry's records, active ones by default, with filters.</summary>
[Cmdlet(VerbsCommon.Get, "OptOut")]
[OutputType(typeof(ConsentRecord))]
public sealed class GetOptOutCommand : RecordFilterCommandBase
{
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string[]? Id { get; set; }

    [Parameter]
    public SwitchParameter IncludeRevoked { get; set; }

    [Parameter]
    public SwitchParameter IncludeEmbedding { get; set; }

    private IConsentRegistry? registry;

    protected override void BeginProcessing() => registry = RegistryAccess.OpenForReading(this, RegistryPath, Credential);

    protected override void ProcessRecord()
    {
        if (registry is null) return;
        var filter = Filter(includeRevoked: IncludeRevoked || Id is not null, includeEmbeddings: IncludeEmbedding) with { Ids = Id };
        try
        {
            if (Url is null)
            {
                foreach (var record in registry.Read(filter)) WriteObject(ConsentRecord.From(record));
            }
            else
            {
                foreach (var url in Url)
                {
                    foreach (var record in registry.Read(filter with { Url = url })) WriteObject(ConsentRecord.From(record));
                }
            }
        }
        catch (ArgumentException e)
        {
            ThrowTerminatingError(ErrorIds.Record(e, InvalidDomain, ErrorCategory.InvalidArgument, Domain, "Name a domain such as 'example.com'."));
        }
        if (Claimant is not null && !claimantChecked)
        {
            claimantChecked = true;
            UnknownClaimant.Check(this, registry, Claimant);
        }
    }

    private bool claimantChecked;

    /// <summary>-Domain names no domain (checked when the records are read).</summary>
    internal const string InvalidDomain = "OptOut.InvalidDomain";

    protected override void EndProcessing() => registry?.Dispose();
}
