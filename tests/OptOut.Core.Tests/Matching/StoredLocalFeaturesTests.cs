using Microsoft.Data.Sqlite;
using OptOut.Core.Fingerprinting;
using OptOut.Core.Imaging;
using OptOut.Core.Index;
using OptOut.Core.Matching;
using OptOut.Core.Tests.Index;
using OptOut.Samples;
using SixLabors.ImageSharp;

namespace OptOut.Core.Tests.Matching;

/// <summary>
/// Local features stored at import (<see cref="TrainingSetImporter.LocalFeatureExtraction"/>): real clip
/// art in an image folder, imported with and without them; a rotated copy (which only the keypoint fit
/// verifies, not the stretch) searched through <see cref="CopyMatcher"/>.
/// </summary>
public sealed class StoredLocalFeaturesTests : IDisposable
{
    private static readonly string[] Drawings = ["grapes_01.png", "apple.png", "another_apple_01.png", "apple_bitten_dan_gerhard_01.png"];

    private readonly string folder = TestEnvironment.NewScratchFolder();
    private readonly Fingerprinter fingerprinter = IndexFixtures.NewFingerprinter();
    private readonly string dataset;
    private readonly PictureFingerprint rotatedQuery;

    public StoredLocalFeaturesTests()
    {
        dataset = Path.Combine(folder, "dataset");
        Directory.CreateDirectory(dataset);
        foreach (var name in Drawings) File.Copy(ClipArt.PathOf(name), Path.Combine(dataset, name));
        using var original = ClipArt.Load("grapes_01.png");
        using var rotated = Alterations.Apply(original.Pixels, Alteration.Rotate);
        var query = Path.Combine(folder, "grapes-rotated.png");
        rotated.SaveAsPng(query);
        rotatedQuery = fingerprinter.Fingerprint(query);
    }

    public void Dispose() => SqliteConnection.ClearAllPools();

    private IndexStore Import(string name, bool withFeatures, int? rows = null)
    {
        var store = IndexStore.Open(Path.Combine(folder, name, "index.db"));
        var importer = new TrainingSetImporter(store, fingerprinter, null, _ => { })
        {
            LocalFeatureExtraction = withFeatures ? StoredFeatureExtraction.For(VerifierOptions.Default) : null,
        };
        var summary = importer.Import("scraped", [dataset], CancellationToken.None);
        Assert.Equal(rows ?? Drawings.Length, summary.Rows);
        return store;
    }

    private static List<IndexedRow> AllRows(IndexStore store) => store.GetRows(Enumerable.Range(1, Drawings.Length).Select(i => (long)i).ToList()).ToList();

    private static CopyMatch? Grapes(IReadOnlyList<CopyMatch> matches) => matches.SingleOrDefault(m => m.Row.Image!.Path.EndsWith("grapes_01.png", StringComparison.Ordinal));

    // Proposes nothing: rows become candidates only by hash (within HashCandidateRadius), rank or the screen.
    private static readonly CopyRule NoRule = new() { HashAlone = 0, CosineAlone = 2f, HashWithCosine = -1, CosineWithHash = 2f };

    // Every row the matcher looked at, look-alikes included, to see which it verified.
    private static readonly SearchOptions Everything = new() { Rule = NoRule, IncludeSimilar = true, MinimumSimilarity = 0 };

    // A matcher whose only way in besides the hash is the screen of the views' deeper ranks (screenDepth 0: none).
    private static CopyMatcher ScreenOnly(IndexStore store, int screenInliers = CopyMatcher.DefaultScreenInliers, int screenDepth = 4, MatcherStatistics? statistics = null) =>
        new(store) { CandidateDepth = 0, RankingDepth = 0, ViewCandidateDepth = 0, ScreenedViewDepth = screenDepth, ScreenInliers = screenInliers, Statistics = statistics };

    // As many inliers as the query has keypoints: no fit has that many, yet the query is not too plain for the screen.
    private static int BeyondAnyFit(PictureFingerprint query) => ((VerifiablePicture)query.Picture!).Features.Count;

