namespace OptOut.Core.Matching;

/// <summary>
/// Where <see cref="CopyMatcher.Find"/> spends a query's time and how many candidates reach each stage,
/// summed over the queries it is given to (for benchmarks). Thread-safe.
/// </summary>
internal sealed class MatcherStatistics
{
    private readonly object gate = new();

    public int Queries { get; private set; }
    public int Candidates { get; private set; }
    public int StoredFeaturesUsed { get; private set; }
    /// <summary>Candidates that reached the pixel search (it runs at most once a candidate).</summary>
    public int SearchRuns => Stages.SearchRuns;
    public int Decoded { get; private set; }
    public double CandidateMs { get; private set; }
    public double QueryPrepareMs { get; private set; }
    public double VerifyWallMs { get; private set; }
    public double DecodeMs { get; private set; }
    public double PrepareMs { get; private set; }
    public double VerifyMs { get; private set; }
    public double SearchMs => Stages.SearchMs;
    public double FingerprintMs { get; private set; }
    /// <summary>Queries whose own keypoints were still being extracted when their candidates' verification began (not waited for).</summary>
    public int QueryFeaturesPendingQueries { get; private set; }
    /// <summary>Queries with deeper ranks to screen but too plain for the screen of their plain ranking (<see cref="CopyMatcher.ScreenFromKeypoints"/>): those rows verified in full.</summary>
    public int PlainQueries { get; private set; }
    /// <summary>Rows of the rankings' deeper ranks whose stored keypoints were asked whether they fit (<see cref="CopyMatcher.ScreenInliers"/>), those that did (then verified as candidates), and the time asking took.</summary>
    public int Screened { get; private set; }
    public int ScreenedIn { get; private set; }
    public double ScreenMs { get; private set; }

    /// <summary>Every candidate's stage times, summed (matching, fit, aligned comparison, stretch, search).</summary>
    public VerificationTimings Stages { get; } = new();

    public void Clear()
    {
        lock (gate)
        {
            Queries = PlainQueries = QueryFeaturesPendingQueries = Candidates = StoredFeaturesUsed = Decoded = Screened = ScreenedIn = 0;
            FingerprintMs = CandidateMs = QueryPrepareMs = VerifyWallMs = DecodeMs = PrepareMs = VerifyMs = ScreenMs = 0;
            Stages.Clear();
        }
    }

    internal void Query(double candidateMs, double queryPrepareMs, double verifyWallMs, bool tooPlainToScreen)
    {
        lock (gate)
        {
            Queries++;
            PlainQueries += tooPlainToScreen ? 1 : 0;
            CandidateMs += candidateMs;
            QueryPrepareMs += queryPrepareMs;
            VerifyWallMs += verifyWallMs;
        }
    }

    /// <summary>The query's fingerprint, timed by the caller (a benchmark).</summary>
    internal void Fingerprint(double ms)
    {
        lock (gate) FingerprintMs += ms;
    }

    internal void QueryFeaturesPending(bool pending)
    {
        lock (gate) QueryFeaturesPendingQueries += pending ? 1 : 0;
    }

    internal void Screen(double ms, bool fits)
    {
        lock (gate)
        {
            Screened++;
            ScreenedIn += fits ? 1 : 0;
            ScreenMs += ms;
        }
    }

    internal void Candidate(double decodeMs, double prepareMs, bool storedFeatures, bool decoded, double verifyMs, VerificationTimings timings)
    {
        lock (gate)
        {
            Candidates++;
            Decoded += decoded ? 1 : 0;
            StoredFeaturesUsed += storedFeatures ? 1 : 0;
            DecodeMs += decodeMs;
            PrepareMs += prepareMs;
            VerifyMs += verifyMs;
            Stages.Add(timings);
        }
    }
}
