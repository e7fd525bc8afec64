using System.Text;
using Microsoft.Data.Sqlite;
using OptOut.Core.Datasets;
using OptOut.Core.Index;
using OptOut.Core.Storage;

namespace OptOut.Core.Tests.Index;

/// <summary>
/// An uncapped caption search scores every match itself (CaptionTokens, CaptionRanking) instead of
/// asking FTS5 for bm25(): its tokens must be FTS5's, and its scores and order FTS5's own, which the
/// capped search still uses.
/// </summary>
public sealed class CaptionRankingTests(CaptionRankingTests.Captions captions) : IClassFixture<CaptionRankingTests.Captions>
{
    /// <summary>One index for the class: 2 x 20,000 rows, so that common words match thousands and the second connection reads too.</summary>
    public sealed class Captions : IDisposable
    {
        public IndexStore Store { get; } = IndexWithCaptions(IndexFixtures.NewIndexPath(TestEnvironment.NewScratchFolder()), 20_000);

        public void Dispose()
        {
            Store.Dispose();
            SqliteConnection.ClearAllPools();
        }
    }

    // Scripts, case, diacritics (composed and combining), letters FTS5 folds elsewhere than lower case,
    // numbers of every kind, emoji old and new (SQLite's tables are Unicode 6.1's), private use, punctuation.
    private static readonly string[] Awkward =
    [
        "İstanbul ÇAĞLAYAN straße ÆØÅ æøå Łódź",
        "Ελληνικά ΆΈΉ άέή ΣΊΣΥΦΟΣ σς",
        "Привет Йошкар-Ола ёлка",
        "日本語のテキスト 中文 한국어",
        "e\u0301te\u0301 cafe\u0301 \u0301x",
        "½ ² Ⅻ ① ⁴ x² ⅷ Ⅷ Ⓐ ⓐ ㊀",
        "emoji 😀 ok 🎉test abc🤖def 🤌 🫠 🥰x 🏻 🦀",
        "ǅungla ǈ Ǉ ﬁnance ﬀ Ǆ ǆ",
        "Ａｂｃ ＡＢＣ １２３",
        "a_b c-d e.f g'h don't",
        "\uE000pua\uE001",
        "ẞ ẞig ß ſ ǰ ΐ ΰ",
        "Ǻngström Å K",
        "µ ϐ ϑ ϕ ϖ ϰ ϱ ϵ ẛ ι ᲀ ꭰ ﬆ",
        "ÀÉÎÕÜ àéîõü ÿ Ÿ ḉ ṏ ẫ ỹ",
        "T.C DİCLE KALKINMA AJANSI, DESTEKLERİ",
        "Proposition 2 Assume the δ ϵ (0,1)",
        "red abc🌭fox fox love 🖤 🙂 🛒 🟠 ₿ ✀ ⏴",
        "x\u0305y a\u0332b \u0305start",
        "Ǡǡ Ǽǽ Ǿǿ",
        "\u1C90\u1C91 \uA7C0\uA7C1",
        "",
        "   ...   ",
    ];

    [Fact]
    public void Tokens_are_the_ones_fts5s_unicode61_tokenizer_makes()
    {
        var differences = CompareWithFts5(Awkward);
        Assert.True(differences.Count == 0, string.Join("\n", differences));
    }

    [Fact]
    public void Every_code_point_is_tokenized_as_fts5_does_inside_at_the_start_of_and_after_a_word()
    {
        // One text a code point: inside a word, starting one, and after a separator.
        var texts = Enumerable.Range(0x80, 0x110000 - 0x80).Where(Rune.IsValid)
            .Select(c => new Rune(c).ToString()).Select(c => $"Ab{c}c {c}b x {c}").ToList();
        var differences = CompareWithFts5(texts);
        Assert.True(differences.Count == 0, $"{differences.Count} of {texts.Count} differ:\n" + string.Join("\n", differences.Take(10)));
    }

