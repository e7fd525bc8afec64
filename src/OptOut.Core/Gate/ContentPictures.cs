using System.Collections.Concurrent;
using System.Security.Cryptography;
using OptOut.Core.Embedding;
using OptOut.Core.Fingerprinting;
using OptOut.Core.Imaging;
using OptOut.Core.Matching;

namespace OptOut.Core.Gate;

/// <summary>
/// The pictures of content claims (the claimant's evidence files, as recorded with each claim), each
/// decoded and prepared once, on first need, for verifying the rows the fingerprint rule proposes. A
/// claim whose file is not readable at gate time cannot be verified: its rows keep the rule's verdict
/// and say so. Safe to use from several shards at once.
/// </summary>
public sealed class ContentPictures : IDisposable
{
    private readonly IReadOnlyDictionary<string, string?> files;
    private readonly ImageLimits limits;
    private readonly PictureVerification pictures;
    private readonly ConcurrentDictionary<string, Lazy<(VerifiablePicture? Picture, string? Problem)>> prepared = new(StringComparer.Ordinal);

    /// <param name="files">Claim id -> the claimant's file recorded in its evidence (null when none was recorded).</param>
    public ContentPictures(IReadOnlyDictionary<string, string?> files, ImageLimits limits, GeometricVerifier? verifier = null)
    {
        this.files = files;
        this.limits = limits;
        Verifier = verifier ?? new GeometricVerifier();
        pictures = new PictureVerification(Verifier, limits);
    }

    /// <summary>Verifies the rows the fingerprint rule proposes against the claimants' pictures.</summary>
    public GeometricVerifier Verifier { get; }

    /// <summary>
    /// Is the row's picture (<paramref name="readRow"/>) a verified copy of one of these claims' pictures? Tried
    /// in the given order (the rule's best proposal first), the row decoded once; stops at the first verified
    /// copy. One verdict a claim tried: a claim whose picture cannot be compared (no file recorded, not readable
    /// here, or no longer the picture claimed) is not verified either way.
    /// </summary>
    internal IReadOnlyList<ContentVerdict> VerifyInTurn(IReadOnlyList<ClaimInfo> claims, Func<byte[]> readRow, string rowName)
    {
        ArgumentNullException.ThrowIfNull(claims);
        if (OpenCvAvailability.UnavailableReason is { } unavailable) return [new(null, "not verified: " + unavailable)];
        var references = claims.Select(c => prepared.GetOrAdd(c.Id, _ => new Lazy<(VerifiablePicture?, string?)>(() => Prepare(c))).Value).ToList();
        var verdicts = pictures.VerifyInTurn(references.Select(r => r.Picture).ToList(), i => PictureVerdict.Unverified(references[i].Problem!), readRow, rowName, "the row's image");
        return verdicts.Select(verdict => verdict.IsCopy switch
        {
            true => new ContentVerdict(true, "verified: " + verdict.Verification!.Detail),
            false => new ContentVerdict(false, verdict.Verification!.Detail),
            null => new ContentVerdict(null, verdict.NotVerified!),
        }).ToList();
    }

    /// <summary>
    /// Turns each refused content claim's picture (the claimant's file) as a search turns its query
    /// (<see cref="CopyMatcher.CalibratedViewAngles"/>) and adds the views to <paramref name="rules"/>, so that a
    /// turned copy among a dataset's local images is proposed and verified as a search would find it (rows
    /// without pixels are never compared with views: they could not be verified). A claim of another model than
    /// <paramref name="model"/>, or whose file is not readable here or no longer the claimed picture (another
    /// SHA-256), keeps its one fingerprint. Two model runs a claim, on the cores in parallel. Returns how many
    /// claims got views.
    /// </summary>
    public int AddTurnedViews(ConsentRules rules, EmbeddingModel model, CancellationToken cancellationToken = default) =>
        AddTurnedViews(rules, model, null, out _, cancellationToken);

