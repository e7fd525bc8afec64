using OptOut.Core.Index;

namespace OptOut.Core.Tests.Index;

/// <summary>The SQLite store itself: caption search, URL and domain lookups, counts, the model it holds.</summary>
public sealed class IndexStoreTests : IDisposable
{
    private readonly string folder = TestEnvironment.NewScratchFolder();
    private readonly IndexStore store;

    public IndexStoreTests()
    {
        store = IndexStore.Open(IndexFixtures.NewIndexPath(folder));
    }

    public void Dispose() => store.Dispose();

    private long Add(string dataset, string shard, params ImportRow[] rows) =>
        Add(dataset, shard, null, rows);

    private long Add(string dataset, string shard, string? modelId, params ImportRow[] rows)
    {
        long id = store.EnsureDataset(dataset);
        Assert.True(store.ImportShard(id, shard, shard, "test", rows, () => 0, () => 0, modelId));
        return id;
    }

    private static ImportRow Row(string key, string? caption = null, string? url = null) => new() { Key = key, Caption = caption, Url = url };

    private void AddCaptions()
    {
        Add("art", "s1",
            Row("fox-snow", "A red fox in the snow"),
            Row("red-fox", "red red red fox"),
            Row("fox-red", "fox standing beside a red barn"),
            Row("whale", "Blue whale breaching"),
            Row("whales", "two whales and a whaler"),
            Row("cafe", "Café de Flore, Paris"),
            Row("none", null));
        Add("photos", "s2",
            Row("p-fox", "a red fox at dusk"),
            Row("p-whale", "whale watching"));
    }

    private List<string?> Keys(string query, string? dataset = null) =>
        store.SearchCaptions(query, dataset).Select(r => r.Row.Key).ToList();

    [Fact]
    public void Words_are_all_required()
    {
        AddCaptions();
        Assert.Equal(new[] { "fox-red", "fox-snow", "p-fox", "red-fox" }, Keys("fox red").Order());
        Assert.Equal(new[] { "fox-snow" }, Keys("fox snow"));
        Assert.Empty(Keys("fox whale"));
        // Case and diacritics do not matter (unicode61 remove_diacritics 2).
        Assert.Equal(new[] { "cafe" }, Keys("CAFE paris"));
        Assert.Equal(new[] { "cafe" }, Keys("café"));
    }

    [Fact]
    public void Quoted_phrases_match_adjacent_words_only()
    {
        AddCaptions();
        Assert.Equal(new[] { "fox-snow", "p-fox", "red-fox" }, Keys("\"red fox\"").Order());
        Assert.Equal(new[] { "fox-red" }, Keys("\"red barn\""));
        Assert.Empty(Keys("\"fox red\""));
        Assert.Equal(new[] { "fox-snow" }, Keys("\"red fox\" snow"));
    }

    [Fact]
    public void A_trailing_star_is_a_prefix()
    {
        AddCaptions();
        Assert.Equal(new[] { "p-whale", "whale", "whales" }, Keys("whal*").Order());
        Assert.Empty(Keys("whal"));
        Assert.Equal(new[] { "fox-red" }, Keys("bar*"));
    }

    [Fact]
    public void Results_come_best_first()
    {
        AddCaptions();
        var results = store.SearchCaptions("red").ToList();
        Assert.Equal(4, results.Count);
        // Three occurrences in a short caption beat one in a longer caption.
        Assert.Equal("red-fox", results[0].Row.Key);
        Assert.True(results.Zip(results.Skip(1)).All(p => p.First.Score >= p.Second.Score),
            string.Join(", ", results.Select(r => $"{r.Row.Key}={r.Score:F4}")));
        Assert.True(results[0].Score > results[^1].Score);
        Assert.Equal(2, store.SearchCaptions("red", limit: 2).Count());
    }

