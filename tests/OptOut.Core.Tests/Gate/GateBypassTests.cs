using System.Formats.Tar;
using System.Text;
using System.Xml.Linq;
using OptOut.Core.Datasets;
using OptOut.Core.Gate;
using OptOut.Core.Index;
using OptOut.Core.Registry;
using Parquet;
using Parquet.Schema;
using Xunit;
using static OptOut.Core.Tests.Gate.GateFixtures;
using static OptOut.Core.Tests.Index.IndexFixtures;

namespace OptOut.Core.Tests.Gate;

/// <summary>
/// Ways refused data could get past the gate (issue 12), each on real files the test writes: keys
/// that differ from file names, unreadable column types, control characters in reports, shards
/// read only in part, symbolic links, oversized tar members and what failures leave behind.
/// </summary>
public class GateBypassTests
{
    /// <summary>Checks and writes a clean copy as Export-CleanTrainingSet does; returns the copy's folder and the check.</summary>
    private static (string Output, Outcome Outcome) CleanCopy(string input, ConsentRules rules)
    {
        var output = Path.Combine(TestEnvironment.NewScratchFolder(), "clean");
        var settings = new GateSettings { Dataset = "fixture", Rules = rules };
        using var staged = StagedDestination.Create(output, replaceExisting: false);
        var writer = new CleanCopyWriter(DatasetDiscovery.RootOf(input), staged.Staging, settings);
        var outcome = Check(input, rules, afterShard: (shard, result, removed) => writer.Write(shard, result, removed, CancellationToken.None));
        if (outcome.Shards.All(s => s.Failure is null))
        {
            if (Directory.Exists(input)) writer.CopyOtherFiles();
            staged.Commit(CleanCopyMarker.For(input, "OptOut"));
        }
        return (output, outcome);
    }

    private static List<string> TarMembers(string path)
    {
        using var tar = new TarReader(File.OpenRead(path));
        var members = new List<string>();
        while (tar.GetNextEntry() is { } entry) members.Add(entry.Name);
        return members;
    }

    // ---- 1. files are matched to rows the way the reader matched them ------------------------------

    [Fact]
    public void An_img2dataset_sample_whose_json_key_is_not_its_file_name_leaves_the_copy_with_all_its_files()
    {
        var root = TestEnvironment.NewScratchFolder();
        var samples = MakeSamples(0, 3, failed: _ => false);
        var folder = WriteImg2DatasetFilesShard(root, 0, samples, withParquet: false);
        // The JSON of sample 1 names another key than its files (000000001.jpg, .txt, .json).
        File.WriteAllBytes(Path.Combine(folder, samples[1].Key + ".json"), SampleJson("renamed-1", samples[1].Url, null, "success"));
        var rules = Rules(RefuseUrl(samples[1].Url));

        var (output, outcome) = CleanCopy(root, rules);

        Assert.Equal([(GateRule.Url, "renamed-1")], outcome.Findings);
        Assert.Empty(Directory.GetFiles(Path.Combine(output, "00000"), samples[1].Key + ".*"));
        Assert.Equal(6, Directory.GetFiles(Path.Combine(output, "00000")).Length);
        Assert.Empty(Check(output, rules).Violations);
    }

    [Fact]
    public void A_tar_sample_whose_json_key_is_not_its_member_name_leaves_the_copy_with_all_its_members()
    {
        var root = TestEnvironment.NewScratchFolder();
        var samples = MakeSamples(1, 3, failed: _ => false);
        var tar = Path.Combine(root, "00001.tar");
        WriteTar(tar, samples.SelectMany(s => new[]
        {
            new TarMember(s.Key + ".jpg", s.Image!),
            new TarMember(s.Key + ".json", SampleJson(s == samples[2] ? "other-key" : s.Key, s.Url, s.Caption, "success")),
        }));
        var rules = Rules(RefuseUrl(samples[2].Url));

        var (output, outcome) = CleanCopy(root, rules);

        Assert.Equal([(GateRule.Url, "other-key")], outcome.Findings);
        Assert.Equal(samples.Take(2).SelectMany(s => new[] { s.Key + ".jpg", s.Key + ".json" }), TarMembers(Path.Combine(output, "00001.tar")));
        Assert.Empty(Check(output, rules).Violations);
    }

