using OptOut.Core.Index;
using OptOut.Core.Registry;

namespace OptOut.Core.Gate;

/// <summary>Who made a claim, for a finding: its id, claimant, and (domains, content) what it names.</summary>
public readonly record struct ClaimInfo(string Id, string Claimant, string Target);

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
    private readonly ContentClaims[] content = [new(), new()];

    // Claim identities, compact: most ids are UUIDs (16 bytes, not a 36-character string).
    private readonly List<Guid> guidIds = new();
    private readonly Dictionary<int, string> otherIds = new();
    private readonly List<int> claimants = new();
    private readonly List<string> claimantNames = new();
    private readonly Dictionary<string, int> claimantIndex = new(StringComparer.Ordinal);
    private readonly Dictionary<int, string> targets = new();     // domains and content only

    private ConsentRules() { }

    public static ConsentRules Empty { get; } = Load([]);

    public static ConsentRules Load(IEnumerable<ActiveClaim> claims)
    {
        var rules = new ConsentRules();
        foreach (var claim in claims) rules.Add(claim);
        return rules;
    }

    public int Count => guidIds.Count;

    public int UrlCount(Decision decision) => urls[(int)decision].Count;

    public int DomainCount(Decision decision) => domains[(int)decision].Count;

    public int ContentCount(Decision decision) => content[(int)decision].Count;

    internal ContentClaims Content(Decision decision) => content[(int)decision];

    public ClaimInfo Claim(int index)
    {
        var id = otherIds.TryGetValue(index, out var other) ? other : guidIds[index].ToString("D");
        return new ClaimInfo(id, claimantNames[claimants[index]], targets.TryGetValue(index, out var target) ? target : "");
    }

    /// <summary>The claim on this normalised URL, or -1.</summary>
    public int FindUrl(Decision decision, ReadOnlySpan<char> normalizedUrl) => urls[(int)decision].Find(normalizedUrl);

    /// <summary>The claim on this host or the nearest parent domain that has one, or -1.</summary>
    public int FindDomain(Decision decision, ReadOnlySpan<char> host)
    {
        var table = domains[(int)decision];
        if (table.Count == 0) return -1;
        while (!host.IsEmpty)
        {
            int found = table.Find(host);
            if (found >= 0) return found;
            int dot = host.IndexOf('.');
            if (dot < 0) break;
            host = host[(dot + 1)..];
        }
        return -1;
    }

    private void Add(ActiveClaim claim)
    {
        int index = guidIds.Count;
        if (Guid.TryParseExact(claim.Id, "D", out var guid) && guid.ToString("D") == claim.Id)
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
                break;
            case ClaimKind.Content:
                targets[index] = claim.Target;
                content[(int)claim.Decision].Add(index, claim);
                break;
        }
    }
}
