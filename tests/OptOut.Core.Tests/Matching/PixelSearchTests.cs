using OptOut.Core.Matching;
using OptOut.Samples;

namespace OptOut.Core.Tests.Matching;

/// <summary>
/// The pixel search on real clip-art: a plain picture (a flag, hardly a keypoint) whose crop, pad or
/// rotation keypoints cannot align is aligned by correlating pixels and verified; a look-alike of nearly
/// the same layout and colours is not.
/// </summary>
public class PixelSearchTests
{
    private const string Kuwait = "kuwait.png";            // flat bands and a trapezoid: too plain for SIFT
    private const string Palestine = "palestine.png";      // bands and a hoist triangle in the same colours, another layout
    private static readonly GeometricVerifier Verifier = new();

    [Theory]
    [InlineData(Alteration.Crop)]
    [InlineData(Alteration.Pad)]
    [InlineData(Alteration.Rotate)]
    [InlineData(Alteration.ResizeCropJpeg)]
    public void A_plain_picture_s_reframed_copy_verifies_by_pixel_search(Alteration alteration)
    {
        using var original = ClipArt.Load(Kuwait);
        using var copy = ClipArt.Copy(Kuwait, alteration);
        using var query = Verifier.Prepare(original);
        using var candidate = Verifier.Prepare(copy);

        var result = Verifier.Verify(query, candidate);

        Assert.True(result.IsVerified, $"{alteration}: {result.Reason}, {result.Detail}");
        Assert.Equal(VerificationMethod.PixelSearch, result.Method);
        Assert.False(result.Mirrored);
        Assert.True(result.Ncc >= Verifier.Options.MinSearchNcc, result.Detail);
        // Its gray pixels agree: its colours are compared (Kuwait is coloured).
        Assert.True(double.IsFinite(result.ColourDifference), $"colour difference {result.ColourDifference}");
        Assert.False(result.QueryRegion.IsEmpty);
        Assert.False(result.CandidateRegion.IsEmpty);
    }

    [Fact]
    public void Whether_the_search_is_wanted_is_asked_only_when_it_would_run()
    {
        // The caller's question reads the query's keypoints, which may still be extracted: a copy the stretch settles
        // never asks it; a crop only the search verifies asks it, and is not searched when the answer is no.
        using var original = ClipArt.Load(Kuwait);
        using var reencoded = ClipArt.Copy(Kuwait, Alteration.Reencode);
        using var cropped = ClipArt.Copy(Kuwait, Alteration.Crop);
        using var query = Verifier.Prepare(original);
        using var stretchCopy = Verifier.Prepare(reencoded);
        using var searchCopy = Verifier.Prepare(cropped);
        int asked = 0;

        var stretched = Verifier.Verify(query, stretchCopy, null, () => { asked++; return true; });
        Assert.True(stretched.IsVerified, stretched.Detail);
        Assert.Equal(VerificationMethod.Stretch, stretched.Method);
        Assert.Equal(0, asked);

        var searched = Verifier.Verify(query, searchCopy, null, () => { asked++; return true; });
        Assert.True(searched.IsVerified, searched.Detail);
        Assert.Equal(VerificationMethod.PixelSearch, searched.Method);
        Assert.True(asked >= 1);

        var timings = new VerificationTimings();
        var refused = Verifier.Verify(query, searchCopy, timings, () => false);
        Assert.False(refused.IsVerified, refused.Detail);
        Assert.Equal(0, timings.SearchRuns);
    }

    [Fact]
    public void An_unrelated_picture_stops_the_search_after_its_coarse_pass()
    {
        // A flag against a drawing: no pose correlates on the 64-px frames, so none is refined.
        using var flag = ClipArt.Load(Kuwait);
        using var drawing = ClipArt.Load("grapes_01.png");
        using var query = Verifier.Prepare(flag);
        using var candidate = Verifier.Prepare(drawing);

        var searched = Verifier.VerifySearch(query, candidate);
        var result = Verifier.Verify(query, candidate);

        Assert.False(searched.IsVerified);
        Assert.True(searched.SearchCoarseScore < Verifier.Options.MinSearchCoarseScore, searched.Detail);
        Assert.Contains("best coarse correlation", searched.Detail);
        Assert.False(result.IsVerified);
        // The keypoint path's reason stands, with the search's reading beside it.
        Assert.Contains("best coarse correlation", result.Detail);
        // With the floor open the same pair is refined and compared, and still disagrees.
        var open = new GeometricVerifier(VerifierOptions.Default with { MinSearchCoarseScore = double.NegativeInfinity });
        using var openQuery = open.Prepare(flag);
        using var openCandidate = open.Prepare(drawing);
        var refined = open.VerifySearch(openQuery, openCandidate);
        Assert.False(refined.IsVerified);
        Assert.False(double.IsNaN(refined.Ncc), refined.Detail);
        Assert.Equal(searched.SearchCoarseScore, refined.SearchCoarseScore, 6);
    }

    [Fact]
    public void Without_the_pixel_search_a_plain_picture_s_crop_is_not_verified()
    {
        var keypointsOnly = new GeometricVerifier(VerifierOptions.Default with { PixelSearch = false });
        using var original = ClipArt.Load(Kuwait);
        using var copy = ClipArt.Copy(Kuwait, Alteration.Crop);
        using var query = keypointsOnly.Prepare(original);
        using var candidate = keypointsOnly.Prepare(copy);

        var result = keypointsOnly.Verify(query, candidate);

        Assert.False(result.IsVerified, result.Detail);
        Assert.NotEqual(NotVerifiedReason.None, result.Reason);
    }

    [Fact]
    public void The_pixel_search_reports_the_transform_of_a_crop_and_of_a_rotation()
    {
        using var original = ClipArt.Load(Kuwait);
        using var query = Verifier.Prepare(original);
        using var crop = ClipArt.Copy(Kuwait, Alteration.Crop);
        using var cropped = Verifier.Prepare(crop);
        using var turn = ClipArt.Copy(Kuwait, Alteration.Rotate);
        using var turned = Verifier.Prepare(turn);

        var c = Verifier.VerifySearch(query, cropped);
        var r = Verifier.VerifySearch(query, turned);

        // The crop keeps the pixels' size and cuts 8% off each side: scale 1, the candidate starts 8% in.
        Assert.True(c.IsVerified, c.Detail);
        Assert.InRange(c.Scale, 0.97, 1.03);
        Assert.InRange(c.RotationDegrees, -1.0, 1.0);
        Assert.InRange(c.QueryRegion.X, 0.06 * original.Width, 0.10 * original.Width);
        // The rotated copy is turned 4 degrees.
        Assert.True(r.IsVerified, r.Detail);
        Assert.InRange(Math.Abs(r.RotationDegrees), 3.0, 5.0);
        Assert.InRange(r.Scale, 0.97, 1.03);
    }

    [Fact]
    public void A_look_alike_flag_does_not_verify_by_pixel_search()
    {
        using var a = ClipArt.Load(Kuwait);
        using var b = ClipArt.Load(Palestine);
        using var query = Verifier.Prepare(a);
        using var candidate = Verifier.Prepare(b);

        var searched = Verifier.VerifySearch(query, candidate);
        var result = Verifier.Verify(query, candidate);

        Assert.False(searched.IsVerified, searched.Detail);
        Assert.False(result.IsVerified, result.Detail);
        Assert.Equal(NotVerifiedReason.PixelsDisagree, result.Reason);
    }
}
