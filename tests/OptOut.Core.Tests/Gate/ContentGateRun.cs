using OptOut.Core.Fingerprinting;
using OptOut.Core.Gate;

namespace OptOut.Core.Tests.Gate;

/// <summary>A whole gate run over a dataset folder with content pictures to verify against: its findings, a failed shard thrown.</summary>
internal static class ContentGateRun
{
    public static List<Violation> Violations(ConsentRules rules, string dataset, ContentPictures pictures, Fingerprinter fingerprinter)
    {
        var gate = new TrainingSetGate(new GateSettings { Dataset = "fixture", Rules = rules, Fingerprinter = fingerprinter, ContentPictures = pictures });
        var found = new List<Violation>();
        foreach (var e in gate.Run(Datasets.DatasetDiscovery.Discover(dataset), 1, null, TimeSpan.FromMilliseconds(50), CancellationToken.None))
        {
            if (e is ViolationsFound v) found.AddRange(v.Violations);
            if (e is ShardChecked { Result.Failure: { } failure }) throw new InvalidOperationException("the shard failed", failure);
        }
        return found;
    }
}
