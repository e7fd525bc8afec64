using Microsoft.Data.Sqlite;
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
/// limits, the same model and recipe), and a cache that cannot be used changes nothing but the time. Real clip
/// art, the real model, a real SQLite file.
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

    private static string Recipe => ContentGateRun.Printer.WithViewAngles(CopyMatcher.CalibratedViewAngles).ViewRecipe;

    [Fact]
    public void A_second_check_takes_the_views_from_the_cache_and_finds_the_same()
    {
        var folder = TestEnvironment.NewScratchFolder();
        var (rules, claimFile, dataset) = Setup(folder);
        var cachePath = Path.Combine(folder, "cache", "turned-views.db");
        var sha = ContentGateRun.Printer.Fingerprint(claimFile).Sha256;

        List<Violation> first;
        using (var cache = TurnedViewCache.Open(cachePath))
        using (var pictures = PicturesFor(claimFile))
        {
            Assert.Null(cache.Problem);
            Assert.Equal(1, pictures.AddTurnedViews(rules, ContentGateRun.Printer.Model, cache, out int fromCache));
            Assert.Equal(0, fromCache);
            first = ContentGateRun.Violations(rules, dataset, pictures);
        }
        Assert.Single(first);

        IReadOnlyList<ImageView> kept;
        using (var cache = TurnedViewCache.Open(cachePath))
        {
            var found = cache.Find([sha], ContentGateRun.Printer.Model.ModelId, Recipe, ContentGateRun.Printer.Model.Dimensions);
            kept = Assert.Single(found).Value.Views;
            Assert.Equal(CopyMatcher.CalibratedViewAngles.Count, kept.Count);
            // Another model or recipe never reads these views.
            Assert.Empty(cache.Find([sha], "OtherModel@sha256:00", Recipe, ContentGateRun.Printer.Model.Dimensions));
            Assert.Empty(cache.Find([sha], ContentGateRun.Printer.Model.ModelId, ContentGateRun.Printer.WithViewAngles([-6f, 6f]).ViewRecipe, ContentGateRun.Printer.Model.Dimensions));
        }
        // The views kept are the views made: the same turns of the same file give the same hashes and embeddings.
        var fresh = ContentGateRun.Printer.WithViewAngles(CopyMatcher.CalibratedViewAngles).Fingerprint(claimFile).Views!;
        Assert.Equal(fresh.Select(v => v.PerceptualHash), kept.Select(v => v.PerceptualHash));
        for (int i = 0; i < fresh.Count; i++) Assert.Equal(fresh[i].Embedding, kept[i].Embedding);

        var again = RulesFor(claimFile);
        using (var cache = TurnedViewCache.Open(cachePath))
        using (var pictures = PicturesFor(claimFile))
        {
            Assert.Equal(1, pictures.AddTurnedViews(again, ContentGateRun.Printer.Model, cache, out int fromCache));
            Assert.Equal(1, fromCache);
            var second = ContentGateRun.Violations(again, dataset, pictures);
            Assert.Equal(first.Select(v => (v.Row, v.RecordId, v.Detail)), second.Select(v => (v.Row, v.RecordId, v.Detail)));
        }
    }

    [Fact]
    public void Cached_views_are_not_given_to_a_changed_file_or_a_picture_over_the_limits()
    {
        var folder = TestEnvironment.NewScratchFolder();
        var (rules, claimFile, _) = Setup(folder);
        var cachePath = Path.Combine(folder, "turned-views.db");
        using (var cache = TurnedViewCache.Open(cachePath))
        using (var pictures = PicturesFor(claimFile))
        {
            Assert.Equal(1, pictures.AddTurnedViews(rules, ContentGateRun.Printer.Model, cache, out _));
        }
        var (width, height) = (ContentGateRun.Printer.Fingerprint(claimFile).Width, ContentGateRun.Printer.Fingerprint(claimFile).Height);

        // Under a pixel limit the picture exceeds, a fresh turn would refuse the file: so does the cache.
        using (var cache = TurnedViewCache.Open(cachePath))
        using (var pictures = PicturesFor(claimFile, new ImageLimits { MaxPixels = (long)width * height - 1 }))
        {
            Assert.Equal(0, pictures.AddTurnedViews(RulesFor(claimFile), ContentGateRun.Printer.Model, cache, out int fromCache));
            Assert.Equal(0, fromCache);
        }

        // The claimant's file replaced since: no views, cached or not (the claim keeps its one fingerprint).
        File.Copy(ClipArt.PathOf("apple.png"), claimFile, overwrite: true);
        using (var cache = TurnedViewCache.Open(cachePath))
        using (var pictures = PicturesFor(claimFile))
        {
            Assert.Equal(0, pictures.AddTurnedViews(rules, ContentGateRun.Printer.Model, cache, out int fromCache));
            Assert.Equal(0, fromCache);
        }
    }

    [Fact]
    public void A_cache_that_cannot_be_used_is_left_untouched_and_the_views_are_turned_afresh()
    {
        var folder = TestEnvironment.NewScratchFolder();
        var (rules, claimFile, dataset) = Setup(folder);

        // Not a database at all.
        var garbage = Path.Combine(folder, "garbage.db");
        var garbageBytes = Enumerable.Range(0, 8192).Select(i => (byte)(i * 7)).ToArray();
        File.WriteAllBytes(garbage, garbageBytes);
        using (var cache = TurnedViewCache.Open(garbage))
        using (var pictures = PicturesFor(claimFile))
        {
            Assert.NotNull(cache.Problem);
            Assert.Equal(1, pictures.AddTurnedViews(rules, ContentGateRun.Printer.Model, cache, out int fromCache));
            Assert.Equal(0, fromCache);
            Assert.Single(ContentGateRun.Violations(rules, dataset, pictures));
        }
        Assert.Equal(garbageBytes, File.ReadAllBytes(garbage));

        // Another program's SQLite file (a registry, say): refused, its tables untouched.
        var other = Path.Combine(folder, "other.db");
        using (var connection = new SqliteConnection($"Data Source={other};Pooling=False"))
        {
            connection.Open();
            using var create = connection.CreateCommand();
            create.CommandText = "CREATE TABLE notes (text TEXT); INSERT INTO notes VALUES ('keep me');";
            create.ExecuteNonQuery();
        }
        using (var cache = TurnedViewCache.Open(other))
        using (var pictures = PicturesFor(claimFile))
        {
            Assert.Contains("not OptOut's turned-view cache", cache.Problem, StringComparison.Ordinal);
            Assert.Equal(1, pictures.AddTurnedViews(RulesFor(claimFile), ContentGateRun.Printer.Model, cache, out int fromCache));
            Assert.Equal(0, fromCache);
        }
        using (var connection = new SqliteConnection($"Data Source={other};Mode=ReadOnly;Pooling=False"))
        {
            connection.Open();
            using var tables = connection.CreateCommand();
            tables.CommandText = "SELECT group_concat(name) FROM sqlite_master WHERE type = 'table'";
            Assert.Equal("notes", tables.ExecuteScalar());
        }
    }

    [Fact]
    public void A_damaged_entry_is_a_miss_and_is_made_again()
    {
        var folder = TestEnvironment.NewScratchFolder();
        var (rules, claimFile, _) = Setup(folder);
        var cachePath = Path.Combine(folder, "turned-views.db");
        using (var cache = TurnedViewCache.Open(cachePath))
        using (var pictures = PicturesFor(claimFile))
        {
            pictures.AddTurnedViews(rules, ContentGateRun.Printer.Model, cache, out _);
        }
        using (var connection = new SqliteConnection($"Data Source={cachePath};Pooling=False"))
        {
            connection.Open();
            using var damage = connection.CreateCommand();
            damage.CommandText = "UPDATE turned_views SET views = substr(views, 1, 100)";
            Assert.Equal(1, damage.ExecuteNonQuery());
        }
        using (var cache = TurnedViewCache.Open(cachePath))
        using (var pictures = PicturesFor(claimFile))
        {
            Assert.Equal(1, pictures.AddTurnedViews(RulesFor(claimFile), ContentGateRun.Printer.Model, cache, out int fromCache));
            Assert.Equal(0, fromCache);
        }
        using (var cache = TurnedViewCache.Open(cachePath))
        using (var pictures = PicturesFor(claimFile))
        {
            pictures.AddTurnedViews(RulesFor(claimFile), ContentGateRun.Printer.Model, cache, out int fromCache);
            Assert.Equal(1, fromCache);
        }
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
        var notFinite = TurnedViewCache.Encode([new ImageView(0, [float.NaN, 0f, 0f])]);
        Assert.Null(TurnedViewCache.Decode(notFinite, 3));
    }
}
