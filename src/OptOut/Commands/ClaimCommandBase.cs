using System.Management.Automation;
using OptOut.Core.Embedding;
using OptOut.Core.Fingerprinting;
using OptOut.Core.Imaging;
using OptOut.Core.Index;
using OptOut.Core.Matching;
using OptOut.Core.Registry;
using OptOut.Infrastructure;

namespace OptOut.Commands;

/// <summary>
/// Add-OptOut and Add-OptIn: record refusals or grants for URLs, domains, the content of the
/// claimant's own files, or rows found by Find-TrainedImage. Claims are written in batches, one
/// transaction each, on a writing thread while the pipeline goes on binding the next batch; a
/// claim identical to an active one changes nothing.
/// </summary>
public abstract class ClaimCommandBase : RegistryCommandBase, IDisposable
{
    protected const string UrlSet = "Url";
    protected const string DomainSet = "Domain";
    protected const string PathSet = "Path";
    protected const string LiteralPathSet = "LiteralPath";
    protected const string MatchSet = "Match";

    private const int BatchSize = 50_000;

    private List<StoredClaim> batch = new(BatchSize);
    // The batch being written; at most one, so outcomes come back in order and one connection
    // is used by one thread at a time.
    private Task<IReadOnlyList<AddOutcome>>? writing;
    private readonly HashSet<string> copiesSearched = new(StringComparer.Ordinal);
    private readonly HashSet<string> passedThrough = new(StringComparer.Ordinal);
    private IConsentRegistry? registry;
    private FingerprintPipeline? pipeline;
    private Fingerprinter? fingerprinter;
    private IndexStore? index;
    private CopyMatcher? matcher;
    private ProgressReporter? progress;
    private long added, unchanged, seen;

    protected abstract Decision Decision { get; }

