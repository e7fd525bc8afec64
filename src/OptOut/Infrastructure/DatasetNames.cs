using System.Management.Automation;
using OptOut.Core.Index;

namespace OptOut.Infrastructure;

/// <summary>
/// Dataset names given to -Dataset and -Name: PowerShell wildcards against the datasets in the index,
/// case-insensitively. A name or pattern that matches none is an error that lists the datasets there:
/// silence would read as "not in any training set" when the name was mistyped.
/// </summary>
internal static class DatasetNames
{
    public const string UnknownDataset = "OptOut.UnknownDataset";
    private const int Listed = 20;

    /// <summary>The datasets <paramref name="pattern"/> names, or null after writing the error.</summary>
    public static IReadOnlyList<string>? Resolve(PSCmdlet cmdlet, IndexStore store, string pattern, bool terminating)
    {
        var known = store.ListDatasets().Select(d => d.Name).ToList();
        var wildcard = new WildcardPattern(pattern, WildcardOptions.IgnoreCase);
        var matched = known.Where(wildcard.IsMatch).ToList();
        if (matched.Count > 0) return matched;
        var list = known.Count == 0 ? "the index holds no dataset yet" : $"datasets in it: {string.Join(", ", known.Take(Listed).Select(n => $"'{n}'"))}{(known.Count > Listed ? ", ..." : "")}";
        var error = ErrorIds.Record(new ItemNotFoundException($"No dataset matches '{pattern}' in {store.Path}; {list}."),
            UnknownDataset, ErrorCategory.ObjectNotFound, pattern, "Check the name (Get-TrainingSet lists them; Tab completes them), or use wildcards ('laion*').");
        if (terminating) cmdlet.ThrowTerminatingError(error);
        else cmdlet.WriteError(error);
        return null;
    }
}
