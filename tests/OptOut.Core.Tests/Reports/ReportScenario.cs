using OptOut.Core.Datasets;
using OptOut.Core.Imaging;
using OptOut.Core.Matching;
using OptOut.Core.Reports;
using OptOut.Core.Tests.Index;
using OptOut.Core.Tests.Matching;
using OptOut.Samples;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Jpeg;

namespace OptOut.Core.Tests.Reports;

/// <summary>
/// A report's inputs built from real parts: the artist's works are real clip-art files; the training
/// set holds altered copies of them as files and as members of a real tar; each copy's evidence comes
/// from the real GeometricVerifier; URL-only rows with hostile captions and URLs come from a parquet
/// written with Parquet.Net and read back by the module's own reader.
/// </summary>
internal sealed class ReportScenario
{
    public const string Hostile = "hostile-set";
    public const string Folder = "image-folder";
    public const string Tarred = "webdataset";

    /// <summary>Captions and URLs that would run script or link somewhere unsafe if they were not escaped.</summary>
    public static readonly (string Url, string Caption)[] HostileRows =
    [
        ("javascript:console.error('XSS-url')", "<script>console.error('XSS-script')</script>"),
        ("https://evil.example/a.jpg\" onmouseover=\"console.error('XSS-attr')", "\"><img src=x onerror=\"console.error('XSS-img')\">"),
        ("data:text/html,<script>console.error('XSS-data')</script>", "' onerror='alert(1)' x='"),
        ("https://ok.example/b.jpg", "</article><svg onload=alert('XSS-svg')>"),
        ("https://ok.example/c.jpg", "</script><script>console.error('XSS-json')</script><!--<script>"),
    ];

    public required string Root { get; init; }
    public required List<string> Works { get; init; }
    public required List<ReportMatch> Matches { get; init; }
    public required List<ReportViolation> Violations { get; init; }
    public required string NotFoundWork { get; init; }

    public static ReportScenario Build()
    {
        var root = TestEnvironment.NewScratchFolder();
        var works = Path.Combine(root, "works");
        var dataset = Path.Combine(root, "dataset");
        Directory.CreateDirectory(works);
        Directory.CreateDirectory(dataset);
        var apple = Path.Combine(works, "apple.png");
        var grapes = Path.Combine(works, "grapes <b>&amp; \"x'.png"); // a hostile file name too
        var lonely = Path.Combine(works, "another_apple_01.png");
        File.Copy(ClipArt.PathOf("apple.png"), apple);
        File.Copy(ClipArt.PathOf("grapes_01.png"), grapes);
        File.Copy(ClipArt.PathOf("another_apple_01.png"), lonely);

        var verifier = new GeometricVerifier();
        var matches = new List<ReportMatch>();
        var key = 0;
        // Apple: copies as files of an image folder.
        foreach (var alteration in new[] { Alteration.Mirror, Alteration.Crop, Alteration.Rotate, Alteration.Resize })
        {
            var file = Path.Combine(dataset, $"{key:D4}.jpg");
            Save(apple, alteration, file);
            matches.Add(Match(verifier, apple, Folder, $"{key++:D4}", new ImageLocation(file), alteration));
        }
        // Grapes: copies as members of a webdataset tar (the thumbnail reads the member's byte range).
        var tar = Path.Combine(dataset, "00000.tar");
        var members = new List<IndexFixtures.TarMember>();
        var alterations = new[] { Alteration.Watermark, Alteration.Gray };
        foreach (var alteration in alterations)
        {
            var file = Path.Combine(root, $"member-{alteration}.jpg");
            Save(grapes, alteration, file);
            members.Add(new IndexFixtures.TarMember($"{key + members.Count:D9}.jpg", File.ReadAllBytes(file)));
        }
        var headers = IndexFixtures.WriteTar(tar, members);
        for (var i = 0; i < members.Count; i++)
        {
            var location = new ImageLocation(tar, members[i].Name, headers[i] + 512, members[i].Content.Length);
            matches.Add(Match(verifier, grapes, Tarred, $"{key++:D9}", location, alterations[i]));
        }
        // A Similar row with no verification, and URL-only rows with hostile text from a parquet.
        matches.Add(Plain(grapes, Folder, "similar-1", "Similar", 0.83, 12, new ImageLocation(Path.Combine(dataset, "0000.jpg"))));
        var parquet = Path.Combine(root, "hostile.parquet");
        IndexFixtures.WriteParquet(parquet,
        [
            IndexFixtures.Strings("key", HostileRows.Select((_, i) => (string?)$"<b>k{i}</b>")),
            IndexFixtures.Strings("url", HostileRows.Select(r => (string?)r.Url)),
            IndexFixtures.Strings("caption", HostileRows.Select(r => (string?)r.Caption)),
        ]);
        foreach (var row in new ParquetMetadataShard(parquet).ReadRows(CancellationToken.None))
        {
            matches.Add(new ReportMatch
            {
                Query = apple, QuerySha256 = Sha(apple), Dataset = Hostile, Key = row.Key, Url = row.Url, Caption = row.Caption,
                MatchKind = "Url", Width = row.Width, Height = row.Height,
            });
        }
        var violations = new List<ReportViolation>
        {
            new() { Dataset = Hostile, Shard = "hostile.parquet", Row = 0, Key = "<b>k0</b>", Url = HostileRows[0].Url, Rule = "Url", RecordId = "r-1", Claimant = "<i>Jane</i>", Detail = HostileRows[0].Caption },
        };
        // In the report's order: grouped by work, in the order the works first appear.
        matches = matches.GroupBy(m => m.Query).SelectMany(g => g).ToList();
        return new ReportScenario { Root = root, Works = [apple, grapes, lonely], Matches = matches, Violations = violations, NotFoundWork = lonely };
    }

