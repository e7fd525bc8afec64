using System.Management.Automation;
using OptOut.Core.Registry;
using OptOut.Infrastructure;

namespace OptOut.Commands;

/// <summary>Get-OptOut: the registry's records, active ones by default, with filters.</summary>
[Cmdlet(VerbsCommon.Get, "OptOut")]
[OutputType(typeof(ConsentRecord))]
public sealed class GetOptOutCommand : RegistryCommandBase
{
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string[]? Id { get; set; }

    [Parameter]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(Completion.ClaimantCompleter))]
    public string? Claimant { get; set; }

    [Parameter]
    public ClaimKind? Kind { get; set; }

    [Parameter]
    public Decision? Decision { get; set; }

    /// <summary>Records whose URL is one of these (after normalisation). Not bound from the pipeline:
    /// records piped in (Get-OptOut | Get-OptOut) must bind by Id, not turn into URL strings.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[]? Url { get; set; }

    /// <summary>Records for this domain or its subdomains (URL and domain claims).</summary>
    [Parameter]
    public string? Domain { get; set; }

    [Parameter]
    public DateTime? Since { get; set; }

    [Parameter]
    public SwitchParameter IncludeRevoked { get; set; }

    [Parameter]
    public SwitchParameter IncludeEmbedding { get; set; }

    private IConsentRegistry? registry;

    protected override void BeginProcessing() => registry = RegistryAccess.OpenForReading(this, RegistryPath, Credential);

    protected override void ProcessRecord()
    {
        if (registry is null) return;
        var filter = new RecordFilter
        {
            Ids = Id,
            Claimant = Claimant,
            Kind = Kind,
            Decision = Decision,
            Domain = Domain,
            Since = Since?.ToUniversalTime(),
            IncludeRevoked = IncludeRevoked || Id is not null,
            IncludeEmbeddings = IncludeEmbedding,
        };
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
