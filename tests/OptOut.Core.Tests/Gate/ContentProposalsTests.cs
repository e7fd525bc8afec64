using OptOut.Core.Fingerprinting;
using OptOut.Core.Gate;
using OptOut.Core.Imaging;
using OptOut.Core.Index;
using OptOut.Core.Matching;
using OptOut.Core.Registry;
using OptOut.Core.Tests.Matching;
using OptOut.Samples;

namespace OptOut.Core.Tests.Gate;

/// <summary>
/// The gate verifies every refused picture the rule proposes for a row, best first, until one verifies: a
/// refuted look-alike ranked above the real original must not let the copy through, and a claim whose file is no
/// longer the claimed picture is not compared (fail closed). Real clip art, the real model, a real image folder.
/// </summary>
public sealed class ContentProposalsTests
{

    private const string Apple = "apple.png";
    private const string OtherApple = "another_apple_01.png"; // a different artist's apple: refuted against an apple copy

    private static string ClaimId(int n) => $"00000000-0000-0000-0000-{n:D12}";

    /// <summary>A refusal of <paramref name="file"/> recorded with <paramref name="print"/>'s hash and embedding and the file's own SHA-256.</summary>
    private static ActiveClaim Refusal(int n, string file, PictureFingerprint print)
    {
        var own = ContentGateRun.Printer.Fingerprint(file);
        return new ActiveClaim(ClaimId(n), Decision.Refuse, ClaimKind.Content, own.Sha256, print.PerceptualHash, print.Embedding, print.ModelId, "Jane Doe",
            Convert.ToHexString(own.Md5).ToLowerInvariant());
    }

    private static (string Folder, string Dataset, string Row) Dataset()
    {
        var folder = TestEnvironment.NewScratchFolder();
        var dataset = Path.Combine(folder, "dataset");
        Directory.CreateDirectory(dataset);
        var row = Path.Combine(dataset, "000-apple-copy.jpg");
        File.WriteAllBytes(row, ClipArt.Bytes(Apple, Alteration.Reencode));
        return (folder, dataset, row);
    }

    private static string Keep(string folder, string name)
    {
        var path = Path.Combine(folder, name);
        File.Copy(ClipArt.PathOf(name), path, overwrite: true);
        return path;
    }

    private static List<Violation> Check(ConsentRules rules, string dataset, ContentPictures pictures) => ContentGateRun.Violations(rules, dataset, pictures);

    [Fact]
    public void A_refuted_look_alike_ranked_first_does_not_hide_the_verified_original()
    {
        var (folder, dataset, row) = Dataset();
        string apple = Keep(folder, Apple), otherApple = Keep(folder, OtherApple);
        var rowPrint = ContentGateRun.Printer.Fingerprint(row);
        // Claim 1's recorded fingerprint is the row's own, so the rule ranks it above the apple's real claim
        // (as a look-alike scoring above the original would); its pixels are another drawing's.
        var rules = ConsentRules.Load([Refusal(1, otherApple, rowPrint), Refusal(2, apple, ContentGateRun.Printer.Fingerprint(apple))]);
        var proposals = rules.Content(Decision.Refuse).Matches(rowPrint.Sha256, rowPrint.PerceptualHash, rowPrint.Embedding, rowPrint.ModelId, CopyRule.For(rowPrint.ModelId));
        Assert.Equal(2, proposals.Count);
        Assert.Equal(ClaimId(1), rules.Claim(proposals[0].Claim).Id);

        using var pictures = new ContentPictures(new Dictionary<string, string?> { [ClaimId(1)] = otherApple, [ClaimId(2)] = apple }, ImageLimits.Default);
        var found = Assert.Single(Check(rules, dataset, pictures));
        Assert.Equal(ClaimId(2), found.RecordId);
        Assert.Contains("; verified: ", found.Detail, StringComparison.Ordinal);

        // The look-alike alone is refuted: the row is not a violation.
        var alone = ConsentRules.Load([Refusal(1, otherApple, rowPrint)]);
        using var onlyOther = new ContentPictures(new Dictionary<string, string?> { [ClaimId(1)] = otherApple }, ImageLimits.Default);
        Assert.Empty(Check(alone, dataset, onlyOther));
    }

    [Fact]
    public void Proposals_beyond_those_compared_keep_the_row_reported()
    {
        var (folder, dataset, row) = Dataset();
        string otherApple = Keep(folder, OtherApple);
        var rowPrint = ContentGateRun.Printer.Fingerprint(row);
        int count = ShardChecker.MaxVerifiedProposals + 1;
        var rules = ConsentRules.Load(Enumerable.Range(1, count).Select(n => Refusal(n, otherApple, rowPrint)).ToList());
        using var pictures = new ContentPictures(Enumerable.Range(1, count).ToDictionary(ClaimId, _ => (string?)otherApple), ImageLimits.Default);

        var found = Assert.Single(Check(rules, dataset, pictures));
        Assert.Equal(ClaimId(count), found.RecordId);
        Assert.Contains($"the {ShardChecker.MaxVerifiedProposals} refused pictures proposed before it were refuted and 1 more were not compared", found.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void A_claimants_file_changed_since_the_claim_is_not_compared_and_the_row_stays_reported()
    {
        var (folder, dataset, _) = Dataset();
        string apple = Keep(folder, Apple);
        var claim = Refusal(1, apple, ContentGateRun.Printer.Fingerprint(apple));
        var rules = ConsentRules.Load([claim]);
        // The file now holds another drawing: compared, it would refute the apple's copy.
        File.Copy(ClipArt.PathOf(OtherApple), apple, overwrite: true);
        using var pictures = new ContentPictures(new Dictionary<string, string?> { [ClaimId(1)] = apple }, ImageLimits.Default);

        var found = Assert.Single(Check(rules, dataset, pictures));
        Assert.Equal(ClaimId(1), found.RecordId);
        Assert.Contains("not verified: the claimant's file", found.Detail, StringComparison.Ordinal);
        Assert.Contains("is no longer the picture claimed", found.Detail, StringComparison.Ordinal);
    }
}