    [SharedDataFact("laion_urls_10000.parquet")]
    public void Tokens_are_fts5s_on_ten_thousand_real_laion_captions()
    {
        var captions = new ParquetMetadataShard(SharedData.PathOf("laion_urls_10000.parquet")!)
            .ReadRows(CancellationToken.None).Select(r => r.Caption ?? "").ToList();
        Assert.Equal(10_000, captions.Count);
        Assert.True(captions.Count(c => c.Any(ch => ch >= 0x80)) > 500, "the file should carry non-ASCII captions");
        var differences = CompareWithFts5(captions);
        Assert.True(differences.Count == 0, string.Join("\n", differences.Take(10)));
    }

    /// <summary>Each text's tokens from CaptionTokens against FTS5's (fts5vocab 'instance': term, row, position).</summary>
    private static List<string> CompareWithFts5(IReadOnlyList<string> texts)
    {
        using var connection = new SqliteConnection("Data Source=:memory:");
        connection.Open();
        SqliteSetup.Execute(connection, """
            CREATE VIRTUAL TABLE t USING fts5(caption, tokenize='unicode61 remove_diacritics 2');
            CREATE VIRTUAL TABLE v USING fts5vocab(t, instance);
            """);
        using (var transaction = connection.BeginTransaction())
        {
            for (int i = 0; i < texts.Count; i++)
            {
                SqliteSetup.Execute(connection, "INSERT INTO t(rowid, caption) VALUES ($i, $c)", transaction, ("$i", i + 1), ("$c", texts[i]));
            }
            transaction.Commit();
        }
        var fts5 = new Dictionary<long, SortedDictionary<int, string>>();
        using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT term, doc, offset FROM v";
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                long row = reader.GetInt64(1);
                if (!fts5.TryGetValue(row, out var terms)) fts5[row] = terms = new();
                terms[reader.GetInt32(2)] = reader.GetString(0);
            }
        }
        var differences = new List<string>();
        for (int i = 0; i < texts.Count; i++)
        {
            var ours = CaptionTokens.Of(texts[i]);
            var theirs = fts5.TryGetValue(i + 1, out var terms) ? terms.Values.ToArray() : [];
            // FTS5's positions run 0..n-1: no token of its own that ours would lack (an empty one, say).
            if (terms is not null && !terms.Keys.SequenceEqual(Enumerable.Range(0, terms.Count))) differences.Add($"{texts[i]}: FTS5 positions {string.Join(',', terms.Keys)}");
            if (!ours.SequenceEqual(theirs)) differences.Add($"{texts[i]}\n  ours:  {string.Join('|', ours)}\n  FTS5:  {string.Join('|', theirs)}");
        }
        return differences;
    }

    [Fact]
    public void Phrase_occurrences_count_every_start_and_a_prefix_only_on_the_last_word()
    {
        var tokens = new CaptionTokens();
        tokens.Read("Red fox, red FOX; red foxes and a red-fox");
        Assert.Equal(10, tokens.Count);
        Assert.Equal(4, tokens.Occurrences(["red"], prefix: false));
        Assert.Equal(3, tokens.Occurrences(["red", "fox"], prefix: false));
        Assert.Equal(4, tokens.Occurrences(["red", "fox"], prefix: true));
        Assert.Equal(0, tokens.Occurrences(["re", "fox"], prefix: true));
        Assert.Equal(1, tokens.Occurrences(["a", "red", "fox"], prefix: false));
        tokens.Read("a a a");
        Assert.Equal(2, tokens.Occurrences(["a", "a"], prefix: false));
    }

    private static readonly string[] Vocabulary =
        ["red", "fox", "snow", "whale", "blue", "café", "Cafe", "CAFÉ", "wedding", "cake", "vintage", "car", "black", "and", "white", "photo", "photograph", "photos", "stock"];

    /// <summary>
    /// Rows over two datasets whose captions draw 2-14 words from a small vocabulary (so lengths,
    /// repeats, phrases and prefixes all vary), some captions empty or missing.
    /// </summary>
    private static IndexStore IndexWithCaptions(string path, int rowsPerDataset)
    {
        var store = IndexStore.Open(path);
        var random = new Random(7);
        foreach (var dataset in new[] { "one", "two" })
        {
            long id = store.EnsureDataset(dataset);
            var rows = Enumerable.Range(0, rowsPerDataset).Select(i => new ImportRow
            {
                Key = $"{dataset}-{i}",
                Caption = i % 97 == 0 ? null : i % 89 == 0 ? "" : string.Join(' ', Enumerable.Range(0, random.Next(2, 15)).Select(_ => Vocabulary[random.Next(Vocabulary.Length)])),
                Url = $"https://{dataset}.example/{i}.jpg",
                Width = i % 5 == 0 ? null : 100 + i,
                Height = 50,
            }).ToList();
            Assert.True(store.ImportShard(id, dataset, dataset, "test", rows, () => 0, () => 0, null));
        }
        // Fingerprinted rows (hashes, an embedding; one SHA-256 empty), then a word found only in the last ids.
        long hashed = store.EnsureDataset("hashed");
        var fingerprinted = Enumerable.Range(0, 500).Select(i => new ImportRow
        {
            Key = $"h-{i}",
            Caption = $"wedding photo hashed {i}",
            Sha256 = i == 0 ? [] : Enumerable.Range(0, 32).Select(b => (byte)(b * 7 + i)).ToArray(),
            Md5 = Enumerable.Range(0, 16).Select(b => (byte)(b + i)).ToArray(),
            PerceptualHash = 0xF000_0000_0000_0000UL + (ulong)i,
            Embedding = i % 2 == 0 ? [(Half)0.5f, (Half)0.5f, (Half)0.5f, (Half)0.5f] : null,
        }).ToList();
        Assert.True(store.ImportShard(hashed, "hashed", "hashed", "test", fingerprinted, () => 0, () => 0, "test-model"));
        long late = store.EnsureDataset("late");
        var zebras = Enumerable.Range(0, 3_000).Select(i => new ImportRow { Key = $"z-{i}", Caption = $"zebra crossing {i}" }).ToList();
        Assert.True(store.ImportShard(late, "late", "late", "test", zebras, () => 0, () => 0, null));
        return store;
    }

    /// <summary>Every column equal, byte arrays by content.</summary>
    private static void AssertSameRow(IndexedRow expected, IndexedRow actual)
    {
        Assert.Equal(expected with { Sha256 = null, Md5 = null }, actual with { Sha256 = null, Md5 = null });
        Assert.Equal(expected.Sha256, actual.Sha256);
        Assert.Equal(expected.Md5, actual.Md5);
    }

    public static TheoryData<string, string?> Queries() => new()
    {
        { "wedding", null },
        { "wedding", "two" },
        { "cafe", null },
        { "\"black and white\"", null },
        { "\"black and white\"", "one" },
        { "photo*", null },
        { "\"stock pho\"*", null },
        { "red fox", null },
        { "red fox", "two" },
        { "whale \"blue whale\" snow*", null },
        { "hashed", null },
        { "zebra", null },
        { "zebra", "late" },
        { "photo*", "two" },
        { "nothing-matches-this", null },
    };

    [Theory]
    [MemberData(nameof(Queries))]
    public void Every_match_is_scored_and_ordered_as_fts5s_bm25_orders_a_capped_search(string query, string? dataset)
    {
        var store = captions.Store;
        var ours = store.SearchCaptions(query, dataset).ToList();
        var fts5 = store.SearchCaptions(query, dataset, limit: int.MaxValue).ToList();
        Assert.Equal(fts5.Count, ours.Count);
        Assert.Equal(fts5.Select(r => r.Row.Id), ours.Select(r => r.Row.Id));
        for (int i = 0; i < ours.Count; i++)
        {
            Assert.True(Math.Abs(ours[i].Score - fts5[i].Score) <= 1e-9 * Math.Max(1, Math.Abs(fts5[i].Score)), $"{ours[i].Row.Key}: {ours[i].Score} vs {fts5[i].Score}");
            AssertSameRow(fts5[i].Row, ours[i].Row);
        }
        if (dataset is not null) Assert.All(ours, r => Assert.Equal(dataset, r.Row.Dataset));
    }

    [Fact]
    public void A_large_result_is_read_by_two_connections_each_row_once_with_every_column()
    {
        var store = captions.Store;
        var ours = store.SearchCaptions("wedding").ToList();
        Assert.Equal(2, store.CaptionReadersOfLastSearch);
        Assert.True(ours.Count > 10_000, $"{ours.Count} matches");
        Assert.Equal(ours.Count, ours.Select(r => r.Row.Id).Distinct().Count());
        var expected = IndexFixtures.QueryFile<long>(store.Path + ".captions", "SELECT count(*) FROM captions WHERE captions MATCH 'wedding'");
        Assert.Equal(expected, ours.Count);
        // Columns as GetRows reads them: NULL widths stay NULL (not -1), hashes, an empty SHA-256, embeddings.
        var sample = ours.Where((r, i) => i % 200 == 0 || r.Row.Dataset == "hashed").ToList();
        var rows = store.GetRows(sample.Select(r => r.Row.Id).ToList()).ToDictionary(r => r.Id);
        Assert.All(sample, r => AssertSameRow(rows[r.Row.Id], r.Row));
        Assert.Contains(sample, r => r.Row.Width is null);
        var hashed = sample.Where(r => r.Row.Dataset == "hashed").ToList();
        Assert.Equal(500, hashed.Count);
        Assert.Single(hashed, r => r.Row.Sha256 is { Length: 0 });
        Assert.All(hashed, r => Assert.NotNull(r.Row.PerceptualHash));
        Assert.Equal(250, hashed.Count(r => r.Row.HasEmbedding));

        // A rare phrase is read by this connection alone.
        int rare = store.SearchCaptions("\"fox fox fox\"").Count();
        Assert.True(store.CaptionReadersOfLastSearch == 1, $"{rare} matches were read by {store.CaptionReadersOfLastSearch} connections");
    }

    [Fact]
    public void Matches_in_the_later_ids_only_still_bring_in_the_second_connection()
    {
        var store = captions.Store;
        // Dataset two holds ids 20,001-40,000: the first half of the ranges finds nothing of it.
        var ours = store.SearchCaptions("photo*", "two").ToList();
        Assert.Equal(2, store.CaptionReadersOfLastSearch);
        Assert.True(ours.Count > 1_000, $"{ours.Count} matches");
    }

    [Theory]
    [InlineData("photo*", null, false)]
    [InlineData("photo*", null, true)]    // the limit is passed late, both connections reading
    [InlineData("zebra", null, false)]    // all in the last ids: nothing in the first ranges predicts them
    [InlineData("zebra", "late", false)]
    public void More_matches_than_it_holds_are_streamed_in_the_same_order_with_the_same_scores(string query, string? dataset, bool limitJustBelow)
    {
        var store = captions.Store;
        var held = store.SearchCaptions(query, dataset).ToList();
        Assert.NotEqual(0, store.CaptionReadersOfLastSearch);
        Assert.True(held.Count > 1_000, $"{held.Count} matches");
        store.MaxCaptionMatchesHeld = held.Count;
        Assert.Equal(held.Select(r => r.Row.Id), store.SearchCaptions(query, dataset).Select(r => r.Row.Id));
        Assert.NotEqual(0, store.CaptionReadersOfLastSearch);
        store.MaxCaptionMatchesHeld = limitJustBelow ? held.Count - 1 : 1_000;
        try
        {
            var streamed = store.SearchCaptions(query, dataset).ToList();
            Assert.Equal(0, store.CaptionReadersOfLastSearch);
            Assert.Equal(held.Select(r => r.Row.Id), streamed.Select(r => r.Row.Id));
            Assert.All(held.Zip(streamed), p => Assert.True(Math.Abs(p.First.Score - p.Second.Score) <= 1e-9 * Math.Abs(p.First.Score)));
        }
        finally
        {
            store.MaxCaptionMatchesHeld = 250_000;
        }
    }
}
