using System.Diagnostics;
using OptOut.Core.Imaging;
using OptOut.Core.Matching;
using OptOut.Samples;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace CopyCalibration;

/// <summary>
/// --dev-every N: a quick look at the verifier with its default options, without fingerprints: every Nth
/// original against its own altered copies (recall per alteration and the method that verified them),
/// and against the other chosen originals and its hard negatives (false matches, each listed). For
/// iterating on the verifier; the calibration proper is --verify.
/// </summary>
public static class DevCheck
{
    public static void Run(Corpus corpus, int every, Func<Image<Rgb24>, Alteration, byte[]> encode, Action<string> log)
    {
        var verifier = new GeometricVerifier();
        var alterations = Alterations.All;
        var chosen = Enumerable.Range(0, corpus.Queries.Count).Where(q => q % every == 0).ToList();
        var found = new int[alterations.Count];
        var byMethod = new Dictionary<VerificationMethod, int>();
        var clock = Stopwatch.StartNew();
        var timings = new VerificationTimings();
        var pictures = chosen.ToDictionary(q => q, q =>
        {
            using var decoded = ImageLoader.Decode(corpus.Queries[q].Content, corpus.Queries[q].Path, ImageLimits.Default);
            return verifier.Prepare(decoded);
        });
        foreach (var q in chosen)
        {
            using var decoded = ImageLoader.Decode(corpus.Queries[q].Content, corpus.Queries[q].Path, ImageLimits.Default);
            for (int a = 0; a < alterations.Count; a++)
            {
                using var altered = Alterations.Apply(decoded.Pixels, alterations[a]);
                using var copy = ImageLoader.Decode(encode(altered, alterations[a]), "copy", ImageLimits.Default);
                using var candidate = verifier.Prepare(copy);
                var v = verifier.Verify(pictures[q], candidate, timings);
                if (v.IsVerified)
                {
                    found[a]++;
                    byMethod[v.Method] = byMethod.GetValueOrDefault(v.Method) + 1;
                }
                else
                {
                    log($"  MISS {corpus.Queries[q].RelativePath} ({alterations[a]}): {v.Reason}: {v.Detail}");
                }
            }
        }
        log($"Copies ({chosen.Count} originals, {clock.Elapsed.TotalSeconds:F0} s): " + string.Join(", ", alterations.Select((a, i) => $"{a} {found[i]}/{chosen.Count}"))
            + "; by method " + string.Join(", ", byMethod.Select(kv => $"{kv.Key} {kv.Value}")));

        int unrelated = 0, falseMatches = 0;
        var hardOf = corpus.HardNegatives;
        foreach (var q in chosen)
        {
            var others = chosen.Where(o => o != q).Select(o => (corpus.Queries[o].RelativePath, Picture: pictures[o], Owned: false)).ToList();
            foreach (var h in hardOf.Where(h => Corpus.ShareTitleWord(h.RelativePath, corpus.Queries[q].RelativePath)))
            {
                using var decoded = ImageLoader.Decode(h.Content, h.Path, ImageLimits.Default);
                others.Add((h.RelativePath, verifier.Prepare(decoded), true));
            }
            foreach (var (name, picture, owned) in others)
            {
                unrelated++;
                var v = verifier.Verify(pictures[q], picture, timings);
                if (v.IsVerified)
                {
                    falseMatches++;
                    log($"  FALSE {corpus.Queries[q].RelativePath} ~ {name}: {v.Method}: {v.Detail}");
                }
                if (owned) picture.Dispose();
            }
        }
        log($"Unrelated pairs: {unrelated}, verified {falseMatches}. Search: {timings.SearchRuns} runs, {timings.SearchMs / Math.Max(1, timings.SearchRuns):F1} ms each; {clock.Elapsed.TotalSeconds:F0} s in all.");
        foreach (var p in pictures.Values) p.Dispose();
    }
}
