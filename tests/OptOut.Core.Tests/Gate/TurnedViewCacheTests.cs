using Microsoft.Data.Sqlite;
using OptOut.Core.Embedding;
using OptOut.Core.Fingerprinting;
using OptOut.Core.Gate;
using OptOut.Core.Imaging;
using OptOut.Core.Matching;
using OptOut.Core.Registry;
using OptOut.Core.Tests.Matching;
using OptOut.Samples;

namespace OptOut.Core.Tests.Gate;

/// <summary>
/// The gate keeps each refused picture's turned views (TurnedViewCache) so that a later check does not turn it
/// again: the same views as turned afresh, given only under the same tests (the claimed file, its size within the
/// limits, the same stamp of how views are made), and a cache that cannot be used changes nothing but the time;
/// a file that is not the cache is never written. Real clip art, the real model, real SQLite files.
/// </summary>
public sealed class TurnedViewCacheTests
{
    private const string ClaimId = "11111111-2222-3333-4444-555555555555";

    private static (ConsentRules Rules, string ClaimFile, string Dataset) Setup(string folder)
    {
        var claimFile = Path.Combine(folder, "grapes_01.png");
        File.Copy(ClipArt.PathOf("grapes_01.png"), claimFile);
        var dataset = Path.Combine(folder, "dataset");
        Directory.CreateDirectory(dataset);
        File.WriteAllBytes(Path.Combine(dataset, "000-turned-grapes.jpg"), ClipArt.Bytes("grapes_01.png", Alteration.Rotate));
        File.WriteAllBytes(Path.Combine(dataset, "001-apple.jpg"), ClipArt.Bytes("apple.png", Alteration.Reencode));
        return (RulesFor(claimFile), claimFile, dataset);
    }

    private static ConsentRules RulesFor(string claimFile)
    {
        var print = ContentGateRun.Printer.Fingerprint(claimFile);
        return ConsentRules.Load([new ActiveClaim(ClaimId, Decision.Refuse, ClaimKind.Content, print.Sha256, print.PerceptualHash, print.Embedding, print.ModelId, "Jane Doe",
            Convert.ToHexString(print.Md5).ToLowerInvariant())]);
    }

    private static ContentPictures PicturesFor(string claimFile, ImageLimits? limits = null) =>
        new(new Dictionary<string, string?> { [ClaimId] = claimFile }, limits ?? ImageLimits.Default);

    private static Fingerprinter Turning => ContentGateRun.Printer.WithViewAngles(CopyMatcher.CalibratedViewAngles);

    // Turns the claim's picture with the cache at path; returns how many claims got views, and how many from the cache.
    private static (int Turned, int FromCache, string? Problem, bool FileRefused) Turn(string cachePath, string claimFile, ImageLimits? limits = null)
    {
        using var cache = new TurnedViewCache(cachePath);
        using var pictures = PicturesFor(claimFile, limits);
        int turned = pictures.AddTurnedViews(RulesFor(claimFile), ContentGateRun.Printer.Model, cache, out int fromCache);
        return (turned, fromCache, cache.Problem, cache.FileRefused);
    }

    // The cache at path is usable: a check makes the views and keeps them, the next takes them from it.
    private static void AssertMadeThenKept(string cachePath, string claimFile)
    {
        var (turned, fromCache, problem, _) = Turn(cachePath, claimFile);
        Assert.Equal((1, 0, null), (turned, fromCache, problem));
        Assert.Equal(1, Turn(cachePath, claimFile).FromCache);
    }

    // A scratch folder with a claimed picture, and where its cache is to be (not made yet).
    private static (string Folder, string ClaimFile, string CachePath) NewCache()
    {
        var folder = TestEnvironment.NewScratchFolder();
        var (_, claimFile, _) = Setup(folder);
        return (folder, claimFile, Path.Combine(folder, "turned-views.db"));
    }

    // Runs sql on the database at path (made if missing), no pooled connection left open; the rows it changed.
    private static int Execute(string path, string sql)
    {
        using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteNonQuery();
    }

    private static string[] SideFiles(string path) => [path + "-wal", path + "-shm", path + "-journal"];

