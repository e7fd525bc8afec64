using System.Globalization;
using OptOut.Core.Datasets;
using OptOut.Core.Fingerprinting;
using OptOut.Core.Index;
using OptOut.Samples;
using SixLabors.ImageSharp;
using static OptOut.Core.Tests.Index.IndexFixtures;

namespace OptOut.Core.Tests.Index;

/// <summary>Each source layout, written by the test, found by DatasetDiscovery and imported with the real model.</summary>
public sealed class DatasetLayoutTests : IDisposable
{
    private readonly string folder = TestEnvironment.NewScratchFolder();
    private readonly IndexStore store;
    private readonly Fingerprinter fingerprinter = NewFingerprinter();

    public DatasetLayoutTests()
    {
        store = IndexStore.Open(NewIndexPath(folder));
    }

    public void Dispose() => store.Dispose();

    private static void AssertNoProblems(List<ImportEvent> events) =>
        Assert.True(Problems(events).Count == 0, string.Join("\n", Problems(events).Select(p => $"{p.Target}: {p.Error}")));

    // ---- LAION metadata parquet -------------------------------------------------------------------

    [Fact]
    public void Laion_parquet_with_WIDTH_as_float64_in_one_file_and_int64_in_another()
    {
        var root = Path.Combine(folder, "laion");
        WriteLaionUpperCase(Path.Combine(root, "part-00000.parquet"), 1000, 50, widthAsDouble: true);
        WriteLaionUpperCase(Path.Combine(root, "part-00001.parquet"), 2000, 30, widthAsDouble: false, withMd5: true);

        var shards = DatasetDiscovery.Discover(root);
        Assert.Equal(2, shards.Count);
        Assert.All(shards, s => Assert.Equal("parquet", s.Layout));

        var (summary, events) = Import(store, fingerprinter, null, "laion", root);
        AssertNoProblems(events);
        Assert.Equal((80L, 2, 0, 0L, 0L), (summary.Rows, summary.ShardsImported, summary.ShardsFailed, summary.Fingerprinted, summary.Skipped));

        var fromDouble = Assert.Single(store.FindByUrl(LaionUrl(1005)));
        Assert.Equal(("1005", LaionCaption(1005), 405, 305), (fromDouble.Key, fromDouble.Caption, fromDouble.Width, fromDouble.Height));
        Assert.False(fromDouble.HasEmbedding);
        Assert.Null(fromDouble.PerceptualHash);
        // A missing (null) float size stays unknown.
        var missingSize = Assert.Single(store.FindByUrl(LaionUrl(1004)));
        Assert.Null(missingSize.Width);
        Assert.Null(missingSize.Height);

        var fromLong = Assert.Single(store.FindByUrl(LaionUrl(2017)));
        Assert.Equal(("2017", 417, 317), (fromLong.Key, fromLong.Width, fromLong.Height));
        Assert.Equal(Convert.FromHexString(Md5Hex(2017)), fromLong.Md5);
        Assert.Equal(fromLong.Id, Assert.Single(store.FindByMd5(Convert.FromHexString(Md5Hex(2017)))).Id);

        Assert.Equal("2011", Assert.Single(store.SearchCaptions("\"sample number 2011\"")).Row.Key);
        Assert.Equal(16, store.FindByDomain("img1.example.com").Count());
        Assert.Equal(80, store.FindByDomain("example.com").Count());
    }

    [Fact]
    public void Laion_parquet_with_several_row_groups_is_read_whole_in_order()
    {
        var file = Path.Combine(folder, "groups.parquet");
        WriteLaionUpperCase(file, 0, 2500, widthAsDouble: true, rowGroupSize: 1000);
        var rows = new ParquetMetadataShard(file).ReadRows(CancellationToken.None).ToList();
        Assert.Equal(Enumerable.Range(0, 2500).Select(i => i.ToString(CultureInfo.InvariantCulture)), rows.Select(r => r.Key));
        Assert.Equal(LaionUrl(2499), rows[^1].Url);
    }

