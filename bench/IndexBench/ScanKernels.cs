using System.Diagnostics;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using OptOut.Core.Index;

namespace IndexBench;

/// <summary>
/// Why the exact scan runs below memory bandwidth: one thread over the same half-float rows with
/// (a) the engine's HalfVectors.Dot, (b) the same widening with four independent FMA accumulators,
/// (c) a plain read of the bytes. Evidence for a faster kernel, not part of the engine.
/// </summary>
public static class ScanKernels
{
    private const float ExponentRebias = 5.192296858534828e33f;

    public static Dictionary<string, object?> Run(string db, int rows)
    {
        using var store = IndexStore.Open(db);
        var exact = ExactVectorScan.Load(store);
        var half = (Half[])typeof(ExactVectorScan).GetField("vectors", BindingFlags.NonPublic | BindingFlags.Instance)!.GetValue(exact)!;
        int dims = exact.Dimensions;
        int n = Math.Min(rows, exact.Count);
        var query = new EmbeddingGen(dims).HeldOutQuery(0);
        double sink = 0;
        double Time(Func<double> f) { var times = new List<double>(); for (int r = 0; r < 7; r++) { var c = Stopwatch.StartNew(); sink += f(); times.Add(c.Elapsed.TotalMilliseconds); } return Measure.Median(times); }

        double engine = Time(() => { float s = 0; for (int r = 0; r < n; r++) s += HalfVectors.Dot(half.AsSpan(r * dims, dims), query); return s; });
        double fma = Time(() => { float s = 0; for (int r = 0; r < n; r++) s += DotFma(half.AsSpan(r * dims, dims), query); return s; });
        double read = Time(() =>
        {
            var bits = MemoryMarshal.Cast<Half, ulong>(half.AsSpan(0, n * dims));
            ref ulong origin = ref MemoryMarshal.GetReference(bits);
            var acc = Vector256<ulong>.Zero;
            for (int i = 0; i + 4 <= bits.Length; i += 4) acc ^= Vector256.LoadUnsafe(ref origin, (nuint)i);
            return Vector256.Sum(acc);
        });
        // USearch's native exact search (SIMD f16 kernels) over the same array, one thread, top 10.
        var queryHalf = query.Select(x => (Half)x).ToArray();
        var keys = new ulong[10];
        var distances = new float[10];
        double native = Time(() =>
        {
            unsafe
            {
                fixed (Half* data = half)
                fixed (Half* q = queryHalf)
                fixed (ulong* k = keys)
                fixed (float* d = distances)
                {
                    usearch_exact_search((IntPtr)data, (UIntPtr)n, (UIntPtr)(dims * 2), (IntPtr)q, 1, (UIntPtr)(dims * 2),
                        Cloud.Unum.USearch.ScalarKind.Float16, (UIntPtr)dims, Cloud.Unum.USearch.MetricKind.Cos, 10, 1,
                        (IntPtr)k, 80, (IntPtr)d, 40, out var error);
                    if (error != IntPtr.Zero) throw new InvalidOperationException(Marshal.PtrToStringAnsi(error));
                }
            }
            return distances[0];
        });
        var engineTop = exact.Search(query, 10).Select(r => r.Id).ToHashSet();
        var ids = (long[])typeof(ExactVectorScan).GetField("ids", BindingFlags.NonPublic | BindingFlags.Instance)!.GetValue(exact)!;
        int agree = n == exact.Count ? keys.Count(k => engineTop.Contains(ids[(int)k])) : -1;
        double bytes = (double)n * dims * 2;
        GC.KeepAlive(sink);
        var result = new Dictionary<string, object?>
        {
            ["rows"] = n,
            ["engine_dot_ms"] = Measure.Round(engine), ["engine_dot_GB_per_s"] = Math.Round(bytes / 1e6 / engine, 2),
            ["fma4_dot_ms"] = Measure.Round(fma), ["fma4_dot_GB_per_s"] = Math.Round(bytes / 1e6 / fma, 2),
            ["usearch_exact_ms"] = Measure.Round(native), ["usearch_exact_GB_per_s"] = Math.Round(bytes / 1e6 / native, 2),
            ["usearch_exact_agrees_with_engine_top10"] = agree,
            ["read_ms"] = Measure.Round(read), ["read_GB_per_s"] = Math.Round(bytes / 1e6 / read, 2),
            ["fma_supported"] = Fma.IsSupported,
        };
        Measure.Log($"scan kernels, one thread: {System.Text.Json.JsonSerializer.Serialize(result)}");
        return result;
    }

    [DllImport("libusearch_c")]
    private static extern void usearch_exact_search(IntPtr dataset, UIntPtr datasetCount, UIntPtr datasetStride, IntPtr queries, UIntPtr queriesCount, UIntPtr queriesStride,
        Cloud.Unum.USearch.ScalarKind scalarKind, UIntPtr dimensions, Cloud.Unum.USearch.MetricKind metricKind, UIntPtr count, UIntPtr threads,
        IntPtr keys, UIntPtr keysStride, IntPtr distances, UIntPtr distancesStride, out IntPtr error);

    private static float DotFma(ReadOnlySpan<Half> row, ReadOnlySpan<float> query)
    {
        var bits = MemoryMarshal.Cast<Half, ushort>(row);
        ref ushort r0 = ref MemoryMarshal.GetReference(bits);
        ref float q0 = ref MemoryMarshal.GetReference(query);
        var mask = Vector256.Create(0x7FFFu);
        var sign = Vector256.Create(0x8000u);
        var rebias = Vector256.Create(ExponentRebias);
        Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default;
        int i = 0;
        for (; i <= bits.Length - 32; i += 32)
        {
            var (l0, h0) = Vector256.Widen(Vector256.LoadUnsafe(ref r0, (nuint)i));
            var (l1, h1) = Vector256.Widen(Vector256.LoadUnsafe(ref r0, (nuint)(i + 16)));
            a0 = Fma.MultiplyAdd(ToSingle(l0, mask, sign, rebias), Vector256.LoadUnsafe(ref q0, (nuint)i), a0);
            a1 = Fma.MultiplyAdd(ToSingle(h0, mask, sign, rebias), Vector256.LoadUnsafe(ref q0, (nuint)(i + 8)), a1);
            a2 = Fma.MultiplyAdd(ToSingle(l1, mask, sign, rebias), Vector256.LoadUnsafe(ref q0, (nuint)(i + 16)), a2);
            a3 = Fma.MultiplyAdd(ToSingle(h1, mask, sign, rebias), Vector256.LoadUnsafe(ref q0, (nuint)(i + 24)), a3);
        }
        float sum = Vector256.Sum((a0 + a1) + (a2 + a3));
        for (; i < bits.Length; i++) sum += (float)row[i] * query[i];
        return sum;
    }

    private static Vector256<float> ToSingle(Vector256<uint> half, Vector256<uint> mask, Vector256<uint> sign, Vector256<float> rebias)
    {
        var magnitude = Vector256.ShiftLeft(half & mask, 13).AsSingle() * rebias;
        return (magnitude.AsUInt32() | Vector256.ShiftLeft(half & sign, 16)).AsSingle();
    }
}