    [Fact]
    public void Of_two_tar_samples_under_one_key_only_the_refused_one_is_removed_and_the_counts_are_what_was_written()
    {
        var root = TestEnvironment.NewScratchFolder();
        var samples = MakeSamples(2, 6, failed: _ => false);
        // Samples 1 and 4 share one member name, as a concatenation of two downloads can make them.
        samples[4] = samples[4] with { Key = samples[1].Key };
        var tar = Path.Combine(root, "00002.tar");
        WriteTar(tar, samples.SelectMany(s => new[]
        {
            new TarMember(s.Key + ".jpg", s.Image!),
            new TarMember(s.Key + ".json", SampleJson(s.Key, s.Url, s.Caption, "success")),
        }));
        var rules = Rules(RefuseUrl(samples[4].Url));

        var (output, outcome) = CleanCopy(root, rules);

        var shard = Assert.Single(outcome.Shards);
        Assert.Equal((6L, 1L, 5L), (shard.Rows, shard.ViolatingRows, shard.RowsWritten));
        var copy = new WebDatasetTarShard(Path.Combine(output, "00002.tar")).ReadRows(CancellationToken.None).ToList();
        Assert.Equal(5, copy.Count);
        Assert.Equal(samples.Where((_, i) => i != 4).Select(s => s.Url), copy.Select(r => r.Url));
    }

    [Fact]
    public void A_copy_that_would_still_hold_what_it_should_not_fails_the_re_check_and_nothing_is_published()
    {
        var root = TestEnvironment.NewScratchFolder();
        var samples = MakeSamples(0, 3, failed: _ => false);
        WriteImg2DatasetFilesShard(root, 0, samples);
        // Rows 1 and 2 of the parquet name the same key: removing row 1's files takes row 2's image away.
        WriteLowerCaseMetadata(Path.Combine(root, "00000.parquet"),
        [
            (samples[0].Key, samples[0].Url, "a", "success", 96, 72),
            (samples[1].Key, samples[1].Url, "b", "success", 96, 72),
            (samples[1].Key, "https://kept.example/other.jpg", "c", "success", 96, 72),
        ]);
        var rules = Rules(RefuseUrl(samples[1].Url));

        var (output, outcome) = CleanCopy(root, rules);

        var failure = Assert.Single(outcome.Shards).Failure;
        Assert.IsType<CleanCopyCheckException>(failure);
        Assert.Contains("read back", failure!.Message);
        Assert.False(Directory.Exists(output));
    }

    // ---- 2. every column a rule reads is read, or the shard fails -----------------------------------

