using OpenCvSharp;

namespace OptOut.Core.Matching;

/// <summary>
/// Aligns two pictures without keypoints, for plain pictures (flags, pictograms, flat icons) that give too
/// few for a fit: the candidate is searched for inside the query (a crop, a rotated copy cut back to its
/// frame) and the query inside the candidate (a padded copy) by normalised cross-correlation of their
/// gray frames, over a grid of scales and small rotations on small frames first, then refined on larger
/// ones. It only proposes a transform; the aligned pixels decide, as for a keypoint fit.
/// </summary>
internal static class AlignmentSearch
{
    private const int CoarseSide = 64;   // long side of the query on the first, exhaustive pass
    private const int MiddleSide = 160;  // long side on the refining pass
    private const double CoarseFractionStep = 0.04;
    private const double AngleStep = 3.0;

    /// <summary>A proposed alignment: the query's working frame mapped into the candidate's (2x3, row-major), the correlation that found it, and the best correlation of the first, coarse pass.</summary>
    public readonly record struct Hypothesis(double[] QueryToCandidate, double Score, bool Mirrored, double CoarseScore);

    /// <summary>
    /// The best alignment for each orientation tried (as is, and mirrored when asked), best first, and the
    /// best correlation the coarse pass found over both (-inf when the pictures are too small for it). An
    /// orientation whose coarse pass stays below <see cref="VerifierOptions.MinSearchCoarseScore"/> is not
    /// refined: no pose of it can align a copy, and the refining passes are most of the search's cost.
    /// </summary>
    public static (List<Hypothesis> Found, double BestCoarseScore) Find(VerifiablePicture query, VerifiablePicture candidate, VerifierOptions options)
    {
        var result = new List<Hypothesis>(2);
        double bestCoarse = double.NegativeInfinity;
        foreach (var mirrored in options.TryMirrored ? new[] { false, true } : new[] { false })
        {
            var (found, coarse) = FindOne(query.GrayOf(mirrored), candidate.GrayOf(mirrored: false), options);
            bestCoarse = Math.Max(bestCoarse, coarse);
            if (found is { } hypothesis) result.Add(hypothesis with { Mirrored = mirrored });
        }
        result.Sort((a, b) => b.Score.CompareTo(a.Score));
        return (result, bestCoarse);
    }

    private enum Direction { CandidateInQuery, QueryInCandidate }

    private readonly record struct Pose(Direction Direction, double Angle, double Fraction);

    private static (Hypothesis? Found, double CoarseScore) FindOne(Mat queryGray, Mat candidateGray, VerifierOptions options)
    {
        var angles = new List<double>();
        for (double a = -options.SearchMaxRotation; a <= options.SearchMaxRotation + 1e-9; a += AngleStep) angles.Add(a);

        // Coarse: every pose on small frames.
        using var queryCoarse = GrayFrame.ScaledDown(queryGray, CoarseSide);
        using var candidateCoarse = GrayFrame.ScaledDown(candidateGray, Math.Max(candidateGray.Width, candidateGray.Height) * (CoarseSide / (double)Math.Max(queryGray.Width, queryGray.Height)));
        Pose? best = null;
        Point coarseAt = default;
        double bestScore = double.NegativeInfinity;
        foreach (var angle in angles)
        {
            using var rotated = Rotated(queryCoarse, angle, out _);
            for (double f = options.SearchMinFraction; f <= 1.0 + 1e-9; f += CoarseFractionStep)
            {
                var (inside, where) = Match(rotated, candidateCoarse, queryCoarse, f);
                if (inside > bestScore) { bestScore = inside; best = new Pose(Direction.CandidateInQuery, angle, f); coarseAt = where; }
            }
        }
        for (double f = options.SearchMinFraction; f <= 1.0 + 1e-9; f += CoarseFractionStep)
        {
            var (around, where) = Match(candidateCoarse, queryCoarse, candidateCoarse, f);
            if (around > bestScore) { bestScore = around; best = new Pose(Direction.QueryInCandidate, 0, f); coarseAt = where; }
        }
        if (best is not { } coarse) return (null, double.NegativeInfinity);
        if (bestScore < options.MinSearchCoarseScore) return (null, bestScore);

        // Middle, then the working frames: the neighbourhood of the best pose, the template searched for
        // only near where the smaller frames put it.
        var (middlePose, middleAt, middleScore, middleWidth) = Refine(queryGray, candidateGray, MiddleSide, coarse, coarseAt, queryCoarse.Width,
            coarse.Direction == Direction.CandidateInQuery ? [-1.5, -1.0, -0.5, 0, 0.5, 1.0, 1.5] : [0.0], [-0.02, -0.01, 0, 0.01, 0.02]);
        if (double.IsNegativeInfinity(middleScore)) return (null, bestScore);
        int workingSide = Math.Max(queryGray.Width, queryGray.Height);
        var (final, at, score, _) = Refine(queryGray, candidateGray, workingSide, middlePose, middleAt, middleWidth, [0.0], [-0.004, 0, 0.004]);
        if (double.IsNegativeInfinity(score)) return (null, bestScore);
        return (new Hypothesis(QueryToCandidate(queryGray, candidateGray, final, at), score, false, bestScore), bestScore);
    }

