using System.Management.Automation;
using OptOut.Core;
using OptOut.Core.Index;

namespace OptOut.Infrastructure;

internal static class IndexPaths
{
    public const string IndexNotFound = "OptOut.IndexNotFound";
    public const string ModelMismatch = "OptOut.ModelMismatch";
    public const string DatasetReadFailed = "OptOut.DatasetReadFailed";
    public const string SampleFailed = "OptOut.SampleFailed";

    /// <summary>-IndexPath resolved against the current location, else the default under OPTOUT_HOME.</summary>
    public static string Resolve(PSCmdlet cmdlet, string? indexPath) =>
        indexPath is null ? OptOutPaths.DefaultIndexPath : cmdlet.SessionState.Path.GetUnresolvedProviderPathFromPSPath(indexPath);

    /// <summary>Opens an existing index for reading, or stops the command with a clear error.</summary>
    public static IndexStore OpenExisting(PSCmdlet cmdlet, string path)
    {
        if (!File.Exists(path))
        {
            cmdlet.ThrowTerminatingError(ErrorIds.Record(
                new FileNotFoundException($"There is no training-set index at '{path}'. Import a dataset first with Import-TrainingSet.", path),
                IndexNotFound, ErrorCategory.ObjectNotFound, path, "Run Import-TrainingSet, or pass -IndexPath."));
        }
        return IndexStore.Open(path);
    }
}
