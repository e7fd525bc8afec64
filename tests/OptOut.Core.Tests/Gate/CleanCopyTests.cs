using System.Formats.Tar;
using System.Xml.Linq;
using OptOut.Core.Datasets;
using OptOut.Core.Gate;
using OptOut.Core.Registry;
using Parquet;
using Parquet.Schema;
using Xunit;
using static OptOut.Core.Tests.Gate.GateFixtures;
using static OptOut.Core.Tests.Index.IndexFixtures;

namespace OptOut.Core.Tests.Gate;

/// <summary>The cleaned copy of each layout, read back and compared row by row, and the reports.</summary>
public class CleanCopyTests
{
    /// <summary>Checks <paramref name="input"/> and writes its clean copy the way Export-CleanTrainingSet does.</summary>
    private static (string Output, Outcome Outcome) Clean(string input, ConsentRules rules, string? embeddingModelId = null)
    {
        var output = Path.Combine(TestEnvironment.NewScratchFolder(), "clean");
        using var staged = StagedDestination.Create(output, replaceExisting: false);
        var settings = new GateSettings { Dataset = "fixture", Rules = rules, EmbeddingModelId = embeddingModelId };
        var writer = new CleanCopyWriter(DatasetDiscovery.RootOf(input), staged.Staging, settings);
        var outcome = Check(input, rules, afterShard: (shard, result, removed) => writer.Write(shard, result, removed, CancellationToken.None), embeddingModelId: embeddingModelId);
        Assert.All(outcome.Shards, s => Assert.Null(s.Failure));
        if (Directory.Exists(input)) writer.CopyOtherFiles();
        staged.Commit(CleanCopyMarker.For(input, "OptOut"));
        Assert.Empty(Directory.GetDirectories(Path.GetDirectoryName(output)!, ".clean.partial-*"));
        return (output, outcome);
    }

    private static List<SourceRow> Rows(string parquet) => new ParquetMetadataShard(parquet).ReadRows(CancellationToken.None).ToList();

    [Fact]
    public async Task A_parquet_copy_keeps_schema_metadata_codec_row_groups_and_order_without_the_removed_rows()
    {
        var folder = TestEnvironment.NewScratchFolder();
        var input = Path.Combine(folder, "part-0.parquet");
        WriteAllKindsOfColumns(input, rows: 25);
        var rules = Rules(RefuseUrl(Url(3)), RefuseUrl(Url(10)), RefuseUrl(Url(11)), RefuseUrl(Url(24)));

        var (output, outcome) = Clean(input, rules);
        var copy = Path.Combine(output, "part-0.parquet");

        Assert.Equal(4, outcome.Counters.ViolatingRows);
        await using var original = await ParquetReader.CreateAsync(input);
        await using var cleaned = await ParquetReader.CreateAsync(copy);
        Assert.Equal(original.Schema.ToString(), cleaned.Schema.ToString());
        Assert.Equal(original.CustomMetadata, cleaned.CustomMetadata);
        Assert.Equal("GZIP", cleaned.Metadata!.RowGroups[0].Columns[0].MetaData!.Codec.ToString());
        // Row groups of 10: 10 - 1 removed, 10 - 2, 5 - 1.
        Assert.Equal([9L, 8L, 4L], cleaned.Metadata.RowGroups.Select(g => g.NumRows));
        var kept = Enumerable.Range(0, 25).Where(i => i is not (3 or 10 or 11 or 24)).ToList();
        Assert.Equal(kept.Select(i => (long)i), ReadColumn<long>(cleaned, "id"));
        Assert.Equal(kept.Select(i => i % 4 == 0 ? null : $"caption {i}"), ReadStrings(cleaned, "caption"));
        Assert.Equal(kept.Select(i => i % 3 == 0 ? (double?)null : i * 1.5), ReadColumn<double?>(cleaned, "score"));
        Assert.Equal(kept.Select(i => Tags(i).ToList()), ReadLists(cleaned, "element"));
    }

