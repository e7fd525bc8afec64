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
/// What Test-TrainingSet and Export-CleanTrainingSet share: which data, which registry, which
/// policy, and running the gate with progress and errors reported on the pipeline thread.
/// </summary>
public abstract class TrainingSetGateCommandBase : DatasetCommandBase
{
    public const string ShardReadFailed = "OptOut.ShardReadFailed";
    public const string RowCheckFailed = "OptOut.RowCheckFailed";
    public const string UnsafeOutputPath = "OptOut.UnsafeOutputPath";
    public const string ReportWriteFailed = "OptOut.ReportWriteFailed";

    [Parameter]
    public string? RegistryPath { get; set; }

    /// <summary>For a PostgreSQL registry: the login (user name and password) instead of the connection string's, PGPASSWORD or ~/.pgpass.</summary>
    [Parameter]
    [Credential]
    public PSCredential? Credential { get; set; }

    [Parameter]
    public GatePolicy Policy { get; set; } = GatePolicy.OptOut;

    [Parameter]
    [ValidateRange(1, 256)]
    public int ThrottleLimit { get; set; } = Environment.ProcessorCount;

    /// <summary>A folder of sites' reservation files, one subfolder a host, for the Site rule.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? SiteReservationPath { get; set; }

    /// <summary>The shards under every path; a path that holds no dataset is reported and skipped.</summary>
    protected List<IDatasetShard> DiscoverShards()
    {
        var shards = new List<IDatasetShard>();
        foreach (var path in Paths)
        {
            try
            {
                shards.AddRange(DatasetDiscovery.Discover(path));
            }
            catch (Exception e) when (e is DatasetFormatException or FileNotFoundException or IOException or UnauthorizedAccessException)
            {
                OnInputError(ErrorIds.Record(e, e is FileNotFoundException ? ErrorIds.FileNotFound : ShardReadFailed, ErrorCategory.ReadError, path, null));
            }
        }
        return shards;
    }

    /// <summary>The registry's active claims, loaded once (a registry that does not exist has none).</summary>
    protected ConsentRules LoadRules()
    {
        using var store = RegistryPaths.OpenForReading(this, RegistryPath, Credential);
        if (store is null)
        {
            WriteVerbose($"No registry at {RegistryPaths.Resolve(this, RegistryPath)}: no claims to check against.");
            return ConsentRules.Empty;
        }
        var clock = Stopwatch.StartNew();
        var rules = ConsentRules.Load(store.ReadActiveClaims());
        // The claimants' own files, recorded with each refused content claim: the pictures rows are verified against.
        if (rules.ContentCount(Decision.Refuse) > 0)
        {
            contentFiles = store.Read(new RecordFilter { Kind = ClaimKind.Content, Decision = Decision.Refuse })
                .ToDictionary(r => r.Id, r => r.Evidence?.File, StringComparer.Ordinal);
        }
        WriteVerbose($"{store.Path}: {rules.Count:N0} active claims loaded in {clock.Elapsed.TotalSeconds:0.0} s " +
            $"(refusals: {rules.UrlCount(Decision.Refuse):N0} URL, {rules.DomainCount(Decision.Refuse):N0} domain, {rules.ContentCount(Decision.Refuse):N0} content; " +
            $"grants: {rules.UrlCount(Decision.Grant):N0} URL, {rules.DomainCount(Decision.Grant):N0} domain, {rules.ContentCount(Decision.Grant):N0} content).");
        return rules;
    }

    private Dictionary<string, string?>? contentFiles;

    protected GateSettings Settings(ConsentRules rules)
    {
        var settings = new GateSettings { Dataset = DatasetName, Rules = rules, Policy = Policy };
        // The model is loaded only when some content claim must be compared with decoded pixels.
        Fingerprinter? fingerprinter = null;
        string? embeddingModelId = ModelId;
        if (settings.NeedsPixels || Model is not null)
        {
            var model = ModuleModels.OpenOrStop(this, Model);
            fingerprinter = new Fingerprinter(model, new ImageLimits { MaxPixels = MaxPixels });
            embeddingModelId ??= Model is null ? null : model.ModelId;
        }
        Core.SiteReservations.SiteReservationFolders? sites = null;
        if (SiteReservationPath is not null)
        {
            var folder = SessionState.Path.GetUnresolvedProviderPathFromPSPath(SiteReservationPath);
            try
            {
                sites = new Core.SiteReservations.SiteReservationFolders(folder);
            }
            catch (DirectoryNotFoundException e)
            {
                ThrowTerminatingError(ErrorIds.Record(e, ErrorIds.FileNotFound, ErrorCategory.ObjectNotFound, folder, "Name a folder with one subfolder a host (example.com/robots.txt, ai.txt, .well-known/tdmrep.json, headers.txt)."));
            }
        }
        var pictures = contentFiles is null ? null : new Core.Gate.ContentPictures(contentFiles, new ImageLimits { MaxPixels = MaxPixels });
        if (pictures is not null && Core.Matching.OpenCvAvailability.UnavailableReason is { } unavailable)
        {
            WriteWarning($"Content matches cannot be verified here: {unavailable}. The fingerprint rule decides them alone, and each finding says so.");
        }
        return settings with { Fingerprinter = fingerprinter, EmbeddingModelId = embeddingModelId, Sites = sites, ContentPictures = pictures };
    }

