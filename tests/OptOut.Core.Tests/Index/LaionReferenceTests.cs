using System.Text.RegularExpressions;
using OptOut.Core.Datasets;
using OptOut.Core.Index;
using Xunit.Abstractions;
using OptOut.Core.Urls;

namespace OptOut.Core.Tests.Index;

/// <summary>The shared reference files (not part of the project): ../shared/data beside the repository.</summary>
internal static class SharedData
{
    public static string? Folder { get; } = Find();

    public static string? PathOf(string file) => Folder is null ? null : Path.Combine(Folder, file);

    private static string? Find()
    {
        var candidates = new[]
        {
            Environment.GetEnvironmentVariable("OPTOUT_SHARED_DATA"),
            Path.Combine(TestEnvironment.RepositoryRoot, "shared", "data"),
            Path.Combine(TestEnvironment.RepositoryRoot, "..", "shared", "data"),
        };
        return candidates.Where(c => !string.IsNullOrEmpty(c) && Directory.Exists(c)).Select(c => Path.GetFullPath(c!)).FirstOrDefault();
    }
}

/// <summary>A fact that is skipped, saying why, when a shared reference file is absent.</summary>
public sealed class SharedDataFactAttribute : FactAttribute
{
    public SharedDataFactAttribute(string file)
    {
        var path = SharedData.PathOf(file);
        if (path is null || !File.Exists(path))
        {
            Skip = $"Reference file {file} is absent (looked in $OPTOUT_SHARED_DATA, shared/data and ../shared/data): skipped.";
        }
    }
}

/// <summary>A real LAION-style parquet written by pyarrow (img2dataset's test file).</summary>
public sealed partial class LaionReferenceTests : IDisposable
{
    private const string FileName = "laion_urls_10000.parquet";
    private readonly ITestOutputHelper output;
    private readonly string folder = TestEnvironment.NewScratchFolder();
    private readonly IndexStore store;

    public LaionReferenceTests(ITestOutputHelper output)
    {
        this.output = output;
        store = IndexStore.Open(IndexFixtures.NewIndexPath(folder));
    }

    public void Dispose() => store.Dispose();

    [GeneratedRegex("^https?://([^/]+)")]
    private static partial Regex HostPattern();