    [Fact]
    public void An_img2dataset_files_copy_drops_the_removed_samples_files_and_parquet_rows()
    {
        var root = TestEnvironment.NewScratchFolder();
        var samples = MakeSamples(0, 6, failed: i => i == 5);
        WriteImg2DatasetFilesShard(root, 0, samples);
        File.WriteAllText(Path.Combine(root, "00000_stats.json"), "{\"count\": 6}");
        var rules = Rules(RefuseUrl(samples[1].Url), RefuseUrl(samples[4].Url));

        var (output, _) = Clean(root, rules);

        var keptKeys = samples.Where((_, i) => i is not (1 or 4)).Select(s => s.Key).ToList();
        Assert.Equal(keptKeys, Rows(Path.Combine(output, "00000.parquet")).Select(r => r.Key));
        Assert.False(File.Exists(Path.Combine(output, "00000", samples[1].Key + ".jpg")));
        Assert.False(File.Exists(Path.Combine(output, "00000", samples[4].Key + ".json")));
        Assert.Equal(File.ReadAllBytes(Path.Combine(root, "00000", samples[2].Key + ".jpg")), File.ReadAllBytes(Path.Combine(output, "00000", samples[2].Key + ".jpg")));
        // Samples 0, 2 and 3 are downloaded and kept (5 failed, 1 and 4 removed): .jpg, .txt and .json each.
        Assert.Equal(9, Directory.GetFiles(Path.Combine(output, "00000")).Length);
        Assert.True(File.Exists(Path.Combine(output, "00000_stats.json")));
        Assert.Empty(Check(output, rules).Violations);
    }

    [Fact]
    public void A_webdataset_copy_drops_the_removed_samples_members_and_their_parquet_rows()
    {
        var root = TestEnvironment.NewScratchFolder();
        var samples = MakeSamples(3, 5, failed: i => i == 0);
        WriteWebDatasetTar(Path.Combine(root, "00003.tar"), samples);
        WriteLowerCaseMetadata(Path.Combine(root, "00003.parquet"),
            samples.Select(s => (s.Key, s.Url, s.Caption, s.Success ? "success" : "failed_to_download", 96L, 72L)).ToList());
        var rules = Rules(RefuseDomain("shard3.example.net"), Grant(ClaimKind.Url, samples[2].Url));
        // Everything in shard 3 is refused by domain except the failed download, which is not a sample.

        var (output, outcome) = Clean(root, rules);

        Assert.Equal(4, outcome.Counters.ViolatingRows);
        using var tar = new TarReader(File.OpenRead(Path.Combine(output, "00003.tar")));
        var members = new List<string>();
        while (tar.GetNextEntry() is { } entry) members.Add(entry.Name);
        Assert.Equal([samples[0].Key + ".json"], members);
        Assert.Equal([samples[0].Key], Rows(Path.Combine(output, "00003.parquet")).Select(r => r.Key));
    }

    [Fact]
    public void A_clip_retrieval_copy_keeps_embeddings_aligned_with_their_metadata()
    {
        var root = TestEnvironment.NewScratchFolder();
        var vectors = UnitVectors(12, 16, seed: 3);
        WriteClipRetrievalPart(root, 0, vectors, float16: false);
        var rules = Rules(RefuseUrl("https://clip0.example.org/2.jpg"), RefuseUrl("https://clip0.example.org/9.jpg"));

        var (output, _) = Clean(Path.Combine(root, "img_emb", "img_emb_0.npy"), rules);

        var part = Assert.IsType<ClipRetrievalPart>(Assert.Single(DatasetDiscovery.Discover(output)));
        var rows = part.ReadRows(CancellationToken.None).ToList();
        var kept = Enumerable.Range(0, 12).Where(i => i is not (2 or 9)).ToList();
        Assert.Equal(kept.Select(i => ClipKey(0, i)), rows.Select(r => r.Key));
        for (int k = 0; k < kept.Count; k++)
        {
            Assert.Equal(vectors[kept[k]].Select(v => (float)(Half)v), rows[k].Embedding!.Select(h => (float)h));
        }
        using var npy = NpyFile.Open(part.EmbeddingPath);
        Assert.Equal((10L, 16, 4), (npy.Rows, npy.Columns, npy.ElementSize));
        Assert.Equal(0, npy.DataOffset % 64);
    }

