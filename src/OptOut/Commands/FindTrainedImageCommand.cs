using System.Management.Automation;
using OptOut.Core.Embedding;
using OptOut.Core.Fingerprinting;
using OptOut.Core.Imaging;
using OptOut.Core.Index;
using OptOut.Core.Matching;
using OptOut.Infrastructure;

namespace OptOut.Commands;

/// <summary>
/// Find-TrainedImage: finds every row of the indexed training sets that holds a picture (exact
/// file or altered copy), a caption text, a URL or a domain.
/// </summary>
[Cmdlet(VerbsCommon.Find, "TrainedImage", DefaultParameterSetName = PathSet)]
[OutputType(typeof(TrainedImageMatch))]
public sealed class FindTrainedImageCommand : PSCmdlet, IDisposable
{
    private const string PathSet = "Path";
    private const string LiteralPathSet = "LiteralPath";
    private const string TextSet = "Text";
    private const string UrlSet = "Url";
    private const string DomainSet = "Domain";
    private const string RecordSet = "Record";
    private const string TrainingSetSet = "TrainingSet";

    private IndexStore? store;
    private IndexSearcher? searcher;
    private CopyMatcher? matcher;
    private FingerprintPipeline? pipeline;
    private SearchOptions options = new();
    private ProgressReporter? progress;
    private long queries;

