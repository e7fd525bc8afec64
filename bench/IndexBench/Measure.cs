using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

namespace IndexBench;

public static class Measure
{
    /// <summary>Reads a lazy result to the end into a list, as a caller keeping it would, and returns how many items it held.</summary>
    public static int Materialize<T>(IEnumerable<T> items) => items.ToList().Count;

    /// <summary>Reads a lazy sequence to the end without keeping it, and returns how many items it yielded.</summary>
    public static long Drain<T>(IEnumerable<T> items)
    {
        long count = 0;
        foreach (var _ in items) count++;
        return count;
    }

    /// <summary>VmRSS, VmHWM (peak), RssAnon and RssFile of this process in MiB (Linux); peak working set elsewhere.</summary>
    public static Dictionary<string, object?> Memory()
    {
        var result = new Dictionary<string, object?>();
        const string status = "/proc/self/status";
        if (File.Exists(status))
        {
            foreach (var line in File.ReadLines(status))
            {
                foreach (var key in new[] { "VmRSS", "VmHWM", "RssAnon", "RssFile" })
                {
                    if (line.StartsWith(key + ":", StringComparison.Ordinal))
                    {
                        var kb = long.Parse(line[(key.Length + 1)..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
                        result[key + "_MiB"] = Math.Round(kb / 1024.0, 1);
                    }
                }
            }
        }
        using var self = Process.GetCurrentProcess();
        result["PeakWorkingSet_MiB"] = Math.Round(self.PeakWorkingSet64 / 1048576.0, 1);
        result["ManagedHeap_MiB"] = Math.Round(GC.GetTotalMemory(false) / 1048576.0, 1);
        return result;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec { public long Seconds; public long Nanoseconds; }

    [DllImport("libc", EntryPoint = "clock_gettime")]
    private static extern int ClockGetTime(int clock, out TimeSpec time);

    /// <summary>CPU time of the calling thread in ms (Linux), NaN elsewhere: latency without the time other processes took the core.</summary>
    public static double ThreadCpuMs()
    {
        if (!OperatingSystem.IsLinux()) return double.NaN;
        if (ClockGetTime(3 /* CLOCK_THREAD_CPUTIME_ID */, out var t) != 0) return double.NaN;
        return t.Seconds * 1000.0 + t.Nanoseconds / 1e6;
    }

    /// <summary>CPU time of the whole process (all threads) in seconds.</summary>
    public static double ProcessCpuSeconds()
    {
        using var self = Process.GetCurrentProcess();
        return self.TotalProcessorTime.TotalSeconds;
    }

    /// <summary>The 1-minute load average, to show how busy the (shared) machine was.</summary>
    public static double? LoadAverage() =>
        File.Exists("/proc/loadavg") ? double.Parse(File.ReadAllText("/proc/loadavg").Split(' ')[0], CultureInfo.InvariantCulture) : null;

    /// <summary>Wall and process-CPU seconds of an action.</summary>
    public static (double Wall, double Cpu) Timed(Action action)
    {
        double cpu = ProcessCpuSeconds();
        var clock = Stopwatch.StartNew();
        action();
        return (clock.Elapsed.TotalSeconds, ProcessCpuSeconds() - cpu);
    }

    public static double Seconds(Action action)
    {
        var clock = Stopwatch.StartNew();
        action();
        return clock.Elapsed.TotalSeconds;
    }

    public static double Median(IEnumerable<double> values) => Percentile(values, 50);

    public static double Percentile(IEnumerable<double> values, double p)
    {
        var sorted = values.OrderBy(v => v).ToArray();
        if (sorted.Length == 0) return double.NaN;
        double rank = p / 100 * (sorted.Length - 1);
        int lo = (int)Math.Floor(rank), hi = (int)Math.Ceiling(rank);
        return sorted[lo] + (sorted[hi] - sorted[lo]) * (rank - lo);
    }

    public static Dictionary<string, object?> Latency(IReadOnlyCollection<double> milliseconds) => new()
    {
        ["n"] = milliseconds.Count,
        ["p50_ms"] = Round(Median(milliseconds)),
        ["p90_ms"] = Round(Percentile(milliseconds, 90)),
        ["p99_ms"] = Round(Percentile(milliseconds, 99)),
        ["max_ms"] = Round(milliseconds.Count == 0 ? double.NaN : milliseconds.Max()),
    };

    public static double Round(double value, int digits = 3) => double.IsFinite(value) ? Math.Round(value, digits) : value;

    /// <summary>Reads a file once so that every timed pass reads it from the page cache alike.</summary>
    public static void Warm(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20);
        var buffer = new byte[1 << 20];
        while (stream.Read(buffer) > 0) { }
    }

    public static long FileSize(string path) => File.Exists(path) ? new FileInfo(path).Length : 0;

    /// <summary>The database file and its -wal and -shm companions.</summary>
    public static long DatabaseSize(string path) => FileSize(path) + FileSize(path + "-wal") + FileSize(path + "-shm");

    public static void DeleteDatabase(string path)
    {
        foreach (var suffix in new[] { "", "-wal", "-shm", "-journal", ".hnsw", ".hnsw.json", ".hnsw.tmp", ".vectors", ".captions", ".captions-wal", ".captions-shm" })
        {
            if (File.Exists(path + suffix)) File.Delete(path + suffix);
        }
    }

    public static void Log(string message) => Console.Error.WriteLine($"[{DateTime.Now:HH:mm:ss}] {message}");
}
