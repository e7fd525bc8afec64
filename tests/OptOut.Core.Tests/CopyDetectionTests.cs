using OptOut.Core.Embedding;
using OptOut.Core.Fingerprinting;
using OptOut.Core.Imaging;
using OptOut.Samples;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace OptOut.Core.Tests;

/// <summary>
/// A picture and its altered copies must be closer to each other than to unrelated pictures, by
/// both the perceptual hash and the embedding. The thresholds that decide "copy" are calibrated in
/// the index benchmark; here only the ordering is checked.
/// </summary>
public class CopyDetectionTests
{
    private static readonly int[] Originals = [2000, 2001, 2002];
    private static readonly int[] Strangers = Enumerable.Range(3000, 12).ToArray();

    private static readonly Lazy<Dictionary<int, (ulong Hash, float[] Vector)>> Fingerprints = new(() =>
        Originals.Concat(Strangers).ToDictionary(seed => seed, seed =>
        {
            using var art = SampleArt.Create(seed);
            return Fingerprint(art);
        }));

    private static (ulong Hash, float[] Vector) Fingerprint(Image<Rgb24> image)
    {
        // Through an encoded file, as a scraped copy would be read.
        var path = Path.Combine(TestEnvironment.NewScratchFolder(), "image.png");
        image.SaveAsPng(path);
        var fingerprint = new Fingerprinter(TestEnvironment.DefaultModel, ImageLimits.Default).Fingerprint(path);
        return (fingerprint.PerceptualHash, fingerprint.Embedding);
    }

    // Gray is left out: ResNet18's features are colour-sensitive (a gray copy of sample 2001 scored
    // 0.667 to its original and 0.701 to a stranger); the perceptual hash, computed on luma, is what
    // catches gray copies (see the hash test below).
    public static TheoryData<Alteration> AlterationsKeepingColour() => new(Alterations.Standard.Where(a => a != Alteration.Gray));

    [Theory]
    [MemberData(nameof(AlterationsKeepingColour))]
    public void An_altered_copy_is_most_similar_to_its_own_original_by_embedding(Alteration alteration)
    {
        foreach (var seed in Originals)
        {
            using var art = SampleArt.Create(seed);
            using var copy = Alterations.Apply(art, alteration);
            var (_, vector) = Fingerprint(copy);

            float own = VectorMath.Cosine(vector, Fingerprints.Value[seed].Vector);
            var others = Fingerprints.Value.Where(kv => kv.Key != seed).Select(kv => VectorMath.Cosine(vector, kv.Value.Vector)).ToArray();
            Assert.True(own > others.Max(), $"{alteration} of {seed}: own {own:F3}, best other {others.Max():F3}");
        }
    }

    public static TheoryData<Alteration> AllAlterations() => new(Alterations.Standard);

    [Theory]
    [MemberData(nameof(AllAlterations))]
    public void An_altered_copy_is_nearest_to_its_original_by_hash(Alteration alteration)
    {
        // Alterations that keep the framing stay within a small distance; crops, pads and rotations
        // move the low frequencies more, but the copy is still nearer its original than any stranger.
        bool keepsFraming = alteration is not (Alteration.Crop or Alteration.Pad or Alteration.Rotate);
        foreach (var seed in Originals)
        {
            using var art = SampleArt.Create(seed);
            using var copy = Alterations.Apply(art, alteration);
            var (hash, _) = Fingerprint(copy);

            int own = PerceptualHash.Distance(hash, Fingerprints.Value[seed].Hash);
            int nearestOther = Fingerprints.Value.Where(kv => kv.Key != seed).Min(kv => PerceptualHash.Distance(hash, kv.Value.Hash));
            Assert.True(own < nearestOther, $"{alteration} of {seed}: own distance {own}, nearest other {nearestOther}");
            if (keepsFraming)
            {
                Assert.True(own <= 12, $"{alteration} of {seed}: distance {own}");
            }
        }
    }

    [Fact]
    public void Identical_pictures_in_different_lossless_formats_share_hash_and_embedding_but_not_sha256()
    {
        using var art = SampleArt.Create(2003);
        var folder = TestEnvironment.NewScratchFolder();
        var fingerprinter = new Fingerprinter(TestEnvironment.DefaultModel, ImageLimits.Default);
        var results = new[] { "png", "bmp", "tiff" }.Select(ext =>
        {
            var path = Path.Combine(folder, "art." + ext);
            art.Save(path);
            return fingerprinter.Fingerprint(path);
        }).ToArray();

        Assert.Single(results.Select(r => r.PerceptualHash).Distinct());
        Assert.Equal(3, results.Select(r => r.Sha256).Distinct().Count());
        Assert.All(results, r => Assert.Equal(1f, VectorMath.Cosine(r.Embedding, results[0].Embedding), 5));
    }
}
