using Microsoft.Data.Sqlite;
using OptOut.Core.Index;

namespace OptOut.Core.Tests.Index;

/// <summary>
/// Captions' full-text index lives in index.db.captions, written by a second connection while the
/// index writes its rows. The index stays the source of truth: whatever state the caption file is
/// in (one shard behind, lost, left by another index, ahead of a rolled-back index), a caption
/// search answers from the index's rows.
/// </summary>
public sealed class CaptionIndexTests : IDisposable
{
    private readonly string folder = TestEnvironment.NewScratchFolder();
    private readonly string indexPath;
    private readonly string captionPath;

    public CaptionIndexTests()
    {
        indexPath = IndexFixtures.NewIndexPath(folder);
        captionPath = indexPath + ".captions";
    }

    public void Dispose() => SqliteConnection.ClearAllPools();

    private static void Import(IndexStore store, string shard, string word, int count, int first = 0)
    {
        long dataset = store.EnsureDataset("d");
        var rows = Enumerable.Range(first, count).Select(i => new ImportRow { Key = $"{shard}-{i}", Caption = $"a {word} number{i}" }).ToList();
        Assert.True(store.ImportShard(dataset, shard, shard, "test", rows, () => 0, () => 0, null));
    }

    private static List<string?> Keys(IndexStore store, string text) => store.SearchCaptions(text).Select(r => r.Row.Key).Order().ToList();

    private static void CopyFiles(string from, string to)
    {
        foreach (var suffix in new[] { "", "-wal", "-shm" })
        {
            if (File.Exists(from + suffix)) File.Copy(from + suffix, to + suffix, overwrite: true);
            else if (File.Exists(to + suffix)) File.Delete(to + suffix);
        }
    }

    private static void DeleteFiles(string path)
    {
        foreach (var suffix in new[] { "", "-wal", "-shm" })
        {
            if (File.Exists(path + suffix)) File.Delete(path + suffix);
        }
    }

    /// <summary>
    /// 100 "zebra" rows, then a second shard the caption file never commits: as if the process were
    /// killed after the index committed it and before the caption file did.
    /// </summary>
    private void CaptionFileMissesTheLastShard(string shard, string word, int count)
    {
        using (var store = IndexStore.Open(indexPath)) Import(store, "s1", "zebra", 100);
        SqliteConnection.ClearAllPools();
        CopyFiles(captionPath, captionPath + ".old");
        using (var store = IndexStore.Open(indexPath)) Import(store, shard, word, count);
        CopyFiles(captionPath + ".old", captionPath);
    }

    /// <summary>
    /// 100 "zebra" rows, then a second shard the index loses (a power loss rolls its commit back)
    /// while the caption file keeps it.
    /// </summary>
    private void IndexLosesTheLastShard(string shard, string word, int count)
    {
        using (var store = IndexStore.Open(indexPath)) Import(store, "s1", "zebra", 100);
        SqliteConnection.ClearAllPools();
        CopyFiles(indexPath, indexPath + ".old");
        using (var store = IndexStore.Open(indexPath)) Import(store, shard, word, count);
        SqliteConnection.ClearAllPools();
        CopyFiles(indexPath + ".old", indexPath);
    }

    [Fact]
    public void Captions_are_indexed_in_their_own_file_and_the_index_holds_no_fts_table()
    {
        using (var store = IndexStore.Open(indexPath))
        {
            Import(store, "s1", "zebra", 300);
            Import(store, "s2", "okapi", 200);
            Assert.Equal(300, Keys(store, "zebra").Count);
            Assert.Equal(new[] { "s2-7" }, Keys(store, "okapi number7"));
        }
        Assert.Equal(0L, IndexFixtures.QueryFile<long>(indexPath, "SELECT count(*) FROM sqlite_master WHERE name LIKE 'captions%'"));
        Assert.Equal(500L, IndexFixtures.QueryFile<long>(captionPath, "SELECT count(*) FROM captions"));
        IndexFixtures.CheckCaptionIndex(indexPath);
    }

    [Fact]
    public void A_caption_file_one_shard_behind_is_caught_up_by_the_next_search()
    {
        CaptionFileMissesTheLastShard("s2", "okapi", 50);
        Assert.Equal(100L, IndexFixtures.QueryFile<long>(captionPath, "SELECT count(*) FROM captions"));

        using (var store = IndexStore.Open(indexPath))
        {
            Assert.Equal(50, Keys(store, "okapi").Count);
            Assert.Equal(100, Keys(store, "zebra").Count);
        }
        IndexFixtures.CheckCaptionIndex(indexPath);
    }