    /// <summary>
    /// The poses around <paramref name="pose"/> (angle and fraction offsets) on frames whose query has
    /// <paramref name="side"/> pixels on its long side, each searched within a few pixels of where the
    /// previous level (whose query was <paramref name="fromWidth"/> pixels wide) found the template.
    /// </summary>
    private static (Pose Pose, Point At, double Score, int QueryWidth) Refine(Mat queryGray, Mat candidateGray, int side, Pose pose, Point from, int fromWidth,
        double[] angleOffsets, double[] fractionOffsets)
    {
        double factor = Math.Min(1, side / (double)Math.Max(queryGray.Width, queryGray.Height));
        using var query = GrayFrame.ScaledDown(queryGray, Math.Max(queryGray.Width, queryGray.Height) * factor);
        using var candidate = GrayFrame.ScaledDown(candidateGray, Math.Max(candidateGray.Width, candidateGray.Height) * factor);
        double up = query.Width / (double)fromWidth;
        var predicted = new Point((int)Math.Round(from.X * up), (int)Math.Round(from.Y * up));
        int margin = (int)Math.Ceiling(2 * up) + 2;
        var best = (Pose: pose, At: default(Point), Score: double.NegativeInfinity);
        foreach (var da in angleOffsets)
        {
            var angle = pose.Angle + da;
            using var image = pose.Direction == Direction.CandidateInQuery ? Rotated(query, angle, out _) : candidate.Clone();
            var (inner, outer) = pose.Direction == Direction.CandidateInQuery ? (candidate, query) : (query, candidate);
            foreach (var df in fractionOffsets)
            {
                double fraction = Math.Min(1.0, pose.Fraction + df);
                var (score, at) = Match(image, inner, outer, fraction, predicted, margin);
                if (score > best.Score) best = (pose with { Angle = angle, Fraction = fraction }, at, score);
            }
        }
        return (best.Pose, best.At, best.Score, query.Width);
    }

    /// <summary><paramref name="inner"/> resized to <paramref name="fraction"/> of <paramref name="outer"/>'s width, searched for in <paramref name="image"/> (only within <paramref name="margin"/> pixels of <paramref name="near"/> when a margin is given); -inf when it does not fit.</summary>
    private static (double Score, Point Location) Match(Mat image, Mat inner, Mat outer, double fraction, Point near = default, int margin = -1)
    {
        int width = (int)Math.Round(fraction * outer.Width);
        int height = (int)Math.Round(width * (double)inner.Height / inner.Width);
        if (width < 8 || height < 8 || width > image.Width || height > image.Height) return (double.NegativeInfinity, default);
        var window = new Rect(0, 0, image.Width, image.Height);
        if (margin >= 0)
        {
            int left = Math.Clamp(near.X - margin, 0, image.Width - width), top = Math.Clamp(near.Y - margin, 0, image.Height - height);
            int right = Math.Clamp(near.X + margin + width, left + width, image.Width), bottom = Math.Clamp(near.Y + margin + height, top + height, image.Height);
            window = new Rect(left, top, right - left, bottom - top);
        }
        using var template = new Mat();
        Cv2.Resize(inner, template, new Size(width, height), 0, 0, InterpolationFlags.Area);
        using var region = new Mat(image, window);
        using var scores = new Mat();
        Cv2.MatchTemplate(region, template, scores, TemplateMatchModes.CCoeffNormed);
        Cv2.MinMaxLoc(scores, out _, out double max, out _, out Point location);
        return double.IsFinite(max) ? (max, new Point(location.X + window.X, location.Y + window.Y)) : (double.NegativeInfinity, default);
    }

    /// <summary>The picture rotated about its centre by <paramref name="angle"/> degrees on a canvas grown to hold it (black outside), as a rotated copy is made.</summary>
    private static Mat Rotated(Mat picture, double angle, out double[] forward)
    {
        var centre = new Point2f(picture.Width / 2f, picture.Height / 2f);
        using var rotation = Cv2.GetRotationMatrix2D(centre, angle, 1.0);
        double cos = Math.Abs(Math.Cos(angle * Math.PI / 180)), sin = Math.Abs(Math.Sin(angle * Math.PI / 180));
        int width = (int)Math.Ceiling(picture.Width * cos + picture.Height * sin);
        int height = (int)Math.Ceiling(picture.Width * sin + picture.Height * cos);
        forward = new double[6];
        for (int r = 0; r < 2; r++) for (int c = 0; c < 3; c++) forward[r * 3 + c] = rotation.At<double>(r, c);
        forward[2] += (width - picture.Width) / 2.0;
        forward[5] += (height - picture.Height) / 2.0;
        var result = new Mat();
        if (angle == 0)
        {
            picture.CopyTo(result);
            return result;
        }
        using var m = Mat.FromPixelData(2, 3, MatType.CV_64FC1, forward);
        Cv2.WarpAffine(picture, result, m, new Size(width, height), InterpolationFlags.Linear, BorderTypes.Constant, Scalar.All(0));
        return result;
    }

    /// <summary>The pose, found on <paramref name="query"/> and <paramref name="candidate"/> (the working frames), as a map from the query's frame to the candidate's.</summary>
    private static double[] QueryToCandidate(Mat query, Mat candidate, Pose pose, Point at)
    {
        if (pose.Direction == Direction.CandidateInQuery)
        {
            // Candidate point p sits at t*p + at in the rotated query; the rotated query is R*q.
            using var rotated = Rotated(query, pose.Angle, out var forward);
            double t = Math.Round(pose.Fraction * query.Width) / candidate.Width;
            // q -> r = F q ; r -> p = (r - at) / t.
            return
            [
                forward[0] / t, forward[1] / t, (forward[2] - at.X) / t,
                forward[3] / t, forward[4] / t, (forward[5] - at.Y) / t,
            ];
        }
        // Query point q sits at t*q + at in the candidate.
        double s = Math.Round(pose.Fraction * candidate.Width) / query.Width;
        return [s, 0, at.X, 0, s, at.Y];
    }
}