    /// <summary>
    /// Checks output paths against the registry (and the default index) and the dataset paths by
    /// their real paths: a report or a copy never lands on the user's databases or data.
    /// </summary>
    protected OutputPathGuard OutputGuard() => OutputPathGuard.For([RegistryPaths.Resolve(this, RegistryPath)], Paths);

    /// <summary>How long the gate waits for an event before giving the progress bar a chance.</summary>
    protected static readonly TimeSpan ProgressTick = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// Runs one of the gate's calls with an observer that, on this thread, reports each event (errors,
    /// shard summaries), hands it to <paramref name="handle"/> and shows progress.
    /// </summary>
    protected T RunGate<T>(TrainingSetGate gate, int shardCount, string activity, Action<GateEvent> handle, Func<Action<GateEvent>, T> run)
    {
        var progress = new ProgressReporter(this, 3, activity);
        var result = run(e =>
        {
            Report(e);
            handle(e);
            var c = gate.Counters;
            progress.Report(c.Rows, null, "rows", $", shard {Math.Min(c.ShardsDone + 1, shardCount)} of {shardCount}, {c.Violations:N0} violations in {c.ViolatingRows:N0} rows");
        });
        progress.Complete();
        return result;
    }

    /// <summary>What every gate command says about an event: row and shard errors, shard summaries.</summary>
    private void Report(GateEvent e)
    {
        switch (e)
        {
            case RowProblem problem:
                WriteError(ErrorIds.Record(problem.Error, RowCheckFailed, ErrorCategory.ReadError, problem.Target,
                    "The row's URL, domain and listed hashes were checked; its picture was not."));
                break;
            case ShardChecked { Result.Failure: CleanCopyCheckException failure } done:
                WriteError(ErrorIds.Record(failure, ExportCleanTrainingSetCommand.CleanCopyCheckFailed, ErrorCategory.WriteError, done.Result.Shard,
                    "The copy was not published. Check the shard for samples whose files or members other samples share."));
                break;
            case ShardChecked { Result.Failure: { } failure } done:
                WriteError(ErrorIds.Record(failure, ShardReadFailed, ErrorCategory.ReadError, done.Result.Shard,
                    "Fix or replace the shard; the check cannot call the set clean while a shard is unread."));
                break;
            case ShardChecked done:
                WriteVerbose($"{done.Result.Shard}: {done.Result.Rows:N0} rows, {done.Result.ViolatingRows:N0} violating, {done.Result.RowsSkipped:N0} not downloaded, {done.Result.Elapsed.TotalSeconds:0.0} s.");
                break;
        }
    }
}

/// <summary>
/// Test-TrainingSet: checks a training set against the registry, streaming, without importing it.
/// Writes a violation object a finding, or with -Quiet only $true (clean) or $false.
/// </summary>
[Cmdlet(VerbsDiagnostic.Test, "TrainingSet", DefaultParameterSetName = PathSet)]
[OutputType(typeof(TrainingSetViolation))]
[OutputType(typeof(bool))]
public sealed class TestTrainingSetCommand : TrainingSetGateCommandBase
{
    private readonly List<ErrorRecord> inputErrors = new();

    /// <summary>Return only $true when the set is clean (every shard read, no violation), else $false.</summary>
    [Parameter]
    public SwitchParameter Quiet { get; set; }

    /// <summary>Write a JUnit XML report here (a test case a shard) for CI systems to display.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? ReportPath { get; set; }

    protected override void OnInputError(ErrorRecord record)
    {
        inputErrors.Add(record);
        base.OnInputError(record);
    }