    [Fact]
    public void A_capped_search_keeps_the_best_matches_in_order_and_ties_in_row_order()
    {
        // 1,200 matches over two datasets, in four score classes (one to four "zebra"s in equal-length captions).
        for (int shard = 0; shard < 2; shard++)
        {
            var rows = Enumerable.Range(0, 600).Select(i =>
                Row($"{shard}-{i:0000}", string.Join(' ', Enumerable.Range(0, 4).Select(w => w < 1 + i % 4 ? "zebra" : "plain")))).ToArray();
            Add(shard == 0 ? "one" : "two", $"z{shard}", rows);
        }
        var all = store.SearchCaptions("zebra").ToList();
        Assert.Equal(1_200, all.Count);
        Assert.True(all.Zip(all.Skip(1)).All(p => p.First.Score > p.Second.Score || (p.First.Score == p.Second.Score && p.First.Row.Id < p.Second.Row.Id)));
        Assert.Equal(all.Take(700).Select(r => r.Row.Id), store.SearchCaptions("zebra", limit: 700).Select(r => r.Row.Id));
        var two = store.SearchCaptions("zebra", "two", limit: 150).ToList();
        Assert.Equal(all.Where(r => r.Row.Dataset == "two").Take(150).Select(r => r.Row.Id), two.Select(r => r.Row.Id));
        // Its 150 captions with four "zebra"s, the best it has.
        Assert.All(two, r => Assert.Equal("zebra zebra zebra zebra", r.Row.Caption));
    }

    [Fact]
    public void The_dataset_filter_restricts_every_lookup()
    {
        AddCaptions();
        Assert.Equal(new[] { "p-fox" }, Keys("fox", "photos"));
        Assert.Equal(new[] { "fox-red", "fox-snow", "red-fox" }, Keys("fox", "art").Order());
        Assert.Empty(Keys("fox", "no-such-dataset"));
        Assert.All(store.SearchCaptions("whale*", "art"), r => Assert.Equal("art", r.Row.Dataset));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("\"")]
    [InlineData("*")]
    [InlineData("AND OR NOT")]
    [InlineData("NEAR(red fox)")]
    [InlineData("-red +fox ^whale")]
    [InlineData("\"unterminated phrase")]
    [InlineData("caption:fox")]
    public void User_input_is_never_an_fts5_syntax_error(string query)
    {
        AddCaptions();
        var results = store.SearchCaptions(query).ToList();
        Assert.All(results, r => Assert.NotNull(r.Row.Caption));
    }

    [Fact]
    public void GetRows_returns_the_rows_asked_for_in_id_order_with_their_columns()
    {
        var sha = Enumerable.Range(0, 32).Select(i => (byte)i).ToArray();
        var md5 = Enumerable.Range(100, 16).Select(i => (byte)i).ToArray();
        Add("d", "s",
            new ImportRow { Key = "k0", Url = "http://a.example/0", Caption = "zero", Width = 640, Height = 480, Sha256 = sha, Md5 = md5, PerceptualHash = 0x8000_0000_0000_0001 },
            Row("k1", "one"),
            Row("k2", "two"));
        var ids = store.SearchCaptions("zero").Concat(store.SearchCaptions("two")).Select(r => r.Row.Id).ToList();

        var rows = store.GetRows(ids.AsEnumerable().Reverse().ToList());
        Assert.Equal(ids.Order(), rows.Select(r => r.Id));
        var first = rows[0];
        Assert.Equal(("d", "k0", "http://a.example/0", "zero", 640, 480), (first.Dataset, first.Key, first.Url, first.Caption, first.Width, first.Height));
        Assert.Equal(sha, first.Sha256);
        Assert.Equal(md5, first.Md5);
        Assert.Equal(0x8000_0000_0000_0001UL, first.PerceptualHash);
        Assert.False(first.HasEmbedding);
        Assert.Equal("k2", rows[1].Key);

        Assert.Empty(store.GetRows(ids, "other"));
        Assert.Empty(store.GetRows([]));
        Assert.Equal(first.Id, Assert.Single(store.FindBySha256(sha)).Id);
        Assert.Equal(first.Id, Assert.Single(store.FindByMd5(md5)).Id);
    }

    [Fact]
    public void GetRows_handles_more_ids_than_one_sql_statement_takes()
    {
        Add("d", "s", Enumerable.Range(0, 1200).Select(i => Row($"k{i}")).ToArray());
        var ids = Enumerable.Range(1, 1200).Select(i => (long)i).ToList();
        var rows = store.GetRows(ids);
        Assert.Equal(1200, rows.Count);
        Assert.Equal(ids, rows.Select(r => r.Id));
    }

