using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using OptOut.Core.Fingerprinting;
using OptOut.Core.Imaging;
using OptOut.Core.Index;
using static OptOut.Core.Tests.Index.IndexFixtures;
using OptOut.Core.Datasets;

namespace OptOut.Core.Tests.Index;

/// <summary>
/// Damaged dataset files: each is a clear error naming the file (an ImportProblem event), and the
/// rest of the import goes on.
/// </summary>
public sealed class ImportErrorTests : IDisposable
{
    private readonly string folder = TestEnvironment.NewScratchFolder();
    private readonly IndexStore store;
    private readonly Fingerprinter fingerprinter = NewFingerprinter();

    public ImportErrorTests()
    {
        store = IndexStore.Open(NewIndexPath(folder));
    }

    public void Dispose() => store.Dispose();

    private long RowsInIndex() => QueryFile<long>(store.Path, "SELECT count(*) FROM rows");

    private long ShardsRecorded() => QueryFile<long>(store.Path, "SELECT count(*) FROM shards");

    /// <summary>The single problem reported for a file, a DatasetFormatException naming it.</summary>
    private static DatasetFormatException AssertFileProblem(List<ImportEvent> events, string file)
    {
        var problems = Problems(events);
        Assert.True(problems.Count == 1, $"expected one problem naming {file}; got {problems.Count}: "
            + string.Join(" | ", problems.Select(p => $"{p.Target}: {p.Error.GetType().Name}: {p.Error.Message}"))
            + "; shards: " + string.Join(" | ", Shards(events).Select(r => $"{Path.GetFileName(r.Source)}: {r.Rows} rows, {r.Errors} errors")));
        var problem = problems[0];
        Assert.Contains(file, problem.Target);
        var error = Assert.IsType<DatasetFormatException>(problem.Error);
        Assert.Equal(file, error.Path);
        Assert.Contains(file, error.Message);
        return error;
    }

    // ---- parquet --------------------------------------------------------------------------------

    [Fact]
    public void A_parquet_of_random_bytes_is_reported_and_the_other_shards_are_imported()
    {
        var root = Path.Combine(folder, "laion");
        WriteLaionUpperCase(Path.Combine(root, "part-00000.parquet"), 0, 40, widthAsDouble: true);
        var bad = Path.Combine(root, "part-00001.parquet");
        var random = new byte[5000];
        new Random(1).NextBytes(random);
        File.WriteAllBytes(bad, random);
        WriteLaionUpperCase(Path.Combine(root, "part-00002.parquet"), 100, 25, widthAsDouble: false);

        var (summary, events) = Import(store, null, null, "laion", root);
        var error = AssertFileProblem(events, bad);
        Assert.Contains("parquet", error.Message);
        Assert.Equal((65L, 2, 1), (summary.Rows, summary.ShardsImported, summary.ShardsFailed));
        Assert.Equal(65L, RowsInIndex());
        Assert.Equal(2L, ShardsRecorded());
    }

    [Fact]
    public void A_truncated_parquet_is_reported_and_the_other_shards_are_imported()
    {
        var root = Path.Combine(folder, "laion");
        var whole = Path.Combine(folder, "whole.parquet");
        WriteLaionUpperCase(whole, 0, 3000, widthAsDouble: true);
        var bytes = File.ReadAllBytes(whole);
        Directory.CreateDirectory(root);
        var truncated = Path.Combine(root, "part-00000.parquet");
        File.WriteAllBytes(truncated, bytes[..(bytes.Length / 2)]);
        WriteLaionUpperCase(Path.Combine(root, "part-00001.parquet"), 5000, 10, widthAsDouble: false);

        var (summary, events) = Import(store, null, null, "laion", root);
        AssertFileProblem(events, truncated);
        Assert.Equal((10L, 1, 1, 1L), (summary.Rows, summary.ShardsImported, summary.ShardsFailed, summary.Errors));
        Assert.Equal(10L, RowsInIndex());

        // Once the file is whole again, the next run imports it (the failure was not recorded).
        // Replacing the file needs the failed read to have closed it.
        File.Copy(whole, truncated, overwrite: true);
        var (again, _) = Import(store, null, null, "laion", root);
        Assert.Equal((3000L, 1, 1), (again.Rows, again.ShardsImported, again.ShardsAlreadyImported));
        Assert.Equal(3010L, RowsInIndex());
    }

