using Microsoft.Data.Sqlite;
using OptOut.Core.Storage;

namespace OptOut.Core.Index;

/// <summary>
/// Searches an open index's captions: FTS5 in the caption file (attached through
/// <see cref="IndexCaptionFile"/>) joined to the index's rows (read through <see cref="IndexReader"/>),
/// best matches (BM25) first. Holds the second read-only connection an uncapped search may use.
/// </summary>
internal sealed class CaptionSearch(SqliteConnection connection, string indexPath, IndexCaptionFile captionFile, IndexReader rows) : IDisposable
{
    /// <summary>
    /// Caption full-text search, best matches (BM25) first; every match unless <paramref name="limit"/> is given.
    /// The query is parsed (and its size checked: <see cref="CaptionQueryTooLargeException"/>) before this returns.
    /// </summary>
    public IEnumerable<(IndexedRow Row, double Score)> Search(string text, string? dataset, int? limit)
    {
        var phrases = CaptionQuery.Parse(text);
        if (phrases.Count == 0) return [];
        // Each distinct phrase once (CaptionQuery.Parse): the rows are the same, and FTS5 evaluates a
        // phrase given 1,000 times 1,000 times over, its bm25() slower still (docs/index.md, "Query limits").
        var match = CaptionQuery.ToFts5(phrases);
        // Every phrase given the same number of times: FTS5's ranks of the distinct phrases, times that
        // number, are those of the query as typed. Otherwise the scores are computed from the captions
        // with each phrase weighed by its repeats (CaptionRanking).
        int? sameRepeats = phrases.All(p => p.Repeats == phrases[0].Repeats) ? phrases[0].Repeats : null;
        if (limit is { } top)
        {
            return sameRepeats is { } repeats ? SearchCaptionsRankedByFts5(match, dataset, top, repeats) : SearchCaptionsScoredFromCaptions(phrases, match, dataset, top);
        }
        return SearchEveryCaption(phrases, match, dataset, sameRepeats);
    }

    /// <summary>
    /// The <paramref name="top"/> best matches: FTS5 ranks every match (it reads no row for that), then
    /// only those rows are read, 500 at a time as they are consumed; only ids and scores are held.
    /// <paramref name="repeats"/>: how many times the query gave each phrase (the scores are FTS5's times that).
    /// </summary>
    private IEnumerable<(IndexedRow Row, double Score)> SearchCaptionsRankedByFts5(string match, string? dataset, int top, int repeats)
    {
        // Scores first, unsorted, then sorted here: FTS5's own ORDER BY rank evaluates the query a
        // second time for its sorter (about 3x the cost: docs/index-benchmarks.md), and a sort
        // after the join to rows would carry every column. The rows are then read in that order.
        var hits = new List<(long Id, double Rank)>();
        using (captionFile.AttachCurrent())
        {
            using var command = connection.CreateCommand();
            command.CommandText = dataset is null
                ? "SELECT c.rowid, c.rank FROM cap.captions c WHERE captions MATCH $q"
                : "SELECT c.rowid, c.rank FROM cap.captions c JOIN rows r ON r.id = c.rowid JOIN datasets d ON d.id = r.dataset_id WHERE captions MATCH $q AND d.name = $dataset";
            command.Parameters.AddWithValue("$q", match);
            if (dataset is not null) command.Parameters.AddWithValue("$dataset", dataset);
            using var reader = command.ExecuteReader();
            while (reader.Read()) hits.Add((reader.GetInt64(0), reader.GetDouble(1)));
        }
        // BM25 ranks are negative, best first; ties in row order, so results are stable.
        hits.Sort((a, b) => a.Rank != b.Rank ? a.Rank.CompareTo(b.Rank) : a.Id.CompareTo(b.Id));
        if (hits.Count > top) hits.RemoveRange(top, hits.Count - top);

        foreach (var chunk in hits.Chunk(500))
        {
            var byId = rows.GetRows(chunk.Select(h => h.Id).ToList()).ToDictionary(r => r.Id);
            foreach (var (id, rank) in chunk)
            {
                if (byId.TryGetValue(id, out var row)) yield return (row, -rank * repeats);
            }
        }
    }

