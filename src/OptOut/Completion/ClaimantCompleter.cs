using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using OptOut.Core;
using OptOut.Core.Registry;

namespace OptOut.Completion;

/// <summary>Tab completion of claimant names from the registry the command would read (-RegistryPath, else the default), opened read-only.</summary>
public sealed class ClaimantCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var path = fakeBoundParameters["RegistryPath"] as string ?? OptOutPaths.DefaultRegistryPath;
        var word = wordToComplete.Trim('\'', '"');
        IReadOnlyList<string> names;
        try
        {
            if (!File.Exists(path)) return [];
            using var store = RegistryStore.OpenReadOnly(path);
            names = store.Claimants(word + "*", limit: 100);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException or Microsoft.Data.Sqlite.SqliteException)
        {
            return []; // completion never fails the command line
        }
        return names.Select(n => new CompletionResult(CompletionText.Quote(n), n, CompletionResultType.ParameterValue, n));
    }
}