    private static void WriteUrlColumn(string path, Field urlField, Func<ParquetRowGroupWriter, Task> writeUrl, int rows = 3)
    {
        var key = new DataField<string>("key");
        using var stream = File.Create(path);
        var writer = ParquetWriter.CreateAsync(new ParquetSchema(key, urlField), stream).GetAwaiter().GetResult();
        using (var group = writer.CreateRowGroup())
        {
            group.WriteAsync(key, Enumerable.Range(0, rows).Select(i => $"k{i}").ToList(), null).GetAwaiter().GetResult();
            writeUrl(group).GetAwaiter().GetResult();
            group.CompleteValidate();
        }
        writer.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    internal static string BinaryUrls(string folder)
    {
        var path = Path.Combine(folder, "binary.parquet");
        var url = new DataField<byte[]>("url");
        WriteUrlColumn(path, url, g => g.WriteAsync(url, new[] { "https://ok.example/0.jpg", "https://refused.example/1.jpg", "https://ok.example/2.jpg" }
            .Select(Encoding.UTF8.GetBytes).ToList(), null));
        return path;
    }

    [Fact]
    public void A_binary_url_column_without_the_utf8_annotation_is_read_as_text_by_the_gate_and_the_importer()
    {
        var path = BinaryUrls(TestEnvironment.NewScratchFolder());

        var outcome = Check(path, Rules(RefuseDomain("refused.example")));

        Assert.Equal([(GateRule.Domain, "k1")], outcome.Findings);
        Assert.Equal(["https://ok.example/0.jpg", "https://refused.example/1.jpg", "https://ok.example/2.jpg"],
            new ParquetMetadataShard(path).ReadRows(CancellationToken.None).Select(r => r.Url));
    }

    public static TheoryData<string> UnreadableUrlColumns => new() { "list", "struct", "int" };

    internal static string UnreadableUrls(string folder, string kind)
    {
        var path = Path.Combine(folder, kind + ".parquet");
        switch (kind)
        {
            case "list":
            {
                var element = new DataField<string>("element");
                WriteUrlColumn(path, new ListField("url", element), g => g.WriteAllPartsAsync(element,
                    (ReadOnlyMemory<ReadOnlyMemory<char>>)new[] { "https://refused.example/0.jpg".AsMemory(), "https://refused.example/1.jpg".AsMemory(), "https://refused.example/2.jpg".AsMemory() },
                    new[] { 3, 3, 3 }, new[] { 0, 0, 0 }, CancellationToken.None));
                break;
            }
            case "struct":
            {
                var href = new DataField<string>("href");
                WriteUrlColumn(path, new StructField("url", href), g => g.WriteAsync(href, new[] { "https://refused.example/0.jpg", "https://refused.example/1.jpg", "https://refused.example/2.jpg" }, null));
                break;
            }
            default:
            {
                var url = new DataField<long>("url");
                WriteUrlColumn(path, url, g => g.WriteAsync<long>(url, new long[] { 1, 2, 3 }.AsMemory()));
                break;
            }
        }
        return path;
    }

    [Theory]
    [MemberData(nameof(UnreadableUrlColumns))]
    public void A_url_column_of_a_type_that_is_not_text_fails_the_shard_in_the_gate_and_the_importer(string kind)
    {
        var path = UnreadableUrls(TestEnvironment.NewScratchFolder(), kind);

        var outcome = Check(path, Rules(RefuseDomain("refused.example")));

        var failure = Assert.Single(outcome.Shards).Failure;
        Assert.IsType<DatasetFormatException>(failure);
        Assert.Contains("'url'", failure!.Message);
        var error = Assert.Throws<DatasetFormatException>(() => new ParquetMetadataShard(path).ReadRows(CancellationToken.None).ToList());
        Assert.Contains("'url'", error.Message);
    }

    [Fact]
    public void A_status_column_that_is_not_text_fails_the_shard_instead_of_passing_every_row_as_downloaded()
    {
        var path = Path.Combine(TestEnvironment.NewScratchFolder(), "status.parquet");
        WriteParquet(path, [Strings("key", ["a"]), Strings("url", ["https://refused.example/a.jpg"]), Longs("status", [1])]);

        var failure = Assert.Single(Check(path, Rules(RefuseDomain("refused.example"))).Shards).Failure;

        Assert.Contains("'status'", Assert.IsType<DatasetFormatException>(failure).Message);
    }

    [Fact]
    public void A_sample_json_whose_url_is_not_a_string_is_a_row_problem_and_the_sample_is_left_out_of_the_copy()
    {
        var root = TestEnvironment.NewScratchFolder();
        var samples = MakeSamples(0, 2, failed: _ => false);
        var folder = WriteImg2DatasetFilesShard(root, 0, samples, withParquet: false);
        File.WriteAllText(Path.Combine(folder, samples[1].Key + ".json"), $"{{\"key\": \"{samples[1].Key}\", \"url\": [\"https://refused.example/1.jpg\"], \"status\": \"success\"}}");

        var (output, outcome) = CleanCopy(root, Rules(RefuseDomain("refused.example")));

        Assert.Contains(outcome.Problems, p => p.Error.Message.Contains("'url' is a JSON Array"));
        Assert.False(outcome.Shards.Single().Clean);
        Assert.Empty(Directory.GetFiles(Path.Combine(output, "00000"), samples[1].Key + ".jpg"));
    }

    // ---- 3. reports hold any text ---------------------------------------------------------------

    [Fact]
    public void A_control_character_in_a_url_is_written_to_the_junit_report_as_a_visible_escape()
    {
        var folder = TestEnvironment.NewScratchFolder();
        var report = new JUnitReport("fixture\u0002", new Dictionary<string, string> { ["paths"] = "/data/\u0001" });
        report.Add(new Violation("fixture", "s.parquet", "s.parquet", 0, "k\u001b", "https://refused.example/a\u0001b\ud800.jpg", GateRule.Domain, "id", "c", "detail"));
        report.Add(new ShardCheckResult("s.parquet", "parquet", 1, 1, 0, 1, 1, 0, TimeSpan.Zero, null));
        var path = Path.Combine(folder, "junit.xml");

        report.Write(path);

        var xml = XDocument.Load(path);
        var failure = xml.Descendants("failure").Single().Value;
        Assert.Contains(@"https://refused.example/a\u0001b\uD800.jpg", failure);
        Assert.Contains(@"key k\u001B", failure);
        Assert.Equal(@"/data/\u0001", (string)xml.Descendants("property").Single().Attribute("value")!);
    }

    [Fact]
    public void A_control_character_in_the_removal_report_is_a_visible_escape()
    {
        var path = Path.Combine(TestEnvironment.NewScratchFolder(), "removed.csv");
        using (var report = new RemovalReport(path))
        {
            report.Add(new Violation("d", "s", "s", 1, "\tkey", "https://a.example/\u0001.jpg", GateRule.Url, "id", "c", "d"), "s");
            report.Commit();
        }

        var line = File.ReadAllLines(path)[1];
        Assert.Equal(@"s,1,'	key,https://a.example/\u0001.jpg,Url,id,c,d", line);
    }

    // ---- 4. a shard read only in part is an error ------------------------------------------------

    [Fact]
    public void The_junit_report_names_a_shard_with_unreadable_rows_as_an_error_even_when_it_also_has_violations()
    {
        var root = TestEnvironment.NewScratchFolder();
        var samples = MakeSamples(0, 3, failed: _ => false);
        samples[2] = samples[2] with { Image = [1, 2, 3] };
        var tar = Path.Combine(root, "00000.tar");
        WriteTar(tar, samples.SelectMany(s => new[]
        {
            new TarMember(s.Key + ".jpg", s.Image!),
            new TarMember(s.Key + ".json", s == samples[2] ? Encoding.UTF8.GetBytes("{not json") : SampleJson(s.Key, s.Url, s.Caption, "success")),
        }));
        var outcome = Check(tar, Rules(RefuseUrl(samples[0].Url)));
        var report = new JUnitReport("fixture", new Dictionary<string, string>());
        outcome.Violations.ForEach(report.Add);
        outcome.Problems.ForEach(report.Add);
        outcome.Shards.ForEach(report.Add);
        var path = Path.Combine(root, "junit.xml");

        report.Write(path);

        var suite = XDocument.Load(path).Root!.Element("testsuite")!;
        Assert.Equal(("1", "1"), ((string)suite.Attribute("failures")!, (string)suite.Attribute("errors")!));
        var error = suite.Element("testcase")!.Element("error")!;
        Assert.Contains("not valid JSON", error.Value);
    }

    // ---- 7. symbolic links are not followed ----------------------------------------------------

    [Fact]
    public void A_symbolic_link_in_an_image_folder_is_reported_not_read_and_not_copied()
    {
        var outside = TestEnvironment.NewScratchFolder();
        var secret = Path.Combine(outside, "secret.png");
        File.WriteAllBytes(secret, Png(11));
        Directory.CreateDirectory(Path.Combine(outside, "more"));
        File.WriteAllBytes(Path.Combine(outside, "more", "deep.png"), Png(12));
        var root = TestEnvironment.NewScratchFolder();
        File.WriteAllBytes(Path.Combine(root, "a.png"), Png(1));
        File.CreateSymbolicLink(Path.Combine(root, "linked.png"), secret);
        Directory.CreateSymbolicLink(Path.Combine(root, "linked-folder"), Path.Combine(outside, "more"));
        var rules = Rules(RefuseContent(new ContentFingerprint(Sha256Hex(Png(1)), null, null, null)));

        var (output, outcome) = CleanCopy(root, rules);

        Assert.Equal([(GateRule.Content, "a.png")], outcome.Findings);
        Assert.Equal(2, outcome.Problems.Count);
        Assert.Contains(outcome.Problems, p => p.Error.Message.Contains(Path.Combine(root, "linked.png")) && p.Error.Message.Contains("symbolic link"));
        Assert.Contains(outcome.Problems, p => p.Error.Message.Contains(Path.Combine(root, "linked-folder")) && p.Error.Message.Contains("symbolic link"));
        Assert.Equal([CleanCopyMarker.FileName], Directory.GetFileSystemEntries(output, "*", SearchOption.AllDirectories).Select(Path.GetFileName));
    }

    [Fact]
    public void A_symbolic_link_in_an_img2dataset_shard_folder_is_reported_not_read_and_not_copied()
    {
        var outside = TestEnvironment.NewScratchFolder();
        var secret = Path.Combine(outside, "secret.jpg");
        File.WriteAllBytes(secret, Jpeg(99));
        var root = TestEnvironment.NewScratchFolder();
        var samples = MakeSamples(0, 2, failed: _ => false);
        var folder = WriteImg2DatasetFilesShard(root, 0, samples);
        File.Delete(Path.Combine(folder, samples[1].Key + ".jpg"));
        File.CreateSymbolicLink(Path.Combine(folder, samples[1].Key + ".jpg"), secret);

        var (output, outcome) = CleanCopy(root, Rules(RefuseDomain("unrelated.example")));

        Assert.Contains(outcome.Problems, p => p.Error.Message.Contains("symbolic link") && p.Error.Message.Contains(samples[1].Key + ".jpg"));
        Assert.False(File.Exists(Path.Combine(output, "00000", samples[1].Key + ".jpg")));
        Assert.True(File.Exists(Path.Combine(output, "00000", samples[0].Key + ".jpg")));
    }

    // ---- 11. tar members are streamed and size-limited ------------------------------------------

    /// <summary>
    /// A tar whose first member's header says 3 GiB: the data is a hole in a sparse file (a few
    /// kilobytes on disk), followed by an ordinary sample.
    /// </summary>
    internal static string SparseTarWithHugeMember(string folder, Sample after)
    {
        var path = Path.Combine(folder, "00000.tar");
        const long huge = 3L << 30;
        var header = new byte[512];
        Encoding.ASCII.GetBytes("huge.jpg").CopyTo(header, 0);
        Encoding.ASCII.GetBytes("0000644\0").CopyTo(header, 100);
        Encoding.ASCII.GetBytes("0000000\0").CopyTo(header, 108);
        Encoding.ASCII.GetBytes("0000000\0").CopyTo(header, 116);
        Encoding.ASCII.GetBytes(Convert.ToString(huge, 8).PadLeft(11, '0') + "\0").CopyTo(header, 124);
        Encoding.ASCII.GetBytes("14000000000\0").CopyTo(header, 136);
        header[156] = (byte)'0';
        Encoding.ASCII.GetBytes("ustar\0" + "00").CopyTo(header, 257);
        for (int i = 148; i < 156; i++) header[i] = (byte)' ';
        long sum = header.Sum(b => (long)b);
        Encoding.ASCII.GetBytes(Convert.ToString(sum, 8).PadLeft(6, '0') + "\0 ").CopyTo(header, 148);

        var rest = Path.Combine(folder, "rest.tar");
        WriteWebDatasetTar(rest, [after]);
        using (var stream = new FileStream(path, FileMode.CreateNew))
        {
            stream.Write(header);
            stream.Seek(huge, SeekOrigin.Current);   // a hole: nothing is written
            stream.Write(File.ReadAllBytes(rest));
        }
        File.Delete(rest);
        return path;
    }

    [Fact]
    public void A_tar_member_over_2_GiB_is_refused_from_its_header_without_reading_it_and_the_samples_after_it_are_read()
    {
        var folder = TestEnvironment.NewScratchFolder();
        var sample = MakeSamples(0, 1, failed: _ => false)[0];
        var tar = SparseTarWithHugeMember(folder, sample);
        var shard = new WebDatasetTarShard(tar);

        long before = GC.GetAllocatedBytesForCurrentThread();
        var rows = shard.ReadRows(CancellationToken.None).ToList();
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(["huge", sample.Key], rows.Select(r => r.Key));
        Assert.Equal(sample.Url, rows[1].Url);
        Assert.Equal(sample.Image, rows[1].ReadImage!());
        Assert.Contains(shard.RowProblems, p => p.Contains("huge.jpg") && p.Contains("over the limit"));
        Assert.True(allocated < 16 << 20, $"reading the tar allocated {allocated:N0} bytes");
    }

    [Fact]
    public void A_tar_member_over_the_limit_makes_the_gate_report_an_error_and_still_check_the_rest()
    {
        var folder = TestEnvironment.NewScratchFolder();
        var sample = MakeSamples(0, 1, failed: _ => false)[0];
        SparseTarWithHugeMember(folder, sample);
        var other = MakeSamples(1, 2, failed: _ => false);
        WriteWebDatasetTar(Path.Combine(folder, "00001.tar"), other);

        var outcome = Check(folder, Rules(RefuseUrl(sample.Url), RefuseUrl(other[1].Url)));

        Assert.Equal([(GateRule.Url, sample.Key), (GateRule.Url, other[1].Key)], outcome.Findings);
        Assert.All(outcome.Shards, s => Assert.Null(s.Failure));
        Assert.Contains(outcome.Problems, p => p.Error.Message.Contains("over the limit"));
        Assert.False(outcome.Shards.All(s => s.Clean));
    }

    // ---- 6 and 14: the destination, -Force and leftovers ---------------------------------------

    [Fact]
    public void Replacing_an_existing_destination_needs_it_to_be_an_earlier_clean_copy()
    {
        var folder = TestEnvironment.NewScratchFolder();
        var destination = Path.Combine(folder, "out");
        Directory.CreateDirectory(destination);
        File.WriteAllText(Path.Combine(destination, "mine.txt"), "the user's");

        var refused = Assert.ThrowsAny<IOException>(() => StagedDestination.Create(destination, replaceExisting: true));
        Assert.Contains("not a clean copy", refused.Message);
        Assert.True(File.Exists(Path.Combine(destination, "mine.txt")));
        Assert.Equal([destination], Directory.GetFileSystemEntries(folder));

        File.WriteAllText(Path.Combine(folder, "file"), "a file");
        Assert.ThrowsAny<IOException>(() => StagedDestination.Create(Path.Combine(folder, "file"), replaceExisting: true));
    }

    [Fact]
    public void A_clean_copy_carries_a_marker_and_can_be_replaced_by_the_next_one()
    {
        var folder = TestEnvironment.NewScratchFolder();
        var destination = Path.Combine(folder, "out");
        using (var first = StagedDestination.Create(destination, replaceExisting: false))
        {
            File.WriteAllText(Path.Combine(first.Staging, "a.txt"), "1");
            first.Commit(CleanCopyMarker.For("/data/set", "OptOut"));
        }
        var marker = CleanCopyMarker.Read(destination);
        Assert.NotNull(marker);
        Assert.Equal("/data/set", marker!.Source);

        using (var second = StagedDestination.Create(destination, replaceExisting: true))
        {
            File.WriteAllText(Path.Combine(second.Staging, "b.txt"), "2");
            second.Commit(CleanCopyMarker.For("/data/set", "OptOut"));
        }
        Assert.Equal(["b.txt"], Directory.GetFiles(destination).Select(Path.GetFileName).Where(n => !n!.StartsWith('.')));
    }

    [Fact]
    public void A_symbolic_link_as_destination_is_refused_and_what_it_points_at_is_untouched()
    {
        var folder = TestEnvironment.NewScratchFolder();
        var target = Path.Combine(folder, "data");
        Directory.CreateDirectory(target);
        File.WriteAllText(Path.Combine(target, CleanCopyMarker.FileName), "{}");
        File.WriteAllText(Path.Combine(target, "x.txt"), "kept");
        var link = Path.Combine(folder, "out");
        Directory.CreateSymbolicLink(link, target);

        Assert.ThrowsAny<IOException>(() => StagedDestination.Create(link, replaceExisting: true));
        Assert.True(File.Exists(Path.Combine(target, "x.txt")));
    }

    [Fact]
    public void Staging_folders_and_temporary_reports_left_by_a_killed_run_are_removed_by_the_next_one()
    {
        var folder = TestEnvironment.NewScratchFolder();
        var destination = Path.Combine(folder, "clean");
        var stale = Directory.CreateDirectory(Path.Combine(folder, ".clean.partial-0123456789abcdef0123456789abcdef")).FullName;
        File.WriteAllText(Path.Combine(stale, "half.parquet"), "half");
        // Killed an hour ago: no lock file, and old enough not to be a folder being created right now.
        Directory.SetLastWriteTimeUtc(stale, DateTime.UtcNow.AddHours(-1));
        var staleReport = Path.Combine(folder, "clean.removed.csv.tmp-0123456789abcdef0123456789abcdef");
        File.WriteAllText(staleReport, "half");
        var staleJunit = Path.Combine(folder, "junit.xml.tmp-0123456789abcdef0123456789abcdef");
        File.WriteAllText(staleJunit, "half");
        var unrelated = Path.Combine(folder, ".other.partial-x");
        Directory.CreateDirectory(unrelated);

        using (var staged = StagedDestination.Create(destination, replaceExisting: false))
        {
            Assert.False(Directory.Exists(stale));
            using var report = new RemovalReport(Path.Combine(folder, "clean.removed.csv"));
            Assert.False(File.Exists(staleReport));
        }
        new JUnitReport("d", new Dictionary<string, string>()).Write(Path.Combine(folder, "junit.xml"));

        Assert.False(File.Exists(staleJunit));
        Assert.True(Directory.Exists(unrelated));
    }

    [Fact]
    public void A_report_that_cannot_be_written_is_named_by_the_users_path_not_the_temporary_one()
    {
        var path = Path.Combine(TestEnvironment.NewScratchFolder(), "missing-folder", "junit.xml");

        var error = Assert.ThrowsAny<IOException>(() => new JUnitReport("d", new Dictionary<string, string>()).Write(path));

        Assert.Contains(path, error.Message);
        Assert.DoesNotContain(".tmp-", error.Message);
    }
}
