using OptOut.Core.Gate;
using OptOut.Core.Imaging;
using OptOut.Core.Index;
using OptOut.Core.Matching;
using OptOut.Core.Registry;
using OptOut.Core.Tests.Matching;
using OptOut.Samples;

namespace OptOut.Core.Tests.Gate;

/// <summary>
/// The gate turns each refused picture as a search turns its query (ContentPictures.AddTurnedViews), so a turned
/// copy in a dataset that the rule does not propose against the upright picture is proposed, verified against the
/// claimant's file and reported. Real clip art (grapes_01.png: its Rotate copy reads hash 22, cosine 0.876 against
/// the upright picture, outside the rule), the real model, a real image folder.
/// </summary>
public sealed class TurnedContentViewsTests
{
    private const string ClaimId = "11111111-2222-3333-4444-555555555555";

    private static (ConsentRules Rules, string ClaimFile, string Dataset) Setup(Decision decision = Decision.Refuse, bool changedFile = false)
    {
        var folder = TestEnvironment.NewScratchFolder();
        var claimFile = Path.Combine(folder, "grapes_01.png");
        File.Copy(ClipArt.PathOf("grapes_01.png"), claimFile);
        var print = ContentGateRun.Printer.Fingerprint(claimFile);
        var rules = ConsentRules.Load([new ActiveClaim(ClaimId, decision, ClaimKind.Content, print.Sha256, print.PerceptualHash, print.Embedding, print.ModelId, "Jane Doe",
            Convert.ToHexString(print.Md5).ToLowerInvariant())]);
        // The claimant's file changed since the claim: it is no longer the claimed picture.
        if (changedFile) File.Copy(ClipArt.PathOf("apple.png"), claimFile, overwrite: true);

        var dataset = Path.Combine(folder, "dataset");
        Directory.CreateDirectory(dataset);
        File.WriteAllBytes(Path.Combine(dataset, "000-turned-grapes.jpg"), ClipArt.Bytes("grapes_01.png", Alteration.Rotate));
        File.WriteAllBytes(Path.Combine(dataset, "001-apple.jpg"), ClipArt.Bytes("apple.png", Alteration.Reencode));
        File.WriteAllBytes(Path.Combine(dataset, "002-cattle-turned.jpg"), ClipArt.Bytes("cattle.png", Alteration.Rotate));
        return (rules, claimFile, dataset);
    }

    private static List<Violation> Check(ConsentRules rules, string dataset, ContentPictures pictures) => ContentGateRun.Violations(rules, dataset, pictures);

    [Fact]
    public void A_turned_copy_is_found_only_with_the_claims_turned_views_and_is_verified()
    {
        var (rules, claimFile, dataset) = Setup();
        using var pictures = new ContentPictures(new Dictionary<string, string?> { [ClaimId] = claimFile }, ImageLimits.Default);
        Assert.Empty(Check(rules, dataset, pictures));

        Assert.Equal(1, pictures.AddTurnedViews(rules, ContentGateRun.Printer.Model));
        var found = Assert.Single(Check(rules, dataset, pictures));
        Assert.Equal(GateRule.Content, found.Rule);
        Assert.Equal(ClaimId, found.RecordId);
        Assert.Contains("turned", found.Key ?? found.Detail, StringComparison.Ordinal);
        Assert.Contains("verified:", found.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain("not verified", found.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void A_claim_whose_file_changed_or_a_grant_gets_no_views()
    {
        var (changed, changedFile, _) = Setup(changedFile: true);
        using (var pictures = new ContentPictures(new Dictionary<string, string?> { [ClaimId] = changedFile }, ImageLimits.Default))
        {
            Assert.Equal(0, pictures.AddTurnedViews(changed, ContentGateRun.Printer.Model));
        }
        var (granted, grantFile, _) = Setup(Decision.Grant);
        using (var pictures = new ContentPictures(new Dictionary<string, string?> { [ClaimId] = grantFile }, ImageLimits.Default))
        {
            Assert.Equal(0, pictures.AddTurnedViews(granted, ContentGateRun.Printer.Model));
        }
        var (unreadable, _, _) = Setup();
        using (var pictures = new ContentPictures(new Dictionary<string, string?> { [ClaimId] = Path.Combine(TestEnvironment.NewScratchFolder(), "gone.png") }, ImageLimits.Default))
        {
            Assert.Equal(0, pictures.AddTurnedViews(unreadable, ContentGateRun.Printer.Model));
        }
    }

    /// <summary>A view is one more fingerprint of the reference: a picture keeps its closest hash and best similarity over them.</summary>
    [Fact]
    public void A_view_proposes_by_the_closest_of_the_references_fingerprints()
    {
        var refs = new ReferencePictures();
        var upright = new float[] { 1, 0, 0, 0 };
        refs.Add(0, new string('a', 64), null, 0UL, upright, "m");
        var rule = CopyRule.For("m");
        var turned = new float[] { 0, 1, 0, 0 };
        Assert.Null(refs.Match(null, ulong.MaxValue, turned, "m", rule));
        refs.AddView(0, ulong.MaxValue, turned, "m");
        // Views are compared only when asked (a picture whose pixels will be verified).
        Assert.Null(refs.Match(null, ulong.MaxValue, turned, "m", rule));
        var match = refs.Match(null, ulong.MaxValue, turned, "m", rule, withViews: true);
        Assert.NotNull(match);
        Assert.Equal(0, match.Value.Claim);
        Assert.Contains("hash distance 0", match.Value.How, StringComparison.Ordinal);

        // A weaker view added later does not lower the similarity the better one gives.
        refs.AddView(0, 1UL, new float[] { 0.6f, 0.8f, 0, 0 }, "m");
        var again = refs.Match(null, ulong.MaxValue, turned, "m", rule, withViews: true);
        Assert.Equal(match.Value.How, again!.Value.How);
    }
}