    [Fact]
    public void A_caption_file_one_shard_behind_is_caught_up_by_the_next_import()
    {
        CaptionFileMissesTheLastShard("s2", "okapi", 50);
        using (var store = IndexStore.Open(indexPath)) Import(store, "s3", "gnu", 10);
        IndexFixtures.CheckCaptionIndex(indexPath);
        using (var store = IndexStore.Open(indexPath)) Assert.Equal(50, Keys(store, "okapi").Count);
    }

    [Fact]
    public void A_lost_caption_file_is_rebuilt_from_the_rows()
    {
        using (var store = IndexStore.Open(indexPath))
        {
            Import(store, "s1", "zebra", 100);
            Import(store, "s2", "okapi", 50);
        }
        SqliteConnection.ClearAllPools();
        DeleteFiles(captionPath);
        using (var store = IndexStore.Open(indexPath))
        {
            Assert.Equal(50, Keys(store, "okapi").Count);
            Assert.Equal(new[] { "s1-42" }, Keys(store, "zebra number42"));
        }
        IndexFixtures.CheckCaptionIndex(indexPath);
    }

    [Fact]
    public void The_caption_file_of_a_deleted_index_is_not_taken_for_the_new_ones()
    {
        using (var store = IndexStore.Open(indexPath)) Import(store, "s1", "zebra", 100);
        SqliteConnection.ClearAllPools();
        DeleteFiles(indexPath);  // the user deletes index.db; the caption file stays behind
        using (var store = IndexStore.Open(indexPath))
        {
            Import(store, "s1", "okapi", 120);
            Assert.Empty(Keys(store, "zebra"));
            Assert.Equal(120, Keys(store, "okapi").Count);
        }
        IndexFixtures.CheckCaptionIndex(indexPath);
    }

    [Fact]
    public void A_caption_file_ahead_of_a_rolled_back_index_is_rebuilt_rather_than_trusted()
    {
        // Another shard then takes the lost shard's row ids.
        IndexLosesTheLastShard("s2", "kangaroo", 50);
        using (var store = IndexStore.Open(indexPath))
        {
            Import(store, "s3", "okapi", 80);
            Assert.Empty(Keys(store, "kangaroo"));
            Assert.Equal(80, Keys(store, "okapi").Count);
            Assert.Equal(100, Keys(store, "zebra").Count);
        }
        IndexFixtures.CheckCaptionIndex(indexPath);
    }

    [Fact]
    public void A_caption_file_ahead_of_an_index_that_imported_the_lost_shard_again_at_other_ids_is_rebuilt()
    {
        // The caption file holds shard A at rows 101-200; the index lost A, then imported B (101-150)
        // and A again (151-250): row 200 belongs to A in both, but A's captions moved.
        IndexLosesTheLastShard("A", "kangaroo", 100);
        using (var store = IndexStore.Open(indexPath))
        {
            Import(store, "B", "okapi", 50);
            Import(store, "A", "kangaroo", 100);
            Assert.Equal(new[] { "A-6" }, Keys(store, "kangaroo number6"));
            Assert.Equal(new[] { "B-7" }, Keys(store, "okapi number7"));
            Assert.Equal(100, Keys(store, "kangaroo").Count);
        }
        IndexFixtures.CheckCaptionIndex(indexPath);
    }

    [Fact]
    public void A_shard_that_fails_leaves_the_caption_file_as_it_was()
    {
        using var store = IndexStore.Open(indexPath);
        Import(store, "s1", "zebra", 100);
        long dataset = store.EnsureDataset("d");
        IEnumerable<ImportRow> Failing()
        {
            for (int i = 0; i < 5000; i++) yield return new ImportRow { Key = $"x{i}", Caption = $"kangaroo {i}" };
            throw new IOException("the shard's file went away");
        }
        Assert.Throws<IOException>(() => store.ImportShard(dataset, "s2", "s2", "test", Failing(), () => 0, () => 0, null));
        Assert.Empty(Keys(store, "kangaroo"));
        IndexFixtures.CheckCaptionIndex(indexPath);
        Assert.Equal(100L, IndexFixtures.QueryFile<long>(captionPath, "SELECT count(*) FROM captions"));
    }
}