    [Fact]
    public void Lower_case_schema_with_status_skips_failed_rows_and_counts_them()
    {
        var file = Path.Combine(folder, "laion-lower.parquet");
        WriteLowerCaseMetadata(file,
        [
            ("a1", "https://x.example.com/1.jpg", "first caption", "success", 640, 480),
            ("a2", "https://x.example.com/2.jpg", "second caption", "failed_to_download", 0, 0),
            ("a3", "https://x.example.com/3.jpg", "third caption", "success", 800, 600),
            ("a4", "https://x.example.com/4.jpg", "fourth caption", "failed_to_resize", 0, 0),
        ]);
        var (summary, events) = Import(store, fingerprinter, null, "lower", file);
        AssertNoProblems(events);
        Assert.Equal((2L, 2L), (summary.Rows, summary.Skipped));
        var shard = Assert.Single(Shards(events));
        Assert.Equal((2L, 2L, false), (shard.Rows, shard.Skipped, shard.AlreadyImported));
        var row = Assert.Single(store.FindByUrl("https://x.example.com/3.jpg"));
        Assert.Equal(("a3", "third caption", 800, 600), (row.Key, row.Caption, row.Width, row.Height));
        Assert.Equal(Convert.FromHexString(KeyMd5Hex("a3")), row.Md5);
        Assert.Empty(store.FindByUrl("https://x.example.com/2.jpg"));
        // The dataset's counts (what Get-TrainingSet shows) keep the skipped rows too.
        var skipped = store.ListDatasets().Single().Skipped;
        Assert.True(skipped == 2, $"ListDatasets() reports {skipped} skipped rows; the import skipped 2");
    }

    [Fact]
    public void Columns_are_found_whatever_their_case()
    {
        var file = Path.Combine(folder, "mixed.parquet");
        WriteParquet(file,
        [
            Strings("Url", ["https://mixed.example/a.png", "https://mixed.example/b.png"]),
            Strings("Caption", ["Mixed Case One", "Mixed Case Two"]),
            Strings("KEY", ["m1", "m2"]),
            Longs("Width", [10, 20]),
            Doubles("hEIGHT", [11.0, 21.0]),
            Strings("Status", ["SUCCESS", "Failed_To_Download"]),
            Strings("MD5", [KeyMd5Hex("m1"), KeyMd5Hex("m2")]),
        ]);
        var (summary, events) = Import(store, null, null, "mixed", file);
        AssertNoProblems(events);
        Assert.Equal((1L, 1L), (summary.Rows, summary.Skipped));
        var row = Assert.Single(store.FindByUrl("https://mixed.example/a.png"));
        Assert.Equal(("m1", "Mixed Case One", 10, 11), (row.Key, row.Caption, row.Width, row.Height));
        Assert.Equal(Convert.FromHexString(KeyMd5Hex("m1")), row.Md5);
    }

    [Fact]
    public void A_parquet_with_only_url_and_txt_columns_gets_position_keys()
    {
        // img2dataset's own sample input: url, txt (no key): rows are keyed by position.
        var file = Path.Combine(folder, "urls.parquet");
        WriteParquet(file, [Strings("url", ["https://u.example/0", "https://u.example/1"]), Strings("txt", ["zero caption", "one caption"])]);
        var (summary, _) = Import(store, null, null, "urls", file);
        Assert.Equal(2L, summary.Rows);
        var row = Assert.Single(store.FindByUrl("https://u.example/1"));
        Assert.Equal(("1", "one caption"), (row.Key, row.Caption));
    }

    // ---- img2dataset "files" layout ----------------------------------------------------------------

    [Fact]
    public void Img2dataset_files_layout_imports_successes_fingerprinted_and_counts_failed_downloads()
    {
        var root = Path.Combine(folder, "img2dataset");
        var samples = MakeSamples(0, 6, i => i is 2 or 4);
        var shardFolder = WriteImg2DatasetFilesShard(root, 0, samples);

        var shard = Assert.IsType<Img2DatasetFolderShard>(Assert.Single(DatasetDiscovery.Discover(root)));
        Assert.Equal(shardFolder + ".parquet", shard.ParquetPath);

        var (summary, events) = Import(store, fingerprinter, null, "i2d", root);
        AssertNoProblems(events);
        Assert.Equal((4L, 4L, 2L, 1, 0L), (summary.Rows, summary.Fingerprinted, summary.Skipped, summary.ShardsImported, summary.Errors));
        Assert.Equal(TestEnvironment.DefaultModel.ModelId, store.ModelId);
        Assert.Equal(512, store.Dimensions);

        foreach (var s in samples)
        {
            var found = store.FindByUrl(s.Url).ToList();
            if (!s.Success)
            {
                Assert.Empty(found);
                continue;
            }
            var row = Assert.Single(found);
            var expected = fingerprinter.Fingerprint(Path.Combine(shardFolder, s.Key + ".jpg"));
            Assert.Equal((s.Key, s.Caption, 96, 72), (row.Key, row.Caption, row.Width, row.Height));
            Assert.Equal(expected.PerceptualHash, row.PerceptualHash);
            Assert.Equal(Convert.FromHexString(expected.Sha256), row.Sha256);
            Assert.Equal(expected.Md5, row.Md5);
            Assert.True(row.HasEmbedding);
        }
        var info = store.ListDatasets().Single();
        Assert.Equal((4L, 4L, 4L), (info.Rows, info.Fingerprinted, info.WithEmbedding));
        Assert.True(info.Skipped == 2, $"ListDatasets() reports {info.Skipped} skipped rows; the import skipped 2 failed downloads");
    }

