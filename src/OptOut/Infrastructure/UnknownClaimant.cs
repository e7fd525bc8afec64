using System.Management.Automation;
using OptOut.Core.Registry;

namespace OptOut.Infrastructure;

/// <summary>
/// A -Claimant that names nobody in the registry is an error that lists who is there: silence would
/// read as "this claimant has no records" when the name was mistyped.
/// </summary>
internal static class UnknownClaimant
{
    public const string ErrorId = "OptOut.UnknownClaimant";
    private const int Listed = 10;

    public static void Check(PSCmdlet cmdlet, IConsentRegistry registry, string claimant)
    {
        if (registry.Claimants(claimant, limit: 1).Count > 0) return;
        var known = registry.Claimants(limit: Listed + 1);
        var list = known.Count == 0 ? "the registry holds no records" : $"claimants in it: {string.Join(", ", known.Take(Listed).Select(n => $"'{n}'"))}{(known.Count > Listed ? ", ..." : "")}";
        cmdlet.WriteError(ErrorIds.Record(new ItemNotFoundException($"No claimant matches '{claimant}' in {registry.Path}; {list}."),
            ErrorId, ErrorCategory.ObjectNotFound, claimant, "Check the name, or use wildcards ('Jane*'); Tab completes claimant names."));
    }
}
