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
        using var store = RegistryAccess.OpenForReading(this, RegistryPath, Credential);
        if (store is null)
        {
            WriteVerbose($"No registry at {RegistryAccess.Resolve(this, RegistryPath)}: no claims to check against.");
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
        else if (pictures is not null && fingerprinter is not null)
        {
            // Turned views only where their proposals are verified (the gate compares rows with pixels with them):
            // the rule alone would call more look-alikes copies.
            // Turned once and kept (cache/turned-views.db under OPTOUT_HOME): each start would otherwise pay two model runs a claim.
            var clock = System.Diagnostics.Stopwatch.StartNew();
            using var cache = new Core.Gate.TurnedViewCache(Core.OptOutPaths.TurnedViewCachePath);
            int turned = pictures.AddTurnedViews(rules, fingerprinter.Model, cache, out int fromCache, Cancellation);
            // A file in the cache's place that is not one is its owner's to move; a cache out of reach (a read-only home) only costs time.
            if (cache.Problem is { } problem && cache.FileRefused) WriteWarning($"Refused pictures are turned afresh at each check: {problem}.");
            else if (cache.Problem is { } unreachable) WriteVerbose($"Refused pictures were turned afresh: {unreachable}.");
            WriteVerbose($"{turned:N0} refused pictures also turned 4 degrees either way, to find turned copies ({fromCache:N0} of them turned before, kept in '{cache.Path}'; {clock.Elapsed.TotalSeconds:0.0} s).");
        }
        return settings with { Fingerprinter = fingerprinter, EmbeddingModelId = embeddingModelId, Sites = sites, ContentPictures = pictures };
    }

    /// <summary>
    /// Checks output paths against the registry (and the default index) and the dataset paths by
    /// their real paths: a report or a copy never lands on the user's databases or data.
    /// </summary>
    private protected OutputPathGuard OutputGuard() => OutputPathGuard.For([RegistryAccess.Resolve(this, RegistryPath)], Paths);

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