    [Fact]
    public void An_image_folder_copy_leaves_out_the_removed_images()
    {
        var root = TestEnvironment.NewScratchFolder();
        Directory.CreateDirectory(Path.Combine(root, "sub"));
        File.WriteAllBytes(Path.Combine(root, "a.png"), Png(1));
        File.WriteAllBytes(Path.Combine(root, "sub", "b.png"), Png(2));
        File.WriteAllBytes(Path.Combine(root, "sub", "c.jpg"), Jpeg(3));
        var rules = Rules(RefuseContent(new ContentFingerprint(Sha256Hex(Png(2)), null, null, null)));

        var (output, outcome) = Clean(root, rules);

        Assert.Equal([(GateRule.Content, Path.Combine("sub", "b.png"))], outcome.Findings);
        Assert.Equal(["a.png", Path.Combine("sub", "c.jpg")],
            Directory.GetFiles(output, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(output, f)).Where(f => f != CleanCopyMarker.FileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void A_staged_destination_replaces_an_existing_one_only_when_allowed_and_only_on_commit()
    {
        var folder = TestEnvironment.NewScratchFolder();
        var destination = Path.Combine(folder, "out");
        Directory.CreateDirectory(destination);
        File.WriteAllText(Path.Combine(destination, "old.txt"), "old");

        Assert.Throws<IOException>(() => StagedDestination.Create(destination, replaceExisting: false));
        // An earlier clean copy (it carries the marker) may be replaced.
        CleanCopyMarker.For(folder, "OptOut").WriteInto(destination);
        using (var abandoned = StagedDestination.Create(destination, replaceExisting: true))
        {
            File.WriteAllText(Path.Combine(abandoned.Staging, "new.txt"), "new");
        }
        Assert.Equal(["old.txt"], Directory.GetFiles(destination).Select(Path.GetFileName).Where(n => n != CleanCopyMarker.FileName));
        Assert.Equal([destination], Directory.GetFileSystemEntries(folder));

        using (var staged = StagedDestination.Create(destination, replaceExisting: true))
        {
            File.WriteAllText(Path.Combine(staged.Staging, "new.txt"), "new");
            staged.Commit(CleanCopyMarker.For(folder, "OptOut"));
        }
        Assert.Equal(["new.txt"], Directory.GetFiles(destination).Select(Path.GetFileName).Where(n => n != CleanCopyMarker.FileName));
        Assert.Equal([destination], Directory.GetFileSystemEntries(folder));
    }

    [Fact]
    public void The_junit_report_has_a_case_a_shard_with_failures_and_errors_counted()
    {
        var folder = TestEnvironment.NewScratchFolder();
        WriteLaionUpperCase(Path.Combine(folder, "clean.parquet"), 5000, 10, widthAsDouble: false);
        WriteLaionUpperCase(Path.Combine(folder, "dirty.parquet"), 1000, 10, widthAsDouble: false);
        File.WriteAllBytes(Path.Combine(folder, "broken.parquet"), [(byte)'P', (byte)'A', (byte)'R', (byte)'1', 0, 0]);
        var outcome = Check(folder, Rules(RefuseUrl(LaionUrl(1001)), RefuseUrl(LaionUrl(1008))));
        var report = new JUnitReport("fixture", new Dictionary<string, string> { ["policy"] = "OptOut" });
        outcome.Violations.ForEach(report.Add);
        outcome.Shards.ForEach(report.Add);
        var path = Path.Combine(folder, "junit.xml");

        report.Write(path);

        var xml = XDocument.Load(path);
        var suite = xml.Root!.Element("testsuite")!;
        Assert.Equal(("3", "1", "1"), ((string)suite.Attribute("tests")!, (string)suite.Attribute("failures")!, (string)suite.Attribute("errors")!));
        var cases = suite.Elements("testcase").ToDictionary(c => Path.GetFileName((string)c.Attribute("name")!));
        Assert.Null(cases["clean.parquet"].Element("failure"));
        var failure = cases["dirty.parquet"].Element("failure")!;
        Assert.Contains("2 violations", (string)failure.Attribute("message")!);
        Assert.Contains("key 1001 Url", failure.Value);
        Assert.Contains("key 1008 Url", failure.Value);
        Assert.Contains("broken.parquet", (string)cases["broken.parquet"].Element("error")!.Attribute("message")! + cases["broken.parquet"].Element("error")!.Value);
        Assert.Equal("OptOut", (string)suite.Element("properties")!.Element("property")!.Attribute("value")!);
    }

    [Fact]
    public void The_removal_report_quotes_csv_and_defuses_formulas()
    {
        var path = Path.Combine(TestEnvironment.NewScratchFolder(), "removed.csv");
        using (var report = new RemovalReport(path))
        {
            report.Add(new Violation("d", "/x/s.parquet", "/x/s.parquet", 4, "=cmd()", "https://a.example/x,y.jpg", GateRule.Url, "id-1", "Smith, \"J\"", "detail"), "s.parquet");
            Assert.False(File.Exists(path));   // published only when complete
            report.Commit();
        }

        var lines = File.ReadAllLines(path);
        Assert.Equal("Shard,Row,Key,Url,Rule,RecordId,Claimant,Detail", lines[0]);
        Assert.Equal("s.parquet,4,'=cmd(),\"https://a.example/x,y.jpg\",Url,id-1,\"Smith, \"\"J\"\"\",detail", lines[1]);
    }

    // ---- a parquet with every kind of column -----------------------------------------------

    private static string Url(int i) => $"https://cdn.example.org/{i}.jpg";

    private static IEnumerable<string> Tags(int i) => Enumerable.Range(0, i % 3).Select(t => $"t{i}-{t}");

    private static void WriteAllKindsOfColumns(string path, int rows)
    {
        var id = new DataField<long>("id");
        var url = new DataField<string>("url");
        var caption = new DataField<string>("caption", nullable: true);
        var score = new DataField<double?>("score");
        var tags = new DataField<string>("element");
        var schema = new ParquetSchema(id, url, caption, score, new ListField("tags", tags));
        using var stream = File.Create(path);
        var writer = ParquetWriter.CreateAsync(schema, stream, new ParquetOptions { CompressionMethod = CompressionMethod.Gzip }).GetAwaiter().GetResult();
        writer.CustomMetadata = new Dictionary<string, string> { ["pandas"] = "{\"index_columns\": []}", ["writer"] = "test" };
        for (int start = 0; start < rows; start += 10)
        {
            var range = Enumerable.Range(start, Math.Min(10, rows - start)).ToList();
            using var group = writer.CreateRowGroup();
            group.WriteAsync<long>(id, range.Select(i => (long)i).ToArray().AsMemory()).GetAwaiter().GetResult();
            group.WriteAsync(url, range.Select(Url).ToList(), null).GetAwaiter().GetResult();
            group.WriteAsync(caption, range.Select(i => i % 4 == 0 ? null : $"caption {i}").ToList()!, null).GetAwaiter().GetResult();
            group.WriteAsync<double>(score, range.Select(i => i % 3 == 0 ? (double?)null : i * 1.5).ToArray().AsMemory()).GetAwaiter().GetResult();
            // A list column: values flattened, a repetition level of 0 starts each row; an empty list is one slot at level 1.
            var values = new List<string>();
            var definitions = new List<int>();
            var repetitions = new List<int>();
            foreach (var i in range)
            {
                var list = Tags(i).ToList();
                if (list.Count == 0) { definitions.Add(1); repetitions.Add(0); continue; }
                for (int t = 0; t < list.Count; t++) { values.Add(list[t]); definitions.Add(tags.MaxDefinitionLevel); repetitions.Add(t == 0 ? 0 : 1); }
            }
            group.WriteAllPartsAsync(tags, (ReadOnlyMemory<ReadOnlyMemory<char>>)values.Select(v => v.AsMemory()).ToArray(), definitions.ToArray(), repetitions.ToArray(),
                CancellationToken.None).GetAwaiter().GetResult();
            group.CompleteValidate();
        }
        writer.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    private static List<T> ReadColumn<T>(ParquetReader reader, string name)
    {
        var field = reader.Schema.GetDataFields().Single(f => f.Name == name);
        var all = new List<T>();
        for (int g = 0; g < reader.RowGroupCount; g++)
        {
            using var group = reader.OpenRowGroupReader(g);
            var values = new T[group.RowCount];
            if (typeof(T) == typeof(long)) group.ReadAsync(field, (Memory<long>)(object)values.AsMemory()).AsTask().GetAwaiter().GetResult();
            else group.ReadAsync(field, (Memory<double?>)(object)values.AsMemory()).AsTask().GetAwaiter().GetResult();
            all.AddRange(values);
        }
        return all;
    }

    private static List<string?> ReadStrings(ParquetReader reader, string name)
    {
        var field = reader.Schema.GetDataFields().Single(f => f.Name == name);
        var all = new List<string?>();
        for (int g = 0; g < reader.RowGroupCount; g++)
        {
            using var group = reader.OpenRowGroupReader(g);
            var values = new string?[group.RowCount];
            group.ReadAsync(field, values.AsMemory()).AsTask().GetAwaiter().GetResult();
            all.AddRange(values);
        }
        return all;
    }

    private static List<List<string>> ReadLists(ParquetReader reader, string name)
    {
        var field = reader.Schema.GetDataFields().Single(f => f.Name == name);
        var rows = new List<List<string>>();
        for (int g = 0; g < reader.RowGroupCount; g++)
        {
            using var group = reader.OpenRowGroupReader(g);
            using var raw = (Parquet.Data.RawColumnData<ReadOnlyMemory<char>>)group.ReadRawColumnDataBaseAsync(field).AsTask().GetAwaiter().GetResult();
            int value = 0;
            var definitions = raw.DefinitionLevels;
            var repetitions = raw.RepetitionLevels;
            for (int slot = 0; slot < definitions.Length; slot++)
            {
                if (repetitions[slot] == 0) rows.Add(new List<string>());
                if (definitions[slot] == field.MaxDefinitionLevel) rows[^1].Add(raw.Values[value++].ToString());
            }
        }
        return rows;
    }
}
