using System.Diagnostics;
using System.Management.Automation;
using OptOut.Core.Datasets;
using OptOut.Core.Embedding;
using OptOut.Core.Fingerprinting;
using OptOut.Core.Gate;
using OptOut.Core.Imaging;
using OptOut.Core.Index;
using OptOut.Core.OutputSafety;
using OptOut.Core.Registry;
using OptOut.Infrastructure;

namespace OptOut.Commands;

/// <summary>
/// Export-CleanTrainingSet: writes a copy of a training set without the rows that break a rule, in
/// the same layout, atomically, with a removal report beside it.
/// </summary>
[Cmdlet(VerbsData.Export, "CleanTrainingSet", DefaultParameterSetName = PathSet, SupportsShouldProcess = true)]
[OutputType(typeof(CleanTrainingSetSummary))]
public sealed class ExportCleanTrainingSetCommand : TrainingSetGateCommandBase
{
    public const string DestinationExists = "OptOut.DestinationExists";
    public const string DestinationNotCleanCopy = "OptOut.DestinationNotCleanCopy";
    public const string ExportFailed = "OptOut.CleanExportFailed";
    public const string CleanCopyCheckFailed = "OptOut.CleanCopyCheckFailed";

    [Parameter(Mandatory = true, Position = 1)]
    [ValidateNotNullOrEmpty]
    public string Destination { get; set; } = "";

    /// <summary>Replace an existing destination that is an earlier clean copy (only once the new copy is complete).</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>Where the removal report goes; "&lt;Destination&gt;.removed.csv" beside the copy by default.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? RemovalReportPath { get; set; }

    protected override void EndProcessing()
    {
        if (Paths.Count == 0) return;
        if (Paths.Count > 1)
        {
            ThrowTerminatingError(ErrorIds.Record(new ArgumentException("Export-CleanTrainingSet copies one dataset at a time: give one -Path (a folder, or one shard file)."),
                "OptOut.OneDatasetAtATime", ErrorCategory.InvalidArgument, Paths, null));
        }
        var destination = SessionState.Path.GetUnresolvedProviderPathFromPSPath(Destination);
        var reportPath = RemovalReportPath is null
            ? destination.TrimEnd(System.IO.Path.DirectorySeparatorChar) + ".removed.csv"
            : SessionState.Path.GetUnresolvedProviderPathFromPSPath(RemovalReportPath);
        var source = Paths[0];
        // Replacing a destination that holds the source would delete it; writing inside a source
        // folder would make the copy part of the data it copies.
        if (TrainingSetGate.Overlaps(source, destination))
        {
            ThrowTerminatingError(ErrorIds.Record(new ArgumentException($"The destination '{destination}' and the dataset '{source}' overlap; write the clean copy elsewhere."),
                "OptOut.DestinationOverlapsSource", ErrorCategory.InvalidArgument, destination, null));
        }
        // The user's databases and data are never an output, whatever links or ".." the paths hold.
        var guard = OutputGuard();
        OutputFiles.Guard(this, () =>
        {
            guard.CheckFolder(destination, "-Destination");
            guard.CheckFile(reportPath, "-RemovalReportPath");
        }, null, "Name an output outside the dataset and the OptOut databases.");
        if ((Directory.Exists(destination) || File.Exists(destination) || new FileInfo(destination).LinkTarget is not null) && !Force)
        {
            ThrowTerminatingError(ErrorIds.Record(new IOException($"'{destination}' already exists."), DestinationExists, ErrorCategory.ResourceExists, destination,
                "Use -Force to replace it if it is an earlier clean copy (the old copy is replaced only once the new one is complete), or choose another -Destination."));
        }
        if (!ShouldProcess(destination, $"Write a clean copy of '{source}' ({Policy} policy)")) return;

        var clock = Stopwatch.StartNew();
        var shards = DiscoverShards();
        if (shards.Count == 0) return;
        var rules = LoadRules();
        var settings = Settings(rules);
        // The claimants' prepared pictures hold native frames: released when the copy ends, not by the finalizer.
        using var contentPictures = settings.ContentPictures;
        var gate = new TrainingSetGate(settings);

        using var staged = CreateStaged(destination);
        using var report = CreateRemovalReport(reportPath);
        var outcome = RunGate(gate, shards.Count, $"Writing a clean copy of '{settings.Dataset}' ({Policy})", _ => { },
            observe => gate.ExportClean(shards, source, staged.Staging, report, ThrottleLimit, ProgressTick, observe, Cancellation));

        if (outcome.Cancelled) return;
        if (outcome.FailedShards.Count > 0)
        {
            // A copy missing a shard would look clean and complete; nothing is published.
            ThrowTerminatingError(ErrorIds.Record(new IOException($"{outcome.FailedShards.Count} of {shards.Count} shards could not be checked or written ({string.Join(", ", outcome.FailedShards)}); nothing was written to '{destination}'."),
                ExportFailed, ErrorCategory.WriteError, destination, "Fix the shards named in the errors above and run the command again."));
        }
        foreach (var leftOut in outcome.LeftOut)
        {
            WriteWarning($"'{leftOut}' was not copied: it is a symbolic link, or an image that no shard reads, so it was not checked.");
        }
        try
        {
            staged.Commit(CleanCopyMarker.For(source, Policy.ToString()));
            report.Commit();
        }
        catch (UnsafeOutputPathException e)
        {
            ThrowTerminatingError(ErrorIds.Record(e, DestinationNotCleanCopy, ErrorCategory.ResourceExists, destination, null));
        }
        catch (IOException e)
        {
            ThrowTerminatingError(ErrorIds.Record(e, ExportFailed, ErrorCategory.WriteError, destination, null));
        }

        var ordered = new System.Collections.Specialized.OrderedDictionary();
        foreach (var (rule, count) in outcome.ViolationsByRule) ordered[rule.ToString()] = count;
        WriteObject(new CleanTrainingSetSummary
        {
            Dataset = settings.Dataset,
            Source = source,
            Destination = destination,
            Policy = Policy.ToString(),
            Shards = shards.Count,
            Rows = outcome.Rows,
            Kept = outcome.Kept,
            Removed = outcome.Removed,
            ViolationsByRule = ordered,
            RowErrors = outcome.RowErrors,
            RemovalReport = reportPath,
            Elapsed = clock.Elapsed,
        });
    }

    private StagedDestination CreateStaged(string destination)
    {
        try
        {
            return StagedDestination.Create(destination, Force);
        }
        catch (UnsafeOutputPathException e)
        {
            ThrowTerminatingError(ErrorIds.Record(e, DestinationNotCleanCopy, ErrorCategory.ResourceExists, destination,
                "-Force replaces only a clean copy written by Export-CleanTrainingSet (a folder holding .optout-clean-copy.json). Choose another -Destination."));
        }
        catch (IOException e)
        {
            ThrowTerminatingError(ErrorIds.Record(e, ExportFailed, ErrorCategory.WriteError, destination, null));
        }
        throw new InvalidOperationException("not reached");
    }

    private RemovalReport CreateRemovalReport(string path)
    {
        try
        {
            return new RemovalReport(path);
        }
        catch (IOException e)
        {
            ThrowTerminatingError(ErrorIds.Record(e, ReportWriteFailed, ErrorCategory.WriteError, path, "Check that the report's folder exists and can be written."));
        }
        throw new InvalidOperationException("not reached");
    }
}
