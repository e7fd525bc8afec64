using System.Management.Automation;
using OptOut.Core;
using OptOut.Core.Index;

namespace OptOut.Infrastructure;

/// <summary>
/// Where a command's training-set index is (-IndexPath, else the default under OPTOUT_HOME) and how
/// it is opened: read-only for the commands that search, for writing by an import; a file that is not
/// an index, or of another schema, stops the command with its error (<see cref="ErrorIds"/>).
/// </summary>
internal static class IndexAccess
{
    /// <summary>-IndexPath resolved against the current location, else the default under OPTOUT_HOME.</summary>
    public static string Resolve(PSCmdlet cmdlet, string? indexPath) =>
        indexPath is null ? OptOutPaths.DefaultIndexPath : cmdlet.SessionState.Path.GetUnresolvedProviderPathFromPSPath(indexPath);

    /// <summary>Opens an existing index for reading (never writing it), or stops the command with a clear error.</summary>
    public static IndexStore OpenExisting(PSCmdlet cmdlet, string path)
    {
        if (!File.Exists(path) && !Directory.Exists(path))
        {
            cmdlet.ThrowTerminatingError(ErrorIds.Record(
                new FileNotFoundException($"There is no training-set index at '{path}'. Import a dataset first with Import-TrainingSet.", path),
                ErrorIds.IndexNotFound, ErrorCategory.ObjectNotFound, path, "Run Import-TrainingSet, or pass -IndexPath."));
        }
        return OpenOrStop(cmdlet, path, () => IndexStore.OpenForReading(path));
    }

    /// <summary>Opens (or creates) the index an import writes to, or stops the command with a clear error.</summary>
    public static IndexStore OpenForImport(PSCmdlet cmdlet, string path) => OpenOrStop(cmdlet, path, () => IndexStore.Open(path));

    private static IndexStore OpenOrStop(PSCmdlet cmdlet, string path, Func<IndexStore> open)
    {
        try
        {
            return open();
        }
        catch (NotAnIndexException e)
        {
            cmdlet.ThrowTerminatingError(ErrorIds.Record(e, ErrorIds.NotAnIndex, ErrorCategory.InvalidData, path,
                "Pass the -IndexPath of a training-set index that Import-TrainingSet created, or a path where none exists yet to create one."));
        }
        catch (IndexUpgradeRequiredException e)
        {
            cmdlet.ThrowTerminatingError(ErrorIds.Record(e, ErrorIds.IndexUpgradeRequired, ErrorCategory.InvalidData, path,
                $"Run Import-TrainingSet -IndexPath '{path}' once with a dataset (one already imported adds nothing) to upgrade the index."));
        }
        catch (IndexSchemaTooNewException e)
        {
            cmdlet.ThrowTerminatingError(ErrorIds.Record(e, ErrorIds.IndexTooNew, ErrorCategory.InvalidData, path,
                "Update OptOut, or use another -IndexPath."));
        }
        throw new InvalidOperationException("unreachable: ThrowTerminatingError returned");
    }
}