    [Theory]
    [InlineData("random")]
    [InlineData("truncated")]
    public void A_parquet_that_cannot_be_read_is_closed_after_the_failure(string damage)
    {
        // A user fixes or deletes the bad file and runs the import again in the same session:
        // the failed read must not keep the file open (on Windows it could not be replaced; on
        // Unix .NET's advisory lock refuses an exclusive open).
        var whole = Path.Combine(folder, "whole.parquet");
        WriteLaionUpperCase(whole, 0, 3000, widthAsDouble: true);
        var bytes = File.ReadAllBytes(whole);
        if (damage == "random") new Random(2).NextBytes(bytes);
        var bad = Path.Combine(folder, "bad.parquet");
        File.WriteAllBytes(bad, damage == "random" ? bytes : bytes[..(bytes.Length / 2)]);

        var (_, events) = Import(store, null, null, "bad", bad);
        AssertFileProblem(events, bad);
        var reopen = Record.Exception(() => new FileStream(bad, FileMode.Open, FileAccess.ReadWrite, FileShare.None).Dispose());
        Assert.True(reopen is null, $"{bad} is still open after its import failed: {reopen?.Message}");
    }

    [Fact]
    public void A_parquet_without_url_or_key_columns_is_reported_with_its_columns()
    {
        var bad = Path.Combine(folder, "odd.parquet");
        WriteParquet(bad, [Strings("caption", ["a", "b"]), Longs("width", [1, 2])]);
        var (summary, events) = Import(store, null, null, "odd", bad);
        var error = AssertFileProblem(events, bad);
        Assert.Contains("caption", error.Message);
        Assert.Equal(0L, summary.Rows);
    }

    // ---- clip-retrieval .npy ----------------------------------------------------------------------

    [Fact]
    public void A_truncated_npy_is_reported_and_the_other_parts_are_imported()
    {
        var root = Path.Combine(folder, "clip");
        WriteClipRetrievalPart(root, 0, UnitVectors(6, 32, seed: 1), float16: true);
        var (npy, _) = WriteClipRetrievalPart(root, 1, UnitVectors(6, 32, seed: 2), float16: false);
        var bytes = File.ReadAllBytes(npy);
        File.WriteAllBytes(npy, bytes[..(bytes.Length - 100)]);

        var (summary, events) = Import(store, null, "clip-model", "clip", root);
        var error = AssertFileProblem(events, npy);
        Assert.Contains("truncated", error.Message);
        Assert.Equal((6L, 1, 1), (summary.Rows, summary.ShardsImported, summary.ShardsFailed));
        Assert.Equal(6L, RowsInIndex());
    }

    [Fact]
    public void A_npy_cut_inside_its_header_is_reported()
    {
        var root = Path.Combine(folder, "clip");
        var (npy, _) = WriteClipRetrievalPart(root, 0, UnitVectors(2, 8, seed: 1), float16: true);
        File.WriteAllBytes(npy, File.ReadAllBytes(npy)[..30]);
        var (summary, events) = Import(store, null, "clip-model", "clip", root);
        AssertFileProblem(events, npy);
        Assert.Equal(0L, summary.Rows);
    }

    [Fact]
    public void A_npy_whose_row_count_differs_from_its_metadata_is_reported()
    {
        var root = Path.Combine(folder, "clip");
        WriteClipRetrievalPart(root, 0, UnitVectors(4, 16, seed: 1), float16: true);
        var (npy, parquet) = WriteClipRetrievalPart(root, 1, UnitVectors(5, 16, seed: 2), float16: true, metadataRows: 7);

        var (summary, events) = Import(store, null, "clip-model", "clip", root);
        var error = AssertFileProblem(events, npy);
        Assert.Contains(Path.GetFileName(parquet), error.Message);
        Assert.Contains("5", error.Message);
        Assert.Contains("7", error.Message);
        Assert.Equal((4L, 1, 1), (summary.Rows, summary.ShardsImported, summary.ShardsFailed));
    }

    [Fact]
    public void A_npy_without_its_metadata_file_is_reported()
    {
        var root = Path.Combine(folder, "clip");
        WriteClipRetrievalPart(root, 0, UnitVectors(3, 16, seed: 1), float16: true);
        var (npy, parquet) = WriteClipRetrievalPart(root, 1, UnitVectors(3, 16, seed: 2), float16: true);
        File.Delete(parquet);
        var (summary, events) = Import(store, null, "clip-model", "clip", root);
        var error = AssertFileProblem(events, npy);
        Assert.Contains(parquet, error.Message);
        Assert.Equal(3L, summary.Rows);
    }

    // ---- webdataset tars ------------------------------------------------------------------------

    public enum TarDamage { Checksum, SizeNotOctal, SizeBeyondEnd, SizeOffByOneBlock, ZeroedHeader, TruncatedMidMember }

