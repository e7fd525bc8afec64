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
        var given = fakeBoundParameters["RegistryPath"] as string ?? Environment.GetEnvironmentVariable(ConsentRegistries.RegistryVariable);
        var word = wordToComplete.Trim('\'', '"');
        IReadOnlyList<string> names;
        try
        {
            var location = string.IsNullOrEmpty(given) ? RegistryLocation.File(OptOutPaths.DefaultRegistryPath) : RegistryLocation.Parse(given);
            if (location.Backend == RegistryBackend.Sqlite && !File.Exists(location.FilePath)) return [];
            using var store = ConsentRegistries.OpenReadOnly(location);
            names = store.Claimants(word + "*", limit: 100);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException or ArgumentException or InvalidOperationException or Microsoft.Data.Sqlite.SqliteException)
        {
            return []; // completion never fails the command line
        }
        return names.Select(n => new CompletionResult(CompletionText.Quote(n), n, CompletionResultType.ParameterValue, n));
    }
}
