using OptOut.Core.Imaging;
using OptOut.Samples;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace CopyCalibration;

/// <summary>
/// --fingerprint-only: fills the fingerprint cache before a calibration run, in an order that leaves a
/// usable sample when it is stopped early: the originals, every altered copy and the hard negatives first,
/// then the distractors spread evenly (every 64th, then the ones between...), so that a later
/// <c>--cached-distractors-only</c> run on a partial cache still draws its distractors from the whole list.
/// </summary>
public static class Prefetch
{
    public static void Run(Corpus corpus, Func<string, byte[], Fingerprint> take, Func<Image<Rgb24>, Alteration, byte[]> encode, Action<string> log)
    {
        log($"Prefetch: {corpus.Queries.Count} originals and their {Alterations.All.Count} copies, {corpus.HardNegatives.Count} hard negatives, then {corpus.Distractors.Count} distractors.");
        foreach (var original in corpus.Queries)
        {
            take(original.Path, original.Content);
            using var decoded = ImageLoader.Decode(original.Content, original.Path, ImageLimits.Default);
            foreach (var alteration in Alterations.All)
            {
                using var copy = Alterations.Apply(decoded.Pixels, alteration);
                take($"{original.RelativePath}#{alteration}", encode(copy, alteration));
            }
        }
        foreach (var hard in corpus.HardNegatives) take(hard.Path, hard.Content);
        foreach (var d in SpreadOrder(corpus.Distractors.Count)) take(corpus.Distractors[d].Path, corpus.Distractors[d].Content);
        log("Prefetch done.");
    }

    /// <summary>0..count-1 in passes of falling stride (64, 32, ... 1), each index once: every prefix is spread over the whole range.</summary>
    public static IEnumerable<int> SpreadOrder(int count)
    {
        var seen = new bool[count];
        for (int stride = 64; stride >= 1; stride /= 2)
        {
            for (int i = 0; i < count; i += stride)
            {
                if (seen[i]) continue;
                seen[i] = true;
                yield return i;
            }
        }
    }
}