    // The grapes altered (Mirror: their perceptual hash far from the original's, their keypoints fitting it mirrored;
    // Watermark: their hash 12 bits away), fingerprinted as the matcher's queries are (turned views included).
    private PictureFingerprint GrapesQuery(CopyMatcher matcher, Alteration alteration)
    {
        var path = Path.Combine(folder, $"grapes-{alteration}.png");
        if (!File.Exists(path))
        {
            using var copy = ClipArt.Copy("grapes_01.png", alteration);
            copy.Pixels.SaveAsPng(path);
        }
        return matcher.FingerprintQuery(fingerprinter, path);
    }

    [Fact]
    public void A_row_only_a_views_deeper_ranks_bring_is_verified_when_its_stored_keypoints_fit()
    {
        using var store = Import("with", withFeatures: true);
        using var screening = ScreenOnly(store);
        var query = GrapesQuery(screening, Alteration.Mirror);
        using var picture = query.Picture;
        Assert.NotEmpty(query.Views!);

        // The screen, not the hash, brings the row.
        AssertCopyOnlyThroughDeeperRanks(store, screening, query, hashNear: false);
    }

    [Fact]
    public void A_screened_row_whose_keypoints_do_not_fit_is_not_read()
    {
        using var store = Import("with", withFeatures: true);
        // Any read of the grapes' file now fails, and says so.
        File.Delete(Path.Combine(dataset, "grapes_01.png"));
        var refusals = new MatcherStatistics();
        using var screening = ScreenOnly(store);
        var query = GrapesQuery(screening, Alteration.Mirror);
        using var picture = query.Picture;
        using var refusing = ScreenOnly(store, screenInliers: BeyondAnyFit(query), statistics: refusals);

        var refused = Grapes(refusing.Find(query, Everything));
        Assert.NotNull(refused);
        Assert.Equal(MatchKind.Similar, refused.Kind);
        Assert.Null(refused.Verification);
        Assert.Null(refused.NotVerified);
        Assert.True(refusals.Screened >= 1 && refusals.ScreenedIn == 0, $"{refusals.Screened} screened, {refusals.ScreenedIn} let through");

        // Its keypoints fitting, the row is verified: its file is read, and its absence said. The other drawings'
        // keypoints do not fit the grapes' with 15 inliers: they are not verified (no evidence) unless their hash is near.
        var passes = new MatcherStatistics();
        using var passing = ScreenOnly(store, statistics: passes);
        var all = passing.Find(query, Everything);
        Assert.Equal(1, passes.ScreenedIn);
        var read = Grapes(all);
        Assert.NotNull(read);
        Assert.Equal(MatchKind.Similar, read.Kind);
        Assert.Contains("could not be read", read.NotVerified);
        var others = all.Where(m => m != read && m.HashDistance > CopyMatcher.HashCandidateRadius).ToList();
        Assert.NotEmpty(others);
        Assert.All(others, m => Assert.Null(m.Verification));
    }

    [Fact]
    public void A_row_the_deeper_ranks_bring_with_a_near_hash_is_verified_as_any_such_row()
    {
        // The watermarked grapes' hash is 12 bits from the original's: within the radius at which a row is verified
        // whatever its cosine (HashCandidateRadius), screen or no screen; without the deeper ranks it is no candidate.
        using var store = Import("with", withFeatures: true);
        using var screening = ScreenOnly(store);
        var query = GrapesQuery(screening, Alteration.Watermark);
        using var picture = query.Picture;
        using var refusing = ScreenOnly(store, screenInliers: BeyondAnyFit(query));

        AssertCopyOnlyThroughDeeperRanks(store, refusing, query, hashNear: true);
    }

