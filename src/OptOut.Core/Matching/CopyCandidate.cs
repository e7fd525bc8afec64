using System.Globalization;
using OptOut.Core.Index;

namespace OptOut.Core.Matching;

/// <summary>
/// A picture the fingerprints brought up as a possible copy: its best perceptual-hash distance and
/// embedding similarity to the query (over the query's views), each null where it was not compared.
/// Whether the copy rule proposes it, and how candidates rank, are decided here for every caller
/// (the search, the gate's content rule), so they decide alike.
/// </summary>
internal readonly record struct CopyCandidate(int? Distance, float? Similarity)
{
    /// <summary>This candidate with <paramref name="distance"/> kept if it is closer.</summary>
    public CopyCandidate WithDistance(int distance) => this with { Distance = Math.Min(distance, Distance ?? int.MaxValue) };

    /// <summary>This candidate with <paramref name="similarity"/> kept if it is higher.</summary>
    public CopyCandidate WithSimilarity(float similarity) => this with { Similarity = Math.Max(similarity, Similarity ?? float.MinValue) };

    /// <summary>Does the fingerprint rule propose it as a copy?</summary>
    public bool ProposedBy(CopyRule rule) => rule.IsCopy(Distance, Similarity);

    /// <summary>Rank among candidates: the similarity where known, else the closeness of the hash.</summary>
    public double Score => Similarity ?? 1.0 - (Distance ?? 64) / 64.0;

    /// <summary>The scores in words, e.g. "hash distance 4, similarity 0.931".</summary>
    public string Scores => (Distance, Similarity) switch
    {
        ({ } d, { } s) => string.Create(CultureInfo.InvariantCulture, $"hash distance {d}, similarity {s:0.000}"),
        ({ } d, null) => string.Create(CultureInfo.InvariantCulture, $"hash distance {d}"),
        (null, { } s) => string.Create(CultureInfo.InvariantCulture, $"similarity {s:0.000}"),
        _ => "no scores",
    };
}
