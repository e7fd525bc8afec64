using System.Diagnostics;
using System.Security.Cryptography;
using OptOut.Core.Datasets;
using OptOut.Core.Fingerprinting;
using OptOut.Core.Index;
using OptOut.Core.Matching;
using OptOut.Core.Registry;
using OptOut.Core.Signals;
using OptOut.Core.Urls;

namespace OptOut.Core.Gate;

/// <summary>
/// Checks one shard row by row: URL, domain and the dataset's own hashes and embeddings straight
/// from the metadata; local images read for embedded reservations and, when content claims need
/// it, fingerprinted (decoding overlapped with inference, results in row order). A row's findings
/// are reported when everything about it is known.
/// </summary>
internal sealed class ShardChecker
{
    /// <summary>
    /// Most refused pictures a row's pixels are compared with, best proposal first. Beyond them a row whose
    /// every compared proposal was refuted is still reported (fail closed), saying so.
    /// </summary>
    internal const int MaxVerifiedProposals = 8;

    private readonly GateSettings settings;
    private readonly IDatasetShard shard;
    private readonly Action<GateEvent> emit;
    private readonly GateCounters counters;
    private readonly RemovedRows removed = new();
    private readonly bool checkContent;
    private readonly bool checkContentGrants;
    private long violatingRows, violations, rowErrors;
    private readonly PendingRow current = new();
    private readonly bool removesByKey;
    private List<Violation>? pendingViolations;

    // One text a domain claim, not one a row: a refused domain can cover millions of rows.
    private readonly Dictionary<int, string> domainDetails = new();
    private const int ViolationsPerEvent = 512;

    public ShardChecker(GateSettings settings, IDatasetShard shard, Action<GateEvent> emit, GateCounters counters)
    {
        this.settings = settings;
        this.shard = shard;
        this.emit = emit;
        this.counters = counters;
        checkContent = settings.Rules.ContentCount(Decision.Refuse) > 0;
        checkContentGrants = settings.Policy == GatePolicy.OptIn && settings.Rules.ContentCount(Decision.Grant) > 0;
        removesByKey = shard.NamesRemovalsByKey;
    }

    public RemovedRows Removed => removed;

    public ShardCheckResult Run(CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        long rows = 0, skipped = 0, withImage = 0;
        Exception? failure = null;
        FingerprintPipeline? pipeline = null;
        try
        {
            foreach (var batch in shard.ReadBatches(cancellationToken))
            {
                using (batch)
                {
                    for (int i = 0; i < batch.Count; i++)
                    {
                        if (!batch.IsSuccess(i))
                        {
                            skipped++;
                            continue;
                        }
                        var row = CheckMetadata(batch, i);
                        var source = batch.Source(i);
                        if (source?.ReadImage is { } read)
                        {
                            withImage++;
                            // The row waits for its image: it gets an object of its own, with its strings.
                            row = row.Detach();
                            row.ImageName = source.ImageName ?? row.Key ?? row.Row.ToString(System.Globalization.CultureInfo.InvariantCulture);
                            if (settings.NeedsPixels)
                            {
                                pipeline ??= new FingerprintPipeline(settings.Fingerprinter!, cancellationToken: cancellationToken);
                                pipeline.Submit(row.ImageName, () => ReadWithSignals(read, row), row);
                                foreach (var outcome in pipeline.TakeReady()) FinishFingerprinted(outcome);
                            }
                            else
                            {
                                CheckBytesOnly(read, row);
                                Finish(row);
                            }
                        }
                        else
                        {
                            Finish(row);
                        }
                    }
                    rows += batch.Count;
                    counters.AddRows(batch.Count);
                    FlushViolations();
                }
            }
            if (pipeline is not null)
            {
                foreach (var outcome in pipeline.CompleteAndDrain()) FinishFingerprinted(outcome);
            }
            foreach (var problem in shard.RowProblems)
            {
                RowError(problem, new InvalidDataException(problem));
            }
            FlushViolations();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            failure = e;
        }
        finally
        {
            pipeline?.Dispose();
        }
        return new ShardCheckResult(shard.Source, shard.Layout, rows, rows - skipped, skipped, violatingRows, violations, rowErrors, clock.Elapsed, failure)
        {
            RowsWithImage = withImage,
        };
    }