    [Fact]
    public void ListDatasets_counts_rows_shards_fingerprints_embeddings_and_skips()
    {
        long a = store.EnsureDataset("alpha");
        Assert.True(store.ImportShard(a, "a1", "a1", "test", [Row("1"), Row("2"), new ImportRow { Key = "3", PerceptualHash = 7 }], () => 4, () => 1, null));
        Assert.True(store.ImportShard(a, "a2", "a2", "test",
            [new ImportRow { Key = "4", PerceptualHash = 9, Embedding = [(Half)1, (Half)0] }, new ImportRow { Key = "5", Embedding = [(Half)0, (Half)1] }], () => 2, () => 0, "model-a"));
        long b = store.EnsureDataset("Beta");
        Assert.True(store.ImportShard(b, "b1", "b1", "test", [Row("x")], () => 0, () => 0, null));
        Assert.Equal(a, store.EnsureDataset("ALPHA"));   // names compare without case

        var list = store.ListDatasets();
        Assert.Equal(new[] { "alpha", "Beta" }, list.Select(d => d.Name));
        var alpha = list[0];
        Assert.Equal((5L, 2L, 2L, 2L, 6L, "model-a"), (alpha.Rows, alpha.Shards, alpha.Fingerprinted, alpha.WithEmbedding, alpha.Skipped, alpha.ModelId));
        var beta = list[1];
        Assert.Equal((1L, 1L, 0L, 0L, 0L, (string?)null), (beta.Rows, beta.Shards, beta.Fingerprinted, beta.WithEmbedding, beta.Skipped, beta.ModelId));
        Assert.True((DateTime.UtcNow - alpha.CreatedAt.ToUniversalTime()).Duration() < TimeSpan.FromMinutes(5));
        Assert.Equal("model-a", store.ModelId);
        Assert.Equal(2, store.Dimensions);
    }

    [Fact]
    public void Captions_of_several_shards_are_indexed_with_a_64_MiB_term_buffer_and_pass_fts5s_check()
    {
        // Three shards of 5,000 captions: each shard's terms are written as segments of their own
        // and the later shards' segments merged with the first's.
        for (int shard = 0; shard < 3; shard++)
        {
            var rows = Enumerable.Range(0, 5_000)
                .Select(i => Row($"{shard}-{i}", $"shard{shard} picture number{i} of a {(i % 2 == 0 ? "red" : "blue")} fox"))
                .ToArray();
            Add("big", $"shard-{shard}", rows);
        }
        Assert.Equal(IndexStore.CaptionHashBytes, IndexFixtures.QueryFile<long>(store.Path + ".captions", "SELECT v FROM captions_config WHERE k = 'hashsize'"));
        IndexFixtures.CheckCaptionIndex(store.Path);
        Assert.Equal(7_500, store.SearchCaptions("red fox").Count());
        Assert.Equal(new[] { "2-4999" }, Keys("shard2 number4999"));
        Assert.Equal(5_000, store.SearchCaptions("shard1").Count());
    }

    [Fact]
    public void A_shard_import_copies_its_pages_into_the_index_file_and_leaves_a_normal_wal()
    {
        // The import commits with SQLite's automatic checkpoint off and checkpoints itself while the
        // caption file commits: the rows must still reach the index file, not only its WAL.
        long before = new FileInfo(store.Path).Length;
        var rows = Enumerable.Range(0, 20_000).Select(i => Row($"k{i}", $"caption number {i} of a shard", $"https://example.com/{i}.jpg")).ToArray();
        Add("big", "s1", rows);
        long after = new FileInfo(store.Path).Length;
        Assert.True(after > before + 1_000_000, $"index file {before} -> {after} bytes");
        Assert.Equal(1000, store.WalAutocheckpoint);
        // Later small writes still work and are read back by another connection.
        store.EnsureDataset("another");
        Assert.Equal(2L, IndexFixtures.QueryFile<long>(store.Path, "SELECT count(*) FROM datasets"));
        Assert.Equal(20_000, store.SearchCaptions("shard").Count());
    }

