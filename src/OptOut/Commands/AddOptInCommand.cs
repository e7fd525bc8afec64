using System.Management.Automation;
using OptOut.Core.Registry;

namespace OptOut.Commands;

/// <summary>Add-OptIn: records consent (grants), for datasets checked under an opt-in policy.</summary>
[Cmdlet(VerbsCommon.Add, "OptIn", DefaultParameterSetName = UrlSet, SupportsShouldProcess = true)]
[OutputType(typeof(ConsentRecord))]
public sealed class AddOptInCommand : ClaimCommandBase
{
    protected override Decision Decision => Decision.Grant;
}
