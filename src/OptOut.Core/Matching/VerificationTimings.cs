using System.Diagnostics;

namespace OptOut.Core.Matching;

/// <summary>
/// Time spent per stage of <see cref="GeometricVerifier.Verify"/>, summed over the calls it is passed to
/// (for benchmarks; not thread-safe: one per thread).
/// </summary>
public sealed class VerificationTimings
{
    public double ExtractionMs { get; private set; }
    public int Extractions { get; private set; }
    public double MatchingMs { get; private set; }
    public int MatchingRuns { get; private set; }
    public double RansacMs { get; private set; }
    public int RansacRuns { get; private set; }
    public double NccMs { get; private set; }
    public int NccRuns { get; private set; }
    public double StretchMs { get; private set; }
    public int StretchRuns { get; private set; }
    public double SearchMs { get; private set; }
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

    internal static long Start() => Stopwatch.GetTimestamp();

    private static double Since(long start) => Stopwatch.GetElapsedTime(start).TotalMilliseconds;

    internal void Extraction(long start) { ExtractionMs += Since(start); Extractions++; }
    internal void Matching(long start) { MatchingMs += Since(start); MatchingRuns++; }
    internal void Ransac(long start) { RansacMs += Since(start); RansacRuns++; }
    internal void Ncc(long start) { NccMs += Since(start); NccRuns++; }
    internal void Stretch(long start) { StretchMs += Since(start); StretchRuns++; }
    internal void Search(long start) { SearchMs += Since(start); SearchRuns++; }
}