    [Fact]
    public void A_query_too_plain_for_the_screen_has_the_deeper_ranks_verified_in_full()
    {
        // The Netherlands' flag has no keypoints, so no row could pass the screen. Its watermarked copy in the
        // training set (30 bits from the flag's hash, ranked by the views' deeper ranks only here) is verified by
        // its pixels all the same, and the other drawings those ranks bring are compared, not left unlooked at.
        using (var copy = ClipArt.Copy("netherlands.png", Alteration.Watermark)) copy.Pixels.SaveAsPng(Path.Combine(dataset, "netherlands-watermarked.png"));
        using var store = Import("plain", withFeatures: true, rows: Drawings.Length + 1);
        var statistics = new MatcherStatistics();
        // Every row within the screened ranks (five rows, five deep).
        using var screening = ScreenOnly(store, screenDepth: Drawings.Length + 1, statistics: statistics);
        var query = screening.FingerprintQuery(fingerprinter, ClipArt.PathOf("netherlands.png"));
        using var picture = query.Picture;
        Assert.True(BeyondAnyFit(query) < CopyMatcher.DefaultScreenInliers, $"{BeyondAnyFit(query)} keypoints");
        static CopyMatch? Flag(IReadOnlyList<CopyMatch> matches) => matches.SingleOrDefault(m => m.Row.Image!.Path.EndsWith("netherlands-watermarked.png", StringComparison.Ordinal));

        var all = screening.Find(query, Everything);

        var flag = Flag(all);
        Assert.NotNull(flag);
        Assert.True(flag.HashDistance > CopyMatcher.HashCandidateRadius, $"hash distance {flag.HashDistance}");
        Assert.Equal(MatchKind.Copy, flag.Kind);
        Assert.Equal(0, statistics.Screened);
        Assert.All(all.Where(m => m != flag), m => Assert.NotNull(m.Verification));
        using var unscreened = ScreenOnly(store, screenDepth: 0);
        Assert.Null(Flag(unscreened.Find(query, new SearchOptions { Rule = NoRule })));
    }

    [Fact]
    public void The_plain_querys_depth_is_spent_on_rows_no_other_way_brings()
    {
        // Two copies of the grapes (hash-near, verified whatever their rank) rank above the apples. With a depth of
        // one, the first apple is verified in full all the same, and the other apples' stored keypoints are asked
        // first (here refused: as many inliers as the query has keypoints), so they come back unlooked at.
        foreach (var alteration in new[] { Alteration.Reencode, Alteration.Resize })
        {
            using var copy = ClipArt.Copy("grapes_01.png", alteration);
            copy.Pixels.SaveAsPng(Path.Combine(dataset, $"grapes-{alteration}.png"));
        }
        using var store = Import("crowded", withFeatures: true, rows: Drawings.Length + 2);
        using var plain = new CopyMatcher(store) { ViewAngles = [] };
        var query = plain.FingerprintQuery(fingerprinter, ClipArt.PathOf("grapes_01.png"));
        using var picture = query.Picture;
        int keypoints = BeyondAnyFit(query);
        Assert.True(keypoints >= CopyMatcher.DefaultScreenFromKeypoints, $"{keypoints} keypoints");
        var statistics = new MatcherStatistics();
        using var oneDeep = new CopyMatcher(store) { ViewAngles = [], CandidateDepth = 1, ScreenInliers = keypoints, Statistics = statistics };

        var all = oneDeep.Find(query, Everything);

        var copies = all.Where(m => m.Kind is MatchKind.Copy or MatchKind.Exact).ToList();
        Assert.Equal(3, copies.Count);
        var apples = all.Where(m => m.Kind == MatchKind.Similar).ToList();
        Assert.Equal(3, apples.Count);
        // The copies rank above every apple: counted by rank alone, the depth would go to them.
        Assert.True(copies.Min(m => m.Similarity) > apples.Max(m => m.Similarity));
        Assert.All(apples, m => Assert.True(m.HashDistance > CopyMatcher.HashCandidateRadius, $"hash distance {m.HashDistance}"));
        // The best-ranked apple compared, the two below it screened out.
        Assert.NotNull(apples.OrderByDescending(m => m.Similarity).First().Verification);
        Assert.Equal(2, apples.Count(m => m.Verification is null));
        Assert.Equal(2, statistics.Screened);
        Assert.Equal(0, statistics.ScreenedIn);

        // A query with fewer keypoints than ScreenFromKeypoints has its plain ranking verified in full.
        using var plainer = new CopyMatcher(store) { ViewAngles = [], CandidateDepth = 1, ScreenInliers = keypoints, ScreenFromKeypoints = keypoints + 1 };
        Assert.All(plainer.Find(query, Everything).Where(m => m.Kind != MatchKind.Exact), m => Assert.NotNull(m.Verification));
    }

