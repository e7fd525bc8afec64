using OptOut.Core.Imaging;
using OptOut.Core.Index;
using OptOut.Core.Matching;
using OptOut.Samples;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Processing;

namespace OptOut.Core.Tests.Matching;

/// <summary>
/// The one verification of a picture's bytes that the search and the gate share
/// (<see cref="PictureVerification"/>), and the one candidate rule (<see cref="CopyCandidate"/>,
/// <see cref="ReferencePictures"/>), on real clip art.
/// </summary>
public sealed class PictureVerificationTests
{
    private readonly PictureVerification verification = new(new GeometricVerifier(), ImageLimits.Default);

    [Fact]
    public void A_rotated_copy_verifies_a_different_drawing_does_not_and_unreadable_bytes_are_not_verified()
    {
        using var original = ClipArt.Load("grapes_01.png");
        using var reference = verification.Verifier.Prepare(original);
        byte[] copy = ClipArt.Bytes("grapes_01.png", Alteration.Rotate);

        var copied = verification.Verify(reference, () => copy, "copy.jpg", "the row's image");
        Assert.True(copied.IsCopy);
        Assert.Null(copied.NotVerified);

        byte[] other = File.ReadAllBytes(ClipArt.PathOf("another_apple_01.png"));
        var different = verification.Verify(reference, () => other, "other.png", "the row's image");
        Assert.False(different.IsCopy);
        Assert.NotNull(different.Verification);

        var broken = verification.Verify(reference, () => [1, 2, 3, 4], "broken.jpg", "the row's image");
        Assert.Null(broken.IsCopy);
        Assert.StartsWith("not verified: the row's image could not be read", broken.NotVerified, StringComparison.Ordinal);

        var unreadable = verification.Verify(reference, () => throw new IOException("gone"), "gone.jpg", "its image 'gone.jpg'");
        Assert.Equal("not verified: its image 'gone.jpg' could not be read (gone)", unreadable.NotVerified);
    }

    [Fact]
    public void A_picture_too_small_to_verify_is_neither_copy_nor_not()
    {
        using var original = ClipArt.Load("grapes_01.png");
        using var reference = verification.Verifier.Prepare(original);
        using var small = original.Pixels.Clone(x => x.Resize(40, 40));
        using var stream = new MemoryStream();
        small.SaveAsPng(stream);
        var verdict = verification.Verify(reference, stream.ToArray, "small.png", "the row's image");
        Assert.Null(verdict.IsCopy);
        Assert.Equal(NotVerifiedReason.TooSmall, verdict.Verification!.Reason);
        Assert.StartsWith("not verified: too small to verify", verdict.NotVerified, StringComparison.Ordinal);
    }

    private static byte[] FeaturesOf(byte[] file)
    {
        using var decoded = ImageLoader.Decode(file, "stored.png", ImageLimits.Default);
        return StoredFeatureExtraction.For(VerifierOptions.Default)(decoded)!;
    }

    [Fact]
    public void A_row_with_stored_features_is_decoded_only_when_a_stage_compares_its_pixels_and_decides_alike()
    {
        // As the search verifies: the pixel search only for pictures with few keypoints.
        var verification = new PictureVerification(this.verification.Verifier, ImageLimits.Default) { PixelSearchBelowKeypoints = CopyMatcher.DefaultPixelSearchBelowKeypoints };
        using var original = ClipArt.Load("grapes_01.png");
        using var reference = verification.Verifier.Prepare(original);
        int reads = 0;
        Func<byte[]> Counted(byte[] bytes) => () => { reads++; return bytes; };

        // A different drawing of other proportions, with keypoints enough to skip the pixel search: its
        // keypoints reject it, and its file is never read.
        byte[] other = File.ReadAllBytes(ClipArt.PathOf("apple_with_worm_dan_gerh_01.png"));
        var rejected = verification.Verify(reference, Counted(other), "other.png", "the row's image", FeaturesOf(other));
        Assert.Equal(0, reads);
        Assert.False(rejected.IsCopy);
        Assert.Contains(rejected.Verification!.Reason, new[] { NotVerifiedReason.TooFewMatches, NotVerifiedReason.NoGeometricFit, NotVerifiedReason.DegenerateFit });
        // The same decision as with the pixels decoded first (RANSAC's draws differ between calls, so not its figures).
        var decodedAtOnce = verification.Verify(reference, () => other, "other.png", "the row's image");
        Assert.Equal((decodedAtOnce.IsCopy, decodedAtOnce.Verification!.Reason), (rejected.IsCopy, rejected.Verification.Reason));

        // A rotated copy: the keypoints fit, then its pixels are read once for the aligned comparison.
        byte[] copy = ClipArt.Bytes("grapes_01.png", Alteration.Rotate);
        var copied = verification.Verify(reference, Counted(copy), "copy.jpg", "the row's image", FeaturesOf(copy));
        Assert.Equal(1, reads);
        Assert.True(copied.IsCopy);
        Assert.Equal(VerificationMethod.Geometric, copied.Verification!.Method);
        var copiedAtOnce = verification.Verify(reference, () => copy, "copy.jpg", "the row's image");
        Assert.Equal((copiedAtOnce.IsCopy, copiedAtOnce.Verification!.Method), (copied.IsCopy, copied.Verification.Method));
    }