    [Fact]
    public void A_second_check_takes_the_views_from_the_cache_and_finds_the_same()
    {
        var folder = TestEnvironment.NewScratchFolder();
        var (rules, claimFile, dataset) = Setup(folder);
        var cachePath = Path.Combine(folder, "cache", "turned-views.db");
        var sha = ContentGateRun.Printer.Fingerprint(claimFile).Sha256;

        List<Violation> first;
        using (var cache = new TurnedViewCache(cachePath))
        using (var pictures = PicturesFor(claimFile))
        {
            Assert.Equal(1, pictures.AddTurnedViews(rules, ContentGateRun.Printer.Model, cache, out int fromCache));
            Assert.Equal(0, fromCache);
            Assert.Null(cache.Problem);
            first = ContentGateRun.Violations(rules, dataset, pictures);
        }
        Assert.Single(first);

        // The views kept are the views made: the same turns of the same file give the same hashes and embeddings.
        IReadOnlyList<ImageView> kept;
        using (var cache = new TurnedViewCache(cachePath))
        {
            kept = Assert.Single(cache.Find([sha], TurnedViewCache.StampOf(Turning), ContentGateRun.Printer.Model.Dimensions)).Value.Views;
        }
        var fresh = Turning.Fingerprint(claimFile).Views!;
        Assert.Equal(CopyMatcher.CalibratedViewAngles.Count, kept.Count);
        Assert.Equal(fresh.Select(v => v.PerceptualHash), kept.Select(v => v.PerceptualHash));
        for (int i = 0; i < fresh.Count; i++) Assert.Equal(fresh[i].Embedding, kept[i].Embedding);

        var again = RulesFor(claimFile);
        using (var cache = new TurnedViewCache(cachePath))
        using (var pictures = PicturesFor(claimFile))
        {
            Assert.Equal(1, pictures.AddTurnedViews(again, ContentGateRun.Printer.Model, cache, out int fromCache));
            Assert.Equal(1, fromCache);
            var second = ContentGateRun.Violations(again, dataset, pictures);
            Assert.Equal(first.Select(v => (v.Row, v.RecordId, v.Detail)), second.Select(v => (v.Row, v.RecordId, v.Detail)));
        }
        Assert.All(SideFiles(cachePath), side => Assert.False(File.Exists(side), side));
    }

    /// <summary>The stamp follows what makes the views: other angles, or the same ONNX file run with another normalisation (one model id), miss the cache.</summary>
    [Fact]
    public void Views_made_another_way_are_never_read()
    {
        var stamp = TurnedViewCache.StampOf(Turning);
        Assert.Equal(stamp, TurnedViewCache.StampOf(Turning));
        Assert.NotEqual(stamp, TurnedViewCache.StampOf(ContentGateRun.Printer.WithViewAngles([-6f, 6f])));
        // A check's own limits bound its pictures, not how views are made (the probe is over a 1,000-pixel limit).
        Assert.Equal(stamp, TurnedViewCache.StampOf(new Fingerprinter(ContentGateRun.Printer.Model, new ImageLimits { MaxPixels = 1000 }).WithViewAngles(CopyMatcher.CalibratedViewAngles)));

        var spec = TestEnvironment.DefaultModel.Spec;
        using var renormalised = new EmbeddingModel(spec with { Mean = [.. spec.Mean.Select(m => m + 0.05f)] }, 1);
        Assert.Equal(TestEnvironment.DefaultModel.ModelId, renormalised.ModelId);
        var other = new Fingerprinter(renormalised, ImageLimits.Default).WithViewAngles(CopyMatcher.CalibratedViewAngles);
        Assert.NotEqual(stamp, TurnedViewCache.StampOf(other));

        var (_, claimFile, cachePath) = NewCache();
        var (turned, fromCache, _, _) = Turn(cachePath, claimFile);
        Assert.Equal((1, 0), (turned, fromCache));
        using var cache = new TurnedViewCache(cachePath);
        using var pictures = PicturesFor(claimFile);
        Assert.Equal(1, pictures.AddTurnedViews(RulesFor(claimFile), renormalised, cache, out int none));
        Assert.Equal(0, none);
    }

    [Fact]
    public void Cached_views_are_not_given_to_a_changed_file_or_a_picture_over_the_limits()
    {
        var (_, claimFile, cachePath) = NewCache();
        var (made, _, _, _) = Turn(cachePath, claimFile);
        var (again, reused, _, _) = Turn(cachePath, claimFile);
        Assert.Equal((1, 1, 1), (made, again, reused));
        var print = ContentGateRun.Printer.Fingerprint(claimFile);

        // Under a pixel limit the picture exceeds, a fresh turn would refuse the file: so does the cache.
        var (turned, fromCache, _, _) = Turn(cachePath, claimFile, new ImageLimits { MaxPixels = (long)print.Width * print.Height - 1 });
        Assert.Equal((0, 0), (turned, fromCache));

        // The claimant's file replaced since: no views, cached or not (the claim keeps its one fingerprint).
        var rules = RulesFor(claimFile);
        File.Copy(ClipArt.PathOf("apple.png"), claimFile, overwrite: true);
        using var cache = new TurnedViewCache(cachePath);
        using var pictures = PicturesFor(claimFile);
        Assert.Equal(0, pictures.AddTurnedViews(rules, ContentGateRun.Printer.Model, cache, out int none));
        Assert.Equal(0, none);
    }

