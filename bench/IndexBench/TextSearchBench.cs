using System.Diagnostics;
using Microsoft.Data.Sqlite;
using OptOut.Core.Index;
using OptOut.Core.Storage;

namespace IndexBench;

/// <summary>Caption search (IndexSearcher.FindText) over the imported LAION metadata, for a mix of query kinds.</summary>
public static class TextSearchBench
{
    public static IReadOnlyList<(string Kind, string[] Queries)> QueryMix()
    {
        var text = DataGen.Text;
        int head = TextGen.HeadWords.Length;
        return
        [
            ("common word", ["wedding", "vintage", "christmas", "kitchen", "flowers", "car", "dog", "dress"]),
            ("rare word", [.. new[] { 2_000, 5_000, 10_000, 20_000, 40_000, 60_000, 80_000, 100_000 }.Select(r => text.Word(head + r))]),
            ("phrase", ["\"black and white\"", "\"stock photo\"", "\"for sale\"", "\"on white background\"", "\"high resolution\"", "\"close up\"", "\"hand drawn\"", "\"step by step\""]),
            ("prefix", ["vint*", "wedd*", "photo*", "chri*", "kitch*", "flow*", "bea*", "gar*"]),
            ("two words", ["red dress", "wedding cake", "vintage car", "christmas tree", "white background", "black dog", "kitchen table", "summer dress"]),
        ];
    }

    public static Dictionary<string, object?> Run(string db, int reps)
    {
        var result = new Dictionary<string, object?>();
        using var store = IndexStore.Open(db);
        using var searcher = new IndexSearcher(store);
        Measure.Materialize(searcher.FindText("warm", new SearchOptions { Top = 1 }));  // brings the caption file level with the rows
        // FTS5 alone, on the caption file the engine keeps beside the index (CaptionIndex).
        using var raw = SqliteSetup.Open(db + ".captions", readOnly: true);
        var capped = new SearchOptions { Top = 20 };
        var uncapped = new SearchOptions();
        // Same-run baseline for the uncapped search: the capped path with no real cap, i.e. FTS5's bm25()
        // for every match, sorted, then the rows read in that order (what an uncapped search did before).
        var fts5Ranked = new SearchOptions { Top = int.MaxValue };

        var kinds = new List<Dictionary<string, object?>>();
        var allCapped = new List<double>();
        var allUncapped = new List<double>();
        var allCappedCpu = new List<double>();
        var allRank = new List<double>();
        var allIds = new List<double>();
        var allFts5Ranked = new List<double>();
        foreach (var (kind, queries) in QueryMix())
        {
            var cappedTimes = new List<double>();
            var uncappedTimes = new List<double>();
            var fts5RankedTimes = new List<double>();
            var ftsCountTimes = new List<double>();
            var ftsRankTimes = new List<double>();
            var ftsFirstTimes = new List<double>();
            var matches = new List<long>();
            var cappedCpu = new List<double>();
            foreach (var query in queries)
            {
                Measure.Materialize(searcher.FindText(query, capped));  // warm-up
                cpu.Clear();
                for (int r = 0; r < reps; r++) cappedTimes.Add(Time(() => Measure.Materialize(searcher.FindText(query, capped))));
                cappedCpu.AddRange(cpu);
                int found = 0;
                Measure.Materialize(searcher.FindText(query, uncapped));  // warm-up
                Measure.Materialize(searcher.FindText(query, fts5Ranked));
                // Alternated, so that both see the same moments of a shared machine.
                for (int r = 0; r < reps; r++)
                {
                    uncappedTimes.Add(Time(() => found = searcher.FindText(query, uncapped).ToList().Count));
                    fts5RankedTimes.Add(Time(() => Measure.Materialize(searcher.FindText(query, fts5Ranked))));
                }
                matches.Add(found);
                // Baselines: FTS5 alone (match ids, no ranking, no join), and FTS5 bm25 top 20 without the row join.
                var fts = CaptionQuery.ToFts5(query);
                for (int r = 0; r < reps; r++) ftsCountTimes.Add(Time(() => Ids(raw, "SELECT rowid FROM captions WHERE captions MATCH $q", fts)));
                for (int r = 0; r < reps; r++) ftsRankTimes.Add(Time(() => Ids(raw, "SELECT rowid FROM captions WHERE captions MATCH $q ORDER BY rank LIMIT 20", fts)));
                for (int r = 0; r < reps; r++) ftsFirstTimes.Add(Time(() => Ids(raw, "SELECT rowid FROM captions WHERE captions MATCH $q LIMIT 20", fts)));
            }
            allCapped.AddRange(cappedTimes);
            allCappedCpu.AddRange(cappedCpu);
            allRank.AddRange(ftsRankTimes);
            allIds.AddRange(ftsCountTimes);
            allUncapped.AddRange(uncappedTimes);
            allFts5Ranked.AddRange(fts5RankedTimes);
            kinds.Add(new()
            {
                ["kind"] = kind,
                ["queries"] = queries,
                ["matches"] = matches,
                ["top20"] = Measure.Latency(cappedTimes),
                ["top20_thread_cpu"] = Measure.Latency(cappedCpu),
                ["uncapped"] = Measure.Latency(uncappedTimes),
                ["uncapped_fts5_ranked"] = Measure.Latency(fts5RankedTimes),
                ["fts_ids_only"] = Measure.Latency(ftsCountTimes),
                ["fts_rank_top20_no_join"] = Measure.Latency(ftsRankTimes),
                ["fts_unranked_first20"] = Measure.Latency(ftsFirstTimes),
            });
            Measure.Log($"text {kind}: top20 p50 {Measure.Median(cappedTimes):F2} ms, uncapped p50 {Measure.Median(uncappedTimes):F2} ms (FTS5-ranked {Measure.Median(fts5RankedTimes):F2} ms), matches {string.Join('/', matches)}");
        }
        result["kinds"] = kinds;
        result["all_top20"] = Measure.Latency(allCapped);
        result["all_top20_thread_cpu"] = Measure.Latency(allCappedCpu);
        result["all_uncapped"] = Measure.Latency(allUncapped);
        result["all_uncapped_fts5_ranked"] = Measure.Latency(allFts5Ranked);
        result["all_fts_rank_top20_no_join"] = Measure.Latency(allRank);
        result["all_fts_ids_only"] = Measure.Latency(allIds);
        result["memory"] = Measure.Memory();
        return result;
    }

    private static readonly List<double> cpu = new();

    /// <summary>Wall ms of the action; its thread-CPU ms goes to <see cref="cpu"/>.</summary>
    private static double Time(Action action)
    {
        double start = Measure.ThreadCpuMs();
        var clock = Stopwatch.StartNew();
        action();
        double wall = clock.Elapsed.TotalMilliseconds;
        cpu.Add(Measure.ThreadCpuMs() - start);
        return wall;
    }

    private static int Ids(SqliteConnection connection, string sql, string match)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Parameters.AddWithValue("$q", match);
        using var reader = command.ExecuteReader();
        int n = 0;
        while (reader.Read()) { reader.GetInt64(0); n++; }
        return n;
    }
}