    [Fact]
    public void A_query_between_the_two_keypoint_bars_has_its_plain_ranking_verified_in_full_and_its_views_screened()
    {
        // A query with at least ScreenInliers keypoints but fewer than ScreenFromKeypoints (15-63 by default): the rows
        // its plain ranking holds are verified in full, while the rows only its views' deeper ranks bring are still
        // screened. Here the bars sit on either side of the mirrored grapes' own keypoint count, and no fit can reach
        // the screen's inliers: the grapes are verified through the plain ranking, and refused unread through the views.
        using var store = Import("with", withFeatures: true);
        using var screening = ScreenOnly(store);
        var query = GrapesQuery(screening, Alteration.Mirror);
        using var picture = query.Picture;
        int keypoints = BeyondAnyFit(query);
        Assert.True(keypoints >= CopyMatcher.DefaultScreenInliers, $"{keypoints} keypoints");

        var viewStatistics = new MatcherStatistics();
        using var viewsOnly = new CopyMatcher(store)
        {
            CandidateDepth = 0, RankingDepth = 0, ViewCandidateDepth = 0, ScreenedViewDepth = 4,
            ScreenInliers = keypoints, ScreenFromKeypoints = keypoints + 1, Statistics = viewStatistics,
        };
        var throughViews = Grapes(viewsOnly.Find(query, Everything));
        Assert.NotNull(throughViews);
        Assert.True(throughViews.HashDistance > CopyMatcher.HashCandidateRadius, $"hash distance {throughViews.HashDistance}");
        Assert.Equal(MatchKind.Similar, throughViews.Kind);
        Assert.Null(throughViews.Verification);
        Assert.True(viewStatistics.Screened >= 1 && viewStatistics.ScreenedIn == 0, $"{viewStatistics.Screened} screened");

        var plainStatistics = new MatcherStatistics();
        using var plainOnly = new CopyMatcher(store)
        {
            CandidateDepth = 0, RankingDepth = 4, ViewCandidateDepth = 0, ScreenedViewDepth = 0,
            ScreenInliers = keypoints, ScreenFromKeypoints = keypoints + 1, Statistics = plainStatistics,
        };
        var throughPlain = Grapes(plainOnly.Find(query, Everything));
        Assert.Equal(MatchKind.Copy, throughPlain!.Kind);
        Assert.Equal(0, plainStatistics.Screened);
        Assert.Equal(1, plainStatistics.PlainQueries);

        // At the bar (as many keypoints as ScreenFromKeypoints asks) the plain ranking is screened too.
        using var atTheBar = new CopyMatcher(store)
        {
            CandidateDepth = 0, RankingDepth = 4, ViewCandidateDepth = 0, ScreenedViewDepth = 0,
            ScreenInliers = keypoints, ScreenFromKeypoints = keypoints,
        };
        Assert.Null(Grapes(atTheBar.Find(query, Everything))!.Verification);
    }

    [Fact]
    public void Keypoints_are_counted_as_pending_only_for_a_query_prepared_in_the_background()
    {
        // A query fingerprinted without its picture is prepared inside the search, its keypoints extracted when first
        // needed: nothing was on its way, so nothing is counted as pending.
        using var store = Import("with", withFeatures: true);
        var statistics = new MatcherStatistics();
        using var matcher = new CopyMatcher(store) { Statistics = statistics };
        var query = fingerprinter.Fingerprint(rotatedQuery.Path);
        Assert.Null(query.Picture);

        Assert.NotEmpty(matcher.Find(query, Everything));

        Assert.Equal(1, statistics.Queries);
        Assert.Equal(0, statistics.QueryFeaturesPendingQueries);
    }

    [Fact]
    public void Rows_the_plain_query_ranks_without_stored_features_are_verified_in_full()
    {
        // Nothing to screen them by: the plain ranking's rows are verified from their pixels, as deep as before the
        // screen reached it, so an index imported without features loses no copy. The same rows with stored features
        // are screened (and refused).
        using var without = Import("without", withFeatures: false);
        using var with = Import("with", withFeatures: true);
        using var plain = new CopyMatcher(with) { ViewAngles = [] };
        var query = plain.FingerprintQuery(fingerprinter, rotatedQuery.Path);
        using var picture = query.Picture;
        CopyMatcher Refusing(IndexStore store) => new(store) { ViewAngles = [], CandidateDepth = 0, ScreenInliers = BeyondAnyFit(query) };

        using (var matcher = Refusing(without))
        {
            var grapes = Grapes(matcher.Find(query, Everything));
            Assert.Equal(MatchKind.Copy, grapes!.Kind);
        }
        using (var matcher = Refusing(with))
        {
            var grapes = Grapes(matcher.Find(query, Everything));
            Assert.Equal(MatchKind.Similar, grapes!.Kind);
            Assert.Null(grapes.Verification);
        }
    }

