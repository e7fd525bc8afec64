using System.Diagnostics;
using System.Security.Cryptography;
using OptOut.Core.Datasets;
using OptOut.Core.Fingerprinting;
using OptOut.Core.Index;
using OptOut.Core.Registry;
using OptOut.Core.Signals;
using OptOut.Core.Urls;

namespace OptOut.Core.Gate;

/// <summary>What every shard of one check shares.</summary>
public sealed record GateSettings
{
    /// <summary>The dataset's name, as reports show it.</summary>
    public required string Dataset { get; init; }
    /// <summary>The claims the rows are checked against.</summary>
    public required ConsentRules Rules { get; init; }
    /// <summary>Whether a row violates by being refused (opt-out) or by lacking consent (opt-in).</summary>
    public GatePolicy Policy { get; init; } = GatePolicy.OptOut;

    /// <summary>Fingerprints local images when content claims need pixels (perceptual hash, embedding); null when none do.</summary>
    public Fingerprinter? Fingerprinter { get; init; }

    /// <summary>The model that produced precomputed embeddings (clip-retrieval .npy); they are compared only with claims of this model.</summary>
    public string? EmbeddingModelId { get; init; }

    /// <summary>The fingerprint rule; null: the rule for the embeddings' model (<see cref="CopyRule.For"/>: ResNet18's calibrated thresholds apply to no other model).</summary>
    public CopyRule? CopyRule { get; init; }

    /// <summary>Content claims' own pictures, to verify the rows the fingerprint rule proposes before calling them violations; null: the rule decides alone.</summary>
    public ContentPictures? ContentPictures { get; init; }

    /// <summary>Local copies of sites' reservation files, one folder a host; null when the Site rule is not asked for.</summary>
    public SiteReservations.SiteReservationFolders? Sites { get; init; }

    /// <summary>
    /// False when only counts are wanted (Test-TrainingSet -Quiet without a report): findings are
    /// counted, not made into objects, and no key or URL string is made for them.
    /// </summary>
    public bool ReportViolations { get; init; } = true;

    /// <summary>True when local images must be decoded: some content claim to compare holds a hash or an embedding.</summary>
    public bool NeedsPixels => Rules.Content(Decision.Refuse).NeedsPixels || (Policy == GatePolicy.OptIn && Rules.Content(Decision.Grant).NeedsPixels);
}
