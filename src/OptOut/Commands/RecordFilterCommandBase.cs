using System.Management.Automation;
using OptOut.Core.Registry;

namespace OptOut.Commands;

/// <summary>
/// The record filters Get-OptOut and Export-OptOutList share (-Claimant, -Kind, -Decision, -Url,
/// -Domain, -Since), declared and validated once, and the engine's <see cref="RecordFilter"/> built
/// from them once: the same filters select the same records in both. An empty -Claimant or -Domain
/// is refused (a mistake, not "every claimant").
/// </summary>
public abstract class RecordFilterCommandBase : RegistryCommandBase
{
    /// <summary>Only records of this claimant (case-insensitive, '*' and '?' wildcards).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(Completion.ClaimantCompleter))]
    public string? Claimant { get; set; }

    /// <summary>Only records of this kind (Url, Domain, Content).</summary>
    [Parameter]
    public ClaimKind? Kind { get; set; }

    /// <summary>Only records of this decision (Refuse or Grant).</summary>
    [Parameter]
    public Decision? Decision { get; set; }

    /// <summary>Only records whose URL is one of these (after normalisation). Not bound from the pipeline:
    /// records piped in (Get-OptOut | Get-OptOut) must bind by Id, not turn into URL strings.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[]? Url { get; set; }

    /// <summary>Only records for this domain or its subdomains (URL and domain claims).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Domain { get; set; }

    /// <summary>Only records created at or after this time.</summary>
    [Parameter]
    public DateTime? Since { get; set; }

    /// <summary>The engine's filter of -Claimant, -Kind, -Decision, -Domain and -Since (-Url is read one URL at a time, or as a selection, by the command).</summary>
    protected RecordFilter Filter(bool includeRevoked, bool includeEmbeddings) => new()
    {
        Claimant = Claimant,
        Kind = Kind,
        Decision = Decision,
        Domain = Domain,
        Since = Since?.ToUniversalTime(),
        IncludeRevoked = includeRevoked,
        IncludeEmbeddings = includeEmbeddings,
    };
}