    [Theory]
    [InlineData(TarDamage.Checksum)]
    [InlineData(TarDamage.SizeNotOctal)]
    [InlineData(TarDamage.SizeBeyondEnd)]
    [InlineData(TarDamage.SizeOffByOneBlock)]
    [InlineData(TarDamage.ZeroedHeader)]
    [InlineData(TarDamage.TruncatedMidMember)]
    public void A_tar_with_a_damaged_member_is_reported_leaves_nothing_and_the_other_tars_are_imported(TarDamage damage)
    {
        var root = Path.Combine(folder, "wds");
        var damagedTar = Path.Combine(root, "00000.tar");
        var offsets = WriteWebDatasetTar(damagedTar, MakeSamples(0, 5, _ => false, seedBase: 7600));
        WriteWebDatasetTar(Path.Combine(root, "00001.tar"), MakeSamples(1, 3, _ => false, seedBase: 7600));

        // Member 9 of 15 is sample 3's .jpg: the damage is mid-file, after three whole samples.
        long header = offsets[9];
        var bytes = File.ReadAllBytes(damagedTar);
        switch (damage)
        {
            case TarDamage.Checksum:
                bytes[(int)header + 150] = (byte)(bytes[(int)header + 150] == (byte)'7' ? '6' : '7');
                break;
            case TarDamage.SizeNotOctal:
                Encoding.ASCII.GetBytes("0000zz99xx0\0").CopyTo(bytes, (int)header + 124);
                FixChecksum(bytes, (int)header);
                break;
            case TarDamage.SizeBeyondEnd:
                Encoding.ASCII.GetBytes("07777777777\0").CopyTo(bytes, (int)header + 124);
                FixChecksum(bytes, (int)header);
                break;
            case TarDamage.SizeOffByOneBlock:
                long size = Convert.ToInt64(Encoding.ASCII.GetString(bytes, (int)header + 124, 11), 8);
                Encoding.ASCII.GetBytes(Convert.ToString(size + 512, 8).PadLeft(11, '0') + "\0").CopyTo(bytes, (int)header + 124);
                FixChecksum(bytes, (int)header);
                break;
            case TarDamage.ZeroedHeader:
                Array.Clear(bytes, (int)header, 512);
                break;
            case TarDamage.TruncatedMidMember:
                bytes = bytes[..(int)(header + 512 + 300)];
                break;
        }
        File.WriteAllBytes(damagedTar, bytes);

        var (summary, events) = Import(store, fingerprinter, null, "wds", root);
        AssertFileProblem(events, damagedTar);
        Assert.Equal((3L, 1, 1), (summary.Rows, summary.ShardsImported, summary.ShardsFailed));
        // Nothing of the damaged shard: its first samples were read but their transaction was rolled back.
        Assert.Equal(3L, RowsInIndex());
        Assert.Equal(1L, ShardsRecorded());
        Assert.Empty(store.FindByDomain("shard0.example.net"));
        Assert.Equal(3, store.FindByDomain("shard1.example.net").Count());
        CheckCaptionIndex(store.Path);
    }

    private static void FixChecksum(byte[] bytes, int header)
    {
        for (int i = 148; i < 156; i++) bytes[header + i] = (byte)' ';
        int sum = 0;
        for (int i = 0; i < 512; i++) sum += bytes[header + i];
        Encoding.ASCII.GetBytes(Convert.ToString(sum, 8).PadLeft(6, '0') + "\0 ").CopyTo(bytes, header + 148);
    }

    [Fact]
    public void A_sample_without_its_image_member_is_a_sample_problem_and_its_metadata_is_kept()
    {
        var tar = Path.Combine(folder, "00000.tar");
        var samples = MakeSamples(0, 3, _ => false, seedBase: 7650);
        var members = new List<TarMember>();
        foreach (var s in samples)
        {
            if (s.Key != samples[1].Key) members.Add(new TarMember(s.Key + ".jpg", s.Image!));
            members.Add(new TarMember(s.Key + ".json", SampleJson(s.Key, s.Url, s.Caption, "success")));
        }
        WriteTar(tar, members);

        var (summary, events) = Import(store, fingerprinter, null, "wds", tar);
        var problem = Assert.Single(Problems(events));
        Assert.IsType<SampleProblemException>(problem.Error);
        Assert.Contains(tar, problem.Error.Message);
        Assert.Contains(samples[1].Key, problem.Error.Message);
        Assert.Equal((3L, 2L, 1L), (summary.Rows, summary.Fingerprinted, summary.Errors));
        var kept = Assert.Single(store.FindByUrl(samples[1].Url));
        Assert.Null(kept.PerceptualHash);
        Assert.Equal(samples[1].Caption, kept.Caption);
    }

