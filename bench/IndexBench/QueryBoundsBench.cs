using System.Diagnostics;
using Microsoft.Data.Sqlite;
using OptOut.Core.Index;
using OptOut.Core.Storage;

namespace IndexBench;

/// <summary>
/// Caption queries that repeat a word many times (issue 12, item 13): the engine's capped (-Top 5)
/// and uncapped search, against a same-run baseline of what the capped search ran before terms were
/// deduplicated: FTS5's bm25() over the query as typed, every repeat a phrase of its own.
/// </summary>
public static class QueryBoundsBench
{
    public static IReadOnlyList<(string Name, string Query)> Queries() =>
    [
        ("photo", "photo"),
        ("photo x 64", string.Concat(Enumerable.Repeat("photo ", 64))),
        ("photo x 166 (999 chars)", string.Concat(Enumerable.Repeat("photo ", 166))),
        ("the x 249 (996 chars)", string.Concat(Enumerable.Repeat("the ", 249))),
        ("red dress x 99 (990 chars)", string.Concat(Enumerable.Repeat("red dress ", 99))),
        ("photo x 1000 (6000 chars)", string.Concat(Enumerable.Repeat("photo ", 1000))),
        ("the x 300 (1200 chars)", string.Concat(Enumerable.Repeat("the ", 300))),
        ("\"the\" * 300 (one 900-char word)", string.Concat(Enumerable.Repeat("the", 300))),
    ];

    public static Dictionary<string, object?> Run(string db, int reps, double baselineBudgetSeconds)
    {
        using var store = IndexStore.OpenForReading(db);
        using var searcher = new IndexSearcher(store);
        Measure.Materialize(searcher.FindText("warm", new SearchOptions { Top = 1 }));  // brings the caption file level with the rows
        using var raw = SqliteSetup.Open(db + ".captions", readOnly: true);
        var results = new List<Dictionary<string, object?>>();
        foreach (var (name, query) in Queries())
        {
            var entry = new Dictionary<string, object?> { ["query"] = name, ["characters"] = query.Length };
            entry["top5"] = Engine(searcher, query, 5, reps, out var topOutcome);
            entry["top5_outcome"] = topOutcome;
            entry["uncapped"] = Engine(searcher, query, null, reps, out var uncappedOutcome);
            entry["uncapped_outcome"] = uncappedOutcome;
            // The capped search before: FTS5 ranks every match of the query as typed.
            // (The queries are plain words: each one a phrase, as CaptionQuery made them before.)
            var typed = string.Join(' ', query.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(w => "\"" + w + "\""));
            var times = new List<double>();
            var cpu = new List<double>();
            for (int r = 0; r < reps; r++)
            {
                var (wall, used) = Measure.Timed(() => Ranked(raw, typed));
                times.Add(wall * 1000);
                cpu.Add(used * 1000);
                if (wall > baselineBudgetSeconds) break;  // one slow run is the figure
            }
            entry["baseline_fts5_ranked_as_typed"] = Measure.Latency(times);
            entry["baseline_cpu_ms_p50"] = Measure.Round(Measure.Median(cpu));
            Measure.Log($"{name}: top5 {Describe(entry["top5"])} ({topOutcome}), uncapped {Describe(entry["uncapped"])} ({uncappedOutcome}), baseline (as typed, FTS5-ranked) {Measure.Median(times):F1} ms");
            results.Add(entry);
        }
        return new() { ["queries"] = results, ["rows"] = store.ListDatasets().Sum(d => d.Rows), ["memory"] = Measure.Memory() };
    }

    private static string Describe(object? latency) => latency is Dictionary<string, object?> d ? $"p50 {d["p50_ms"]} ms" : "?";

    private static Dictionary<string, object?> Engine(IndexSearcher searcher, string query, int? top, int reps, out string outcome)
    {
        var times = new List<double>();
        outcome = "";
        for (int r = 0; r < reps; r++)
        {
            var clock = Stopwatch.StartNew();
            try
            {
                int found = searcher.FindText(query, new SearchOptions { Top = top }).Count();
                outcome = $"{found} rows";
            }
            catch (ArgumentException e)
            {
                outcome = $"refused: {e.GetType().Name}";
            }
            times.Add(clock.Elapsed.TotalMilliseconds);
        }
        return Measure.Latency(times);
    }

    private static long Ranked(SqliteConnection connection, string match)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT rowid, rank FROM captions WHERE captions MATCH $q";
        command.Parameters.AddWithValue("$q", match);
        using var reader = command.ExecuteReader();
        long n = 0;
        while (reader.Read()) { n++; _ = reader.GetDouble(1); }
        return n;
    }
}
