using OptOut.Core.Matching;
using OptOut.Samples;

namespace OptOut.Core.Tests.Matching;

/// <summary>
/// Hairline drawings (<see cref="LineArt"/>): scaled to the working frame their one-pixel strokes give next to no
/// keypoints and do not correlate after a fraction of a pixel of misalignment, so their cropped and padded copies
/// verify only on the verifier's second look with the lines thickened (<see cref="VerifierOptions.ThickenHairlines"/>);
/// another outline on the same page must still not. Real clip art (an elephant outline, two Australian states).
/// </summary>
public sealed class LineArtTests
{
    private const string Elephant = "elephant_outline_matthe_r.png";
    private const string NewSouthWales = "new-south-wales-outline.png";
    private const string Victoria = "victoria-outline.png";

    private static readonly GeometricVerifier WithoutSecondLook = new(VerifierOptions.Default with { ThickenHairlines = false });
    // Every hairline pair given the second look, whatever the first read.
    private static readonly GeometricVerifier AlwaysSecondLook = new(VerifierOptions.Default with { MinHairlineAgreement = double.NegativeInfinity });

    // New South Wales against Victoria: two outlines on the same page, prepared for AlwaysSecondLook; the caller disposes both.
    private static (VerifiablePicture Query, VerifiablePicture Candidate) OutlinesOnOnePage()
    {
        using var nsw = ClipArt.Load(NewSouthWales);
        using var victoria = ClipArt.Load(Victoria);
        var query = AlwaysSecondLook.Prepare(nsw);
        try
        {
            return (query, AlwaysSecondLook.Prepare(victoria));
        }
        catch
        {
            query.Dispose();
            throw;
        }
    }

    [Theory]
    [InlineData(Elephant, true)]
    [InlineData(NewSouthWales, true)]
    [InlineData("grapes_01.png", false)]
    [InlineData("apple.png", false)]
    [InlineData("two_way_crosses.png", false)]
    [InlineData("kuwait.png", false)]
    public void Hairline_drawings_are_told_from_drawings_with_strokes_and_fills(string name, bool hairline)
    {
        using var image = ClipArt.Load(name);
        using var picture = new GeometricVerifier().Prepare(image);

        Assert.Equal(hairline, picture.IsHairline);
    }

    [Theory]
    [InlineData(Elephant, Alteration.Crop)]
    [InlineData(Elephant, Alteration.Pad)]
    [InlineData(NewSouthWales, Alteration.Crop)]
    [InlineData(NewSouthWales, Alteration.ResizeCropJpeg)]
    public void A_hairline_drawings_copy_verifies_on_the_second_look_with_its_lines_thickened(string name, Alteration alteration)
    {
        Assert.False(ClipArt.VerifyCopy(WithoutSecondLook, name, alteration).IsVerified);

        var result = ClipArt.VerifyCopy(new GeometricVerifier(), name, alteration);

        Assert.True(result.IsVerified, result.Detail);
        Assert.True(result.LinesThickened, result.Detail);
        Assert.StartsWith("a hairline drawing, compared with its lines thickened: ", result.Detail, StringComparison.Ordinal);
        Assert.Contains("compared with the lines thickened", OptOut.Core.Reports.TransformWords.Describe(result, 794, 794), StringComparison.Ordinal);
    }

    [Fact]
    public void The_question_whether_to_search_is_put_to_both_looks()
    {
        // Two outlines on one page: neither look verifies, and each reaches the pixel search when allowed. Told no,
        // neither look searches (the second look is asked too); told yes, both do.
        var outlines = OutlinesOnOnePage();
        using var query = outlines.Query;
        using var candidate = outlines.Candidate;

        var searched = new VerificationTimings();
        var allowed = AlwaysSecondLook.Verify(query, candidate, searched, () => true);
        Assert.True(candidate.HasThickened, "the second look ran");
        Assert.Equal(2, searched.SearchRuns);

        int asked = 0;
        var skipped = new VerificationTimings();
        var refused = AlwaysSecondLook.Verify(query, candidate, skipped, () => { asked++; return false; });
        Assert.Equal(0, skipped.SearchRuns);
        Assert.Equal(2, asked);
        Assert.False(allowed.IsVerified || refused.IsVerified, refused.Detail);
    }

    [Fact]
    public void Another_outline_on_the_same_page_does_not_verify_on_the_second_look_and_the_first_answer_stands()
    {
        // Victoria's first reading is under the floor: only AlwaysSecondLook gives it the second look.
        var outlines = OutlinesOnOnePage();
        using var query = outlines.Query;
        using var candidate = outlines.Candidate;
        Assert.True(query.IsHairline);

        var result = AlwaysSecondLook.Verify(query, candidate);

        Assert.True(candidate.HasThickened, "the second look ran");
        Assert.False(result.IsVerified, result.Detail);
        Assert.False(result.LinesThickened);
        // The first look's answer stands, the second's reading kept beside it.
        var firstOnly = WithoutSecondLook.Verify(query, candidate);
        Assert.Equal(firstOnly.Reason, result.Reason);
        Assert.Equal(firstOnly.Ncc, result.Ncc);
        Assert.StartsWith(firstOnly.Detail + "; with the lines thickened (a hairline drawing): ", result.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void The_second_look_needs_a_first_reading_at_the_floor()
    {
        // Victoria's outline reads under 0.5 everywhere against New South Wales: no second look by default.
        var verifier = new GeometricVerifier();
        using var nsw = ClipArt.Load(NewSouthWales);
        using var victoria = ClipArt.Load(Victoria);
        using var query = verifier.Prepare(nsw);
        using var candidate = verifier.Prepare(victoria);

        var result = verifier.Verify(query, candidate);
        Assert.False(result.IsVerified);
        Assert.False(candidate.HasThickened);
        Assert.DoesNotContain("thickened", result.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void A_filled_drawing_gets_no_second_look()
    {
        // A look-alike that does not verify, every reading let through: only the query's being filled keeps it out.
        using var apple = ClipArt.Load("apple.png");
        using var other = ClipArt.Load("another_apple_01.png");
        using var query = AlwaysSecondLook.Prepare(apple);
        using var candidate = AlwaysSecondLook.Prepare(other);

        var result = AlwaysSecondLook.Verify(query, candidate);

        Assert.False(result.IsVerified, result.Detail);
        Assert.False(query.IsHairline);
        Assert.False(candidate.HasThickened);
        Assert.False(query.HasThickened);
    }

    [Fact]
    public void A_hairline_query_shared_by_parallel_candidates_makes_its_thickened_view_once()
    {
        var verifier = new GeometricVerifier();
        using var elephant = ClipArt.Load(Elephant);
        using var query = verifier.Prepare(elephant);
        var copies = Enumerable.Range(0, 4).Select(_ => ClipArt.Copy(Elephant, Alteration.Crop)).ToList();
        try
        {
            var results = copies.AsParallel().WithDegreeOfParallelism(4).Select(copy =>
            {
                using var candidate = verifier.Prepare(copy);
                return verifier.Verify(query, candidate);
            }).ToList();

            Assert.All(results, r => Assert.True(r.IsVerified && r.LinesThickened, r.Detail));
            Assert.Same(query.Thickened, query.Thickened);
        }
        finally
        {
            foreach (var copy in copies) copy.Dispose();
        }
    }
}