    [Fact]
    public void Img2dataset_shard_folders_without_a_parquet_are_read_from_their_json_files()
    {
        var root = Path.Combine(folder, "img2dataset-json");
        var samples = MakeSamples(1, 4, i => i == 1);
        WriteImg2DatasetFilesShard(root, 1, samples, withParquet: false);
        var shard = Assert.IsType<Img2DatasetFolderShard>(Assert.Single(DatasetDiscovery.Discover(root)));
        Assert.Null(shard.ParquetPath);

        var (summary, events) = Import(store, fingerprinter, null, "json", root);
        AssertNoProblems(events);
        Assert.Equal((3L, 3L, 1L), (summary.Rows, summary.Fingerprinted, summary.Skipped));
        var row = Assert.Single(store.FindByUrl(samples[3].Url));
        Assert.Equal((samples[3].Key, samples[3].Caption), (row.Key, row.Caption));
        Assert.Equal(Convert.FromHexString(Sha256Hex(samples[3].Image!)), row.Sha256);
    }

    [Fact]
    public void A_shard_parquet_passed_alone_brings_its_shard_folder()
    {
        var root = Path.Combine(folder, "i2d-file");
        WriteImg2DatasetFilesShard(root, 3, MakeSamples(3, 2, _ => false));
        var shard = Assert.IsType<Img2DatasetFolderShard>(Assert.Single(DatasetDiscovery.Discover(Path.Combine(root, "00003.parquet"))));
        Assert.Equal(Path.Combine(root, "00003"), shard.Folder);
    }

    // ---- webdataset tars ---------------------------------------------------------------------------

    [Fact]
    public void Webdataset_tar_shards_are_imported_with_captions_from_txt_members()
    {
        var root = Path.Combine(folder, "wds");
        var first = MakeSamples(0, 4, i => i == 3, seedBase: 7500);
        var second = MakeSamples(1, 3, _ => false, seedBase: 7500);
        WriteWebDatasetTar(Path.Combine(root, "00000.tar"), first);
        WriteWebDatasetTar(Path.Combine(root, "00001.tar"), second);
        // img2dataset's parquet beside a tar repeats the tar's rows: it must not be imported again.
        WriteLowerCaseMetadata(Path.Combine(root, "00000.parquet"), first.Select(s => (s.Key, s.Url, s.Caption, s.Success ? "success" : "failed_to_download", 96L, 72L)).ToList());

        var shards = DatasetDiscovery.Discover(root);
        Assert.Equal(new[] { "00000.tar", "00001.tar" }, shards.Select(s => Path.GetFileName(s.Source)));
        Assert.All(shards, s => Assert.IsType<WebDatasetTarShard>(s));

        var (summary, events) = Import(store, fingerprinter, null, "wds", root);
        AssertNoProblems(events);
        Assert.Equal((6L, 6L, 1L, 2), (summary.Rows, summary.Fingerprinted, summary.Skipped, summary.ShardsImported));

        foreach (var s in first.Concat(second).Where(s => s.Success))
        {
            var row = Assert.Single(store.FindByUrl(s.Url));
            Assert.Equal((s.Key, s.Caption, 96, 72), (row.Key, row.Caption, row.Width, row.Height));
            Assert.Equal(Convert.FromHexString(Sha256Hex(s.Image!)), row.Sha256);
            Assert.Equal(fingerprinter.Complete(fingerprinter.Prepare("x.jpg", s.Image!)).PerceptualHash, row.PerceptualHash);
        }
        Assert.Empty(store.FindByUrl(first[3].Url));
        Assert.Single(store.SearchCaptions("\"fixture picture 000010002\""));
    }

