using System.Diagnostics;

namespace OptOut.Core.Matching;

/// <summary>
/// Time spent per stage of <see cref="GeometricVerifier.Verify(VerifiablePicture, VerifiablePicture, VerificationTimings)"/>, summed over the calls it is passed to
/// (for benchmarks; not thread-safe: one per thread).
/// </summary>
public sealed class VerificationTimings
{
    /// <summary>Time spent extracting local features, in milliseconds.</summary>
    public double ExtractionMs { get; private set; }
    /// <summary>Number of feature extractions.</summary>
    public int Extractions { get; private set; }
    /// <summary>Time spent matching descriptors, in milliseconds.</summary>
    public double MatchingMs { get; private set; }
    /// <summary>Number of descriptor matchings.</summary>
    public int MatchingRuns { get; private set; }
    /// <summary>Time spent fitting transforms (RANSAC), in milliseconds.</summary>
    public double RansacMs { get; private set; }
    /// <summary>Number of RANSAC fits.</summary>
    public int RansacRuns { get; private set; }
    /// <summary>Time spent comparing aligned pixels (NCC), in milliseconds.</summary>
    public double NccMs { get; private set; }
    /// <summary>Number of pixel comparisons.</summary>
    public int NccRuns { get; private set; }
    /// <summary>Time spent in the stretch check, in milliseconds.</summary>
    public double StretchMs { get; private set; }
    /// <summary>Number of stretch checks.</summary>
    public int StretchRuns { get; private set; }
    /// <summary>Time spent in the pixel search, in milliseconds.</summary>
    public double SearchMs { get; private set; }
    /// <summary>Number of pixel searches.</summary>
    public int SearchRuns { get; private set; }

    /// <summary>Adds another accumulator's figures (one per thread, merged after).</summary>
    public void Add(VerificationTimings other)
    {
        ExtractionMs += other.ExtractionMs; Extractions += other.Extractions;
        MatchingMs += other.MatchingMs; MatchingRuns += other.MatchingRuns;
        RansacMs += other.RansacMs; RansacRuns += other.RansacRuns;
        NccMs += other.NccMs; NccRuns += other.NccRuns;
        StretchMs += other.StretchMs; StretchRuns += other.StretchRuns;
        SearchMs += other.SearchMs; SearchRuns += other.SearchRuns;
    }

    internal void Clear()
    {
        ExtractionMs = MatchingMs = RansacMs = NccMs = StretchMs = SearchMs = 0;
        Extractions = MatchingRuns = RansacRuns = NccRuns = StretchRuns = SearchRuns = 0;
    }

    internal static long Start() => Stopwatch.GetTimestamp();

    private static double Since(long start) => Stopwatch.GetElapsedTime(start).TotalMilliseconds;

    internal void Extraction(long start) { ExtractionMs += Since(start); Extractions++; }
    internal void Matching(long start) { MatchingMs += Since(start); MatchingRuns++; }
    internal void Ransac(long start) { RansacMs += Since(start); RansacRuns++; }
    internal void Ncc(long start) { NccMs += Since(start); NccRuns++; }
    internal void Stretch(long start) { StretchMs += Since(start); StretchRuns++; }
    internal void Search(long start) { SearchMs += Since(start); SearchRuns++; }
}