    // The grapes verified by `matcher`, their hash within HashCandidateRadius or not as said, and no candidate at all
    // for a matcher without the views' deeper ranks.
    private static void AssertCopyOnlyThroughDeeperRanks(IndexStore store, CopyMatcher matcher, PictureFingerprint query, bool hashNear)
    {
        var grapes = Grapes(matcher.Find(query, new SearchOptions { Rule = NoRule }));
        Assert.NotNull(grapes);
        Assert.True(grapes.HashDistance <= CopyMatcher.HashCandidateRadius == hashNear, $"hash distance {grapes.HashDistance}");
        Assert.Equal(MatchKind.Copy, grapes.Kind);
        using var unscreened = ScreenOnly(store, screenDepth: 0);
        Assert.Null(Grapes(unscreened.Find(query, new SearchOptions { Rule = NoRule })));
    }

    [Fact]
    public void Features_stored_at_import_are_the_verifiers_own_and_round_trip()
    {
        using var store = Import("with", withFeatures: true);
        var rows = AllRows(store);
        var stored = store.GetLocalFeatures(rows.Select(r => r.Id).ToList());
        Assert.Equal(Drawings.Length, stored.Count);
        var verifier = new GeometricVerifier();
        foreach (var row in rows)
        {
            var bytes = stored[row.Id];
            Assert.Equal(bytes, LocalFeatures.FromBytes(bytes).ToBytes());
            using var decoded = ImageLoader.Load(row.Image!.Path, ImageLimits.Default);
            using var picture = verifier.Prepare(decoded);
            Assert.True(picture.Features.Count > 0, row.Image.Path);
            Assert.Equal(picture.Features.ToBytes(), bytes);
        }
    }

    [Fact]
    public void A_rotated_copy_verifies_with_the_stored_features()
    {
        using var store = Import("with", withFeatures: true);
        using var matcher = new CopyMatcher(store);
        var grapes = Grapes(matcher.Find(rotatedQuery, new SearchOptions()));
        Assert.NotNull(grapes);
        Assert.Equal(MatchKind.Copy, grapes.Kind);
        Assert.Equal(VerificationMethod.Geometric, grapes.Verification!.Method);
    }

    [Fact]
    public void The_matcher_uses_the_stored_features_rather_than_extracting_them()
    {
        using (var store = Import("with", withFeatures: true))
        {
            // The grapes' stored features replaced by an empty set of the same frame: if the matcher
            // reads them, the rotated copy has nothing to fit to; extracting, it verifies.
            var grapesRow = AllRows(store).Single(r => r.Image!.Path.EndsWith("grapes_01.png", StringComparison.Ordinal));
            var real = LocalFeatures.FromBytes(store.GetLocalFeatures([grapesRow.Id])[grapesRow.Id]);
            var empty = new LocalFeatures(real.Kind, real.Width, real.Height, real.SourceWidth, real.SourceHeight, [], [], []);
            using (var connection = new SqliteConnection($"Data Source={store.Path}"))
            {
                connection.Open();
                using var update = connection.CreateCommand();
                update.CommandText = "UPDATE local_features SET features = $f WHERE row_id = $id";
                update.Parameters.AddWithValue("$f", empty.ToBytes());
                update.Parameters.AddWithValue("$id", grapesRow.Id);
                Assert.Equal(1, update.ExecuteNonQuery());
            }

            using var usingStored = new CopyMatcher(store);
            var fromStored = Grapes(usingStored.Find(rotatedQuery, new SearchOptions { IncludeSimilar = true, MinimumSimilarity = 0 }));
            Assert.NotNull(fromStored);
            Assert.NotEqual(MatchKind.Copy, fromStored.Kind);
            Assert.False(fromStored.Verification!.IsVerified);

            using var extracting = new CopyMatcher(store) { UseStoredFeatures = false };
            Assert.Equal(MatchKind.Copy, Grapes(extracting.Find(rotatedQuery, new SearchOptions()))!.Kind);
        }
    }