    /// <summary>
    /// The <paramref name="top"/> best matches of a query whose phrases were given different numbers of
    /// times, which FTS5's bm25() cannot weigh: every match's caption is read (no other column) and
    /// scored by <see cref="CaptionRanking"/> with each phrase weighed by its repeats, the scores FTS5
    /// gave the query as typed; only ids and scores are held, then the rows are read as in
    /// <see cref="SearchCaptionsRankedByFts5"/>. Less work than an uncapped search of the same query.
    /// </summary>
    private IEnumerable<(IndexedRow Row, double Score)> SearchCaptionsScoredFromCaptions(IReadOnlyList<CaptionPhrase> phrases, string match, string? dataset, int top)
    {
        var hits = new List<(long Id, double Score)>();
        using (captionFile.AttachCurrent())
        {
            long? datasetId = null;
            if (dataset is not null)
            {
                datasetId = rows.DatasetId(dataset);
                if (datasetId is null) yield break;
            }
            var ranking = new CaptionRanking(phrases, CaptionIndex.ReadTotals(connection, "cap"));
            var idf = phrases.Select(p => ranking.Idf(CountCaptionMatches(p.ToFts5()))).ToArray();
            using var query = new BulkStatement(connection,
                "SELECT c.rowid, r.caption FROM cap.captions c JOIN rows r ON r.id = c.rowid WHERE captions MATCH ?1 AND c.rowid <= ?2"
                + (datasetId is null ? "" : " AND r.dataset_id = ?3"));
            query.Bind(1, match);
            query.Bind(2, captionFile.SeenThrough);
            if (datasetId is not null) query.Bind(3, datasetId);
            while (query.Step()) hits.Add((query.Int64(0), ranking.Score(query.Text(1) ?? "", idf)));
        }
        hits.Sort((a, b) => a.Score != b.Score ? b.Score.CompareTo(a.Score) : a.Id.CompareTo(b.Id));
        if (hits.Count > top) hits.RemoveRange(top, hits.Count - top);

        foreach (var chunk in hits.Chunk(500))
        {
            var byId = rows.GetRows(chunk.Select(h => h.Id).ToList()).ToDictionary(r => r.Id);
            foreach (var (id, score) in chunk)
            {
                if (byId.TryGetValue(id, out var row)) yield return (row, score);
            }
        }
    }

    /// <summary>Once one connection has read this many matches of an uncapped search, a second on another core takes the ranges left.</summary>
    internal const int SecondReaderAfter = 1_000;

    /// <summary>An uncapped search reads the ids in this many ranges, each taken by whichever connection is free.</summary>
    private const int CaptionRanges = 16;

    /// <summary>
    /// Every match, best first. Every matching row is read anyway, so the rows are read in id order
    /// joined to FTS5's matches (sequential in the index file, where reading them in rank order
    /// jumps about it) and scored here from their captions (<see cref="CaptionRanking"/>, the same
    /// BM25 as FTS5's bm25(), which would cost a size lookup and a position walk a match). Common
    /// words match tens of thousands of rows: a second connection on another core then shares the
    /// id ranges left (<see cref="ReadCaptionMatches"/>). 1M rows, 5,700-68,000 matches: docs/index-benchmarks.md.
    /// </summary>
    private IEnumerable<(IndexedRow Row, double Score)> SearchEveryCaption(IReadOnlyList<CaptionPhrase> phrases, string match, string? dataset, int? sameRepeats)
    {
        List<(IndexedRow Row, double Score)>? found;
        using (captionFile.AttachCurrent())
        {
            long? datasetId = null;
            if (dataset is not null)
            {
                datasetId = rows.DatasetId(dataset);
                if (datasetId is null) yield break;
            }
            var ranking = new CaptionRanking(phrases, CaptionIndex.ReadTotals(connection, "cap"));
            // A phrase's IDF counts the rows of the whole caption file that contain it, as FTS5 does. A
            // one-phrase query over every dataset matches exactly those rows: counted as they are read.
            bool countWhileReading = phrases.Count == 1 && datasetId is null;
            var idf = countWhileReading ? [1.0] : phrases.Select(p => ranking.Idf(CountCaptionMatches(p.ToFts5()))).ToArray();
            var datasetNames = new Dictionary<long, string>();
            using (var names = connection.CreateCommand())
            {
                names.CommandText = "SELECT id, name FROM datasets";
                using var reader = names.ExecuteReader();
                while (reader.Read()) datasetNames[reader.GetInt64(0)] = reader.GetString(1);
            }
            found = ReadCaptionMatches(match, datasetId, captionFile.SeenThrough, ranking, idf, datasetNames);
            if (countWhileReading && found is not null)
            {
                double weight = ranking.Idf(found.Count);
                for (int i = 0; i < found.Count; i++) found[i] = (found[i].Row, found[i].Score * weight);
            }
        }
        // Too many to hold: streamed in FTS5's rank order instead (same scores and order, slower).
        var hits = found ?? (sameRepeats is { } repeats
            ? SearchCaptionsRankedByFts5(match, dataset, int.MaxValue, repeats)
            : SearchCaptionsScoredFromCaptions(phrases, match, dataset, int.MaxValue));
        found?.Sort((a, b) => a.Score != b.Score ? b.Score.CompareTo(a.Score) : a.Row.Id.CompareTo(b.Row.Id));
        foreach (var hit in hits) yield return hit;
    }

