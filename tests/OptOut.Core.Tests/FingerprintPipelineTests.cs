using System.Security.Cryptography;
using OptOut.Core.Fingerprinting;
using OptOut.Core.Imaging;
using OptOut.Samples;
using SixLabors.ImageSharp;

namespace OptOut.Core.Tests;

public class FingerprintPipelineTests
{
    [Fact]
    public void Results_come_out_in_submission_order_with_failures_in_place()
    {
        var folder = TestEnvironment.NewScratchFolder();
        var paths = new List<string>();
        for (int i = 0; i < 24; i++)
        {
            var path = Path.Combine(folder, $"{i:00}.png");
            if (i % 7 == 3)
            {
                File.WriteAllText(path, "broken");
            }
            else
            {
                // Sizes vary so decodes finish out of order.
                using var art = SampleArt.Create(4000 + i, 100 + (23 - i) * 40, 90 + i * 10);
                art.SaveAsPng(path);
            }
            paths.Add(path);
        }
        paths.Insert(5, Path.Combine(folder, "missing.png"));

        var fingerprinter = new Fingerprinter(TestEnvironment.DefaultModel, ImageLimits.Default);
        using var pipeline = new FingerprintPipeline(fingerprinter, window: 4);
        var outcomes = new List<FingerprintOutcome>();
        foreach (var path in paths)
        {
            pipeline.Submit(path);
            while (pipeline.TryTake(out var ready)) outcomes.Add(ready);
        }
        outcomes.AddRange(pipeline.CompleteAndDrain());

        Assert.Equal(paths, outcomes.Select(o => o.Path));
        foreach (var outcome in outcomes)
        {
            var name = Path.GetFileName(outcome.Path);
            if (name == "missing.png")
            {
                Assert.IsType<FileNotFoundException>(outcome.Error);
            }
            else if (int.Parse(name[..2]) % 7 == 3)
            {
                Assert.IsType<ImageDecodeException>(outcome.Error);
            }
            else
            {
                Assert.True(outcome.Succeeded);
                Assert.Equal(Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(outcome.Path))).ToLowerInvariant(), outcome.Fingerprint!.Sha256);
                // The same file fingerprinted alone gives the same result.
                var alone = fingerprinter.Fingerprint(outcome.Path);
                Assert.Equal(alone.PerceptualHash, outcome.Fingerprint.PerceptualHash);
                Assert.Equal(alone.Embedding, outcome.Fingerprint.Embedding);
            }
        }
    }

    [Fact]
    public void Cancelling_stops_the_pipeline_without_hanging()
    {
        var folder = TestEnvironment.NewScratchFolder();
        using (var art = SampleArt.Create(5000)) art.SaveAsPng(Path.Combine(folder, "a.png"));
        var fingerprinter = new Fingerprinter(TestEnvironment.DefaultModel, ImageLimits.Default);
        using var cancellation = new CancellationTokenSource();
        var pipeline = new FingerprintPipeline(fingerprinter, window: 2, cancellation.Token);
        pipeline.Submit(Path.Combine(folder, "a.png"));
        cancellation.Cancel();
        var disposed = Task.Run(pipeline.Dispose);
        Assert.True(disposed.Wait(TimeSpan.FromSeconds(30)));
    }
}
