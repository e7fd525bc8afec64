using Microsoft.Data.Sqlite;
using OptOut.Core.Storage;

namespace OptOut.Core.Index;

/// <summary>
/// The matching rows of one connection, read through SQLite's C API (<see cref="BulkStatement"/>:
/// a third fewer calls a row), one id range at a time.
/// </summary>
internal sealed class CaptionMatchReader(SqliteConnection connection, string match, long? datasetId, CaptionRanking ranking, double[] idf, IReadOnlyDictionary<long, string> datasetNames, HeldCaptionMatches held) : IDisposable
{
    // Width and height are never negative: -1 stands for NULL, saving a call a column.
    private readonly BulkStatement query = new(connection,
        "SELECT r.id, r.dataset_id, r.key, r.url, r.caption, coalesce(r.width, -1), coalesce(r.height, -1), r.sha256, r.md5, r.phash, r.vector IS NOT NULL"
        + " FROM cap.captions c JOIN rows r ON r.id = c.rowid WHERE captions MATCH ?1 AND c.rowid BETWEEN ?2 AND ?3"
        + (datasetId is null ? "" : " AND r.dataset_id = ?4"));

    /// <summary>Adds the matches with ids in [from, through]; false when the search must stop.</summary>
    public bool Read(long from, long through, List<(IndexedRow Row, double Score)> found)
    {
        query.Bind(1, match);
        query.Bind(2, from);
        query.Bind(3, through);
        if (datasetId is not null) query.Bind(4, datasetId);
        int uncounted = 0;
        while (query.Step())
        {
            var caption = query.Text(4);
            long width = query.Int64(5), height = query.Int64(6);
            var row = new IndexedRow(query.Int64(0), datasetNames[query.Int64(1)], query.Text(2), query.Text(3), caption,
                width < 0 ? null : (int)width, height < 0 ? null : (int)height, query.Blob(7), query.Blob(8),
                query.IsNull(9) ? null : unchecked((ulong)query.Int64(9)), query.Int64(10) != 0);
            found.Add((row, ranking.Score(caption ?? "", idf)));
            if (++uncounted == HeldCaptionMatches.Batch)
            {
                uncounted = 0;
                if (!held.Add(HeldCaptionMatches.Batch))
                {
                    query.Reset();
                    return false;
                }
            }
        }
        return held.Add(uncounted);
    }

    public void Dispose() => query.Dispose();
}