    /// <summary>
    /// An uncapped search that finds more rows than this (counted as they are read) is streamed in
    /// FTS5's rank order instead (<see cref="SearchCaptionsRankedByFts5"/>, holding only ids and scores),
    /// so that memory stays bounded whatever the index's size: 250,000 rows held are about 150 MB.
    /// </summary>
    internal int MaxCaptionMatchesHeld { get; set; } = 250_000;

    private long CountCaptionMatches(string match) =>
        SqliteSetup.Scalar<long>(connection, "SELECT count(*) FROM cap.captions WHERE captions MATCH $q", null, ("$q", match));

    /// <summary>
    /// The matching rows with ids up to <paramref name="through"/>, scored, or null when there are more
    /// than <see cref="MaxCaptionMatchesHeld"/>. The ids are cut into <see cref="CaptionRanges"/> ranges
    /// taken in turn; once this connection has read <see cref="SecondReaderAfter"/> matches and two
    /// ranges or more are left, a second connection on another core takes ranges too, each connection
    /// the next one free, so both finish together wherever the matches lie.
    /// </summary>
    private List<(IndexedRow Row, double Score)>? ReadCaptionMatches(string match, long? datasetId, long through, CaptionRanking ranking, double[] idf, IReadOnlyDictionary<long, string> datasetNames)
    {
        long span = through / CaptionRanges + 1;
        int next = 0;
        bool TakeRange(out long from, out long to)
        {
            int range = Interlocked.Increment(ref next) - 1;
            from = range * span + 1;
            to = Math.Min(through, from + span - 1);
            return range < CaptionRanges;
        }

        var held = new HeldCaptionMatches(MaxCaptionMatchesHeld);
        var found = new List<(IndexedRow Row, double Score)>();
        Task<List<(IndexedRow Row, double Score)>>? second = null;
        CaptionReadersOfLastSearch = 1;
        try
        {
            using var reader = new CaptionMatchReader(connection, match, datasetId, ranking, idf, datasetNames, held);
            while (TakeRange(out long from, out long to) && reader.Read(from, to, found))
            {
                if (second is null && found.Count >= SecondReaderAfter && Volatile.Read(ref next) <= CaptionRanges - 2)
                {
                    CaptionReadersOfLastSearch = 2;
                    var other = secondReader ??= SqliteSetup.Open(indexPath, readOnly: true);
                    var itsRanking = ranking.ForAnotherThread();
                    second = Task.Factory.StartNew(() =>
                    {
                        var itsFound = new List<(IndexedRow Row, double Score)>();
                        captionFile.AttachTo(other);
                        try
                        {
                            using var itsReader = new CaptionMatchReader(other, match, datasetId, itsRanking, idf, datasetNames, held);
                            while (TakeRange(out long itsFrom, out long itsTo) && itsReader.Read(itsFrom, itsTo, itsFound)) { }
                        }
                        finally
                        {
                            IndexCaptionFile.DetachFrom(other);
                        }
                        return itsFound;
                    }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
                }
            }
            if (second is not null) found.AddRange(second.GetAwaiter().GetResult());
        }
        finally
        {
            // Never return (and let the search be disposed) while the second connection is still reading;
            // if this thread failed, stop handing it ranges.
            Interlocked.Exchange(ref next, CaptionRanges);
            held.Stop();
            try { second?.Wait(); } catch (AggregateException) { }
        }
        if (held.Overflowed)
        {
            CaptionReadersOfLastSearch = 0;
            return null;
        }
        return found;
    }

    /// <summary>How many connections read the last uncapped caption search, 0 when it was streamed in rank order (for tests).</summary>
    internal int CaptionReadersOfLastSearch { get; private set; }

    /// <summary>A second read-only connection for uncapped caption searches (<see cref="ReadCaptionMatches"/>); opened on first use.</summary>
    private SqliteConnection? secondReader;

    public void Dispose() => secondReader?.Dispose();
}
