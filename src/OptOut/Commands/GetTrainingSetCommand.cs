using System.Management.Automation;
using OptOut.Infrastructure;

namespace OptOut.Commands;

/// <summary>Get-TrainingSet: the datasets in an index, with their counts and model.</summary>
[Cmdlet(VerbsCommon.Get, "TrainingSet")]
[OutputType(typeof(TrainingSet))]
public sealed class GetTrainingSetCommand : PSCmdlet
{
    [Parameter(Position = 0)]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(Completion.DatasetNameCompleter))]
    public string[]? Name { get; set; }

    [Parameter]
    public string? IndexPath { get; set; }

    protected override void EndProcessing()
    {
        var indexPath = IndexAccess.Resolve(this, IndexPath);
        using var store = IndexAccess.OpenExisting(this, indexPath);
        // A name or pattern that matches no dataset is an error listing those there, as with Find-TrainedImage -Dataset.
        foreach (var name in Name ?? []) DatasetNames.Resolve(this, store, name, terminating: false);
        var patterns = Name?.Select(n => new WildcardPattern(n, WildcardOptions.IgnoreCase)).ToArray();
        foreach (var dataset in store.ListDatasets())
        {
            if (patterns is not null && !patterns.Any(p => p.IsMatch(dataset.Name))) continue;
            WriteObject(new TrainingSet
            {
                Name = dataset.Name,
                Rows = dataset.Rows,
                Shards = dataset.Shards,
                Fingerprinted = dataset.Fingerprinted,
                WithEmbedding = dataset.WithEmbedding,
                Skipped = dataset.Skipped,
                Model = dataset.ModelId,
                CreatedAt = dataset.CreatedAt,
                IndexPath = indexPath,
            });
        }
    }
}