    // ---- clip-retrieval embeddings ----------------------------------------------------------------

    [Fact]
    public void Clip_retrieval_parts_in_float16_and_float32_are_aligned_with_their_metadata()
    {
        var root = Path.Combine(folder, "clip");
        var part0 = UnitVectors(7, 48, seed: 1);
        var part1 = UnitVectors(5, 48, seed: 2);
        WriteClipRetrievalPart(root, 0, part0, float16: true);
        WriteClipRetrievalPart(root, 1, part1, float16: false);

        var shards = DatasetDiscovery.Discover(root);
        Assert.Equal(2, shards.Count);
        Assert.All(shards, s => Assert.IsType<ClipRetrievalPart>(s));
        Assert.IsType<ClipRetrievalPart>(Assert.Single(DatasetDiscovery.Discover(Path.Combine(root, "img_emb", "img_emb_1.npy"))));
        Assert.IsType<ClipRetrievalPart>(Assert.Single(DatasetDiscovery.Discover(Path.Combine(root, "metadata", "metadata_0.parquet"))));

        var (summary, events) = Import(store, fingerprinter, "clip-fixture-model", "clip", root);
        AssertNoProblems(events);
        Assert.Equal((12L, 0L, 2), (summary.Rows, summary.Fingerprinted, summary.ShardsImported));
        Assert.Equal("clip-fixture-model", store.ModelId);
        Assert.Equal(48, store.Dimensions);

        var vectors = store.EmbeddingsAfter(0).ToDictionary(e => e.Id, e => e.Vector);
        Assert.Equal(12, vectors.Count);
        foreach (var (part, expected) in new[] { (0, part0), (1, part1) })
        {
            for (int i = 0; i < expected.Length; i++)
            {
                var row = Assert.Single(store.FindByUrl($"https://clip{part}.example.org/{i}.jpg"));
                Assert.Equal((ClipKey(part, i), $"clip part {part} row {i}"), (row.Key, row.Caption));
                Assert.True(row.HasEmbedding);
                Assert.Equal(HalfVectors.ToHalf(expected[i]), vectors[row.Id]);
            }
        }

        // The stored vectors are searchable: each one finds its own row first.
        using var search = VectorIndex.Open(store);
        Assert.Equal(VectorSearchKind.Exact, search.Kind);
        var target = Assert.Single(store.FindByUrl("https://clip1.example.org/3.jpg"));
        var (id, similarity) = search.Search(part1[3], 1)[0];
        Assert.Equal(target.Id, id);
        Assert.Equal(1f, similarity, 2);
        Assert.Equal(12, store.ListDatasets().Single().WithEmbedding);
    }

    [Fact]
    public void Clip_retrieval_parts_need_the_model_that_made_them()
    {
        var root = Path.Combine(folder, "clip-nomodel");
        WriteClipRetrievalPart(root, 0, UnitVectors(3, 8, seed: 3), float16: true);
        var (summary, events) = Import(store, fingerprinter, null, "clip", root);
        var problem = Assert.Single(Problems(events));
        var error = Assert.IsType<DatasetFormatException>(problem.Error);
        Assert.Contains("model", error.Message);
        Assert.Equal((0L, 1), (summary.Rows, summary.ShardsFailed));
        Assert.Null(store.ModelId);
    }

    // ---- a plain folder of images -----------------------------------------------------------------

    [Fact]
    public void A_plain_folder_of_images_is_imported_recursively_with_paths_as_urls()
    {
        var root = Path.Combine(folder, "pictures");
        Directory.CreateDirectory(Path.Combine(root, "sub", "deeper"));
        var files = new[] { Path.Combine(root, "a.png"), Path.Combine(root, "sub", "b.jpg"), Path.Combine(root, "sub", "deeper", "c.webp"), Path.Combine(root, "d.BMP") };
        for (int i = 0; i < files.Length; i++)
        {
            using var art = SampleArt.Create(7700 + i, 120, 90);
            art.Save(files[i]);
        }
        File.WriteAllText(Path.Combine(root, "notes.txt"), "not an image");
        File.WriteAllText(Path.Combine(root, "sub", "meta.json"), "{}");

        var shard = Assert.IsType<ImageFolderShard>(Assert.Single(DatasetDiscovery.Discover(root)));
        Assert.Equal(4, shard.Count);

        var (summary, events) = Import(store, fingerprinter, null, "pictures", root);
        AssertNoProblems(events);
        Assert.Equal((4L, 4L, 0L), (summary.Rows, summary.Fingerprinted, summary.Skipped));
        foreach (var file in files)
        {
            var row = Assert.Single(store.FindByUrl(file));
            var expected = fingerprinter.Fingerprint(file);
            Assert.Equal(Path.GetRelativePath(root, file), row.Key);
            Assert.Equal((120, 90), (row.Width, row.Height));
            Assert.Equal(expected.PerceptualHash, row.PerceptualHash);
            Assert.Equal(Convert.FromHexString(expected.Sha256), row.Sha256);
        }
        Assert.Equal(4, store.EmbeddingsAfter(0).Count());
    }