    [SharedDataFact(FileName)]
    public void The_pyarrow_file_imports_10000_rows_searchable_by_url_host_and_caption()
    {
        var file = SharedData.PathOf(FileName)!;
        var (summary, events) = IndexFixtures.Import(store, null, null, "laion10k", file);
        Assert.Empty(IndexFixtures.Problems(events));
        Assert.Equal((10_000L, 1, 0L), (summary.Rows, summary.ShardsImported, summary.Skipped));
        Assert.Equal(10_000L, IndexFixtures.QueryFile<long>(store.Path, "SELECT count(*) FROM rows"));

        // The same rows as the shard reader gives: URL and TEXT found, keys by position
        // (the pandas __index_level_0__ column is not mistaken for a key).
        var source = new ParquetMetadataShard(file).ReadRows(CancellationToken.None).ToList();
        Assert.Equal(10_000, source.Count);
        Assert.Equal("0", source[0].Key);
        Assert.Equal("9999", source[^1].Key);
        Assert.All(source.Take(200), r => Assert.False(string.IsNullOrEmpty(r.Url)));

        // One of its URLs, under another spelling too.
        var sample = source.First(r => r.Url!.StartsWith("http", StringComparison.Ordinal) && UrlNormalizer.Normalize(r.Url).Host is not null && r.Caption is { Length: > 0 });
        var found = store.FindByUrl(sample.Url!).ToList();
        Assert.Contains(found, r => r.Key == sample.Key);
        var uri = new Uri(sample.Url!);
        var respelled = uri.Scheme.ToUpperInvariant() + "://" + uri.Host.ToUpperInvariant() + uri.PathAndQuery + "#fragment";
        Assert.Contains(store.FindByUrl(respelled), r => r.Key == sample.Key);

        // Its host: every row on that host or a subdomain, as counted from the file itself.
        var host = UrlNormalizer.Normalize(sample.Url!).Host!;
        var expectedOnHost = source.Count(r => r.Url is not null && UrlNormalizer.Normalize(r.Url).Host is { } h
            && (h == host || h.EndsWith("." + host, StringComparison.Ordinal)));
        var onHost = store.FindByDomain(host).ToList();
        Assert.Equal(expectedOnHost, onHost.Count);
        Assert.Contains(onHost, r => r.Key == sample.Key);
        output.WriteLine($"sample {sample.Key}: {sample.Url} ; host {host}: {onHost.Count} rows");

        // A word of its caption.
        var word = Regex.Matches(sample.Caption!, @"\p{L}{4,}").Select(m => m.Value).FirstOrDefault();
        if (word is not null) Assert.Contains(store.SearchCaptions(word), r => r.Row.Key == sample.Key);

        // Distinct hosts. The README's 4,479 counts what the regex gives per row, a non-match
        // included (pandas' unique() keeps the NaN): one row of the file is shifted, its URL
        // "UNLIKELY" and its caption a similarity score.
        var matches = source.Select(r => r.Url is null ? null : HostPattern().Match(r.Url)).ToList();
        var regexHosts = matches.Where(m => m is { Success: true }).Select(m => m!.Groups[1].Value).Distinct(StringComparer.Ordinal).ToList();
        int nonMatching = matches.Count(m => m is not { Success: true });
        var shifted = Assert.Single(source, r => r.Url == "UNLIKELY");
        Assert.Equal(1, nonMatching);
        Assert.Equal(4479, regexHosts.Count + (nonMatching > 0 ? 1 : 0));
        // The shifted row is imported as written, with no host.
        var stored = Assert.Single(store.FindByUrl("UNLIKELY"));
        Assert.Equal(shifted.Key, stored.Key);

        // The index keeps normalised hosts: the regex's hosts with case folded and default ports
        // dropped, computed here independently.
        var folded = source.Select(r => r.Url is null ? null : FoldedHost(r.Url)).Where(h => h is not null).Distinct(StringComparer.Ordinal).Count();
        var indexHosts = IndexFixtures.QueryFile<long>(store.Path, "SELECT count(DISTINCT host_rev) FROM rows WHERE host_rev IS NOT NULL");
        output.WriteLine($"distinct hosts: regex {regexHosts.Count} (+1 non-match = README's 4,479), case and default port folded {folded}, in the index {indexHosts}");
        Assert.Equal(folded, indexHosts);
        Assert.InRange(indexHosts, (long)(4479 * 0.99), 4479);

        // Importing the file again adds nothing.
        var (again, _) = IndexFixtures.Import(store, null, null, "laion10k", file);
        Assert.Equal((0L, 1), (again.Rows, again.ShardsAlreadyImported));
    }

    private static string? FoldedHost(string url)
    {
        var match = Regex.Match(url, "^(https?)://([^/?#]+)", RegexOptions.IgnoreCase);
        if (!match.Success) return null;
        var scheme = match.Groups[1].Value.ToLowerInvariant();
        var host = match.Groups[2].Value.ToLowerInvariant();
        int at = host.LastIndexOf('@');
        if (at >= 0) host = host[(at + 1)..];
        if ((scheme == "http" && host.EndsWith(":80", StringComparison.Ordinal)) || (scheme == "https" && host.EndsWith(":443", StringComparison.Ordinal)))
        {
            host = host[..host.LastIndexOf(':')];
        }
        int colon = host.LastIndexOf(':');
        if (colon >= 0 && !host.EndsWith(']')) host = host[..colon];   // other ports: the host is the same
        return host.TrimEnd('.');
    }

    [SharedDataFact("sample_image.parquet")]
    public void The_img2dataset_hash_sample_reads_its_txt_and_sha256hash_columns()
    {
        var file = SharedData.PathOf("sample_image.parquet")!;
        var rows = new ParquetMetadataShard(file).ReadRows(CancellationToken.None).ToList();
        Assert.Equal(2, rows.Count);
        Assert.All(rows, r => Assert.False(string.IsNullOrEmpty(r.Url)));
        output.WriteLine(string.Join("\n", rows.Select(r => $"{r.Key} {r.Url} '{r.Caption}' sha256={(r.Sha256 is null ? "none" : Convert.ToHexString(r.Sha256))}")));
        Assert.All(rows, r => Assert.NotNull(r.Caption));
        Assert.All(rows, r => Assert.Equal(32, r.Sha256?.Length));
    }
}
