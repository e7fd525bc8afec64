using OptOut.Core.Datasets;

namespace OptOut.Core.Gate;

/// <summary>
/// Writes the cleaned copy of each shard into a staging folder: each shard writes itself, in the
/// layout it was read from (<see cref="IDatasetShard.WriteCleanCopy"/>), without the removed rows and
/// without the files the reader could not match to a row (they were not checked); symbolic links are
/// never copied. Everything else at the top of the input folder (img2dataset's stats files, a
/// README) is copied as it is.
/// Each shard's copy is then read back with the same reader and checked with the same rules: a row
/// that still breaks a rule, a row count other than the rows kept, or a row that cannot be read in
/// the copy although it was in the original fails the shard (<see cref="CleanCopyCheckException"/>),
/// so nothing is published.
/// </summary>
internal sealed class CleanCopyWriter
{
    private readonly CleanCopyTarget target;
    private readonly GateSettings settings;

    /// <param name="inputRoot">The folder the shards' paths are relative to.</param>
    /// <param name="outputRoot">Where their cleaned copies go (a staging folder).</param>
    /// <param name="settings">The check the copies are read back with: the same as the original's.</param>
    public CleanCopyWriter(string inputRoot, string outputRoot, GateSettings settings)
    {
        target = new CleanCopyTarget(inputRoot, outputRoot);
        this.settings = settings with { ReportViolations = true };
    }

    /// <summary>
    /// Writes one shard's cleaned copy and checks it (called on the worker that checked the shard).
    /// </summary>
    /// <param name="original">What checking the original found.</param>
    /// <returns>The rows the copy holds, as read back from it.</returns>
    /// <exception cref="CleanCopyCheckException">The copy, read back, is not what the check decided.</exception>
    public long Write(IDatasetShard shard, ShardCheckResult original, RemovedRows removed, CancellationToken cancellationToken)
    {
        var copy = shard.WriteCleanCopy(target, removed, cancellationToken);
        return CheckCopy(shard, copy, original, removed, cancellationToken);
    }

    /// <summary>Reads the copy back with the same reader and rules, and holds it to what the check of the original decided.</summary>
    private long CheckCopy(IDatasetShard shard, IDatasetShard copy, ShardCheckResult original, RemovedRows removed, CancellationToken cancellationToken)
    {
        Violation? firstViolation = null;
        RowProblem? firstProblem = null;
        var checker = new ShardChecker(settings, copy, e =>
        {
            if (e is ViolationsFound found) firstViolation ??= found.Violations.Count > 0 ? found.Violations[0] : null;
            else if (e is RowProblem problem) firstProblem ??= problem;
        }, new GateCounters());
        var result = checker.Run(cancellationToken);
        var what = $"The clean copy of '{shard.Source}', read back,";
        if (result.Failure is { } failure)
        {
            throw new CleanCopyCheckException($"{what} cannot be read ({failure.Message}); nothing was published.");
        }
        if (result.ViolatingRows > 0)
        {
            throw new CleanCopyCheckException($"{what} still holds {result.ViolatingRows:N0} rows that break a rule (the first: row {firstViolation?.Row}, key {firstViolation?.Key}, " +
                $"{firstViolation?.Rule}: {firstViolation?.Detail}); nothing was published.");
        }
        long expected = original.Rows - original.ViolatingRows;
        if (result.Rows != expected)
        {
            throw new CleanCopyCheckException($"{what} holds {result.Rows:N0} rows, but {expected:N0} of its {original.Rows:N0} rows were to be kept; nothing was published.");
        }
        long expectedImages = original.RowsWithImage - removed.WithImage;
        if (result.RowsWithImage != expectedImages)
        {
            throw new CleanCopyCheckException($"{what} has {result.RowsWithImage:N0} rows with their image where {expectedImages:N0} kept rows had one " +
                $"(the first problem: {firstProblem?.Error.Message}); a kept row lost its image with a removed one. Nothing was published.");
        }
        if (result.RowErrors > original.RowErrors)
        {
            throw new CleanCopyCheckException($"{what} has {result.RowErrors:N0} rows that cannot be checked where the original had {original.RowErrors:N0} " +
                $"(the first: {firstProblem?.Error.Message}); a kept row lost part of its sample. Nothing was published.");
        }
        return result.Rows;
    }

    /// <summary>
    /// Copies the input folder's top-level files that no shard wrote (stats, README, licences).
    /// Symbolic links and images no shard read are not copied: they were not checked.
    /// </summary>
    /// <returns>The files left out, for the caller to report.</returns>
    public IReadOnlyList<string> CopyOtherFiles()
    {
        var leftOut = new List<string>();
        if (!Directory.Exists(target.InputRoot)) return leftOut;
        var links = new List<string>();
        var options = new EnumerationOptions { RecurseSubdirectories = false, AttributesToSkip = 0, IgnoreInaccessible = true };
        foreach (var file in DatasetFiles.List(target.InputRoot, options, links))
        {
            var name = Path.GetFileName(file);
            var copy = Path.Combine(target.OutputRoot, name);
            if (target.IsCovered(file) || name == CleanCopyMarker.FileName || File.Exists(copy)) continue;
            if (ImageFiles.IsImage(file))
            {
                leftOut.Add(file);
                continue;
            }
            File.Copy(file, copy);
        }
        leftOut.AddRange(links.Where(l => !target.IsCovered(l)));
        return leftOut;
    }
}