    // ---- images ---------------------------------------------------------------------------------

    [Fact]
    public void A_missing_image_of_a_success_row_is_a_sample_problem_naming_the_shard_and_key()
    {
        var root = Path.Combine(folder, "i2d");
        var samples = MakeSamples(0, 5, i => i == 4);
        var shardFolder = WriteImg2DatasetFilesShard(root, 0, samples);
        File.Delete(Path.Combine(shardFolder, samples[2].Key + ".jpg"));
        WriteImg2DatasetFilesShard(root, 1, MakeSamples(1, 2, _ => false));

        var (summary, events) = Import(store, fingerprinter, null, "i2d", root);
        var problem = Assert.Single(Problems(events));
        Assert.IsType<SampleProblemException>(problem.Error);
        Assert.Equal(shardFolder, problem.Target);
        Assert.Contains(shardFolder, problem.Error.Message);
        Assert.Contains(samples[2].Key, problem.Error.Message);

        var result = Shards(events).Single(r => r.Source == shardFolder);
        Assert.Equal((4L, 3L, 1L, 1L), (result.Rows, result.Fingerprinted, result.Skipped, result.Errors));
        Assert.Equal((6L, 5L, 1L, 1L, 2), (summary.Rows, summary.Fingerprinted, summary.Skipped, summary.Errors, summary.ShardsImported));
        // Its metadata is in the index, without fingerprints.
        var row = Assert.Single(store.FindByUrl(samples[2].Url));
        Assert.Null(row.PerceptualHash);
        Assert.False(row.HasEmbedding);
    }

    [Fact]
    public void A_corrupt_image_in_a_tar_is_a_decode_error_naming_the_member_and_the_rest_is_fingerprinted()
    {
        var root = Path.Combine(folder, "wds");
        var samples = MakeSamples(0, 4, _ => false, seedBase: 7700);
        var broken = samples[1] with { Image = samples[1].Image![..(samples[1].Image!.Length / 3)] };
        samples[1] = broken;
        var tar = Path.Combine(root, "00000.tar");
        WriteWebDatasetTar(tar, samples);
        WriteWebDatasetTar(Path.Combine(root, "00001.tar"), MakeSamples(1, 2, _ => false, seedBase: 7700));

        var (summary, events) = Import(store, fingerprinter, null, "wds", root);
        var problem = Assert.Single(Problems(events));
        var error = Assert.IsType<ImageDecodeException>(problem.Error);
        Assert.Equal($"{tar}:{broken.Key}.jpg", problem.Target);
        Assert.Equal(problem.Target, error.Path);
        Assert.Contains(tar, error.Message);
        Assert.Equal((6L, 5L, 1L, 2), (summary.Rows, summary.Fingerprinted, summary.Errors, summary.ShardsImported));
        var row = Assert.Single(store.FindByUrl(broken.Url));
        Assert.Null(row.PerceptualHash);
        Assert.Equal(broken.Caption, row.Caption);
        Assert.All(samples.Where(s => s != broken), s => Assert.NotNull(Assert.Single(store.FindByUrl(s.Url)).PerceptualHash));
    }

    [Fact]
    public void A_corrupt_image_file_in_a_shard_folder_is_a_decode_error_naming_the_file()
    {
        var root = Path.Combine(folder, "i2d");
        var samples = MakeSamples(0, 3, _ => false);
        var shardFolder = WriteImg2DatasetFilesShard(root, 0, samples);
        var corrupt = Path.Combine(shardFolder, samples[0].Key + ".jpg");
        File.WriteAllText(corrupt, "this is not a jpeg, the download was an HTML error page");

        var (summary, events) = Import(store, fingerprinter, null, "i2d", root);
        var problem = Assert.Single(Problems(events));
        var error = Assert.IsType<ImageDecodeException>(problem.Error);
        Assert.Equal(corrupt, problem.Target);
        Assert.Equal(corrupt, error.Path);
        Assert.Equal((3L, 2L, 1L), (summary.Rows, summary.Fingerprinted, summary.Errors));
    }