    [Fact]
    public void A_shard_is_recorded_once_per_dataset()
    {
        long a = store.EnsureDataset("a");
        Assert.True(store.ImportShard(a, "/x/s.parquet", "id-1", "parquet", [Row("1")], () => 0, () => 0, null));
        Assert.False(store.ImportShard(a, "/y/s.parquet", "id-1", "parquet", [Row("1"), Row("2")], () => 0, () => 0, null));
        Assert.True(store.IsShardImported(a, "id-1"));
        Assert.Equal(1, store.ListDatasets().Single().Rows);
        // The same shard in another dataset is another import.
        long b = store.EnsureDataset("b");
        Assert.False(store.IsShardImported(b, "id-1"));
        Assert.True(store.ImportShard(b, "/x/s.parquet", "id-1", "parquet", [Row("1")], () => 0, () => 0, null));
    }

    // ---- URL and domain lookups ------------------------------------------------------------------

    private void AddUrls() => Add("web", "urls",
        Row("root", url: "http://example.com/"),
        Row("page", url: "HTTP://EXAMPLE.com:80/Gallery/%7Eart.png#x"),
        Row("sub", url: "https://a.example.com/pic.jpg"),
        Row("deep", url: "https://b.a.example.com:8443/pic.jpg"),
        Row("dot", url: "http://www.example.com./trailing"),
        Row("not", url: "https://notexample.com/pic.jpg"),
        Row("evil", url: "https://example.com.evil.net/pic.jpg"),
        Row("dash", url: "https://example-com.net/pic.jpg"),
        Row("hyphen", url: "https://my-example.com/pic.jpg"),
        Row("other", url: "https://example.org/pic.jpg"),
        Row("idn", url: "http://münchen.de/bild.jpg"),
        Row("local", url: "/srv/images/pic.jpg"));

    private List<string?> DomainKeys(string domain) => store.FindByDomain(domain).Select(r => r.Key).Order().ToList();

    [Fact]
    public void A_domain_matches_its_host_and_subdomains_only()
    {
        AddUrls();
        Assert.Equal(new[] { "deep", "dot", "page", "root", "sub" }, DomainKeys("example.com"));
        Assert.Equal(new[] { "deep", "sub" }, DomainKeys("a.example.com"));
        Assert.Equal(new[] { "deep" }, DomainKeys("b.a.example.com"));
        Assert.Equal(new[] { "not" }, DomainKeys("notexample.com"));
        Assert.Equal(new[] { "evil" }, DomainKeys("evil.net"));
        Assert.Equal(new[] { "other" }, DomainKeys("example.org"));
        Assert.Empty(DomainKeys("ample.com"));
        Assert.Empty(DomainKeys("com.example"));
    }

    [Fact]
    public void Domain_queries_are_normalised_like_urls()
    {
        AddUrls();
        var expected = DomainKeys("example.com");
        Assert.Equal(expected, DomainKeys("EXAMPLE.COM."));
        Assert.Equal(expected, DomainKeys("*.example.com"));
        Assert.Equal(expected, DomainKeys("https://example.com/anything"));
        Assert.Equal(new[] { "idn" }, DomainKeys("münchen.de"));
        Assert.Equal(new[] { "idn" }, DomainKeys("xn--mnchen-3ya.de"));
        Assert.Equal(new[] { "not" }, store.FindByDomain("notexample.com", "web").Select(r => r.Key));
        Assert.Empty(store.FindByDomain("example.com", "other-dataset"));
        Assert.Equal(2, store.FindByDomain("example.com", limit: 2).Count());
    }

    [Theory]
    [InlineData("http://example.com/Gallery/~art.png", "page")]
    [InlineData("http://Example.COM/Gallery/%7eart.png#y", "page")]
    [InlineData("http://example.com", "root")]
    [InlineData("https://A.EXAMPLE.com:443/pic.jpg", "sub")]
    [InlineData("http://xn--mnchen-3ya.de/bild.jpg", "idn")]
    [InlineData("/srv/images/pic.jpg", "local")]
    public void A_url_is_found_under_any_spelling(string query, string key)
    {
        AddUrls();
        Assert.Equal(key, Assert.Single(store.FindByUrl(query)).Key);
    }

