using System.Globalization;
using OptOut.Core.Embedding;
using OptOut.Core.Fingerprinting;
using OptOut.Core.Index;
using OptOut.Core.Matching;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Processing;

/// <summary>
/// --turns "2,3,6,8": are copies turned by angles other than the calibration's Rotate alteration (4 degrees, the
/// default views' own angle) found? The first --turn-queries drawings (at least 200 px on the short side) are each
/// turned by every angle both ways as the Rotate alteration turns them (on a grown canvas, cut back to their size
/// from the top left), saved as an image folder and imported with stored features into a copy of an existing index
/// (its rows are the distractors). Each drawing is then searched, as an artist searches with the original, by the
/// default matcher (the picture and its views turned -4 and 4 degrees), by the plain picture alone and with
/// -IncludeRotated's views as well, and every turned copy reported as a Copy is counted by its angle.
/// </summary>
internal static class TurnCheck
{
    public static void Run(string baseIndex, string work, EmbeddingModel model, Fingerprinter fingerprinter, IReadOnlyList<string> drawings, IReadOnlyList<float> angles, int count)
    {
        var culture = CultureInfo.InvariantCulture;
        var folder = Path.Combine(work, "turned-copies");
        Directory.CreateDirectory(folder);
        var originals = new List<(int Row, string Drawing, string Query)>();
        var queries = Path.Combine(work, "turned-queries");
        Directory.CreateDirectory(queries);
        for (int row = 0; row < drawings.Count && originals.Count < count; row++)
        {
            var info = Image.Identify(drawings[row]);
            if (Math.Min(info.Width, info.Height) < 200) continue;
            using var flat = TarDataset.Flatten(drawings[row]);
            var query = Path.Combine(queries, $"{row:000000}.png");
            if (!File.Exists(query)) flat.SaveAsPng(query);
            int w = flat.Width, h = flat.Height;
            foreach (var angle in angles)
            {
                foreach (var signed in new[] { -angle, angle })
                {
                    var path = Path.Combine(folder, string.Create(culture, $"{row:000000}_turned{signed}.png"));
                    if (File.Exists(path)) continue;
                    using var turned = flat.Clone(x => x.Rotate(signed).Crop(new Rectangle(0, 0, w, h)));
                    turned.SaveAsPng(path);
                }
            }
            originals.Add((row, drawings[row], query));
        }

        // A copy of the base index with the turned copies added (rebuilt each run: the import is a few hundred rows).
        var name = Path.Combine(work, "index-turned.db");
        foreach (var old in Directory.EnumerateFiles(work, "index-turned.db*")) File.Delete(old);
        foreach (var file in Directory.EnumerateFiles(Path.GetDirectoryName(baseIndex)!, Path.GetFileName(baseIndex) + "*").Where(f => !f.EndsWith(".done", StringComparison.Ordinal)))
        {
            File.Copy(file, name + Path.GetFileName(file)[Path.GetFileName(baseIndex).Length..]);
        }
        using var store = IndexStore.Open(name);
        var importer = new TrainingSetImporter(store, fingerprinter, model.ModelId, _ => { })
        {
            LocalFeatureExtraction = StoredFeatureExtraction.For(VerifierOptions.Default),
        };
        var summary = importer.Import("turned", [folder], CancellationToken.None);
        Console.WriteLine(string.Create(culture, $"turned copies: {summary.Rows:N0} rows imported into a copy of {Path.GetFileName(baseIndex)} ({store.EmbeddingStamp().Count:N0} embeddings in all)"));

        using var turning = new CopyMatcher(store);
        using var plain = new CopyMatcher(store) { ViewAngles = [] };
        var byDefault = new Dictionary<float, int>();
        var byPlain = new Dictionary<float, int>();
        var byWider = new Dictionary<float, int>();
        // What -IncludeRotated adds: -6, -3, 3 and 6 degrees besides the matcher's own -4 and 4.
        var wider = fingerprinter.WithViewAngles(Fingerprinter.RotationAngles);
        foreach (var (row, _, query) in originals)
        {
            Count(turning, fingerprinter, query, row, byDefault);
            Count(plain, fingerprinter, query, row, byPlain);
            Count(turning, wider, query, row, byWider);
        }
        Console.WriteLine();
        Console.WriteLine(string.Create(culture, $"### Turned copies found: {originals.Count} drawings searched, each with its copies turned both ways by every angle"));
        Console.WriteLine();
        Console.WriteLine("| turn (degrees, either way) | found by the default (the picture and its views turned -4 and 4) | found by the plain picture alone | found with -IncludeRotated's views too (-6, -4, -3, 3, 4, 6) |");
        Console.WriteLine("| ---: | ---: | ---: | ---: |");
        foreach (var angle in angles)
        {
            Console.WriteLine(string.Create(culture, $"| {angle} | {byDefault.GetValueOrDefault(angle)}/{2 * originals.Count} | {byPlain.GetValueOrDefault(angle)}/{2 * originals.Count} | {byWider.GetValueOrDefault(angle)}/{2 * originals.Count} |"));
        }
    }

    // Each Copy among the drawing's own turned copies, counted by the angle its file name records.
    private static void Count(CopyMatcher matcher, Fingerprinter fingerprinter, string query, int row, Dictionary<float, int> found)
    {
        var print = matcher.FingerprintQuery(fingerprinter, query);
        using var picture = print.Picture;
        var prefix = $"{row:000000}_turned";
        foreach (var match in matcher.Find(print, new SearchOptions()))
        {
            if (match.Kind != MatchKind.Copy || match.Row.Dataset != "turned") continue;
            var file = Path.GetFileNameWithoutExtension(match.Row.Url ?? "");
            if (!file.StartsWith(prefix, StringComparison.Ordinal)) continue;
            var angle = Math.Abs(float.Parse(file[prefix.Length..], CultureInfo.InvariantCulture));
            found[angle] = found.GetValueOrDefault(angle) + 1;
        }
    }
}
