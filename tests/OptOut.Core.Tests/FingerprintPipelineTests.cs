using System.Globalization;
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
            else if (int.Parse(name[..2], CultureInfo.InvariantCulture) % 7 == 3)
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
    public async Task Cancelling_stops_the_pipeline_without_hanging()
    {
        var folder = TestEnvironment.NewScratchFolder();
        using (var art = SampleArt.Create(5000)) art.SaveAsPng(Path.Combine(folder, "a.png"));
        var fingerprinter = new Fingerprinter(TestEnvironment.DefaultModel, ImageLimits.Default);
        using var cancellation = new CancellationTokenSource();
        var pipeline = new FingerprintPipeline(fingerprinter, window: 2, cancellationToken: cancellation.Token);
        pipeline.Submit(Path.Combine(folder, "a.png"));
        cancellation.Cancel();
        var disposed = Task.Run(pipeline.Dispose);
        Assert.Same(disposed, await Task.WhenAny(disposed, Task.Delay(TimeSpan.FromSeconds(30))));
    }

    /// <summary>JPEGs that each claim <paramref name="width"/> x <paramref name="height"/> px (drawn, so each file differs).</summary>
    private static List<string> Jpegs(string folder, int count, int width, int height)
    {
        var paths = new List<string>();
        for (int i = 0; i < count; i++)
        {
            var path = Path.Combine(folder, $"{i:00}.jpg");
            using (var art = SampleArt.Create(5000 + i, width, height)) art.SaveAsJpeg(path);
            paths.Add(path);
        }
        return paths;
    }

    private static List<FingerprintOutcome> RunAll(FingerprintPipeline pipeline, IEnumerable<string> paths)
    {
        var outcomes = new List<FingerprintOutcome>();
        foreach (var path in paths)
        {
            pipeline.Submit(path);
            while (pipeline.TryTake(out var ready)) outcomes.Add(ready);
        }
        outcomes.AddRange(pipeline.CompleteAndDrain());
        return outcomes;
    }

    [Fact]
    public void Decodes_in_flight_never_reserve_more_than_the_budget_and_fingerprints_are_unchanged()
    {
        var folder = TestEnvironment.NewScratchFolder();
        var paths = Jpegs(folder, 16, 800, 600);
        long each = ImageLoader.EstimateDecodeBytes(800, 600, "JPEG");
        var fingerprinter = new Fingerprinter(TestEnvironment.DefaultModel, ImageLimits.Default);
        // Room for two decodes at once, in a window that would start eight.
        var budget = new DecodeBudget(each * 2 + each / 2);
        using var pipeline = new FingerprintPipeline(fingerprinter, window: 8, budget: budget);

        var outcomes = RunAll(pipeline, paths);

        Assert.All(outcomes, o => Assert.True(o.Succeeded, o.Error?.Message));
        Assert.True(budget.PeakReserved <= budget.Capacity, $"reserved {budget.PeakReserved:N0} of {budget.Capacity:N0} bytes");
        Assert.InRange(budget.PeakHolders, 1, 2);
        Assert.Equal(0, budget.Reserved);
        foreach (var outcome in outcomes)
        {
            var alone = fingerprinter.Fingerprint(outcome.Path);
            Assert.Equal(alone.PerceptualHash, outcome.Fingerprint!.PerceptualHash);
            Assert.Equal(alone.Embedding, outcome.Fingerprint.Embedding);
        }
    }

    [Fact]
    public void An_image_larger_than_the_whole_budget_is_decoded_alone()
    {
        var folder = TestEnvironment.NewScratchFolder();
        var paths = Jpegs(folder, 6, 640, 480);
        var fingerprinter = new Fingerprinter(TestEnvironment.DefaultModel, ImageLimits.Default);
        var budget = new DecodeBudget(ImageLoader.EstimateDecodeBytes(640, 480, "JPEG") / 2);
        using var pipeline = new FingerprintPipeline(fingerprinter, window: 6, budget: budget);

        var outcomes = RunAll(pipeline, paths);

        Assert.All(outcomes, o => Assert.True(o.Succeeded, o.Error?.Message));
        Assert.Equal(1, budget.PeakHolders);
        Assert.Equal(ImageLoader.EstimateDecodeBytes(640, 480, "JPEG"), budget.PeakReserved);
    }

    [Fact]
    public void A_30000_by_3000_jpeg_reserves_its_estimate_and_two_never_decode_at_once_under_the_default_budget()
    {
        // The shape of the bomb: a small file claiming 90 megapixels, within the pixel limit.
        var folder = TestEnvironment.NewScratchFolder();
        var paths = new List<string>();
        for (int i = 0; i < 2; i++)
        {
            using var image = new SixLabors.ImageSharp.Image<SixLabors.ImageSharp.PixelFormats.Rgb24>(30_000, 3_000, new SixLabors.ImageSharp.PixelFormats.Rgb24(200, (byte)(30 + i), 90));
            var path = Path.Combine(folder, $"bomb-{i}.jpg");
            image.SaveAsJpeg(path);
            paths.Add(path);
        }
        Assert.All(paths, p => Assert.True(new FileInfo(p).Length < 2_000_000));
        var fingerprinter = new Fingerprinter(TestEnvironment.DefaultModel, ImageLimits.Default);
        using var pipeline = new FingerprintPipeline(fingerprinter);

        var outcomes = RunAll(pipeline, paths);

        Assert.All(outcomes, o => Assert.True(o.Succeeded, o.Error?.Message));
        long each = ImageLoader.EstimateDecodeBytes(30_000, 3_000, "JPEG");
        Assert.True(each * 2 > DecodeBudget.DefaultCapacityBytes);
        Assert.Equal(each, pipeline.Budget.PeakReserved);
        Assert.Equal(1, pipeline.Budget.PeakHolders);
    }
}
