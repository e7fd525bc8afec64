using System.Globalization;
using System.Text;
using OptOut.Core.Imaging;
using OptOut.Core.Matching;
using OptOut.Samples;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace CopyCalibration;

/// <summary>
/// What verification is worth at a given picture size: originals scaled down to a short side, each altered and
/// verified against its scaled original (recall), and against the scaled originals of other drawings of the
/// corpus (unrelated pairs: what the verifier wrongly accepts at that size). The minimum size
/// (<see cref="VerifierOptions.MinimumSide"/>) is where both are still acceptable.
/// </summary>
internal static class SizeSweep
{
    private static readonly int[] Sides = [24, 32, 48, 64, 80, 96, 128];

    /// <summary>The sweep as a markdown table: <paramref name="originals"/> originals at an even stride, <paramref name="others"/> unrelated drawings each.</summary>
    public static string Write(Corpus corpus, VerifierOptions options, int originals, int others, Func<Image<Rgb24>, Alteration, byte[]> encode, Action<string> log)
    {
        log($"Size sweep over {originals} originals, {others} unrelated drawings each...");
        var verifier = new GeometricVerifier(options);
        var alterations = Alterations.All;
        var md = new StringBuilder();
        md.AppendLine(Inv($"**Minimum size** ({originals} originals at an even stride, each scaled down to the short side shown and re-encoded, then altered as above and verified against the scaled original; and each scaled original against the {others} next originals scaled alike, unrelated drawings; the verifier's thresholds with no size floor):"));
        md.AppendLine();
        md.AppendLine($"| short side | {string.Join(" | ", alterations)} | all copies | unrelated pairs verified |");
        md.AppendLine("| ---: |" + string.Concat(Enumerable.Repeat(" ---: |", alterations.Count + 2)));
        var picked = Enumerable.Range(0, originals).Select(k => corpus.Queries[k * corpus.Queries.Count / originals]).ToList();
        foreach (var side in Sides)
        {
            var found = new int[alterations.Count];
            var scaled = new List<VerifiablePicture>();
            try
            {
                foreach (var source in picked)
                {
                    using var decoded = ImageLoader.Decode(source.Content, source.Path, ImageLimits.Default);
                    double scale = (double)side / Math.Min(decoded.Width, decoded.Height);
                    using var small = decoded.Pixels.Clone(x => x.Resize(Math.Max(1, (int)Math.Round(decoded.Width * scale)), Math.Max(1, (int)Math.Round(decoded.Height * scale))));
                    using var smallDecoded = ImageLoader.Decode(encode(small, Alteration.Reencode), "small", ImageLimits.Default);
                    var query = verifier.Prepare(smallDecoded);
                    scaled.Add(query);
                    for (int a = 0; a < alterations.Count; a++)
                    {
                        using var copy = Alterations.Apply(smallDecoded.Pixels, alterations[a]);
                        using var copyDecoded = ImageLoader.Decode(encode(copy, alterations[a]), "copy", ImageLimits.Default);
                        using var candidate = verifier.Prepare(copyDecoded);
                        if (verifier.Verify(query, candidate).IsVerified) found[a]++;
                    }
                }
                int wrong = 0, pairs = 0;
                var accepted = new List<string>();
                for (int k = 0; k < scaled.Count; k++)
                {
                    for (int j = 1; j <= others && j < scaled.Count; j++)
                    {
                        int other = (k + j) % scaled.Count;
                        pairs++;
                        if (!verifier.Verify(scaled[k], scaled[other]).IsVerified) continue;
                        wrong++;
                        accepted.Add($"{picked[k].RelativePath} / {picked[other].RelativePath}");
                    }
                }
                int n = picked.Count;
                md.AppendLine(Inv($"| {side} | {string.Join(" | ", found.Select(f => F((double)f / n, 2)))} | {F((double)found.Sum() / (n * alterations.Count), 3)} | {wrong} of {pairs}{(accepted.Count > 0 ? ": " + string.Join("; ", accepted) : "")} |"));
                log(Inv($"  {side} px: {found.Sum()} of {n * alterations.Count} copies, {wrong} of {pairs} unrelated pairs verified"));
            }
            finally
            {
                foreach (var picture in scaled) picture.Dispose();
            }
        }
        md.AppendLine();
        return md.ToString();
    }

    private static string F(double v, int digits) => v.ToString("F" + digits, CultureInfo.InvariantCulture);

    private static string Inv(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
