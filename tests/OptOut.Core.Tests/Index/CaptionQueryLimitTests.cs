using Microsoft.Data.Sqlite;
using OptOut.Core.Index;

namespace OptOut.Core.Tests.Index;

/// <summary>
/// Caption queries are bounded (characters, distinct terms) with a clear error, and a phrase the
/// query repeats is searched once: FTS5 evaluated each copy on its own ("photo" typed 1,000 times
/// cost 97 s with -Top 5 on 200,000 captions, docs/index.md). Deduplicated, the rows, their order and
/// their scores are still those FTS5's bm25() gives the query as typed, capped or not.
/// </summary>
public sealed class CaptionQueryLimitTests : IDisposable
{
    private readonly string folder = TestEnvironment.NewScratchFolder();
    private readonly IndexStore store;

    public CaptionQueryLimitTests()
    {
        store = IndexStore.Open(IndexFixtures.NewIndexPath(folder));
        var words = new[] { "red", "dress", "photo", "the", "fox", "blue", "summer", "wedding", "cake", "vintage" };
        var random = new Random(12);
        var rows = Enumerable.Range(0, 3000).Select(i => new ImportRow
        {
            Key = $"k{i}",
            Caption = string.Join(' ', Enumerable.Range(0, 3 + random.Next(12)).Select(_ => words[random.Next(words.Length)])),
        }).ToList();
        long dataset = store.EnsureDataset("d");
        Assert.True(store.ImportShard(dataset, "s", "s", "test", rows, () => 0, () => 0, null));
    }

    public void Dispose()
    {
        store.Dispose();
        SqliteConnection.ClearAllPools();
    }

    [Fact]
    public void A_query_over_1000_characters_is_refused_before_anything_is_searched()
    {
        var error = Assert.Throws<CaptionQueryTooLargeException>(() => store.SearchCaptions(string.Concat(Enumerable.Repeat("photo ", 1000)), limit: 5));
        Assert.Contains("6,000 characters", error.Message);
        Assert.Contains("1,000", error.Message);
        Assert.Throws<CaptionQueryTooLargeException>(() => store.SearchCaptions(new string('a', 1001)));
        Assert.Empty(store.SearchCaptions(new string('a', 1000)));
    }

    [Fact]
    public void A_query_of_more_than_64_distinct_terms_is_refused_and_repeats_count_once()
    {
        string Words(int n) => string.Join(' ', Enumerable.Range(0, n).Select(i => $"w{i}"));
        Assert.Empty(store.SearchCaptions(Words(64), limit: 5));
        var error = Assert.Throws<CaptionQueryTooLargeException>(() => store.SearchCaptions(Words(65), limit: 5));
        Assert.Contains("65 distinct terms", error.Message);
        // The words of a quoted phrase are terms too.
        Assert.Throws<CaptionQueryTooLargeException>(() => store.SearchCaptions("\"" + Words(65) + "\""));
        // 249 copies of one word, 996 characters: one term.
        Assert.NotEmpty(store.SearchCaptions(string.Concat(Enumerable.Repeat("the ", 249)), limit: 5));
    }

    [Fact]
    public void A_repeated_phrase_is_one_phrase_for_fts5_whatever_its_spelling()
    {
        var phrases = CaptionQuery.Parse(string.Concat(Enumerable.Repeat("photo ", 160)) + "PHOTO \"photo\" photo* Photo*");
        Assert.Equal(2, phrases.Count);
        Assert.Equal((162, 2), (phrases[0].Repeats, phrases[1].Repeats));
        Assert.Equal("\"photo\" \"photo\"*", CaptionQuery.ToFts5(phrases));
    }

    /// <summary>FTS5's own answer for the query as typed (every repeat a phrase): ids best first, ties in id order, with bm25 scores.</summary>
    private List<(long Id, double Score)> AsTyped(string fts5)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = CaptionIndexPath, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT rowid, rank FROM captions WHERE captions MATCH $q ORDER BY rank, rowid";
        command.Parameters.AddWithValue("$q", fts5);
        using var reader = command.ExecuteReader();
        var result = new List<(long, double)>();
        while (reader.Read()) result.Add((reader.GetInt64(0), -reader.GetDouble(1)));
        return result;
    }

    private string CaptionIndexPath => store.Path + ".captions";

    [Theory]
    [InlineData("photo photo photo", "\"photo\" \"photo\" \"photo\"")]
    [InlineData("red dress red dress", "\"red\" \"dress\" \"red\" \"dress\"")]
    [InlineData("red red red dress", "\"red\" \"red\" \"red\" \"dress\"")]
    [InlineData("\"red dress\" summer \"red dress\"", "\"red dress\" \"summer\" \"red dress\"")]
    [InlineData("photo ph* photo", "\"photo\" \"ph\"* \"photo\"")]
    public void Deduplicated_results_order_and_scores_are_those_of_the_query_as_typed(string query, string typed)
    {
        Assert.Empty(store.SearchCaptions("warm", limit: 1));  // searched whole (no caption has "warm"): the caption file level with the rows
        var expected = AsTyped(typed);
        Assert.NotEmpty(expected);
        foreach (int? top in new int?[] { null, 5, 100_000 })
        {
            var found = store.SearchCaptions(query, limit: top).Select(r => (r.Row.Id, r.Score)).ToList();
            var wanted = top is { } n ? expected.Take(n).ToList() : expected;
            // The same scores, best first; each row its own score. (Rows whose scores are equal but for
            // the last bits of a sum taken in another order may trade places, so ids are compared by score.)
            Assert.Equal(wanted.Count, found.Count);
            var byId = expected.ToDictionary(e => e.Id, e => e.Score);
            for (int i = 0; i < wanted.Count; i++)
            {
                double tolerance = 1e-9 * Math.Abs(wanted[i].Score) + 1e-12;
                Assert.Equal(wanted[i].Score, found[i].Score, tolerance);
                Assert.Equal(byId[found[i].Id], found[i].Score, tolerance);
            }
        }
    }
}
