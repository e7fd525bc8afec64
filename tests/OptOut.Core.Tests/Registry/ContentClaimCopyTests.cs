using OptOut.Core.Fingerprinting;
using OptOut.Core.Imaging;
using OptOut.Core.Index;
using OptOut.Core.Registry;
using OptOut.Samples;
using SixLabors.ImageSharp;
using static OptOut.Core.Tests.Registry.RegistryFixtures;

namespace OptOut.Core.Tests.Registry;

/// <summary>
/// A content claim covers copies of the picture at any URL: what the registry keeps of the claimant's
/// file (perceptual hash, embedding, model id) recognises an altered copy, fingerprinted from its own
/// file, under the index's copy rule, and does not recognise an unrelated picture. Real images from
/// the sample generator, the real model.
/// </summary>
public sealed class ContentClaimCopyTests
{
    private static readonly string Folder = TestEnvironment.NewScratchFolder();

    private static readonly Lazy<Fingerprinter> SharedFingerprinter = new(() => new Fingerprinter(TestEnvironment.DefaultModel, ImageLimits.Default));

    /// <summary>The claimant's own PNG, claimed through the store and read back with its embedding.</summary>
    private static readonly Lazy<(StoredClaim Record, PictureFingerprint Original)> Claimed = new(() =>
    {
        var file = Path.Combine(Folder, "my-artwork.png");
        using (var art = SampleArt.Create(SampleSeeds.Artist + 7)) art.SaveAsPng(file);
        var f = SharedFingerprinter.Value.Fingerprint(file);
        var path = Path.Combine(Folder, "registry.db");
        using var store = RegistryStore.Open(path, User);
        store.AddClaims([new NewClaim
        {
            Decision = Decision.Refuse,
            Kind = ClaimKind.Content,
            Content = new ContentFingerprint(f.Sha256, f.PerceptualHash, f.Embedding, f.ModelId),
            Claimant = "Jane Doe",
            Evidence = new Evidence { File = f.Path, FileSha256 = f.Sha256 },
        }], User);
        return (store.Read(new RecordFilter { Kind = ClaimKind.Content, IncludeEmbeddings = true }).Single(), f);
    });

    private static PictureFingerprint FingerprintCopy(Alteration alteration)
    {
        var file = Path.Combine(Folder, $"copy-{alteration}.jpg");
        using var art = SampleArt.Create(SampleSeeds.Artist + 7);
        using var copy = Alterations.Apply(art, alteration);
        copy.SaveAsJpeg(file);
        return SharedFingerprinter.Value.Fingerprint(file);
    }

    private static double Cosine(float[] a, float[] b)
    {
        double dot = 0, na = 0, nb = 0;
        for (int i = 0; i < a.Length; i++) { dot += (double)a[i] * b[i]; na += (double)a[i] * a[i]; nb += (double)b[i] * b[i]; }
        return dot / Math.Sqrt(na * nb);
    }

    [Fact]
    public void The_stored_claim_keeps_the_files_fingerprints_exactly()
    {
        var (record, original) = Claimed.Value;
        Assert.Equal(original.Sha256, record.Target);
        Assert.Equal(original.PerceptualHash, record.PerceptualHash);
        Assert.Equal(original.ModelId, record.ModelId);
        Assert.Equal(512, record.Embedding!.Length);
        Assert.Equal(original.Embedding, record.Embedding);
    }

    [Theory]
    [InlineData(Alteration.Resize)]
    [InlineData(Alteration.Reencode)]
    [InlineData(Alteration.Brightness)]
    public void An_altered_copy_at_a_new_url_is_within_the_copy_thresholds_of_the_claim(Alteration alteration)
    {
        var (record, _) = Claimed.Value;
        var copy = FingerprintCopy(alteration);
        Assert.NotEqual(record.Target, copy.Sha256);   // not the same file: only the content claim can catch it
        Assert.Equal(record.ModelId, copy.ModelId);
        int distance = PerceptualHash.Distance(record.PerceptualHash!.Value, copy.PerceptualHash);
        double similarity = Cosine(record.Embedding!, copy.Embedding);
        Assert.True(CopyRule.Default.IsCopy(distance, (float)similarity), $"{alteration}: hash distance {distance}, similarity {similarity:F3}");
    }

    [Fact]
    public void An_unrelated_picture_is_not_a_copy_of_the_claim()
    {
        var (record, _) = Claimed.Value;
        var file = Path.Combine(Folder, "stranger.png");
        using (var other = SampleArt.Create(SampleSeeds.Stranger + 31)) other.SaveAsPng(file);
        var stranger = SharedFingerprinter.Value.Fingerprint(file);
        int distance = PerceptualHash.Distance(record.PerceptualHash!.Value, stranger.PerceptualHash);
        double similarity = Cosine(record.Embedding!, stranger.Embedding);
        Assert.False(CopyRule.Default.IsCopy(distance, (float)similarity), $"stranger: hash distance {distance}, similarity {similarity:F3}");
    }
}
