using OpenCvSharp;

namespace OptOut.Core.Matching;

/// <summary>
/// Refines an alignment by its pixels (OpenCV's enhanced correlation coefficient, ECC): a keypoint fit from
/// few inliers or a pixel-search pose found on a grid of widths and whole pixels can sit a pixel or a percent
/// off, which on a drawing's sharp lines costs a copy a few hundredths of correlation. ECC moves the pose to
/// where the two gray frames correlate best; the refined pose is kept only near the first one and near a
/// similarity (a copy is not sheared), and the caller keeps it only when its pixels agree better.
/// </summary>
internal static class PoseRefinement
{
    // Two small levels (long side in pixels, iterations): on a test drawing a pose a percent and 1.5 px off
    // came back to within 0.05 px of the true one in about 6 ms, where ECC on a 445-px working frame took
    // 28-59 ms for 0.03 px (docs/copy-detection.md, thirteenth round). A blur of 1 px forgives the rest.
    private static readonly (int Side, int Iterations)[] Levels = [(128, 50), (256, 20)];
    private const double Epsilon = 1e-4;
    private const int MinLevelSide = 24;

    // On a small picture 3% of its side is two or three pixels, about what a pixel-search grid or a fit from few
    // inliers is off there (a pose 1% and 1.5 px off an 80-px drawing: 3.1 px): a refinement may always move a
    // corner this far, in the query's pixels.
    private const double MinShiftPixels = 4;

    /// <summary>
    /// The pose <paramref name="queryToCandidate"/> (query working frame to candidate's, 2x3 row-major)
    /// refined on <paramref name="queryGray"/> and <paramref name="candidateGray"/>; null when no level could
    /// refine it (ECC stops with an error when the correlation falls or cannot be computed; a frame too thin
    /// for every level) or the pose strays: a corner of the query moved more than <paramref name="maxShift"/>
    /// of the query's long side (at least <see cref="MinShiftPixels"/>), or the pose is no longer a similarity
    /// within <paramref name="maxShear"/>.
    /// </summary>
    public static double[]? Refine(Mat queryGray, Mat candidateGray, double[] queryToCandidate, double maxShift, double maxShear)
    {
        var pose = queryToCandidate;
        bool refinedOnce = false;
        int longSide = Math.Max(queryGray.Width, queryGray.Height);
        int shortest = Math.Min(Math.Min(queryGray.Width, queryGray.Height), Math.Min(candidateGray.Width, candidateGray.Height));
        foreach (var (side, iterations) in Levels)
        {
            double factor = Math.Min(1.0, side / (double)longSide);
            // A level that would leave either frame a few pixels across has nothing to align on.
            if (factor < 1 && shortest * factor < MinLevelSide) continue;
            // A level that fails (fine lines may not correlate on a small frame) leaves the pose to the next one.
            if (RefineAt(queryGray, candidateGray, pose, factor, iterations) is { } refined)
            {
                pose = refined;
                refinedOnce = true;
            }
            if (factor >= 1) break;
        }
        if (!refinedOnce) return null;
        return Strays(queryToCandidate, pose, queryGray.Width, queryGray.Height, maxShift, maxShear) ? null : pose;
    }

    // One level: both frames scaled down by about factor, ECC on them, the pose carried there and back.
    private static double[]? RefineAt(Mat queryGray, Mat candidateGray, double[] pose, double factor, int iterations)
    {
        using var query = GrayFrame.ScaledDown(queryGray, Math.Max(queryGray.Width, queryGray.Height) * factor);
        using var candidate = GrayFrame.ScaledDown(candidateGray, Math.Max(candidateGray.Width, candidateGray.Height) * factor);
        // Each frame's own scale on each axis (its size is rounded), and pixel centres: a frame scaled by s puts
        // x at s x + (s - 1) / 2. With q' = Sq q + dq and c' = Sc c + dc, the pose c = A q + t becomes
        // A' = Sc A Sq^-1, t' = Sc t + dc - A' dq.
        var sq = (X: query.Width / (double)queryGray.Width, Y: query.Height / (double)queryGray.Height);
        var sc = (X: candidate.Width / (double)candidateGray.Width, Y: candidate.Height / (double)candidateGray.Height);
        var dq = (X: (sq.X - 1) / 2, Y: (sq.Y - 1) / 2);
        var dc = (X: (sc.X - 1) / 2, Y: (sc.Y - 1) / 2);
        double a = sc.X * pose[0] / sq.X, b = sc.X * pose[1] / sq.Y, c = sc.Y * pose[3] / sq.X, e = sc.Y * pose[4] / sq.Y;
        double[] scaled = [a, b, sc.X * pose[2] + dc.X - (a * dq.X + b * dq.Y), c, e, sc.Y * pose[5] + dc.Y - (c * dq.X + e * dq.Y)];
        using var warp = new Mat(2, 3, MatType.CV_32FC1);
        for (int i = 0; i < 6; i++) warp.Set(i / 3, i % 3, (float)scaled[i]);
        try
        {
            Cv2.FindTransformECC(query, candidate, warp, MotionTypes.Affine,
                new TermCriteria(CriteriaTypes.Count | CriteriaTypes.Eps, iterations, Epsilon), null, factor < 1 ? 3 : 5);
        }
        catch (OpenCVException)
        {
            // ECC stops with an error when the frames do not correlate (or stop correlating) under the pose: nothing to refine.
            return null;
        }
        var f = new double[6];
        for (int i = 0; i < 6; i++) f[i] = warp.At<float>(i / 3, i % 3);
        if (!f.All(double.IsFinite)) return null;
        // Back: A = Sc^-1 A' Sq, t = Sc^-1 (t' - dc + A' dq).
        return
        [
            f[0] * sq.X / sc.X, f[1] * sq.Y / sc.X, (f[2] - dc.X + f[0] * dq.X + f[1] * dq.Y) / sc.X,
            f[3] * sq.X / sc.Y, f[4] * sq.Y / sc.Y, (f[5] - dc.Y + f[3] * dq.X + f[4] * dq.Y) / sc.Y,
        ];
    }

    // Whether the refined pose moved a corner of the query too far (in the query's frame, through the first
    // pose's scale) or shears or stretches the query unevenly.
    private static bool Strays(double[] first, double[] refined, int width, int height, double maxShift, double maxShear)
    {
        double scale = Math.Sqrt(Math.Abs(first[0] * first[4] - first[1] * first[3]));
        if (!(scale > 0)) return true;
        double allowed = Math.Max(maxShift * Math.Max(width, height), MinShiftPixels);
        foreach (var (x, y) in new[] { (0.0, 0.0), ((double)width, 0.0), (0.0, (double)height), ((double)width, (double)height) })
        {
            double dx = (refined[0] - first[0]) * x + (refined[1] - first[1]) * y + refined[2] - first[2];
            double dy = (refined[3] - first[3]) * x + (refined[4] - first[4]) * y + refined[5] - first[5];
            if (Math.Sqrt(dx * dx + dy * dy) / scale > allowed) return true;
        }
        // A similarity's linear part is [a -b; b a]: its departure from that, relative to its scale.
        double refinedScale = Math.Sqrt(Math.Abs(refined[0] * refined[4] - refined[1] * refined[3]));
        if (!(refinedScale > 0)) return true;
        double shear = (Math.Abs(refined[0] - refined[4]) + Math.Abs(refined[1] + refined[3])) / refinedScale;
        return shear > maxShear;
    }
}