    /// <summary>Everything the metadata alone decides: URL, domain, the dataset's hash and embedding.</summary>
    private PendingRow CheckMetadata(RowBatch batch, int i)
    {
        var rules = settings.Rules;
        // One object serves every row that is finished at once (most of them): no allocation a row.
        var row = current.Reset(batch, i);
        var url = batch.Url(i);
        if (!url.IsEmpty)
        {
            ReadOnlySpan<char> normalized, host;
            if (UrlNormalizer.AlreadyNormal(url, out int hostStart, out int hostEnd))
            {
                normalized = url;
                host = url[hostStart..hostEnd];
            }
            else
            {
                var slow = UrlNormalizer.Normalize(url.ToString());
                normalized = slow.Url;
                host = slow.Host;
            }
            int claim = rules.FindUrl(Decision.Refuse, normalized);
            if (claim >= 0) row.Add(GateRule.Url, claim, "the URL has an active refusal");
            claim = rules.FindDomain(Decision.Refuse, host);
            if (claim >= 0) row.Add(GateRule.Domain, claim, DomainDetail(claim));
            if (settings.Policy == GatePolicy.OptIn)
            {
                row.Granted = rules.FindUrl(Decision.Grant, normalized) >= 0 || rules.FindDomain(Decision.Grant, host) >= 0;
            }
            if (settings.Sites?.Reservation(normalized.ToString(), host.ToString()) is { } reservation)
            {
                row.Add(GateRule.Site, -1, reservation);
            }
        }

        if (checkContent || checkContentGrants)
        {
            var sha256 = batch.Sha256(i);
            var md5 = batch.Md5(i);
            var source = batch.Source(i);
            float[]? embedding = null;
            if (source?.Embedding is { } half && settings.EmbeddingModelId is not null)
            {
                embedding = new float[half.Length];
                for (int d = 0; d < half.Length; d++) embedding[d] = (float)half[d];
                Embedding.VectorMath.NormalizeInPlace(embedding);
            }
            if (md5 is not null) MatchMd5(row, md5);
            if (sha256 is not null || embedding is not null)
            {
                MatchContent(row, sha256, null, embedding, settings.EmbeddingModelId, "the dataset's");
            }
        }
        return row;
    }

    private string DomainDetail(int claim)
    {
        if (!domainDetails.TryGetValue(claim, out var detail))
        {
            domainDetails[claim] = detail = $"the host is in refused domain {settings.Rules.Claim(claim).Target}";
        }
        return detail;
    }

    /// <summary>The dataset lists its images' MD5 (LAION's md5 column): compared with the claimants' files.</summary>
    private void MatchMd5(PendingRow row, string md5)
    {
        var rules = settings.Rules;
        int claim = checkContent ? rules.Content(Decision.Refuse).FindMd5(md5) : -1;
        if (claim >= 0) row.Add(GateRule.Content, claim, $"the dataset's MD5 is that of refused content {rules.Claim(claim).Target}");
        if (checkContentGrants && !row.Granted && rules.Content(Decision.Grant).FindMd5(md5) >= 0) row.Granted = true;
    }

    private void MatchContent(PendingRow row, string? sha256, ulong? perceptualHash, float[]? embedding, string? modelId, string whose)
    {
        var rules = settings.Rules;
        if (checkContent && !row.Has(GateRule.Content))
        {
            // The refused pictures' turned views only for a row whose pixels the proposal will be verified on.
            bool verifiable = settings.ContentPictures is not null && row.Source?.ReadImage is not null;
            var proposals = rules.Content(Decision.Refuse).Matches(sha256, perceptualHash, embedding, modelId, settings.CopyRule ?? CopyRule.For(modelId), withViews: verifiable);
            if (proposals.Count > 0) ReportContent(row, proposals, whose);
        }
        if (checkContentGrants && !row.Granted)
        {
            row.Granted = rules.Content(Decision.Grant).Match(sha256, perceptualHash, embedding, modelId, settings.CopyRule ?? CopyRule.For(modelId)) is not null;
        }
    }

    /// <summary>
    /// Reports the row under the refused content the rule proposes (<paramref name="proposals"/>, best first). When
    /// the row's pixels can be compared, the proposals are verified in turn: a verified copy is reported with its
    /// claim; failing that, the first proposal that could not be verified either way (fail closed); a row every
    /// proposal of which was refuted is a look-alike, not a violation, unless proposals were left untried.
    /// </summary>
    private void ReportContent(PendingRow row, IReadOnlyList<ReferenceMatch> proposals, string whose)
    {
        var best = proposals[0];
        if (best.SameFile || settings.ContentPictures is not { } pictures)
        {
            AddContent(row, best, null, whose);
            return;
        }
        if (row.Source?.ReadImage is not { } read)
        {
            AddContent(row, best, new ContentVerdict(null, "not verified: the row has no local image"), whose);
            return;
        }
        var tried = proposals.Take(MaxVerifiedProposals).ToList();
        var verdicts = pictures.VerifyInTurn(tried.Select(p => settings.Rules.Claim(p.Claim)).ToList(), read, row.ImageName ?? row.Key ?? "row");
        int decisive = IndexOf(verdicts, true);
        if (decisive < 0) decisive = IndexOf(verdicts, null);
        if (decisive >= 0)
        {
            AddContent(row, tried[decisive], verdicts[decisive], whose);
        }
        else if (proposals.Count > tried.Count)
        {
            AddContent(row, proposals[tried.Count], new ContentVerdict(null,
                $"not verified: the {tried.Count} refused pictures proposed before it were refuted and {proposals.Count - tried.Count} more were not compared"), whose);
        }
    }

    private static int IndexOf(IReadOnlyList<ContentVerdict> verdicts, bool? isCopy)
    {
        for (int i = 0; i < verdicts.Count; i++)
        {
            if (verdicts[i].IsCopy == isCopy) return i;
        }
        return -1;
    }

