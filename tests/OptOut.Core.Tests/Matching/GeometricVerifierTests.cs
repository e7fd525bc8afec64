using OptOut.Core.Matching;
using OptOut.Samples;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace OptOut.Core.Tests.Matching;

/// <summary>
/// Geometric verification on real clip-art and real OpenCV: every kind of copy verifies, a different
/// drawing of the same subject does not, and pictures that cannot be judged say why.
/// </summary>
public class GeometricVerifierTests
{
    private const string Apple = "apple.png";                 // 533 x 533, flat colours, thick outline
    private const string Grapes = "grapes_01.png";            // 445 x 439, many small shapes
    private const string OtherApple = "another_apple_01.png"; // a different artist's apple
    private static readonly GeometricVerifier Verifier = new();

    public static TheoryData<string, Alteration> Copies()
    {
        var data = new TheoryData<string, Alteration>();
        foreach (var name in new[] { Apple, Grapes })
        {
            foreach (var alteration in Alterations.All) data.Add(name, alteration);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Copies))]
    public void An_altered_copy_verifies(string name, Alteration alteration)
    {
        using var original = ClipArt.Load(name);
        using var copy = ClipArt.Copy(name, alteration);
        using var query = Verifier.Prepare(original);
        using var candidate = Verifier.Prepare(copy);

        var result = Verifier.Verify(query, candidate);

        Assert.True(result.IsVerified, $"{name} {alteration}: {result.Reason}, {result.Detail}");
        Assert.Equal(NotVerifiedReason.None, result.Reason);
        Assert.Equal(alteration == Alteration.Mirror, result.Mirrored);
        Assert.False(double.IsNaN(result.Ncc), result.Detail);
        Assert.False(result.QueryRegion.IsEmpty);
        Assert.False(result.CandidateRegion.IsEmpty);
    }

    [Fact]
    public void A_geometric_fit_reports_the_transform_of_a_resized_rotated_copy()
    {
        using var original = ClipArt.Load(Grapes);
        // Half size and turned 10 degrees: the stretch cannot align it, the keypoints must.
        using var turned = original.Pixels.Clone(x => x.Resize(original.Width / 2, original.Height / 2).Rotate(10f, KnownResamplers.Bicubic).BackgroundColor(Color.White));
        using var copy = ClipArt.Reload(turned, lossless: false);
        using var query = Verifier.Prepare(original);
        using var candidate = Verifier.Prepare(copy);

        var result = Verifier.Verify(query, candidate);

        Assert.True(result.IsVerified, result.Detail);
        Assert.Equal(VerificationMethod.Geometric, result.Method);
        Assert.InRange(result.Scale, 0.47, 0.53);
        Assert.InRange(Math.Abs(result.RotationDegrees), 9, 11);
        Assert.True(result.Inliers >= 20, result.Detail);
        Assert.InRange(result.InlierRatio, 0.2, 1.0);
        Assert.False(result.Mirrored);
        Assert.True(result.Overlap > 0.9, result.Detail);
    }

    [Fact]
    public void A_crop_reports_the_part_of_the_query_it_shows()
    {
        using var original = ClipArt.Load(Grapes);
        int w = original.Width, h = original.Height;
        // The right half only.
        using var half = original.Pixels.Clone(x => x.Crop(new Rectangle(w / 2, 0, w - w / 2, h)));
        using var copy = ClipArt.Reload(half, lossless: true);
        using var query = Verifier.Prepare(original);
        using var candidate = Verifier.Prepare(copy);

        var result = Verifier.Verify(query, candidate);

        Assert.True(result.IsVerified, result.Detail);
        Assert.InRange(result.QueryRegion.X, w / 2 - 6, w / 2 + 6);
        Assert.InRange(result.QueryRegion.Width, w - w / 2 - 8, w - w / 2 + 6);
        Assert.InRange(result.CandidateRegion.X, 0, 6);
        Assert.InRange(result.Overlap, 0.4, 0.6);
    }

    [Fact]
    public void A_different_drawing_of_the_same_subject_does_not_verify()
    {
        using var apple = ClipArt.Load(Apple);
        using var lookAlike = ClipArt.Load(OtherApple);
        using var query = Verifier.Prepare(apple);
        using var candidate = Verifier.Prepare(lookAlike);

        var result = Verifier.Verify(query, candidate);

        Assert.False(result.IsVerified, result.Detail);
        Assert.NotEqual(NotVerifiedReason.None, result.Reason);
        Assert.NotEqual(NotVerifiedReason.TooSmall, result.Reason);
        // The other way round too.
        var reverse = Verifier.Verify(candidate, query);
        Assert.False(reverse.IsVerified, reverse.Detail);
    }

    [Fact]
    public void A_mirrored_copy_verifies_as_mirrored_and_not_without_the_mirrored_query()
    {
        using var original = ClipArt.Load(Grapes);
        using var copy = ClipArt.Copy(Grapes, Alteration.Mirror);
        using var query = Verifier.Prepare(original);
        using var candidate = Verifier.Prepare(copy);

        var result = Verifier.Verify(query, candidate);
        Assert.True(result.IsVerified, result.Detail);
        Assert.True(result.Mirrored);

        var geometric = Verifier.VerifyGeometric(query, candidate, mirrored: true);
        Assert.True(geometric.IsVerified, geometric.Detail);
        Assert.True(geometric.Mirrored);
        Assert.InRange(geometric.Scale, 0.97, 1.03);
        Assert.InRange(Math.Abs(geometric.RotationDegrees), 0, 1);

        var unmirrored = new GeometricVerifier(Verifier.Options with { TryMirrored = false });
        Assert.False(unmirrored.Verify(query, candidate).IsVerified);
    }

    [Fact]
    public void A_flat_picture_cannot_be_verified_and_says_why()
    {
        using var flat = new Image<Rgb24>(300, 300, new Rgb24(200, 40, 40));
        using var decoded = ClipArt.Reload(flat, lossless: true);
        using var copyPixels = flat.Clone();
        using var decodedCopy = ClipArt.Reload(copyPixels, lossless: true);
        using var query = Verifier.Prepare(decoded);
        using var candidate = Verifier.Prepare(decodedCopy);

        var result = Verifier.Verify(query, candidate);

        Assert.False(result.IsVerified);
        Assert.Equal(NotVerifiedReason.TooFewFeatures, result.Reason);
        Assert.Contains("keypoints", result.Detail);
    }

    [Fact]
    public void A_picture_below_the_minimum_size_is_reported_as_not_verifiable()
    {
        using var original = ClipArt.Load(Apple);
        int side = Verifier.Options.MinimumSide - 8;
        using var thumbnail = original.Pixels.Clone(x => x.Resize(side, side));
        using var copy = ClipArt.Reload(thumbnail, lossless: false);
        using var query = Verifier.Prepare(original);
        using var candidate = Verifier.Prepare(copy);

        var result = Verifier.Verify(query, candidate);

        Assert.False(result.IsVerified);
        Assert.Equal(NotVerifiedReason.TooSmall, result.Reason);
        Assert.Contains("too small to verify", result.Detail);
        // Either side: a small query is no more trustworthy.
        Assert.Equal(NotVerifiedReason.TooSmall, Verifier.Verify(candidate, query).Reason);
    }

    [Fact]
    public void The_fits_inliers_are_read_from_keypoints_alone()
    {
        // What CopyMatcher's screen asks of a row ranked deep: the best fit's inliers, as is or mirrored, no pixel read.
        var (query, candidate) = ClipArt.PreparedPair(Verifier, "grapes_01.png", Alteration.Mirror);
        using var owned = query;
        using var ownedCopy = candidate;
        int plain = Verifier.VerifyGeometric(query, candidate, mirrored: false).Inliers;
        int mirrored = Verifier.VerifyGeometric(query, candidate, mirrored: true).Inliers;
        Assert.True(mirrored > plain && mirrored >= CopyMatcher.DefaultScreenInliers, $"{plain} and {mirrored} inliers");

        // Exactly as many inliers as the better fit has, and no more, pass; from keypoints alone.
        using var unreadable = VerifiablePicture.FromStoredFeatures(candidate.Features, () => throw new InvalidOperationException("no pixel may be read"), Verifier.Options)!;
        Assert.True(Verifier.FitsWithInliers(query, unreadable, mirrored));
        Assert.False(Verifier.FitsWithInliers(query, unreadable, mirrored + 1));
        Assert.True(Verifier.FitsWithInliers(query, candidate, CopyMatcher.DefaultScreenInliers));
    }

    [Fact]
    public void A_recoloured_sibling_does_not_verify_and_says_the_colours_differ()
    {
        // One artist's button drawn in red and in magenta: the same outline, lightness within a few gray
        // levels, so the gray pixels agree (stretch NCC 1.000 before the colour check); only the colour tells them apart.
        using var red = ClipArt.Load("arrow-down-red_benji_par_01.png");
        using var magenta = ClipArt.Load("arrow-down-purple_benji__01.png");
        using var query = Verifier.Prepare(red);
        using var candidate = Verifier.Prepare(magenta);

        var result = Verifier.Verify(query, candidate);

        Assert.False(result.IsVerified, result.Detail);
        Assert.Equal(NotVerifiedReason.PixelsDisagree, result.Reason);
        Assert.Contains("colours differ", result.Detail);
        Assert.True(result.ColourDifference > Verifier.Options.MaxColourDifference, $"colour difference {result.ColourDifference}");
        var reverse = Verifier.Verify(candidate, query);
        Assert.False(reverse.IsVerified, reverse.Detail);
    }

    [Fact]
    public void A_flag_of_the_same_bands_in_other_colours_does_not_verify()
    {
        // Netherlands and Luxembourg: three horizontal bands, red, white and blue, in other shades (and
        // other proportions). In gray the bands correlate; their colours do not.
        using var netherlands = ClipArt.Load("netherlands.png");
        using var luxembourg = ClipArt.Load("luxembourg.png");
        using var query = Verifier.Prepare(netherlands);
        using var candidate = Verifier.Prepare(luxembourg);

        var result = Verifier.Verify(query, candidate);

        Assert.False(result.IsVerified, result.Detail);
        var reverse = Verifier.Verify(candidate, query);
        Assert.False(reverse.IsVerified, reverse.Detail);
        // The colour check is what refuses it: without it the gray pixels would pass.
        var grayOnly = new GeometricVerifier(Verifier.Options with { MaxColourDifference = double.PositiveInfinity });
        var gray = grayOnly.Verify(query, candidate);
        Assert.True(!gray.IsVerified || result.Detail.Contains("colours differ", StringComparison.Ordinal), $"gray only: {gray.Detail}; with colour: {result.Detail}");
    }

    [Fact]
    public void A_gray_copy_of_a_coloured_picture_is_not_refused_for_its_colour()
    {
        using var original = ClipArt.Load("arrow-down-red_benji_par_01.png");
        using var copy = ClipArt.Copy("arrow-down-red_benji_par_01.png", Alteration.Gray);
        using var query = Verifier.Prepare(original);
        using var candidate = Verifier.Prepare(copy);

        var result = Verifier.Verify(query, candidate);

        Assert.True(result.IsVerified, result.Detail);
        Assert.True(double.IsNaN(result.ColourDifference), $"a gray picture has no colour to compare, got {result.ColourDifference}");
    }

    [Fact]
    public void A_sibling_drawing_sharing_most_of_its_pixels_verifies_as_a_derivative()
    {
        // The same artist's apple, once bitten and once with a worm added: most pixels are shared, so the
        // verifier aligns and accepts it. The product reports such pairs as copies of the shared part (see
        // docs/copy-detection.md, derivative works); this test pins that behaviour down.
        using var bitten = ClipArt.Load("apple_bitten_dan_gerhard_01.png");
        using var worm = ClipArt.Load("apple_with_worm_dan_gerh_01.png");
        using var query = Verifier.Prepare(bitten);
        using var candidate = Verifier.Prepare(worm);

        var result = Verifier.Verify(query, candidate);

        Assert.True(result.IsVerified, result.Detail);
    }

    [Fact]
    public void Stored_features_give_the_same_verification_as_fresh_ones()
    {
        using var original = ClipArt.Load(Grapes);
        using var copy = ClipArt.Copy(Grapes, Alteration.Crop);
        using var query = Verifier.Prepare(original);
        using var fresh = Verifier.Prepare(copy);
        var stored = LocalFeatures.FromBytes(fresh.Features.ToBytes());
        using var fromStore = Verifier.Prepare(copy, stored);

        var a = Verifier.VerifyGeometric(query, fresh, mirrored: false);
        var b = Verifier.VerifyGeometric(query, fromStore, mirrored: false);

        Assert.True(a.IsVerified, a.Detail);
        Assert.True(b.IsVerified, b.Detail);
        Assert.InRange(Math.Abs(a.Inliers - b.Inliers), 0, Math.Max(2, a.Inliers / 20));
        Assert.InRange(Math.Abs(a.Ncc - b.Ncc), 0, 0.01);
    }

    [Fact]
    public void Stored_features_of_another_picture_are_refused()
    {
        using var original = ClipArt.Load(Grapes);
        using var other = ClipArt.Load(Apple);
        using var picture = Verifier.Prepare(original);
        Assert.Throws<ArgumentException>(() => Verifier.Prepare(other, picture.Features));
    }
}
