using System.Diagnostics;
using OpenCvSharp;
using OpenCvSharp.Features2D;

namespace OptOut.Core.Matching;

/// <summary>
/// Chooses once a process whether OpenCV runs its optimised code paths (Intel IPP and the CPU-dispatched
/// AVX2 kernels, <c>cv::setUseOptimized</c>) or its plain ones. Which is faster depends on the machine: on
/// Intel hardware IPP makes SIFT about twice as fast (OpenCV's own figures), while on this project's AMD
/// EPYC virtual machines the optimised paths made SIFT extraction and template matching, the verifier's two
/// largest costs, 2-4 times slower (docs/copy-detection.md, "Speed, fourth pass"). Both give the same
/// keypoints to within float rounding. So the choice is measured here on the verifier's own work, unless
/// <see cref="Variable"/> fixes it. OpenCV keeps part of the setting per thread (whether IPP runs), so
/// every thread that does the verifier's OpenCV work applies it first (<see cref="OnThisThread"/>); OpenCV's own
/// worker threads cannot be told, so the measurement runs on the calling thread alone and the plain paths run
/// without them: a picture's features are then the same bits on any thread, at import and at query time alike
/// (docs/copy-detection.md, "Twelfth round").
/// </summary>
internal static class OpenCvTuning
{
    /// <summary>Environment variable: <c>on</c> (OpenCV's default) or <c>off</c> fixes the choice; unset or <c>auto</c>: measured.</summary>
    public const string Variable = "OPTOUT_OPENCV_OPTIMIZED";

    // The plain paths are taken only when clearly faster: OpenCV's default stands on a near tie.
    private const double RequiredGain = 0.85;

    /// <summary>What was chosen and why, for Get-OptOutEnvironment; null before <see cref="Apply"/>.</summary>
    public static string? Choice { get; private set; }

    private static volatile bool optimised = true;

    [ThreadStatic]
    private static bool appliedHere;

    /// <summary>Applies the process's choice to the calling thread, once a thread (OpenCV made loadable and the choice made first).</summary>
    public static void OnThisThread()
    {
        if (appliedHere) return;
        if (OpenCvAvailability.UnavailableReason is not null) return;
        Cv2.SetUseOptimized(optimised);
        appliedHere = true;
    }

    /// <summary>Sets OpenCV's code paths for this process (OpenCV must be loadable).</summary>
    public static void Apply()
    {
        var setting = (Environment.GetEnvironmentVariable(Variable) ?? "").Trim().ToLowerInvariant();
        switch (setting)
        {
            case "on" or "1" or "true":
                Use(true);
                Choice = $"optimised (set by {Variable})";
                return;
            case "off" or "0" or "false":
                Use(false);
                Choice = $"plain (set by {Variable})";
                return;
        }
        var (optimisedMs, plain) = Measure();
        bool usePlain = plain < optimisedMs * RequiredGain;
        Use(!usePlain);
        Choice = string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"{(usePlain ? "plain" : "optimised")} (measured: {optimisedMs:F1} ms optimised, {plain:F1} ms plain)");
    }

    private static void Use(bool optimise)
    {
        optimised = optimise;
        Cv2.SetUseOptimized(optimise);
        // OpenCV's own worker threads keep its default (the optimised paths) whatever a caller chose, so with the
        // plain paths a picture's keypoints would depend on which thread ran which part of SIFT: OpenCV then runs
        // everything on the calling thread (the verifier runs candidates in parallel itself).
        if (!optimise) Cv2.SetNumThreads(0);
        appliedHere = true;
    }

    /// <summary>
    /// The faster of two runs of a small verifier-like workload with the optimised paths and with the plain
    /// ones, alternating, after one warm-up of each on a smaller frame (about a third of a second in all).
    /// </summary>
    internal static (double OptimisedMs, double PlainMs) Measure()
    {
        using var warmUp = ProbeFrame(192);
        // The paths differ on frames of the verifier's working size, not on small ones.
        using var frame = ProbeFrame(384);
        double fastestOptimised = double.MaxValue, fastestPlain = double.MaxValue;
        // On the calling thread only: OpenCV's worker threads would otherwise keep the plain paths' per-thread
        // state from the measurement, and later SIFT runs would differ by which worker ran which part of them.
        int threads = Cv2.GetNumThreads();
        Cv2.SetNumThreads(0);
        try
        {
            for (int round = 0; round < 3; round++)
            {
                foreach (var optimise in new[] { true, false })
                {
                    Cv2.SetUseOptimized(optimise);
                    double ms = Workload(round == 0 ? warmUp : frame);
                    if (round == 0) continue;
                    if (optimise) fastestOptimised = Math.Min(fastestOptimised, ms);
                    else fastestPlain = Math.Min(fastestPlain, ms);
                }
            }
        }
        finally
        {
            Cv2.SetUseOptimized(true);
            Cv2.SetNumThreads(threads);
        }
        return (fastestOptimised, fastestPlain);
    }

    // SIFT on a textured frame, then template matching at the pixel search's coarse size.
    private static double Workload(Mat frame)
    {
        long started = Stopwatch.GetTimestamp();
        using (var sift = SIFT.Create(1000, 3, 0.02))
        using (var descriptors = new Mat())
        {
            sift.DetectAndCompute(frame, null, out _, descriptors);
        }
        using var small = new Mat();
        Cv2.Resize(frame, small, new Size(64, 64), 0, 0, InterpolationFlags.Area);
        using var scores = new Mat();
        for (int size = 36; size <= 60; size += 4)
        {
            using var template = new Mat(small, new Rect(2, 2, size, size));
            Cv2.MatchTemplate(small, template, scores, TemplateMatchModes.CCoeffNormed);
        }
        return Stopwatch.GetElapsedTime(started).TotalMilliseconds;
    }

    // A fixed drawing-like frame: shapes of several sizes and grays, lightly blurred.
    private static Mat ProbeFrame(int side)
    {
        var frame = new Mat(side, side, MatType.CV_8UC1, Scalar.All(255));
        var random = new Random(12345);
        for (int i = 0; i < 40 * side / 192; i++)
        {
            var centre = new Point(random.Next(side), random.Next(side));
            var gray = Scalar.All(random.Next(200));
            if (i % 2 == 0) Cv2.Circle(frame, centre, random.Next(3, 24), gray, -1);
            else Cv2.Rectangle(frame, new Rect(centre.X, centre.Y, random.Next(4, 40), random.Next(4, 40)), gray, -1);
        }
        Cv2.GaussianBlur(frame, frame, new Size(0, 0), 1.0);
        return frame;
    }
}