    // Strings bind by value in the Url set; objects with a Url property (Find-TrainedImage output)
    // bind by name in the Match set only, so their dataset, key and query are kept as evidence.
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = UrlSet, ValueFromPipeline = true)]
    [Parameter(Mandatory = true, ParameterSetName = MatchSet, ValueFromPipelineByPropertyName = true)]
    [AllowEmptyString]
    public string[] Url { get; set; } = [];

    [Parameter(Mandatory = true, ParameterSetName = DomainSet, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string[] Domain { get; set; } = [];

    /// <summary>The claimant's own image files: content claims that cover copies at any URL.</summary>
    [Parameter(Mandatory = true, ParameterSetName = PathSet)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[] Path { get; set; } = [];

    [Parameter(Mandatory = true, ParameterSetName = LiteralPathSet, ValueFromPipelineByPropertyName = true)]
    [Alias("PSPath", "LP")]
    [ValidateNotNullOrEmpty]
    public string[] LiteralPath { get; set; } = [];

    /// <summary>From Find-TrainedImage: the matched row's dataset.</summary>
    [Parameter(Mandatory = true, ParameterSetName = MatchSet, ValueFromPipelineByPropertyName = true)]
    public string Dataset { get; set; } = "";

    /// <summary>From Find-TrainedImage: the matched row's key.</summary>
    [Parameter(ParameterSetName = MatchSet, ValueFromPipelineByPropertyName = true)]
    [AllowNull, AllowEmptyString]
    public string? Key { get; set; }

    /// <summary>From Find-TrainedImage: the query (image path or search text).</summary>
    [Parameter(ParameterSetName = MatchSet, ValueFromPipelineByPropertyName = true, DontShow = true)]
    [AllowNull, AllowEmptyString]
    public string? Query { get; set; }

    [Parameter(ParameterSetName = MatchSet, ValueFromPipelineByPropertyName = true, DontShow = true)]
    [AllowNull, AllowEmptyString]
    public string? QuerySha256 { get; set; }

    [Parameter(ParameterSetName = MatchSet, ValueFromPipelineByPropertyName = true, DontShow = true)]
    [AllowNull, AllowEmptyString]
    public string? MatchKind { get; set; }

    [Parameter(ParameterSetName = MatchSet, ValueFromPipelineByPropertyName = true, DontShow = true)]
    public double? Similarity { get; set; }

    [Parameter(ParameterSetName = MatchSet, ValueFromPipelineByPropertyName = true, DontShow = true)]
    public int? HashDistance { get; set; }

    /// <summary>Also every other Exact or Copy row of the same picture in the index.</summary>
    [Parameter(ParameterSetName = MatchSet)]
    [Parameter(ParameterSetName = PathSet)]
    [Parameter(ParameterSetName = LiteralPathSet)]
    public SwitchParameter IncludeCopies { get; set; }

    /// <summary>With -IncludeCopies: also records candidates that were not verified as copies of the whole picture (rows without local images, pictures too small to verify, partial copies), after review.</summary>
    [Parameter(ParameterSetName = MatchSet)]
    [Parameter(ParameterSetName = PathSet)]
    [Parameter(ParameterSetName = LiteralPathSet)]
    public SwitchParameter IncludeUnverified { get; set; }

    /// <summary>Who makes the claim; the current user by default.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string Claimant { get; set; } = Environment.UserName;

    [Parameter]
    public string? Reason { get; set; }

    /// <summary>The training-set index searched by -IncludeCopies.</summary>
    [Parameter]
    public string? IndexPath { get; set; }

    /// <summary>The image model for content claims and -IncludeCopies; the bundled ResNet18 by default.</summary>
    [Parameter]
    public EmbeddingModelSpec? Model { get; set; }

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void BeginProcessing() =>
        progress = new ProgressReporter(this, 4, Decision == Decision.Refuse ? "Recording opt-outs" : "Recording consent");

    // The parameter set of pipeline input is known only in ProcessRecord, and -WhatIf must not
    // create a registry: the model, index and registry are opened when first needed.
    private Fingerprinter Fingerprinter()
    {
        // -IncludeCopies searches with the matcher's turned views of each file too (the claim keeps the plain fingerprint).
        return fingerprinter ??= new Fingerprinter(ModuleModels.OpenOrStop(this, Model), ImageLimits.Default)
        {
            ViewAngles = IncludeCopies ? CopyMatcher.CalibratedViewAngles : [],
        };
    }

    private FingerprintPipeline Pipeline() => pipeline ??= new FingerprintPipeline(Fingerprinter());

    private CopyMatcher Matcher()
    {
        if (matcher is null)
        {
            index = IndexAccess.OpenExisting(this, IndexAccess.Resolve(this, IndexPath));
            matcher = new CopyMatcher(index);
            if (CopyMatcher.VerificationUnavailable is { } unavailable)
            {
                WriteWarning($"Copies cannot be verified here: {unavailable}. -IncludeCopies records only identical files{(IncludeUnverified ? " and, with -IncludeUnverified, the unverified candidates" : "")}.");
            }
        }
        return matcher;
    }

    protected override void ProcessRecord()
    {
        switch (ParameterSetName)
        {
            case UrlSet:
                foreach (var url in Url)
                {
                    // Get-Content urls.txt: blank lines and '#' comments are not URLs, as in a URL list.
                    if (string.IsNullOrWhiteSpace(url) || url.TrimStart().StartsWith('#')) continue;
                    Queue(new NewClaim { Decision = Decision, Kind = ClaimKind.Url, Target = url.Trim(), Claimant = Claimant, Reason = Reason }, url.Trim());
                }
                break;
            case DomainSet:
                foreach (var domain in Domain) Queue(new NewClaim { Decision = Decision, Kind = ClaimKind.Domain, Target = domain, Claimant = Claimant, Reason = Reason }, domain);
                break;
            case MatchSet:
                QueueMatch();
                break;
            default:
                bool literal = ParameterSetName == LiteralPathSet;
                foreach (var (file, error) in new FilePathResolver(this, recurse: false).Resolve(literal ? LiteralPath : Path, literal))
                {
                    Pipeline().Submit(file, error);
                    foreach (var outcome in Pipeline().TakeReady()) QueueContent(outcome);
                }
                break;
        }
    }

    protected override void EndProcessing()
    {
        if (pipeline is not null)
        {
            foreach (var outcome in pipeline.CompleteAndDrain()) QueueContent(outcome);
        }
        Flush();
        CompleteWrite();
        progress?.Complete();
        WriteVerbose($"{added:N0} claims recorded, {unchanged:N0} already present.");
        WriteSummary();
    }

    protected override void StopProcessing() => pipeline?.Cancel();

    private const int OthersShown = 10;
    private readonly Dictionary<ClaimKind, (int Added, int Present)> byKind = new();
    private int heldByOthers;

    // What an artist reads after the command: how many claims of each kind are new, how many were already there.
    private void WriteSummary()
    {
        if (added + unchanged == 0) return;
        var noun = Decision == Decision.Refuse ? "opt-out" : "consent";
        string Kinds(Func<(int Added, int Present), int> pick) =>
            string.Join(", ", byKind.Where(k => pick(k.Value) > 0).OrderBy(k => k.Key).Select(k => $"{pick(k.Value):N0} {k.Key}"));
        var text = $"{noun} claims: {added:N0} recorded{(added > 0 ? $" ({Kinds(c => c.Added)})" : "")}, {unchanged:N0} already present{(unchanged > 0 ? $" ({Kinds(c => c.Present)})" : "")}";
        if (heldByOthers > 0) text += $"; {heldByOthers:N0} of those are held by another claimant{(heldByOthers > OthersShown ? $" (the first {OthersShown} named in warnings)" : "")}";
        HostSummary.Write(this, char.ToUpperInvariant(text[0]) + text[1..] + ".");
    }

    private void QueueMatch()
    {
        bool imageQuery = !string.IsNullOrEmpty(QuerySha256);
        var evidence = new Evidence
        {
            File = imageQuery ? Query : null,
            FileSha256 = imageQuery ? QuerySha256 : null,
            MatchedDataset = Dataset,
            MatchedKey = Key,
            MatchedUrl = Url.FirstOrDefault(),
            MatchKind = MatchKind,
            Similarity = Similarity,
            HashDistance = HashDistance,
            Note = imageQuery || string.IsNullOrEmpty(Query) ? null : $"found by searching for '{Query}'",
        };
        foreach (var url in Url)
        {
            if (string.IsNullOrWhiteSpace(url)) continue; // a row without a URL (a local image folder's) has no URL to claim
            Queue(new NewClaim { Decision = Decision, Kind = ClaimKind.Url, Target = url, Claimant = Claimant, Reason = Reason, Evidence = evidence with { MatchedUrl = url } }, url);
        }
        if (IncludeCopies && imageQuery && Query is not null && copiesSearched.Add(Query))
        {
            try
            {
                QueueCopies(Fingerprinter().Fingerprint(Query));
            }
            catch (Exception e) when (e is ImageFileException or IOException or UnauthorizedAccessException)
            {
                WriteError(ErrorIds.Record(new IOException($"-IncludeCopies needs the query image '{Query}' to search for its other copies: {e.Message}", e),
                    ErrorIds.FileReadFailed, ErrorCategory.ReadError, Query, null));
            }
        }
    }

    private void QueueContent(FingerprintOutcome outcome)
    {
        if (outcome.Fingerprint is not { } f)
        {
            WriteError(ErrorIds.ForFile(outcome.Error!, outcome.Path));
            return;
        }
        Queue(new NewClaim
        {
            Decision = Decision,
            Kind = ClaimKind.Content,
            Content = new ContentFingerprint(f.Sha256, f.PerceptualHash, f.Embedding, f.ModelId),
            Claimant = Claimant,
            Reason = Reason,
            Evidence = new Evidence { File = f.Path, FileSha256 = f.Sha256, FileMd5 = Convert.ToHexString(f.Md5).ToLowerInvariant() },
        }, f.Path);
        if (IncludeCopies) QueueCopies(f);
    }

    // Every identical row, and every row verified as a copy of most of the picture, becomes a URL
    // claim too; the rule's other candidates only with -IncludeUnverified.
    private void QueueCopies(Core.Fingerprinting.PictureFingerprint query)
    {
        int left = 0;
        foreach (var match in Matcher().Find(query, new SearchOptions()))
        {
            if (match.Row.Url is null) continue;
            if (!match.IsWholeCopy && !IncludeUnverified)
            {
                left++;
                continue;
            }
            var v = match.Verification is { IsVerified: true } verified ? verified : null;
            Queue(new NewClaim
            {
                Decision = Decision,
                Kind = ClaimKind.Url,
                Target = match.Row.Url,
                Claimant = Claimant,
                Reason = Reason,
                Evidence = new Evidence
                {
                    File = query.Path, FileSha256 = query.Sha256, MatchedDataset = match.Row.Dataset, MatchedKey = match.Row.Key,
                    MatchedUrl = match.Row.Url, MatchKind = match.Kind.ToString(), Similarity = match.Similarity, HashDistance = match.HashDistance,
                    Verification = v is null ? null : new VerificationEvidence
                    {
                        Method = v.Method.ToString(), Inliers = v.Inliers, Scale = v.Scale, RotationDegrees = v.RotationDegrees, Mirrored = v.Mirrored,
                        Ncc = double.IsNaN(v.Ncc) ? null : v.Ncc, TrimmedNcc = double.IsNaN(v.TrimmedNcc) ? null : v.TrimmedNcc, Overlap = v.Overlap,
                        PoseRefined = v.PoseRefined ? true : null,
                    },
                    Note = match.NotVerified,
                },
            }, match.Row.Url);
        }
        if (left > 0)
        {
            WriteWarning($"{left:N0} row{(left == 1 ? "" : "s")} that look like '{query.Path}' were not recorded: not verified as a copy of the whole picture. Review them with Find-TrainedImage '{query.Path}' (MatchKind Similar, or Copy covering part of it); -IncludeUnverified records them too.");
        }
    }

    private void Queue(NewClaim claim, string description)
    {
        var verb = Decision == Decision.Refuse ? "Record an opt-out" : "Record consent";
        if (!ShouldProcess($"{claim.Kind} {description} (claimant {claim.Claimant})", verb)) return;
        StoredClaim record;
        // The registry is opened (created and migrated, when new) before the claim is stamped, so
        // the audit log's order and its timestamps agree: migration rows first, and earlier.
        registry ??= RegistryAccess.Open(this, RegistryPath, Credential);
        try
        {
            record = RegistryStore.NewRecord(claim, DateTime.UtcNow, out var note);
            if (note is not null) WriteWarning(note);
        }
        catch (ArgumentException e)
        {
            // A claim that cannot be recorded (not a web address, not a domain) is reported and
            // the rest go on.
            WriteError(ErrorIds.Record(e, "OptOut.InvalidClaim", ErrorCategory.InvalidArgument, claim.Target ?? claim.Content?.Sha256, null));
            return;
        }
        batch.Add(record);
        progress!.Report(++seen, null, "claims");
        if (batch.Count >= BatchSize) Flush();
    }

    // Hands the batch to the writing thread once the previous one is written.
    private void Flush()
    {
        if (batch.Count == 0) return;
        var store = registry ??= RegistryAccess.Open(this, RegistryPath, Credential);
        var records = batch;
        batch = new List<StoredClaim>(BatchSize);
        CompleteWrite();
        var user = RegistryAccess.CurrentUser;
        writing = Task.Run(() => store.AddRecords(records, user));
    }

    // Waits for the batch being written and reports it; a failed write stops the command with
    // its error (the batch's transaction was rolled back, earlier batches are in).
    private void CompleteWrite()
    {
        if (writing is null) return;
        IReadOnlyList<AddOutcome> outcomes;
        try
        {
            outcomes = writing.GetAwaiter().GetResult();
        }
        catch (Exception e) when (RegistryAccess.ToErrorRecord(e, registry?.Path ?? "") is { } error)
        {
            writing = null;
            ThrowTerminatingError(error);
            return;
        }
        writing = null;
        foreach (var outcome in outcomes)
        {
            if (outcome.Added) added++; else unchanged++;
            var kind = outcome.Record.Kind;
            var counts = byKind.GetValueOrDefault(kind);
            byKind[kind] = outcome.Added ? (counts.Added + 1, counts.Present) : (counts.Added, counts.Present + 1);
            if (!outcome.Added && !string.Equals(outcome.Record.Claimant, Claimant, StringComparison.Ordinal))
            {
                heldByOthers++;
                if (heldByOthers <= OthersShown)
                {
                    WriteWarning($"{outcome.Record.Kind} {outcome.Record.Target} is already {(Decision == Decision.Refuse ? "refused" : "granted")} by '{outcome.Record.Claimant}' (record {outcome.Record.Id}, {outcome.Record.CreatedAt:yyyy-MM-dd}); no claim was added for '{Claimant}'.");
                }
            }
            // One object per record (a copy can be claimed twice in one run), without the embedding
            // (Get-OptOut -IncludeEmbedding gives it).
            if (PassThru && passedThrough.Add(outcome.Record.Id)) WriteObject(ConsentRecord.From(outcome.Record with { Embedding = null }));
        }
    }

    public void Dispose()
    {
        // A batch still being written (the command was stopped) finishes its transaction before
        // the connection closes.
        try { writing?.Wait(); } catch (AggregateException) { }
        pipeline?.Dispose();
        matcher?.Dispose();
        index?.Dispose();
        registry?.Dispose();
        GC.SuppressFinalize(this);
    }
}
