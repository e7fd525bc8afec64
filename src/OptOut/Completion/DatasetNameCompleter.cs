using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using OptOut.Core;
using OptOut.Core.Index;

namespace OptOut.Completion;

/// <summary>Tab completion of dataset names from the index the command would read (-IndexPath, else the default), opened read-only.</summary>
public sealed class DatasetNameCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var path = fakeBoundParameters["IndexPath"] as string ?? OptOutPaths.DefaultIndexPath;
        var word = new WildcardPattern(wordToComplete.Trim('\'', '"') + "*", WildcardOptions.IgnoreCase);
        List<string> names;
        try
        {
            if (!File.Exists(path)) return [];
            using var store = IndexStore.OpenForReading(path);
            names = store.ListDatasets().Select(d => d.Name).Where(word.IsMatch).ToList();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException or NotAnIndexException or Microsoft.Data.Sqlite.SqliteException)
        {
            return []; // completion never fails the command line
        }
        return names.Select(n => new CompletionResult(CompletionText.Quote(n), n, CompletionResultType.ParameterValue, n));
    }
}
