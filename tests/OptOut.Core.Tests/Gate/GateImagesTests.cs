using OptOut.Core.Datasets;
using OptOut.Core.Gate;
using OptOut.Core.Registry;
using OptOut.Core.Tests.Index;
using OptOut.Core.Tests.Signals;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Jpeg;
using Xunit;
using static OptOut.Core.Tests.Gate.GateFixtures;
using static OptOut.Core.Tests.Index.IndexFixtures;

namespace OptOut.Core.Tests.Gate;

/// <summary>Rules that need the images themselves: Content by fingerprint, and Signal.</summary>
public class GateImagesTests
{
    private static ContentFingerprint FingerprintOf(byte[] image)
    {
        var path = Path.Combine(TestEnvironment.NewScratchFolder(), "original.jpg");
        File.WriteAllBytes(path, image);
        var f = NewFingerprinter().Fingerprint(path);
        return new ContentFingerprint(f.Sha256, f.PerceptualHash, f.Embedding, f.ModelId);
    }

    /// <summary>The sample generator's own "resize" alteration (half size), saved as JPEG.</summary>
    private static byte[] ResizedCopy(int seed, int width, int height)
    {
        using var art = OptOut.Samples.SampleArt.Create(seed, width, height);
        using var copy = OptOut.Samples.Alterations.Apply(art, OptOut.Samples.Alteration.Resize);
        using var output = new MemoryStream();
        copy.Save(output, new JpegEncoder { Quality = 90 });
        return output.ToArray();
    }

    [Fact]
    public void Local_images_are_fingerprinted_and_copies_of_claimed_content_found()
    {
        var root = TestEnvironment.NewScratchFolder();
        var samples = MakeSamples(0, 8, failed: i => i == 6);
        var original = Png(7, 320, 240);
        // Sample 1 is the claimed picture itself, sample 3 a resized JPEG copy of it; the rest are unrelated.
        samples[1] = samples[1] with { Image = original };
        samples[3] = samples[3] with { Image = ResizedCopy(7, 320, 240) };
        WriteImg2DatasetFilesShard(root, 0, samples);
        var rules = Rules(RefuseContent(FingerprintOf(original)));

        var outcome = Check(root, rules, fingerprinter: NewFingerprinter());

        Assert.Equal([(GateRule.Content, samples[1].Key), (GateRule.Content, samples[3].Key)], outcome.Findings);
        Assert.Contains("SHA-256", outcome.Violations.Single(v => v.Key == samples[1].Key).Detail);
        Assert.Contains("copy", outcome.Violations.Single(v => v.Key == samples[3].Key).Detail);
        Assert.Empty(outcome.Problems);
    }

    [Fact]
    public void An_undecodable_image_is_a_row_problem_and_its_metadata_is_still_checked()
    {
        var root = TestEnvironment.NewScratchFolder();
        var samples = MakeSamples(0, 4, failed: _ => false);
        samples[2] = samples[2] with { Image = samples[2].Image![..40] };   // a cut JPEG
        WriteImg2DatasetFilesShard(root, 0, samples);
        var rules = Rules(RefuseContent(FingerprintOf(Png(77, 120, 90))), RefuseUrl(samples[2].Url));

        var outcome = Check(root, rules, fingerprinter: NewFingerprinter());

        var problem = Assert.Single(outcome.Problems);
        Assert.EndsWith(samples[2].Key + ".jpg", problem.Target);
        Assert.Equal([(GateRule.Url, samples[2].Key)], outcome.Findings);
        Assert.False(outcome.Shards.Single().Clean);
        Assert.Equal(1, outcome.Shards.Single().RowErrors);
    }

    [Fact]
    public void An_embedded_data_mining_reservation_is_a_signal_finding_in_every_layout()
    {
        var root = TestEnvironment.NewScratchFolder();
        var prohibited = SignalFiles.Fixture("signals/dmi-aiml.jpg");
        var allowed = SignalFiles.Fixture("signals/dmi-allowed.png");
        var samples = MakeSamples(0, 4, failed: _ => false);
        samples[0] = samples[0] with { Image = prohibited };
        samples[1] = samples[1] with { Image = allowed };
        WriteImg2DatasetFilesShard(Path.Combine(root, "files"), 0, samples);
        WriteWebDatasetTar(Path.Combine(root, "wds", "00000.tar"), samples);
        var images = Path.Combine(root, "images");
        Directory.CreateDirectory(images);
        File.WriteAllBytes(Path.Combine(images, "reserved.jpg"), prohibited);
        File.WriteAllBytes(Path.Combine(images, "allowed.png"), allowed);

        foreach (var (folder, key) in new[] { ("files", samples[0].Key), ("wds", samples[0].Key), ("images", "reserved.jpg") })
        {
            var outcome = Check(Path.Combine(root, folder), ConsentRules.Empty);
            var violation = Assert.Single(outcome.Violations);
            Assert.Equal((GateRule.Signal, key), (violation.Rule, violation.Key));
            Assert.Contains("DMI-PROHIBITED-AIMLTRAINING", violation.Detail);
            Assert.Null(violation.RecordId);
        }
    }

    [SharedDataFact("sample_c2pa.png")]
    public void A_c2pa_training_mining_assertion_is_a_signal_finding()
    {
        var images = TestEnvironment.NewScratchFolder();
        File.Copy(SharedData.PathOf("sample_c2pa.png")!, Path.Combine(images, "c2pa.png"));

        var outcome = Check(images, ConsentRules.Empty);

        Assert.NotEmpty(outcome.Violations);
        Assert.All(outcome.Violations, v => Assert.Equal(GateRule.Signal, v.Rule));
        Assert.Contains(outcome.Violations, v => v.Detail.Contains("ai_training", StringComparison.Ordinal));
    }
}