    [Theory]
    [InlineData("http://example.com/gallery/~art.png")]   // path case matters
    [InlineData("https://example.com/Gallery/~art.png")]  // so does the scheme
    [InlineData("http://example.com:8080/Gallery/~art.png")]
    public void Different_addresses_are_not_found(string query)
    {
        AddUrls();
        Assert.Empty(store.FindByUrl(query));
    }

    // ---- the model the index holds ---------------------------------------------------------------

    private static ImportRow WithVector(string key, params float[] values) => new() { Key = key, Embedding = values.Select(v => (Half)v).ToArray() };

    [Fact]
    public void Embeddings_from_a_second_model_are_refused_and_nothing_is_written()
    {
        Add("d", "s1", "model-a", WithVector("1", 1, 0, 0), WithVector("2", 0, 1, 0));
        long id = store.EnsureDataset("d");
        var error = Assert.Throws<ModelMismatchException>(() =>
            store.ImportShard(id, "s2", "s2", "test", [Row("plain"), WithVector("3", 0, 0, 1)], () => 0, () => 0, "model-b"));
        Assert.Equal(("model-a", "model-b"), (error.IndexModel, error.OtherModel));
        Assert.Contains("model-a", error.Message);
        Assert.Throws<ModelMismatchException>(() => store.CheckModel("model-b"));
        store.CheckModel("model-a");

        Assert.False(store.IsShardImported(id, "s2"));
        Assert.Equal(2, store.ListDatasets().Single().Rows);
        Assert.Equal(2L, IndexFixtures.QueryFile<long>(store.Path, "SELECT count(*) FROM rows"));
        Assert.Equal("model-a", store.ModelId);
    }

    [Fact]
    public void Embeddings_of_other_dimensions_from_the_same_model_are_refused()
    {
        Add("d", "s1", "model-a", WithVector("1", 1, 0, 0));
        long id = store.EnsureDataset("d");
        var error = Assert.Throws<InvalidDataException>(() =>
            store.ImportShard(id, "s2", "s2", "test", [WithVector("2", 1, 0), WithVector("3", 0, 1)], () => 0, () => 0, "model-a"));
        Assert.Contains("2 dimensions", error.Message);
        Assert.False(store.IsShardImported(id, "s2"));
        Assert.Equal(3, store.Dimensions);
        Assert.Equal(1L, IndexFixtures.QueryFile<long>(store.Path, "SELECT count(*) FROM rows"));
    }

    [Fact]
    public void A_shard_mixing_dimensions_is_refused_before_the_model_is_claimed()
    {
        long id = store.EnsureDataset("d");
        Assert.Throws<InvalidDataException>(() =>
            store.ImportShard(id, "s", "s", "test", [WithVector("1", 1, 0, 0), WithVector("2", 1, 0)], () => 0, () => 0, "model-a"));
        // The claim was rolled back with the shard: another model may still take the empty index.
        Assert.Null(store.ModelId);
        Assert.Null(store.Dimensions);
        Add("d", "s", "model-b", WithVector("1", 1, 0));
        Assert.Equal("model-b", store.ModelId);
    }

    [Fact]
    public void Rows_with_embeddings_need_a_model_id()
    {
        long id = store.EnsureDataset("d");
        Assert.Throws<ArgumentException>(() => store.ImportShard(id, "s", "s", "test", [WithVector("1", 1, 0)], () => 0, () => 0, null));
        Assert.False(store.IsShardImported(id, "s"));
    }

    [Fact]
    public void The_index_reopens_with_its_rows_and_model()
    {
        Add("d", "s1", "model-a", WithVector("1", 0.6f, 0.8f));
        var path = store.Path;
        store.Dispose();
        using var reopened = IndexStore.Open(path);
        Assert.Equal("model-a", reopened.ModelId);
        Assert.Equal(2, reopened.Dimensions);
        var (id, vector) = Assert.Single(reopened.EmbeddingsAfter(0));
        Assert.Equal(new[] { (Half)0.6f, (Half)0.8f }, vector);
        Assert.Equal((1L, id), reopened.EmbeddingStamp());
    }
}