    // ---- discovery ------------------------------------------------------------------------------

    [Fact]
    public void Discovery_refuses_what_is_not_a_dataset()
    {
        var empty = Path.Combine(folder, "empty");
        Directory.CreateDirectory(empty);
        File.WriteAllText(Path.Combine(empty, "readme.md"), "nothing here");
        var noDataset = Assert.Throws<DatasetFormatException>(() => DatasetDiscovery.Discover(empty));
        Assert.Equal(empty, noDataset.Path);

        var text = Path.Combine(folder, "list.csv");
        File.WriteAllText(text, "url,caption");
        Assert.Contains(text, Assert.Throws<DatasetFormatException>(() => DatasetDiscovery.Discover(text)).Message);

        Assert.Throws<FileNotFoundException>(() => DatasetDiscovery.Discover(Path.Combine(folder, "missing")));

        var badName = Path.Combine(folder, "embeddings.npy");
        File.WriteAllBytes(badName, NpyBytes(UnitVectors(1, 4, 1), true));
        Assert.Contains("img_emb_N.npy", Assert.Throws<DatasetFormatException>(() => DatasetDiscovery.Discover(badName)).Message);
    }

    [Fact]
    public void A_missing_path_is_reported_and_the_other_paths_are_imported()
    {
        var file = Path.Combine(folder, "ok.parquet");
        WriteLaionUpperCase(file, 0, 5, widthAsDouble: false);
        var missing = Path.Combine(folder, "nope");
        var (summary, events) = Import(store, null, null, "mixed", missing, file);
        var problem = Assert.Single(Problems(events));
        Assert.Equal(missing, problem.Target);
        Assert.IsType<FileNotFoundException>(problem.Error);
        Assert.Equal(5L, summary.Rows);
    }

    // ---- The gate's readers are the importer's: the same strictness (issue 12) ----------------------

    [Fact]
    public void A_binary_url_column_is_imported_as_text_and_a_list_url_column_fails_only_its_shard()
    {
        var root = Path.Combine(folder, "typed");
        Directory.CreateDirectory(root);
        Gate.GateBypassTests.BinaryUrls(root);
        Gate.GateBypassTests.UnreadableUrls(root, "list");

        var (summary, events) = Import(store, null, null, "typed", root);

        Assert.Equal((3L, 1, 1), (summary.Rows, summary.ShardsImported, summary.ShardsFailed));
        Assert.Equal("k1", Assert.Single(store.FindByUrl("https://refused.example/1.jpg")).Key);
        var problem = Assert.Single(Problems(events));
        Assert.Contains("'url'", problem.Error.Message);
        Assert.EndsWith("list.parquet", problem.Target);
    }

    [Fact]
    public void A_tar_member_over_2_GiB_is_reported_and_the_rest_of_its_tar_and_the_next_tar_are_imported()
    {
        var root = Path.Combine(folder, "huge");
        Directory.CreateDirectory(root);
        var sample = MakeSamples(0, 1, failed: _ => false)[0];
        Gate.GateBypassTests.SparseTarWithHugeMember(root, sample);
        var next = MakeSamples(1, 2, failed: _ => false);
        WriteWebDatasetTar(Path.Combine(root, "00001.tar"), next);

        var (summary, events) = Import(store, null, null, "huge", root);

        Assert.Equal((4L, 2, 0), (summary.Rows, summary.ShardsImported, summary.ShardsFailed));
        Assert.Single(store.FindByUrl(sample.Url));
        Assert.Single(store.FindByUrl(next[1].Url));
        Assert.Contains(Problems(events), p => p.Error.Message.Contains("huge.jpg") && p.Error.Message.Contains("over the limit"));
    }
}