    /// <summary>
    /// As <see cref="AddTurnedViews(ConsentRules, EmbeddingModel, CancellationToken)"/>, taking the views of pictures
    /// turned before from <paramref name="cache"/> and keeping there the ones made now. A cached picture's file is
    /// still read and its SHA-256 and size checked, so a claim gets views from the cache exactly when it would get
    /// them made afresh; only the decode and the model runs are saved. <paramref name="fromCache"/>: how many claims'
    /// views came from the cache.
    /// </summary>
    internal int AddTurnedViews(ConsentRules rules, EmbeddingModel model, TurnedViewCache? cache, out int fromCache, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rules);
        ArgumentNullException.ThrowIfNull(model);
        var turning = new Fingerprinter(model, limits) { ViewAngles = CopyMatcher.CalibratedViewAngles };
        var wanted = rules.RefusedContentClaims()
            .Where(c => c.ModelId == model.ModelId && files.TryGetValue(c.Id, out var file) && !string.IsNullOrEmpty(file))
            .ToList();
        fromCache = 0;
        if (wanted.Count == 0) return 0;
        // The stamp costs one probe turn; the cache file is not even opened when no claim needs views.
        string? stamp = cache?.TryStamp(turning);
        var cached = stamp is null ? new Dictionary<string, CachedViews>() : cache!.Find(wanted.Select(c => c.Sha256), stamp, model.Dimensions);
        var viewsOf = new ConcurrentDictionary<int, IReadOnlyList<ImageView>>();
        var made = new ConcurrentDictionary<string, CachedViews>(StringComparer.OrdinalIgnoreCase);
        int reused = 0;
        Parallel.ForEach(wanted, new ParallelOptions { CancellationToken = cancellationToken, MaxDegreeOfParallelism = Math.Max(1, Environment.ProcessorCount / 2) }, claim =>
        {
            try
            {
                if (cached.TryGetValue(claim.Sha256, out var kept))
                {
                    // The same tests as a fresh turn: the file read within the limits, the claimed bytes, a size the limits allow.
                    if (IsClaimedPicture(ImageLoader.ReadFile(files[claim.Id]!, limits), claim.Sha256) && limits.Allows(kept.Width, kept.Height))
                    {
                        viewsOf[claim.Index] = kept.Views;
                        Interlocked.Increment(ref reused);
                    }
                    return;
                }
                var prepared = turning.Prepare(files[claim.Id]!);
                if (!string.Equals(prepared.Sha256, claim.Sha256, StringComparison.OrdinalIgnoreCase) || prepared.Views is null) return;
                var views = prepared.Views.Select(v => new ImageView(v.PerceptualHash, model.Embed(v.ModelInput))).ToList();
                viewsOf[claim.Index] = views;
                made[claim.Sha256] = new CachedViews(prepared.Width, prepared.Height, views);
            }
            catch (Exception e) when (ClaimFileUnreadable(e))
            {
                // Not readable here (or not a path): the claim keeps its one fingerprint and is verified, or said not to be, as before.
            }
        });
        if (stamp is not null) cache!.Store(made, stamp);
        // Added once every view is made: the rules are read by the shards afterwards and are not thread-safe to fill.
        foreach (var claim in wanted)
        {
            if (viewsOf.TryGetValue(claim.Index, out var views)) rules.AddRefusedContentViews(claim.Index, claim.ModelId, views);
        }
        fromCache = reused;
        return viewsOf.Count;
    }

    // Only the picture claimed is evidence: the file's bytes must still have the claim's SHA-256 (hex, any case).
    private static bool IsClaimedPicture(byte[] bytes, string sha256) =>
        string.Equals(Convert.ToHexString(SHA256.HashData(bytes)), sha256, StringComparison.OrdinalIgnoreCase);

    // What reading a claimant's file here may throw (a path that is not one included): turning and verifying forgive the same.
    private static bool ClaimFileUnreadable(Exception e) =>
        e is IOException or UnauthorizedAccessException or ImageFileException or ArgumentException or NotSupportedException;

    private (VerifiablePicture?, string?) Prepare(ClaimInfo claim)
    {
        if (!files.TryGetValue(claim.Id, out var file) || string.IsNullOrEmpty(file))
        {
            return (null, "the claim records no file of the claimant's to compare pixels with");
        }
        try
        {
            // Only the picture claimed is evidence: a file changed since (edited, replaced) would refute copies of
            // the claimed work, so it is not compared (the row is then not verified either way and keeps the rule's verdict).
            var bytes = ImageLoader.ReadFile(file, limits);
            if (!IsClaimedPicture(bytes, claim.Target))
            {
                return (null, $"the claimant's file '{file}' is no longer the picture claimed (its SHA-256 changed)");
            }
            using var decoded = ImageLoader.Decode(bytes, file, limits);
            return (Verifier.Prepare(decoded), null);
        }
        catch (Exception e) when (ClaimFileUnreadable(e))
        {
            // A claim that cannot be compared is "not verified", never a failed shard.
            return (null, $"the claimant's file '{file}' is not readable here ({e.Message})");
        }
    }

    /// <summary>Releases the prepared pictures.</summary>
    public void Dispose()
    {
        foreach (var entry in prepared.Values)
        {
            if (entry.IsValueCreated) entry.Value.Picture?.Dispose();
        }
    }
}