    public ReportHeader Header => new() { Claimant = "Jane <Doe>", Title = "Report <for> \"Jane\"", Works = Works, IndexPath = "/tmp/index.db", Models = ["ResNet18@test"] };

    /// <summary>Writes the report to <paramref name="path"/>; thumbnails embedded or in "&lt;name&gt;_files".</summary>
    public MatchReportSummary Write(string path, ThumbnailStorage storage)
    {
        var folder = storage == ThumbnailStorage.Folder ? Path.Combine(Path.GetDirectoryName(path)!, Path.GetFileNameWithoutExtension(path) + "_files") : null;
        using var writer = new StreamWriter(path);
        return new MatchReportWriter(new ThumbnailMaker(storage, folder, ImageLimits.Default)).Write(writer, Header, Matches, Violations, path);
    }

    private static void Save(string work, Alteration alteration, string file)
    {
        using var original = ImageLoader.Load(work, ImageLimits.Default);
        using var copy = Alterations.Apply(original.Pixels, alteration);
        copy.SaveAsJpeg(file, new JpegEncoder { Quality = 90 });
    }

    private static ReportMatch Match(GeometricVerifier verifier, string work, string dataset, string key, ImageLocation location, Alteration alteration)
    {
        using var query = ImageLoader.Load(work, ImageLimits.Default);
        byte[] bytes;
        using (var stream = location.OpenRead())
        using (var copy = new MemoryStream())
        {
            stream.CopyTo(copy);
            bytes = copy.ToArray();
        }
        using var candidate = ImageLoader.Decode(bytes, location.ToString(), ImageLimits.Default);
        using var preparedQuery = verifier.Prepare(query);
        using var preparedCandidate = verifier.Prepare(candidate);
        var verification = verifier.Verify(preparedQuery, preparedCandidate);
        return new ReportMatch
        {
            Query = work, QuerySha256 = Sha(work), Dataset = dataset, Key = key, Url = $"https://reposts.example/{key}-{alteration.ToString().ToLowerInvariant()}.jpg",
            Caption = $"re-post ({alteration})", Width = candidate.Width, Height = candidate.Height, MatchKind = "Copy",
            Similarity = 0.95, HashDistance = 4, Image = location, Verification = verification,
        };
    }

    private static ReportMatch Plain(string work, string dataset, string key, string kind, double similarity, int distance, ImageLocation location) => new()
    {
        Query = work, QuerySha256 = Sha(work), Dataset = dataset, Key = key, Url = $"https://other.example/{key}.jpg", Caption = "a similar picture",
        MatchKind = kind, Similarity = similarity, HashDistance = distance, Image = location,
    };

    private static string Sha(string file) => Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(file))).ToLowerInvariant();
}