    [Fact]
    public void Stored_features_of_a_file_replaced_since_the_import_are_not_trusted_and_unreadable_pixels_are_said()
    {
        using var original = ClipArt.Load("grapes_01.png");
        using var reference = verification.Verifier.Prepare(original);
        // Imported as the original, since replaced by a resized copy: the first stage that reads the pixels
        // finds another size, and the row is verified from its own pixels, as one without features.
        byte[] resized = ClipArt.Bytes("grapes_01.png", Alteration.Resize);
        byte[] importedFeatures = FeaturesOf(File.ReadAllBytes(ClipArt.PathOf("grapes_01.png")));
        var replaced = verification.Verify(reference, () => resized, "copy.png", "the row's image", importedFeatures);
        Assert.True(replaced.IsCopy);
        var resizedAtOnce = verification.Verify(reference, () => resized, "copy.png", "the row's image");
        Assert.Equal((resizedAtOnce.IsCopy, resizedAtOnce.Verification!.Method, resizedAtOnce.Verification.Detail), (replaced.IsCopy, replaced.Verification!.Method, replaced.Verification.Detail));

        // Features that fit the query, bytes that do not decode: not verified, and said why.
        var broken = verification.Verify(reference, () => [1, 2, 3, 4], "broken.jpg", "the row's image", importedFeatures);
        Assert.Null(broken.IsCopy);
        Assert.StartsWith("not verified: the row's image could not be read", broken.NotVerified, StringComparison.Ordinal);
    }

    [Fact]
    public void References_are_proposed_by_the_rule_best_first_same_file_first_of_all()
    {
        var rule = new CopyRule { HashAlone = 4, CosineAlone = 0.95f, HashWithCosine = 12, CosineWithHash = 0.8f };
        var references = new ReferencePictures();
        float[] Unit(params float[] v) { var n = MathF.Sqrt(v.Sum(x => x * x)); return v.Select(x => x / n).ToArray(); }
        references.Add(0, "aa", null, 0b1111UL, Unit(1, 0, 0), "m");
        references.Add(1, "bb", "0123456789abcdef0123456789abcdef", 0xFFFF_0000UL, Unit(0, 1, 0), "m");

        Assert.True(references.Match("AA", null, [], null, rule)!.Value.SameFile);
        Assert.Equal(1, references.FindMd5("0123456789ABCDEF0123456789ABCDEF"));
        // Hash within HashAlone of reference 0, no embedding: proposed by the hash clause.
        var byHash = references.Match(null, 0b0111UL, [], null, rule);
        Assert.Equal(0, byHash!.Value.Claim);
        Assert.Equal("a copy (hash distance 1)", byHash.Value.How);
        // Cosine 0.9 to reference 1 with its hash 10 bits away: the combined clause; another model's embedding is not compared.
        var query = Unit(0.1f, 0.9f, 0.0f);
        var combined = references.Match(null, 0xFFFF_0000UL ^ 0x3FFUL, query, "m", rule);
        Assert.Equal(1, combined!.Value.Claim);
        Assert.Null(references.Match(null, 0xFFFF_0000UL ^ 0x3FFUL, query, "other", rule));
        Assert.Equal(rule.IsCopy(10, new CopyCandidate(10, 0.9f).Similarity), new CopyCandidate(10, 0.9f).ProposedBy(rule));
    }
}
