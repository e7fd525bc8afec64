using OptOut.Core.Datasets;
using OptOut.Core.Gate;
using OptOut.Core.Registry;

namespace OptOut.Core.Tests.Gate;

/// <summary>Runs the gate the way the cmdlets do and collects what it reports.</summary>
internal static class GateFixtures
{
    public sealed record Outcome(List<Violation> Violations, List<RowProblem> Problems, List<ShardCheckResult> Shards, GateCounters Counters)
    {
        public IEnumerable<(GateRule Rule, string? Key)> Findings => Violations.Select(v => (v.Rule, v.Key)).OrderBy(f => f.Key, StringComparer.Ordinal).ThenBy(f => f.Rule);
    }

    public static Outcome Check(string path, ConsentRules rules, GatePolicy policy = GatePolicy.OptOut, int throttle = 2,
        Func<IDatasetShard, ShardCheckResult, RemovedRows, long>? afterShard = null, Fingerprinting.Fingerprinter? fingerprinter = null, string? embeddingModelId = null) =>
        Check(DatasetDiscovery.Discover(path), rules, policy, throttle, afterShard, fingerprinter, embeddingModelId);

    public static Outcome Check(IReadOnlyList<IDatasetShard> shards, ConsentRules rules, GatePolicy policy = GatePolicy.OptOut, int throttle = 2,
        Func<IDatasetShard, ShardCheckResult, RemovedRows, long>? afterShard = null, Fingerprinting.Fingerprinter? fingerprinter = null, string? embeddingModelId = null)
    {
        var gate = new TrainingSetGate(new GateSettings
        {
            Dataset = "fixture", Rules = rules, Policy = policy, Fingerprinter = fingerprinter, EmbeddingModelId = embeddingModelId,
        });
        var violations = new List<Violation>();
        var problems = new List<RowProblem>();
        var results = new List<ShardCheckResult>();
        foreach (var e in gate.Run(shards, throttle, afterShard, TimeSpan.FromMilliseconds(50), CancellationToken.None))
        {
            switch (e)
            {
                case ViolationsFound v: violations.AddRange(v.Violations); break;
                case RowProblem p: problems.Add(p); break;
                case ShardChecked s: results.Add(s.Result); break;
            }
        }
        return new Outcome(violations, problems, results, gate.Counters);
    }

    /// <summary>Claims written through a real registry file and read back as the cmdlets read them.</summary>
    public static ConsentRules Rules(params NewClaim[] claims) => Rules(claims, revoke: []);

    public static ConsentRules Rules(IReadOnlyList<NewClaim> claims, IReadOnlyList<int> revoke)
    {
        var path = Path.Combine(TestEnvironment.NewScratchFolder(), "registry.db");
        using var store = RegistryStore.Open(path, "tester");
        var added = store.AddClaims(claims, "tester");
        if (revoke.Count > 0) store.Revoke(revoke.Select(i => added[i].Record.Id).ToList(), "tester", "test revocation");
        return ConsentRules.Load(store.ReadActiveClaims().ToList());
    }

    public static NewClaim RefuseUrl(string url, string claimant = "alice") =>
        new() { Decision = Decision.Refuse, Kind = ClaimKind.Url, Target = url, Claimant = claimant };

    public static NewClaim RefuseDomain(string domain, string claimant = "bob") =>
        new() { Decision = Decision.Refuse, Kind = ClaimKind.Domain, Target = domain, Claimant = claimant };

    public static NewClaim Grant(ClaimKind kind, string target, string claimant = "carol") =>
        new() { Decision = Decision.Grant, Kind = kind, Target = target, Claimant = claimant };

    public static NewClaim RefuseContent(ContentFingerprint content, string? md5 = null, string claimant = "dana") =>
        new()
        {
            Decision = Decision.Refuse, Kind = ClaimKind.Content, Content = content, Claimant = claimant,
            Evidence = new Evidence { FileSha256 = content.Sha256, FileMd5 = md5 },
        };
}