    [Parameter(Mandatory = true, Position = 0, ParameterSetName = PathSet, ValueFromPipeline = true)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[] Path { get; set; } = [];

    [Parameter(Mandatory = true, ParameterSetName = LiteralPathSet, ValueFromPipelineByPropertyName = true)]
    [Alias("PSPath", "LP")]
    [ValidateNotNullOrEmpty]
    public string[] LiteralPath { get; set; } = [];

    /// <summary>Caption full-text search: words, "quoted phrases", prefix*.</summary>
    [Parameter(Mandatory = true, ParameterSetName = TextSet, ValueFromPipeline = true)]
    [ValidateNotNullOrEmpty]
    public string[] Text { get; set; } = [];

    [Parameter(Mandatory = true, ParameterSetName = UrlSet, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string[] Url { get; set; } = [];

    [Parameter(Mandatory = true, ParameterSetName = DomainSet, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string[] Domain { get; set; } = [];

    /// <summary>Registry records piped in (Get-OptOut): a URL claim searches its URL, a domain claim its domain, a content claim the claimant's file.</summary>
    [Parameter(Mandatory = true, ParameterSetName = RecordSet, ValueFromPipeline = true)]
    public ConsentRecord[] Record { get; set; } = [];

    /// <summary>Datasets piped in (Get-TrainingSet): refused with advice, since a dataset is not something to search for.</summary>
    [Parameter(Mandatory = true, ParameterSetName = TrainingSetSet, ValueFromPipeline = true)]
    public TrainingSet[] TrainingSet { get; set; } = [];

    [Parameter]
    public SwitchParameter Recurse { get; set; }

    /// <summary>Only rows of this dataset (wildcards: every dataset the pattern names).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(Completion.DatasetNameCompleter))]
    public string? Dataset { get; set; }

    [Parameter]
    public string? IndexPath { get; set; }

    /// <summary>A cap on the results per query; without it every match is returned.</summary>
    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    public int Top { get; set; }

    /// <summary>With -IncludeSimilar: the lowest embedding similarity reported.</summary>
    [Parameter]
    [ValidateRange(-1.0, 1.0)]
    public double MinimumSimilarity { get; set; } = 0.75;

    /// <summary>Also returns rows that look alike without being copies.</summary>
    [Parameter]
    public SwitchParameter IncludeSimilar { get; set; }

    /// <summary>Also searches each picture turned -6, -3, 3 and 6 degrees, besides the -4 and 4 every search turns it by, to find copies turned further (four more model runs a picture).</summary>
    [Parameter]
    public SwitchParameter IncludeRotated { get; set; }

    /// <summary>Also searches the centre of each picture (90% and 80% of each side), to find centre-cropped copies (two more model runs a picture).</summary>
    [Parameter]
    public SwitchParameter IncludeCropped { get; set; }

    /// <summary>The model whose embeddings the index holds, when it is not the bundled ResNet18.</summary>
    [Parameter]
    public EmbeddingModelSpec? Model { get; set; }

    protected override void BeginProcessing()
    {
        var indexPath = IndexAccess.Resolve(this, IndexPath);
        store = IndexAccess.OpenExisting(this, indexPath);
        var datasets = Dataset is null ? null : DatasetNames.Resolve(this, store, Dataset, terminating: true)!;
        options = new SearchOptions
        {
            Dataset = datasets is { Count: 1 } ? datasets[0] : null,
            Datasets = datasets is { Count: > 1 } ? new HashSet<string>(datasets, StringComparer.Ordinal) : null,
            Top = MyInvocation.BoundParameters.ContainsKey(nameof(Top)) ? Top : null,
            MinimumSimilarity = (float)MinimumSimilarity,
            IncludeSimilar = IncludeSimilar,
        };
        searcher = new IndexSearcher(store);
        progress = new ProgressReporter(this, 3, "Searching the training-set index");

        // Pipeline input is bound after BeginProcessing, so the parameter set here is the default
        // one whenever objects are piped in: the picture pipeline is ready for them.
        if (ParameterSetName is PathSet or LiteralPathSet or RecordSet)
        {
            var model = ModuleModels.OpenOrStop(this, Model);
            if (store.ModelId is { } indexModel && indexModel != model.ModelId)
            {
                WriteWarning($"The index's embeddings come from '{indexModel}', not '{model.ModelId}': images are matched by file hash and perceptual hash only. Pass -Model with the index's model to compare embeddings.");
            }
            matcher = new CopyMatcher(store);
            if (CopyMatcher.VerificationUnavailable is { } unavailable)
            {
                WriteWarning($"Copies cannot be verified here: {unavailable}. Candidates are reported as Similar, never as Copy.");
            }
            // The extra views (the matcher's calibrated turns, -IncludeRotated's further ones, and -IncludeCropped's cuts)
            // are prepared with each picture, in parallel; so is the picture for verification, decoded once.
            pipeline = new FingerprintPipeline(matcher.QueryFingerprinter(new Fingerprinter(model, ImageLimits.Default)
            {
                ViewAngles = IncludeRotated ? Fingerprinter.RotationAngles : [],
                ViewCentreCuts = IncludeCropped ? Fingerprinter.CentreCutShares : [],
            }));
        }
    }

    protected override void ProcessRecord()
    {
        switch (ParameterSetName)
        {
            case TextSet:
                foreach (var text in Text)
                {
                    IEnumerable<IndexMatch> found;
                    try
                    {
                        found = searcher!.FindText(text, options);
                    }
                    catch (CaptionQueryTooLargeException e)
                    {
                        WriteError(ErrorIds.Record(e, "OptOut.TextQueryTooLarge", ErrorCategory.LimitsExceeded, text,
                            $"Search with fewer words: up to {CaptionQuery.MaxTerms} distinct terms and {CaptionQuery.MaxCharacters:N0} characters."));
                        continue;
                    }
                    Emit(found, text, null);
                }
                break;
            case UrlSet:
                foreach (var url in Url) Emit(searcher!.FindUrl(url, options), url, null);
                break;
            case RecordSet:
                foreach (var record in Record) SearchRecord(record);
                break;
            case TrainingSetSet:
                ThrowTerminatingError(ErrorIds.Record(new ArgumentException("Find-TrainedImage searches the index for pictures, text, URLs or domains; a training set piped in is none of these."),
                    "OptOut.NothingToSearchFor", ErrorCategory.InvalidArgument, null,
                    "To search one dataset, name it: Get-ChildItem ~/art -File | Find-TrainedImage -Dataset <name> (Tab completes the names)."));
                break;
            case DomainSet:
                foreach (var domain in Domain)
                {
                    IEnumerable<IndexMatch> found;
                    try
                    {
                        found = searcher!.FindDomain(domain, options);
                    }
                    catch (ArgumentException e)
                    {
                        WriteError(ErrorIds.Record(e, "OptOut.InvalidDomain", ErrorCategory.InvalidArgument, domain, null));
                        continue;
                    }
                    Emit(found, domain, null);
                }
                break;
            default:
                bool literal = ParameterSetName == LiteralPathSet;
                foreach (var (file, error) in new FilePathResolver(this, Recurse).Resolve(literal ? LiteralPath : Path, literal))
                {
                    pipeline!.Submit(file, error);
                    foreach (var outcome in pipeline.TakeReady()) Search(outcome);
                }
                break;
        }
    }

    protected override void EndProcessing()
    {
        if (pipeline is not null)
        {
            foreach (var outcome in pipeline.CompleteAndDrain()) Search(outcome);
        }
        progress?.Complete();
        WriteSummary();
    }

    // What an artist reads after searching a folder: how many works were searched, found where, and not found.
    private readonly Dictionary<string, int> foundByDataset = new(StringComparer.Ordinal);
    private int queriesFound, queriesFailed;

    private void WriteSummary()
    {
        if (queries + queriesFailed == 0) return;
        var what = ParameterSetName switch { PathSet or LiteralPathSet => "works", TextSet => "text queries", UrlSet => "URLs", RecordSet => "claims", _ => "domains" };
        var text = $"Searched {queries:N0} {what}: {queriesFound:N0} found";
        if (foundByDataset.Count > 0)
        {
            text += $" in {foundByDataset.Count:N0} dataset{(foundByDataset.Count == 1 ? "" : "s")} ({string.Join(", ", foundByDataset.OrderByDescending(d => d.Value).ThenBy(d => d.Key, StringComparer.Ordinal).Select(d => $"{d.Key}: {d.Value:N0} row{(d.Value == 1 ? "" : "s")}"))})";
        }
        text += $", {queries - queriesFound:N0} not found";
        if (queriesFailed > 0) text += $", {queriesFailed:N0} could not be read (see the errors)";
        HostSummary.Write(this, text + ".");
    }

    protected override void StopProcessing() => pipeline?.Cancel();

    // A claim searches for what it covers: its URL, its domain, or the claimant's own file (its evidence).
    private void SearchRecord(ConsentRecord record)
    {
        switch (record.Kind)
        {
            case "Url":
                Emit(searcher!.FindUrl(record.Target, options), record.Target, null);
                break;
            case "Domain":
                Emit(searcher!.FindDomain(record.Target, options), record.Target, null);
                break;
            default:
                if (record.EvidenceFile is { } file && File.Exists(file))
                {
                    pipeline!.Submit(file, null);
                    foreach (var outcome in pipeline.TakeReady()) Search(outcome);
                }
                else
                {
                    WriteError(ErrorIds.Record(new FileNotFoundException($"Content claim {record.Id} is searched through the claimant's file, '{record.EvidenceFile}', which is not here.", record.EvidenceFile),
                        ErrorIds.FileNotFound, ErrorCategory.ObjectNotFound, record, "Search with the picture itself: Find-TrainedImage <file>."));
                }
                break;
        }
    }

    private void Search(FingerprintOutcome outcome)
    {
        if (outcome.Fingerprint is not { } fingerprint)
        {
            queriesFailed++;
            WriteError(ErrorIds.ForFile(outcome.Error!, outcome.Path));
            return;
        }
        using var picture = fingerprint.Picture;
        var any = false;
        foreach (var match in matcher!.Find(fingerprint, options, fingerprint.Views))
        {
            any = true;
            foundByDataset[match.Row.Dataset] = foundByDataset.GetValueOrDefault(match.Row.Dataset) + 1;
            WriteObject(TrainedImageMatch.From(match, fingerprint.Path, fingerprint.Sha256));
        }
        if (any) queriesFound++;
        progress!.Report(++queries, null, "queries");
    }

    private void Emit(IEnumerable<IndexMatch> matches, string query, string? querySha256)
    {
        var any = false;
        foreach (var match in matches)
        {
            any = true;
            foundByDataset[match.Row.Dataset] = foundByDataset.GetValueOrDefault(match.Row.Dataset) + 1;
            var output = TrainedImageMatch.From(match, query, querySha256);
            if (match.Kind == MatchKind.Caption)
            {
                // Its own view: the caption (why it matched) and the score named a text score.
                var wrapped = PSObject.AsPSObject(output);
                wrapped.TypeNames.Insert(0, "OptOut.TrainedImageMatch#Text");
                WriteObject(wrapped);
            }
            else
            {
                WriteObject(output);
            }
        }
        if (any) queriesFound++;
        progress!.Report(++queries, null, "queries");
    }

    public void Dispose()
    {
        pipeline?.Dispose();
        matcher?.Dispose();
        searcher?.Dispose();
        store?.Dispose();
    }
}