    private void AddContent(PendingRow row, ReferenceMatch match, ContentVerdict? verdict, string whose)
    {
        var claim = settings.Rules.Claim(match.Claim);
        row.Add(GateRule.Content, match.Claim, $"{whose} image is {match.How} of refused content {claim.Target}{(verdict is { } v ? $"; {v.Detail}" : "")}");
    }

    private static byte[] ReadWithSignals(Func<byte[]> read, PendingRow row)
    {
        var bytes = read();
        row.Signals = EmbeddedSignals.Read(bytes);
        return bytes;
    }

    /// <summary>No claim needs pixels: the file is read for its embedded reservations and its SHA-256 only.</summary>
    private void CheckBytesOnly(Func<byte[]> read, PendingRow row)
    {
        try
        {
            var bytes = ReadWithSignals(read, row);
            if (checkContent || checkContentGrants)
            {
                MatchContent(row, Convert.ToHexString(SHA256.HashData(bytes)).ToLowerInvariant(), null, null, null, "the");
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            RowError(row.ImageName!, e);
        }
    }

    private void FinishFingerprinted(FingerprintOutcome outcome)
    {
        var row = (PendingRow)outcome.Tag!;
        if (outcome.Fingerprint is { } fingerprint)
        {
            MatchContent(row, fingerprint.Sha256, fingerprint.PerceptualHash, fingerprint.Embedding, fingerprint.ModelId, "the");
        }
        else if (outcome.Error is { } error)
        {
            // The URL, domain and the dataset's own hash were still checked; the picture was not.
            RowError(outcome.Path, error);
        }
        Finish(row);
    }

    private void Finish(PendingRow row)
    {
        if (row.Signals is { } signals)
        {
            foreach (var signal in signals.Where(s => s.ProhibitsTraining))
            {
                row.AddSignal($"{signal.Source} = {signal.Value} ({signal.Detail})");
            }
        }
        if (settings.Policy == GatePolicy.OptIn && !row.Granted)
        {
            row.AddNoConsent();
        }
        if (row.Findings is not { Count: > 0 } findings) return;

        violatingRows++;
        counters.AddViolatingRow();
        removed.Add(row.Row, removesByKey ? row.Key : null, row.Source);
        violations += findings.Count;
        counters.AddViolations(findings.Count);
        if (!settings.ReportViolations) return;
        foreach (var (rule, claim, detail) in findings)
        {
            var info = claim >= 0 ? settings.Rules.Claim(claim) : (ClaimInfo?)null;
            (pendingViolations ??= new(ViolationsPerEvent)).Add(
                new Violation(settings.Dataset, shard.Source, shard.FilePath, row.Row, row.Key, row.Url, rule, info?.Id, info?.Claimant, detail));
            if (pendingViolations.Count >= ViolationsPerEvent) FlushViolations();
        }
    }

    private void FlushViolations()
    {
        if (pendingViolations is not { Count: > 0 }) return;
        emit(new ViolationsFound(pendingViolations));
        pendingViolations = null;
    }

    private void RowError(string target, Exception error)
    {
        FlushViolations();
        rowErrors++;
        counters.AddRowError();
        emit(new RowProblem(shard.Source, target, error));
    }

    /// <summary>A row whose findings are being gathered (its image may still be decoding).</summary>
    private sealed class PendingRow
    {
        private RowBatch? batch;
        private int index;
        private string? key, url;

        public long Row { get; private set; }
        public string? ImageName { get; set; }

        /// <summary>The reader's row (its files and tar members), when the shard was read row by row.</summary>
        public SourceRow? Source { get; private set; }
        public bool Granted { get; set; }
        public IReadOnlyList<EmbeddedSignal>? Signals { get; set; }
        public List<(GateRule Rule, int Claim, string Detail)>? Findings { get; private set; }

        public string? Key { get { Resolve(); return key; } }
        public string? Url { get { Resolve(); return url; } }

        public PendingRow Reset(RowBatch batch, int index)
        {
            this.batch = batch;
            this.index = index;
            Row = batch.FirstRow + index;
            Source = batch.Source(index);
            key = url = ImageName = null;
            Granted = false;
            Signals = null;
            Findings = null;
            return this;
        }

        /// <summary>A copy that outlives the batch (its key and URL made into strings now).</summary>
        public PendingRow Detach()
        {
            Resolve();
            return new PendingRow { Row = Row, key = key, url = url, ImageName = ImageName, Source = Source, Granted = Granted, Signals = Signals, Findings = Findings };
        }

        public bool Has(GateRule rule) => Findings?.Exists(f => f.Rule == rule) ?? false;

        public void Add(GateRule rule, int claim, string detail) => (Findings ??= new()).Add((rule, claim, detail));

        public void AddSignal(string detail) => Add(GateRule.Signal, -1, detail);

        public void AddNoConsent() => Add(GateRule.NoConsent, -1, "no active grant covers the row's URL, domain or content");

        /// <summary>Makes the key and URL strings (only rows that are reported, or wait for an image, need them).</summary>
        private void Resolve()
        {
            if (batch is null) return;
            key = batch.Key(index);
            var u = batch.Url(index);
            url = u.IsEmpty ? null : u.ToString();
            batch = null;
        }
    }
}
