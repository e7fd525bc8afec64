using OptOut.Core.Fingerprinting;
using OptOut.Core.Index;
using OptOut.Core.Matching;
using OptOut.Core.Registry;
using OptOut.Core.Urls;

namespace OptOut.Core.Gate;

/// <summary>
/// The registry's active claims held in memory for checking a dataset: URL and domain refusals and
/// grants in span-keyed tables (no string per dataset row), content claims by hash, perceptual hash
/// and embedding. Loaded once before the first row is read; a million URL claims take about their
/// text length in memory.
/// </summary>
public sealed class ConsentRules
{
    private readonly SpanKeyTable[] urls = [new(), new()];        // by Decision
    private readonly SpanKeyTable[] domains = [new(), new()];
    private readonly DomainSuffixFilter[] domainFilters = [new(), new()];
    private readonly ReferencePictures[] content = [new(), new()];

    // Claim identities, compact: most ids are UUIDs (16 bytes, not a 36-character string).
    private readonly List<Guid> guidIds = new();
    private readonly Dictionary<int, string> otherIds = new();
    private readonly List<int> claimants = new();
    private readonly List<string> claimantNames = new();
    private readonly Dictionary<string, int> claimantIndex = new(StringComparer.Ordinal);
    private readonly Dictionary<int, string> targets = new();     // domains and content only

    private ConsentRules() { }

    /// <summary>No claims: nothing is refused or granted.</summary>
    public static ConsentRules Empty { get; } = Load([]);

    /// <summary>The rules of the active claims given (a registry's <see cref="IConsentRegistry.ReadActiveClaims"/>), indexed for the gate.</summary>
    public static ConsentRules Load(IEnumerable<ActiveClaim> claims)
    {
        var rules = new ConsentRules();
        // Reading the registry and filling the tables take about as long as each other (a million
        // claims: about a second each): the claims are read on another thread, in chunks.
        using var chunks = new System.Collections.Concurrent.BlockingCollection<ActiveClaim[]>(boundedCapacity: 8);
        var reading = Task.Run(() =>
        {
            try
            {
                foreach (var chunk in claims.Chunk(4096)) chunks.Add(chunk);
            }
            finally
            {
                chunks.CompleteAdding();
            }
        });
        try
        {
            foreach (var chunk in chunks.GetConsumingEnumerable())
            {
                foreach (var claim in chunk) rules.Add(claim);
            }
        }
        finally
        {
            // Should adding fail, let the reader finish before its enumerator (and connection) is left.
            while (!chunks.IsCompleted && chunks.TryTake(out _, 50)) { }
        }
        reading.GetAwaiter().GetResult();
        foreach (var table in rules.urls.Concat(rules.domains)) table.TrimExcess();
        rules.guidIds.TrimExcess();
        rules.claimants.TrimExcess();
        return rules;
    }

    /// <summary>Number of claims loaded.</summary>
    public int Count => guidIds.Count;

    /// <summary>Number of URL claims with <paramref name="decision"/>.</summary>
    public int UrlCount(Decision decision) => urls[(int)decision].Count;

    /// <summary>Number of domain claims with <paramref name="decision"/>.</summary>
    public int DomainCount(Decision decision) => domains[(int)decision].Count;

    /// <summary>Number of content claims with <paramref name="decision"/>.</summary>
    public int ContentCount(Decision decision) => content[(int)decision].Count;

    internal ReferencePictures Content(Decision decision) => content[(int)decision];

    /// <summary>The refused content claims held by an embedding: their index, id, the content's SHA-256 and the embedding's model.</summary>
    internal IEnumerable<(int Index, string Id, string Sha256, string ModelId)> RefusedContentClaims() =>
        content[(int)Decision.Refuse].Embedded.Select(c =>
        {
            var info = Claim(c.Claim);
            return (c.Claim, info.Id, info.Target, c.ModelId);
        });

    /// <summary>
    /// Adds views of refused content claim <paramref name="index"/>'s picture (<see cref="ReferencePictures.AddView"/>).
    /// Grants get none: a view may only find more refusals, never more consent. Not thread-safe.
    /// </summary>
    internal void AddRefusedContentViews(int index, string modelId, IReadOnlyList<ImageView> views)
    {
        var refused = content[(int)Decision.Refuse];
        foreach (var view in views) refused.AddView(index, view.PerceptualHash, view.Embedding, modelId);
    }

    internal ClaimInfo Claim(int index)
    {
        var id = otherIds.TryGetValue(index, out var other) ? other : guidIds[index].ToString("D");
        return new ClaimInfo(id, claimantNames[claimants[index]], targets.TryGetValue(index, out var target) ? target : "");
    }

    /// <summary>The claim on this normalised URL, or -1.</summary>
    internal int FindUrl(Decision decision, ReadOnlySpan<char> normalizedUrl) => urls[(int)decision].Find(normalizedUrl);

    /// <summary>The claim on this host or the nearest parent domain that has one, or -1.</summary>
    internal int FindDomain(Decision decision, ReadOnlySpan<char> host)
    {
        var table = domains[(int)decision];
        if (table.Count == 0) return -1;
        // One pass from the right gives every suffix a cheap hash; only suffixes the filter has
        // seen are looked up (nearly every row's host has none), the longest first.
        Span<int> candidates = stackalloc int[128];   // a DNS name has at most 127 labels
        int count = domainFilters[(int)decision].Candidates(host, candidates);
        for (int i = count - 1; i >= 0; i--)
        {
            int found = table.Find(host[candidates[i]..]);
            if (found >= 0) return found;
        }
        return -1;
    }

    private void Add(ActiveClaim claim)
    {
        int index = guidIds.Count;
        // Lower-case "D" form round-trips through a Guid (the registry's own ids are); anything else is kept as written.
        if (Guid.TryParseExact(claim.Id, "D", out var guid) && !claim.Id.AsSpan().ContainsAnyInRange('A', 'Z'))
        {
            guidIds.Add(guid);
        }
        else
        {
            guidIds.Add(Guid.Empty);
            otherIds[index] = claim.Id;
        }
        if (!claimantIndex.TryGetValue(claim.Claimant, out int claimant))
        {
            claimant = claimantNames.Count;
            claimantNames.Add(claim.Claimant);
            claimantIndex[claim.Claimant] = claimant;
        }
        claimants.Add(claimant);

        switch (claim.Kind)
        {
            case ClaimKind.Url:
                // Stored normalised by the registry; normalising again costs nothing on the fast path
                // and protects against records merged from lists written by other tools.
                urls[(int)claim.Decision].Add(UrlNormalizer.Normalize(claim.Target).Url, index);
                break;
            case ClaimKind.Domain:
                targets[index] = claim.Target;
                domains[(int)claim.Decision].Add(claim.Target, index);
                domainFilters[(int)claim.Decision].Add(claim.Target);
                break;
            case ClaimKind.Content:
                targets[index] = claim.Target;
                content[(int)claim.Decision].Add(index, claim.Target, claim.Md5, claim.PerceptualHash, claim.Embedding, claim.ModelId);
                break;
        }
    }
}
