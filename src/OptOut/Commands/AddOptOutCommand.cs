using System.Management.Automation;
using OptOut.Core.Registry;

namespace OptOut.Commands;

/// <summary>Add-OptOut: records refusals (opt-outs) with provenance.</summary>
[Cmdlet(VerbsCommon.Add, "OptOut", DefaultParameterSetName = UrlSet, SupportsShouldProcess = true)]
[OutputType(typeof(ConsentRecord))]
public sealed class AddOptOutCommand : ClaimCommandBase
{
    protected override Decision Decision => Decision.Refuse;
}
