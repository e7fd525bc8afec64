using OptOut.Core.Fingerprinting;
using OptOut.Core.Gate;
using OptOut.Core.Imaging;

namespace OptOut.Core.Tests.Gate;

/// <summary>A whole gate run over a dataset folder with content pictures to verify against: its findings, a failed shard thrown.</summary>
internal static class ContentGateRun
{
    private static readonly Lazy<Fingerprinter> Shared = new(() => new Fingerprinter(TestEnvironment.DefaultModel, ImageLimits.Default));

    /// <summary>The real model's fingerprinter, the one the runs use (claims are fingerprinted with it too).</summary>
    public static Fingerprinter Printer => Shared.Value;

    public static List<Violation> Violations(ConsentRules rules, string dataset, ContentPictures pictures)
    {
        var gate = new TrainingSetGate(new GateSettings { Dataset = "fixture", Rules = rules, Fingerprinter = Printer, ContentPictures = pictures });
        var found = new List<Violation>();
        foreach (var e in gate.Run(Datasets.DatasetDiscovery.Discover(dataset), 1, null, TimeSpan.FromMilliseconds(50), CancellationToken.None))
        {
            if (e is ViolationsFound v) found.AddRange(v.Violations);
            if (e is ShardChecked { Result.Failure: { } failure }) throw new InvalidOperationException("the shard failed", failure);
        }
        return found;
    }
}