    protected override void EndProcessing()
    {
        try
        {
            Check();
        }
        catch (Exception) when (Quiet && !Cancellation.IsCancellationRequested)
        {
            // -Quiet answers $true only for a check that completed and found the set clean: one that
            // stopped on an error answers $false first, then the error terminates the command.
            WriteVerdict(false);
            throw;
        }
    }

    private void WriteReport(JUnitReport report, string reportPath)
    {
        try
        {
            report.Write(reportPath);
        }
        catch (IOException e)
        {
            ThrowTerminatingError(ErrorIds.Record(e, ReportWriteFailed, ErrorCategory.WriteError, reportPath, "Check that the report's folder exists and can be written."));
        }
    }

    private bool verdictWritten;

    private void WriteVerdict(bool clean)
    {
        if (verdictWritten) return;
        verdictWritten = true;
        try
        {
            WriteObject(clean);
        }
        catch (PipelineStoppedException)
        {
            // The pipeline is already being torn down (Ctrl+C): there is no one left to answer.
        }
    }

    private void Check()
    {
        var reportPath = ReportPath is null ? null : SessionState.Path.GetUnresolvedProviderPathFromPSPath(ReportPath);
        if (reportPath is not null)
        {
            try
            {
                OutputGuard().CheckFile(reportPath, "-ReportPath");
            }
            catch (UnsafeOutputPathException e)
            {
                ThrowTerminatingError(ErrorIds.Record(e, UnsafeOutputPath, ErrorCategory.InvalidArgument, reportPath, "Name another file for the report."));
            }
        }
        if (Paths.Count == 0)
        {
            // No path named a dataset: the CI report step still gets a file that says why the gate failed.
            if (reportPath is not null)
            {
                var empty = new JUnitReport(Name ?? "(no dataset)", new Dictionary<string, string> { ["policy"] = Policy.ToString(), ["paths"] = "" });
                foreach (var error in inputErrors) empty.AddInputError(error.TargetObject?.ToString() ?? "", error.Exception);
                WriteReport(empty, reportPath);
            }
            if (Quiet) WriteVerdict(false);
            return;
        }
        var shards = DiscoverShards();
        var rules = LoadRules();
        // -Quiet without a report needs only to know whether anything was found.
        var settings = Settings(rules) with { ReportViolations = !Quiet || reportPath is not null };
        var gate = new TrainingSetGate(settings);
        var report = reportPath is null ? null : new JUnitReport(settings.Dataset, new Dictionary<string, string>
        {
            ["policy"] = Policy.ToString(),
            ["registry"] = RegistryPaths.Resolve(this, RegistryPath),
            ["activeClaims"] = rules.Count.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["paths"] = string.Join(";", Paths),
        });

        // A path that held no dataset is a case in error too: the CI page must show why the gate failed.
        foreach (var error in inputErrors) report?.AddInputError(error.TargetObject?.ToString() ?? "", error.Exception);
        var verdict = RunGate(gate, shards.Count, $"Checking '{settings.Dataset}' against the registry ({Policy})", e =>
        {
            switch (e)
            {
                case ViolationsFound found:
                    foreach (var violation in found.Violations)
                    {
                        report?.Add(violation);
                        if (!Quiet) WriteObject(TrainingSetViolation.From(violation));
                    }
                    break;
                case RowProblem problem:
                    report?.Add(problem);
                    break;
                case ShardChecked done:
                    report?.Add(done.Result);
                    break;
            }
        }, observe => gate.Check(shards, inputErrors.Count, ThrottleLimit, ProgressTick, observe, Cancellation));

        if (verdict.Cancelled) return;
        if (report is not null) WriteReport(report, reportPath!);
        WriteVerbose($"{verdict.Rows:N0} rows in {verdict.Shards} shards: {verdict.Violations:N0} violations in {verdict.ViolatingRows:N0} rows, " +
            $"{verdict.RowErrors:N0} rows not fully checked, {verdict.IncompleteShards + verdict.UnreadPaths} shards or paths not read completely. {(verdict.Clean ? "Clean." : "Not clean.")}");
        if (Quiet) WriteVerdict(verdict.Clean);
    }
}

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
        try
        {
            guard.CheckFolder(destination, "-Destination");
            guard.CheckFile(reportPath, "-RemovalReportPath");
        }
        catch (UnsafeOutputPathException e)
        {
            ThrowTerminatingError(ErrorIds.Record(e, UnsafeOutputPath, ErrorCategory.InvalidArgument, e.OutputPath, "Name an output outside the dataset and the OptOut databases."));
        }
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
