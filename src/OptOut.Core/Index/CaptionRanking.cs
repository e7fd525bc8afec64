namespace OptOut.Core.Index;

/// <summary>
/// BM25 exactly as FTS5's bm25() computes it (k1 = 1.2, b = 0.75; a phrase's IDF from the rows that
/// contain it, at least 1e-6; a row's length in tokens; the average length over the caption file), for
/// scoring every match of an uncapped caption search from the captions it reads anyway: asking FTS5
/// for bm25() costs a lookup of the row's size and a walk of its positions per match, about as much as
/// reading the row (docs/index-benchmarks.md).
/// </summary>
internal sealed class CaptionRanking
{
    private const double K1 = 1.2;
    private const double B = 0.75;

    private readonly string[][] phraseTokens;
    private readonly bool[] prefixes;
    private readonly int[] repeats;
    private readonly double averageLength;
    private readonly CaptionTokens tokens = new();

    /// <param name="phrases">The query's phrases (FTS5 requires each).</param>
    /// <param name="totals">Rows and tokens in the caption file (<see cref="CaptionIndex.ReadTotals"/>).</param>
    public CaptionRanking(IReadOnlyList<CaptionPhrase> phrases, (long Rows, long Tokens) totals)
    {
        phraseTokens = phrases.Select(p => CaptionTokens.Of(p.Words)).ToArray();
        prefixes = phrases.Select(p => p.Prefix).ToArray();
        repeats = phrases.Select(p => p.Repeats).ToArray();
        Rows = totals.Rows;
        averageLength = totals.Rows == 0 ? 1 : (double)totals.Tokens / totals.Rows;
    }

    public long Rows { get; }

    public int Phrases => phraseTokens.Length;

    /// <summary>FTS5's IDF of a phrase found in <paramref name="rowsWithPhrase"/> of the caption file's rows.</summary>
    public double Idf(long rowsWithPhrase)
    {
        double idf = Math.Log((Rows - rowsWithPhrase + 0.5) / (rowsWithPhrase + 0.5));
        return idf <= 0 ? 1e-6 : idf;
    }

    /// <summary>
    /// The caption's BM25 score, each phrase weighted by <paramref name="idf"/>. Not thread-safe: one
    /// instance per reading thread (<see cref="ForAnotherThread"/>).
    /// </summary>
    public double Score(string caption, ReadOnlySpan<double> idf)
    {
        tokens.Read(caption);
        double length = tokens.Count;
        double score = 0;
        for (int i = 0; i < phraseTokens.Length; i++)
        {
            double frequency = tokens.Occurrences(phraseTokens[i], prefixes[i]);
            // A phrase the query gave n times counts n times, as its n copies did in FTS5's bm25().
            score += repeats[i] * idf[i] * (frequency * (K1 + 1.0) / (frequency + K1 * (1 - B + B * length / averageLength)));
        }
        return score;
    }

    public CaptionRanking ForAnotherThread() => new(this);

    private CaptionRanking(CaptionRanking other)
    {
        phraseTokens = other.phraseTokens;
        prefixes = other.prefixes;
        repeats = other.repeats;
        Rows = other.Rows;
        averageLength = other.averageLength;
    }
}