    [Fact]
    public void A_file_that_is_not_the_cache_is_left_byte_for_byte_and_the_views_are_turned_afresh()
    {
        var folder = TestEnvironment.NewScratchFolder();
        var (rules, claimFile, dataset) = Setup(folder);

        // Not a database at all.
        var garbage = Path.Combine(folder, "garbage.db");
        File.WriteAllBytes(garbage, Enumerable.Range(0, 8192).Select(i => (byte)(i * 7)).ToArray());
        // Another program's SQLite database, in rollback-journal mode (SQLite's default) and in WAL mode.
        var other = Path.Combine(folder, "other.db");
        var otherWal = Path.Combine(folder, "other-wal.db");
        foreach (var (path, wal) in new[] { (other, false), (otherWal, true) })
        {
            Execute(path, (wal ? "PRAGMA journal_mode = WAL;" : "") + "CREATE TABLE notes (text TEXT); INSERT INTO notes VALUES ('keep me');");
        }
        // A cache of another schema version.
        var newer = Path.Combine(folder, "newer.db");
        Execute(newer, $"PRAGMA application_id = {0x4F545643}; PRAGMA user_version = 2; CREATE TABLE turned_views_v2 (x);");

        // An empty database of another program (it set its user_version), and another program's database with a stray
        // WAL file beside it (the read-only look would open that WAL and leave a -shm).
        var emptyOther = Path.Combine(folder, "empty-other.db");
        var strayWal = Path.Combine(folder, "stray-wal.db");
        foreach (var (path, sql) in new[] { (emptyOther, "PRAGMA user_version = 7;"), (strayWal, "CREATE TABLE notes (text TEXT);") })
        {
            Execute(path, sql);
        }
        File.WriteAllBytes(strayWal + "-wal", [1, 2, 3]);

        foreach (var path in new[] { garbage, other, otherWal, newer, emptyOther, strayWal })
        {
            var before = File.ReadAllBytes(path);
            var sidesBefore = SideFiles(path).Where(File.Exists).ToList();
            using (var cache = new TurnedViewCache(path))
            using (var pictures = PicturesFor(claimFile))
            {
                var checkRules = RulesFor(claimFile);
                Assert.Equal(1, pictures.AddTurnedViews(checkRules, ContentGateRun.Printer.Model, cache, out int fromCache));
                Assert.Equal(0, fromCache);
                Assert.True(cache.FileRefused, path);
                Assert.Contains("left untouched", cache.Problem, StringComparison.Ordinal);
                Assert.Single(ContentGateRun.Violations(checkRules, dataset, pictures));
            }
            Assert.Equal(before, File.ReadAllBytes(path));
            Assert.Equal(sidesBefore, SideFiles(path).Where(File.Exists).ToList());
        }
    }

    [Fact]
    public void A_cache_out_of_reach_only_costs_the_turns()
    {
        var folder = TestEnvironment.NewScratchFolder();
        var (_, claimFile, _) = Setup(folder);
        // The cache's folder cannot be made: a file stands where it would go.
        var blocker = Path.Combine(folder, "cache");
        File.WriteAllText(blocker, "a file, not a folder");
        var (turned, fromCache, problem, refused) = Turn(Path.Combine(blocker, "turned-views.db"), claimFile);
        Assert.Equal((1, 0), (turned, fromCache));
        Assert.NotNull(problem);
        Assert.False(refused);
    }

    [Fact]
    public void A_damaged_entry_is_a_miss_and_is_made_again()
    {
        var (_, claimFile, cachePath) = NewCache();
        foreach (var damage in new[] { "UPDATE turned_views SET views = substr(views, 1, 100)", "UPDATE turned_views SET views = 'text, not views'", "UPDATE turned_views SET width = 'wide'" })
        {
            Turn(cachePath, claimFile);
            Assert.Equal(1, Execute(cachePath, damage));
            AssertMadeThenKept(cachePath, claimFile);
        }
    }