    [Fact]
    public void Stored_features_that_do_not_fit_the_picture_are_ignored_and_the_features_extracted()
    {
        using var store = Import("with", withFeatures: true);
        var rows = AllRows(store);
        var grapesRow = rows.Single(r => r.Image!.Path.EndsWith("grapes_01.png", StringComparison.Ordinal));
        var appleRow = rows.Single(r => r.Image!.Path.EndsWith("/apple.png", StringComparison.Ordinal));
        var stored = store.GetLocalFeatures([grapesRow.Id, appleRow.Id]);
        using (var connection = new SqliteConnection($"Data Source={store.Path}"))
        {
            connection.Open();
            using var update = connection.CreateCommand();
            // Another picture's features (another size), then bytes that are no feature set at all.
            update.CommandText = "UPDATE local_features SET features = $f WHERE row_id = $id";
            update.Parameters.AddWithValue("$f", stored[appleRow.Id]);
            update.Parameters.AddWithValue("$id", grapesRow.Id);
            update.ExecuteNonQuery();
        }
        using (var matcher = new CopyMatcher(store))
        {
            Assert.Equal(MatchKind.Copy, Grapes(matcher.Find(rotatedQuery, new SearchOptions()))!.Kind);
        }
        using (var connection = new SqliteConnection($"Data Source={store.Path}"))
        {
            connection.Open();
            using var update = connection.CreateCommand();
            update.CommandText = "UPDATE local_features SET features = x'00010203' WHERE row_id = $id";
            update.Parameters.AddWithValue("$id", grapesRow.Id);
            update.ExecuteNonQuery();
        }
        using (var matcher = new CopyMatcher(store))
        {
            Assert.Equal(MatchKind.Copy, Grapes(matcher.Find(rotatedQuery, new SearchOptions()))!.Kind);
        }
    }

    [Fact]
    public void An_index_without_stored_features_still_verifies_by_extracting_them()
    {
        using (var store = Import("without", withFeatures: false))
        {
            Assert.Empty(store.GetLocalFeatures(AllRows(store).Select(r => r.Id).ToList()));
            using var matcher = new CopyMatcher(store);
            Assert.Equal(MatchKind.Copy, Grapes(matcher.Find(rotatedQuery, new SearchOptions()))!.Kind);
        }

        // An index written before the table existed: no local_features table at all, opened read-only.
        var path = Path.Combine(folder, "without", "index.db");
        SqliteConnection.ClearAllPools();
        using (var connection = new SqliteConnection($"Data Source={path}"))
        {
            connection.Open();
            using var drop = connection.CreateCommand();
            drop.CommandText = "DROP TABLE local_features";
            drop.ExecuteNonQuery();
        }
        using (var old = IndexStore.OpenForReading(path))
        {
            Assert.Empty(old.GetLocalFeatures(AllRows(old).Select(r => r.Id).ToList()));
            using var matcher = new CopyMatcher(old);
            Assert.Equal(MatchKind.Copy, Grapes(matcher.Find(rotatedQuery, new SearchOptions()))!.Kind);
        }
    }
    [Fact]
    public void A_query_picture_prepared_on_its_fingerprints_decode_gives_the_same_answers()
    {
        using var store = Import("with", withFeatures: true);
        using var matcher = new CopyMatcher(store);
        var options = new SearchOptions { IncludeSimilar = true, MinimumSimilarity = 0 };
        var query = matcher.FingerprintQuery(fingerprinter, rotatedQuery.Path);
        Assert.IsType<VerifiablePicture>(query.Picture);
        using (query.Picture)
        {
            // The same views (the matcher's own turns) both ways: only the decoding differs.
            var decodedTwice = matcher.Find(rotatedQuery with { Views = query.Views }, options);
            var decodedOnce = matcher.Find(query, options);
            Assert.Equal(decodedTwice.Select(m => (m.Row.Id, m.Kind, m.Verification?.Method, m.Verification?.Inliers)),
                decodedOnce.Select(m => (m.Row.Id, m.Kind, m.Verification?.Method, m.Verification?.Inliers)));
            Assert.Equal(MatchKind.Copy, Grapes(decodedOnce)!.Kind);
            // The picture stays the caller's: a second search uses it again.
            Assert.Equal(MatchKind.Copy, Grapes(matcher.Find(query, options))!.Kind);
        }
    }
}
