using OptOut.Core.Index;
using OptOut.Core.Urls;

namespace OptOut.Core.Tests.Index;

/// <summary>The one-scan fast path must give exactly what the full normaliser gives.</summary>
public class UrlNormalizerFastPathTests
{
    [Theory]
    [InlineData("https://example.com/a/b.jpg", true)]
    [InlineData("http://cdn.example.co.uk/x?y=1&z=2", true)]
    [InlineData("https://Example.com/a", false)]
    [InlineData("https://example.com:8080/a", false)]
    [InlineData("https://example.com", false)]
    [InlineData("https://example.com/a%20b", false)]
    [InlineData("https://example.com/a#frag", false)]
    [InlineData("https://example.com/a/../b", false)]
    [InlineData("https://example.com/a/./b", false)]
    [InlineData("https://example.com/a b", false)]
    [InlineData("https://example.com/a?", false)]
    [InlineData("ftp://example.com/a", false)]
    [InlineData("https://user@example.com/a", false)]
    [InlineData("https://example.com./a", false)]
    public void The_fast_path_takes_only_urls_already_in_normal_form(string url, bool fast)
    {
        Assert.Equal(fast, UrlNormalizer.AlreadyNormal(url, out _));
        if (fast) Assert.Equal(url, UrlNormalizer.Normalize(url).Url);
    }

    [Fact]
    public void Fast_and_full_paths_agree_on_generated_urls()
    {
        var random = new Random(7);
        const string alphabet = "abcXYZ019-._~/?:@!$&'()*+,;=%20#[] \\";
        for (int n = 0; n < 20000; n++)
        {
            var host = new string(Enumerable.Range(0, random.Next(1, 12)).Select(_ => "abcdexyz0189.-"[random.Next(14)]).ToArray());
            var rest = new string(Enumerable.Range(0, random.Next(0, 30)).Select(_ => alphabet[random.Next(alphabet.Length)]).ToArray());
            var url = (random.Next(2) == 0 ? "https://" : "http://") + host + "/" + rest;
            var viaFull = typeof(UrlNormalizer).GetMethod("NormalizeSlow", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!;
            var full = (NormalizedUrl)viaFull.Invoke(null, [url])!;
            var normal = UrlNormalizer.Normalize(url);
            Assert.Equal(full.Url, normal.Url);
            Assert.Equal(full.Host, normal.Host);
        }
    }

    [SharedDataFact("laion_urls_10000.parquet")]
    public async Task Fast_and_full_paths_agree_on_the_LAION_sample()
    {
        var shard = new OptOut.Core.Datasets.ParquetMetadataShard(SharedData.PathOf("laion_urls_10000.parquet")!);
        var viaFull = typeof(UrlNormalizer).GetMethod("NormalizeSlow", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!;
        int fast = 0;
        foreach (var row in shard.ReadRows(CancellationToken.None))
        {
            if (row.Url is null) continue;
            var full = (NormalizedUrl)viaFull.Invoke(null, [row.Url])!;
            Assert.Equal(full.Url, UrlNormalizer.Normalize(row.Url).Url);
            Assert.Equal(full.Host, UrlNormalizer.Normalize(row.Url).Host);
            if (UrlNormalizer.AlreadyNormal(row.Url, out _)) fast++;
        }
        Assert.True(fast > 5000, $"{fast} of 10,000 took the fast path");
        await Task.CompletedTask;
    }
}