    [Fact]
    public void Entries_of_another_stamp_are_dropped_a_month_after_they_were_made()
    {
        var (_, claimFile, cachePath) = NewCache();
        Turn(cachePath, claimFile);
        Execute(cachePath, """
            INSERT INTO turned_views SELECT sha256, 'old-module', width, height, views, '2026-10-01T00:00:00.0000000Z' FROM turned_views;
            INSERT INTO turned_views SELECT sha256, 'other-model', width, height, views, strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-1 day') FROM turned_views WHERE stamp <> 'old-module';
            DELETE FROM turned_views WHERE stamp NOT IN ('old-module', 'other-model');
            """);
        // The current stamp's entry is gone, so this check turns afresh and writes the cache.
        Assert.Equal(0, Turn(cachePath, claimFile).FromCache);
        using (var connection = new SqliteConnection($"Data Source={cachePath};Mode=ReadOnly;Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT group_concat(stamp, ' ') FROM (SELECT stamp FROM turned_views ORDER BY stamp)";
            var stamps = ((string)command.ExecuteScalar()!).Split(' ');
            Assert.DoesNotContain("old-module", stamps);
            Assert.Contains("other-model", stamps);
            Assert.Contains(TurnedViewCache.StampOf(Turning), stamps);
        }
    }

    [Fact]
    public void An_empty_file_or_an_empty_database_becomes_the_cache()
    {
        var folder = TestEnvironment.NewScratchFolder();
        var (_, claimFile, _) = Setup(folder);
        var zeroBytes = Path.Combine(folder, "zero.db");
        File.WriteAllBytes(zeroBytes, []);
        var emptyDatabase = Path.Combine(folder, "empty.db");
        Execute(emptyDatabase, "VACUUM");
        foreach (var path in new[] { zeroBytes, emptyDatabase })
        {
            AssertMadeThenKept(path, claimFile);
        }
    }

    /// <summary>A gate killed while writing the cache leaves a hot journal: the next check rolls it back and reads the cache as last committed.</summary>
    [Fact]
    public void A_cache_left_mid_write_is_rolled_back_and_used()
    {
        var (folder, claimFile, cachePath) = NewCache();
        Turn(cachePath, claimFile);
        var crashed = Path.Combine(folder, "crashed.db");
        using (var connection = new SqliteConnection($"Data Source={cachePath};Pooling=False"))
        {
            connection.Open();
            using var write = connection.CreateCommand();
            // A one-page cache spills the changed pages into the file before commit, as a long write does.
            write.CommandText = "PRAGMA cache_size = 1; BEGIN; UPDATE turned_views SET views = zeroblob(length(views)); " +
                "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 50) " +
                "INSERT INTO turned_views SELECT sha256 || '-' || i, stamp, width, height, views, made_utc FROM turned_views, n;";
            write.ExecuteNonQuery();
            // The process "dies" here: the file and its journal, as they are, are what the next check finds.
            File.Copy(cachePath, crashed);
            File.Copy(cachePath + "-journal", crashed + "-journal");
        }
        Assert.True(new FileInfo(crashed + "-journal").Length > 0);
        var (turned, fromCache, problem, _) = Turn(crashed, claimFile);
        Assert.Equal((1, 1, null), (turned, fromCache, problem));
        Assert.False(File.Exists(crashed + "-journal"));
    }

    /// <summary>The probe is shrunk, cut to its content and turned upright as a claim's picture is, so those steps mark the stamp too.</summary>
    [Fact]
    public void The_probe_goes_through_every_step_a_claims_picture_does()
    {
        using var probe = ImageLoader.Decode(TurnedViewCache.ProbePicture(), "probe", ImageLimits.Default);
        // Stored 720 x 540 with EXIF orientation 6: upright it is 540 x 720, over both sizes views are made at (256 and 512).
        Assert.Equal((540, 720), (probe.Width, probe.Height));
        Assert.Equal("JPEG", probe.Format, ignoreCase: true);
        var pixel = probe.Pixels[2, 2];
        Assert.True(pixel.R > 245 && pixel.G > 245 && pixel.B > 245, "a plain border for the content box to cut");
    }

    [Fact]
    public void Views_round_trip_and_a_wrong_length_is_refused()
    {
        var views = new List<ImageView> { new(0xFEDCBA9876543210UL, [0.5f, -0.25f, 1e-7f]), new(1UL, [0f, 1f, -1f]) };
        var bytes = TurnedViewCache.Encode(views);
        var back = TurnedViewCache.Decode(bytes, 3)!;
        Assert.Equal(views.Select(v => v.PerceptualHash), back.Select(v => v.PerceptualHash));
        Assert.Equal(views[0].Embedding, back[0].Embedding);
        Assert.Equal(views[1].Embedding, back[1].Embedding);
        Assert.Null(TurnedViewCache.Decode(bytes, 4));
        Assert.Null(TurnedViewCache.Decode(bytes[..^1], 3));
        Assert.Null(TurnedViewCache.Decode([], 3));
        Assert.Null(TurnedViewCache.Decode(TurnedViewCache.Encode([new ImageView(0, [float.NaN, 0f, 0f])]), 3));
    }
}