    [Fact]
    public void A_corrupt_image_in_a_plain_folder_is_reported_and_the_others_are_fingerprinted()
    {
        var root = Path.Combine(folder, "pictures");
        Directory.CreateDirectory(root);
        File.WriteAllBytes(Path.Combine(root, "a.png"), Png(7800));
        var bad = Path.Combine(root, "b.png");
        var png = Png(7801);
        File.WriteAllBytes(bad, png[..(png.Length / 2)]);
        File.WriteAllBytes(Path.Combine(root, "c.jpg"), Jpeg(7802));

        var (summary, events) = Import(store, fingerprinter, null, "pictures", root);
        var problem = Assert.Single(Problems(events));
        Assert.Equal(bad, problem.Target);
        Assert.Equal(bad, Assert.IsType<ImageDecodeException>(problem.Error).Path);
        Assert.Equal((3L, 2L, 1L), (summary.Rows, summary.Fingerprinted, summary.Errors));
    }

    // ---- a failed import leaves nothing behind; a failing shard never stops the others -----------

    [Fact]
    public void An_import_whose_every_shard_fails_leaves_no_dataset_behind()
    {
        var root = Path.Combine(folder, "allbad");
        Directory.CreateDirectory(root);
        var random = new byte[5000];
        new Random(5).NextBytes(random);
        File.WriteAllBytes(Path.Combine(root, "part-00000.parquet"), random);
        var whole = Path.Combine(folder, "whole.parquet");
        WriteLaionUpperCase(whole, 0, 3000, widthAsDouble: true);
        File.WriteAllBytes(Path.Combine(root, "part-00001.parquet"), File.ReadAllBytes(whole)[..20_000]);

        var (summary, events) = Import(store, null, null, "allbad", root);
        Assert.Equal((0, 2), (summary.ShardsImported, summary.ShardsFailed));
        Assert.Equal(2, Problems(events).Count);
        Assert.Empty(store.ListDatasets());
        Assert.Equal(0L, QueryFile<long>(store.Path, "SELECT count(*) FROM datasets"));

        // A dataset with a shard imported stays, with that shard's rows only.
        WriteLaionUpperCase(Path.Combine(root, "part-00002.parquet"), 100, 25, widthAsDouble: false);
        var (partial, _) = Import(store, null, null, "allbad", root);
        Assert.Equal((1, 2), (partial.ShardsImported, partial.ShardsFailed));
        var dataset = Assert.Single(store.ListDatasets());
        Assert.Equal(("allbad", 25L, 1L), (dataset.Name, dataset.Rows, dataset.Shards));
    }

    /// <summary>
    /// A ustar tar whose one member claims <paramref name="size"/> bytes, stored sparse (the file
    /// system holds no data for the zeros): framing is right, the member is just larger than an array.
    /// </summary>
    private static void WriteSparseTarWithHugeMember(string path, string name, long size)
    {
        WriteTar(path, [new TarMember(name, new byte[512])]);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.ReadWrite);
        var header = new byte[512];
        stream.ReadExactly(header);
        var octal = System.Text.Encoding.ASCII.GetBytes(Convert.ToString(size, 8).PadLeft(11, '0') + "\0");
        octal.CopyTo(header, 124);
        Array.Fill(header, (byte)' ', 148, 8);
        int sum = header.Sum(b => (int)b);
        System.Text.Encoding.ASCII.GetBytes(Convert.ToString(sum, 8).PadLeft(6, '0') + "\0 ").CopyTo(header, 148);
        stream.Position = 0;
        stream.Write(header);
        // The data, rounded up to whole blocks, then the two zero blocks that end a tar.
        stream.SetLength(512 + (size + 511) / 512 * 512 + 1024);
    }

    [Fact]
    public void A_tar_member_over_2_GiB_fails_its_shard_only_naming_the_file_and_the_other_shards_are_imported()
    {
        var root = Path.Combine(folder, "wds");
        WriteWebDatasetTar(Path.Combine(root, "00000.tar"), MakeSamples(0, 3, _ => false, seedBase: 7800));
        var huge = Path.Combine(root, "00001.tar");
        WriteSparseTarWithHugeMember(huge, "000010000.jpg", (2L << 30) + 4096);
        WriteWebDatasetTar(Path.Combine(root, "00002.tar"), MakeSamples(2, 2, _ => false, seedBase: 7800));

        var (summary, events) = Import(store, null, null, "wds", root);
        Assert.True(summary.ShardsImported >= 2);
        Assert.Equal(5L, QueryFile<long>(store.Path, "SELECT count(*) FROM rows r JOIN shards s ON s.id = r.shard_id WHERE s.source NOT LIKE '%00001.tar'"));
        // However the reader refuses the member (a shard error, or a sample error in a shard that is
        // then imported), the problem names the user's tar, never only an overflow.
        var problem = Assert.Single(Problems(events), p => p.Target.StartsWith(huge, StringComparison.Ordinal));
        Assert.Contains(huge, problem.Error.Message);
    }
}
