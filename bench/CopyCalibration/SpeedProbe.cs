using System.Diagnostics;
using System.Globalization;
using System.Text;
using OptOut.Core.Fingerprinting;
using OptOut.Core.Imaging;
using OptOut.Core.Index;
using OptOut.Core.Matching;

namespace CopyCalibration;

/// <summary>
/// What verification adds to a query, measured the way a search would run it: the query fingerprinted
/// (the threshold rule's whole cost: its candidates' scores are stored), then the query prepared and each
/// candidate decoded from its file bytes, prepared and verified with the chosen thresholds (stopping at
/// the first stage that verifies). One query at a time; medians over the queries.
/// </summary>
public static class SpeedProbe
{
    public static void Write(StringBuilder md, VerificationStage stage, VerifierOptions options, Func<string, byte[], PictureFingerprint> fingerprint, int queryCount, int candidates, Action<string> log)
    {
        log($"Speed probe: {queryCount} queries x {candidates} candidates...");
        var verifier = new GeometricVerifier(options);
        var baseline = new List<double>();
        var withVerification = new List<double>();
        var queryPrep = new List<double>();
        var perCandidate = new List<double>();
        var decode = new List<double>();
        var extraction = new List<double>();
        var matching = new List<double>();
        var ransac = new List<double>();
        var ncc = new List<double>();
        var stretch = new List<double>();
        int verified = 0, pairs = 0;
        int n = stage.Items.Count;
        for (int k = 0; k < queryCount; k++)
        {
            int q = k * stage.Queries.Count / queryCount;
            var source = stage.Queries[q];
            var chosen = stage.Candidates[q].OrderByDescending(i => stage.Cosine[q * n + i]).Take(candidates).ToList();
            var bytes = chosen.Select(i => stage.Items[i].Bytes()).ToList();

            var clock = Stopwatch.StartNew();
            var print = fingerprint(source.Path, source.Content);
            foreach (var i in chosen) _ = CopyRule.Default.IsCopy(PerceptualHash.Distance(print.PerceptualHash, stage.Items[i].Print.Hash), OptOut.Core.Embedding.VectorMath.Cosine(print.Embedding, stage.Items[i].Print.Embedding));
            double baseMs = clock.Elapsed.TotalMilliseconds;
            baseline.Add(baseMs);

            clock.Restart();
            using (var decodedQuery = ImageLoader.Decode(source.Content, source.Path, ImageLimits.Default))
            using (var query = verifier.Prepare(decodedQuery))
            {
                _ = query.Features;
                queryPrep.Add(clock.Elapsed.TotalMilliseconds);
                for (int c = 0; c < chosen.Count; c++)
                {
                    var one = Stopwatch.StartNew();
                    using var decoded = ImageLoader.Decode(bytes[c], stage.Items[chosen[c]].Name, ImageLimits.Default);
                    decode.Add(one.Elapsed.TotalMilliseconds);
                    using var candidate = verifier.Prepare(decoded);
                    var timings = new VerificationTimings();
                    var result = verifier.Verify(query, candidate, timings);
                    perCandidate.Add(one.Elapsed.TotalMilliseconds);
                    if (timings.Extractions > 0) extraction.Add(timings.ExtractionMs / timings.Extractions);
                    if (timings.MatchingRuns > 0) matching.Add(timings.MatchingMs / timings.MatchingRuns);
                    if (timings.RansacRuns > 0) ransac.Add(timings.RansacMs / timings.RansacRuns);
                    if (timings.NccRuns > 0) ncc.Add(timings.NccMs / timings.NccRuns);
                    if (timings.StretchRuns > 0) stretch.Add(timings.StretchMs / timings.StretchRuns);
                    pairs++;
                    if (result.IsVerified) verified++;
                }
            }
            withVerification.Add(baseMs + clock.Elapsed.TotalMilliseconds);
        }

        md.AppendLine($"### Speed (this machine: {Environment.ProcessorCount} cores, shared; one query at a time; medians)");
        md.AppendLine();
        md.AppendLine($"{queryCount} originals as queries, each against its top {candidates} candidates by cosine ({pairs} pairs, {verified} verified), candidates decoded from their stored file bytes.");
        md.AppendLine("The threshold rule's cost is the query's fingerprint (decode, hash, ResNet18); its candidates' scores come from the index.");
        md.AppendLine();
        md.AppendLine("| what | median ms | p90 ms |");
        md.AppendLine("| --- | ---: | ---: |");
        Line(md, "query, threshold rule alone (fingerprint + rule)", baseline);
        Line(md, $"query, rule + verification of {candidates} candidates", withVerification);
        Line(md, "query picture prepared (decode, gray, SIFT; mirrored SIFT only when needed, counted in the candidates)", queryPrep);
        Line(md, "a candidate: decode + prepare + verify", perCandidate);
        Line(md, "... of which decoding its file", decode);
        Line(md, "stage: SIFT extraction, a picture", extraction);
        Line(md, "stage: mutual nearest-neighbour matching, a pair", matching);
        Line(md, "stage: RANSAC similarity, a fit", ransac);
        Line(md, "stage: warp + aligned NCC, a fit", ncc);
        Line(md, "stage: direct stretch (as is and mirrored), a pair", stretch);
        md.AppendLine();
    }

    private static void Line(StringBuilder md, string what, List<double> values)
    {
        if (values.Count == 0) { md.AppendLine($"| {what} | - | - |"); return; }
        var sorted = values.Order().ToList();
        md.AppendLine($"| {what} ({values.Count}) | {sorted[sorted.Count / 2].ToString("F1", CultureInfo.InvariantCulture)} | {sorted[(int)Math.Min(sorted.Count - 1, Math.Ceiling(sorted.Count * 0.9) - 1)].ToString("F1", CultureInfo.InvariantCulture)} |");
    }
}
