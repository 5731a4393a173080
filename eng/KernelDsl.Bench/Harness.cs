using System.Diagnostics;
using ILGPU;
using ILGPU.Runtime;
using System.Numerics;

namespace KernelDsl.Bench;

/// <summary>Warm-up, repeats, median: enough for ratios measured side by side in one run.</summary>
public static class Harness
{
    /// <summary>
    /// Runs <paramref name="first"/> (then <paramref name="second"/>) until a quarter of a second has passed, at most 50
    /// times: long enough for the JIT's tiering (a method is recompiled optimised after 30 calls and a 100 ms delay), so a
    /// short kernel is not timed in its unoptimised first code — which would favour whichever side is marked
    /// AggressiveOptimization.
    /// </summary>
    public static void WarmUp(Action first, Action? second = null, Action? sync = null)
    {
        var sw = Stopwatch.StartNew();
        for (int i = 0; i < 50 && (i == 0 || sw.ElapsedMilliseconds < 250); i++)
        {
            first(); sync?.Invoke();
            if (second is not null) { second(); sync?.Invoke(); }
        }
    }

    public static double MedianMilliseconds(Action action, int repeats, Action? sync = null)
    {
        WarmUp(action, sync: sync);
        var times = new double[repeats];
        for (int i = 0; i < repeats; i++)
        {
            var sw = Stopwatch.StartNew();
            action();
            sync?.Invoke();
            times[i] = sw.Elapsed.TotalMilliseconds;
        }
        Array.Sort(times);
        return repeats % 2 == 1 ? times[repeats / 2] : (times[repeats / 2 - 1] + times[repeats / 2]) / 2;
    }

    /// <summary>
    /// Times <paramref name="baseline"/> and <paramref name="candidate"/> alternately (after a warm-up of
    /// both, <see cref="WarmUp"/>) and returns both medians and the median of the per-pair ratios baseline / candidate:
    /// interleaving keeps a noisy machine's slow phases from landing on one side only.
    /// </summary>
    public static (double Baseline, double Candidate, double Ratio) Interleaved(Action baseline, Action candidate, int repeats, Action? sync = null)
    {
        WarmUp(baseline, candidate, sync);
        var b = new double[repeats];
        var c = new double[repeats];
        var r = new double[repeats];
        for (int i = 0; i < repeats; i++)
        {
            var sw = Stopwatch.StartNew();
            baseline(); sync?.Invoke();
            b[i] = sw.Elapsed.TotalMilliseconds;
            sw.Restart();
            candidate(); sync?.Invoke();
            c[i] = sw.Elapsed.TotalMilliseconds;
            r[i] = b[i] / c[i];
        }
        static double Median(double[] v) { Array.Sort(v); return v[v.Length / 2]; }
        return (Median(b), Median(c), Median(r));
    }

    /// <summary>
    /// Like <see cref="Interleaved"/>, and also the spread of the per-pair ratios (25th and 75th percentile): the
    /// noise to report beside the median ratio.
    /// </summary>
    /// <param name="baselineTime">When given, the baseline's own time (ms) of the run just made, used instead of the
    /// wall clock around it (a subprocess peer reports the time of its kernel without the pipe).</param>
    public static (double Baseline, double Candidate, double Ratio, double Low, double High) InterleavedWithSpread(Action baseline, Action candidate, int repeats,
        Func<double>? baselineTime = null)
    {
        WarmUp(baseline, candidate);
        var b = new double[repeats];
        var c = new double[repeats];
        var r = new double[repeats];
        for (int i = 0; i < repeats; i++)
        {
            var sw = Stopwatch.StartNew();
            baseline();
            b[i] = baselineTime?.Invoke() ?? sw.Elapsed.TotalMilliseconds;
            sw.Restart();
            candidate();
            c[i] = sw.Elapsed.TotalMilliseconds;
            r[i] = b[i] / c[i];
        }
        Array.Sort(b);
        Array.Sort(c);
        Array.Sort(r);
        return (b[repeats / 2], c[repeats / 2], r[repeats / 2], r[repeats / 4], r[Math.Min(repeats - 1, repeats * 3 / 4)]);
    }

    /// <summary>
    /// STREAM-style triad a = b + s·c over three 64 MiB float arrays on <paramref name="threads"/> threads,
    /// SIMD, counted as 3 × 4 bytes per element (two reads, one write). GB/s.
    /// </summary>
    public static double TriadGigabytesPerSecond(int threads, int repeats)
    {
        const int n = 16 << 20;
        var a = new float[n];
        var b = new float[n];
        var c = new float[n];
        Array.Fill(b, 1f);
        Array.Fill(c, 2f);
        int chunks = threads * 8;
        var options = new ParallelOptions { MaxDegreeOfParallelism = threads };
        void Triad() => Parallel.For(0, chunks, options, chunk =>
        {
            int lo = (int)((long)n * chunk / chunks), hi = (int)((long)n * (chunk + 1) / chunks);
            var s = new Vector<float>(3f);
            int i = lo;
            for (; i <= hi - Vector<float>.Count; i += Vector<float>.Count)
                (new Vector<float>(b.AsSpan(i)) + s * new Vector<float>(c.AsSpan(i))).CopyTo(a.AsSpan(i));
            for (; i < hi; i++) a[i] = b[i] + 3f * c[i];
        });
        double ms = MedianMilliseconds(Triad, repeats);
        return 3.0 * 4 * n / (ms * 1e6);
    }

    /// <summary>
    /// The same triad a = b + s·c on an ILGPU device, over three arrays of <paramref name="length"/> floats in device
    /// memory (one thread per element, grouped by ILGPU), counted as 3 × 4 bytes per element. GB/s.
    /// </summary>
    public static double DeviceTriadGigabytesPerSecond(Accelerator accelerator, int length, int repeats)
    {
        using var a = accelerator.Allocate1D<float>(length);
        using var b = accelerator.Allocate1D<float>(length);
        using var c = accelerator.Allocate1D<float>(length);
        b.MemSetToZero();
        c.MemSetToZero();
        var triad = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>>(DeviceTriad);
        double ms = MedianMilliseconds(() => triad(length, a.View, b.View, c.View), repeats, accelerator.Synchronize);
        return 3.0 * 4 * length / (ms * 1e6);
    }

    private static void DeviceTriad(Index1D i, ArrayView<float> a, ArrayView<float> b, ArrayView<float> c) =>
        a[i] = b[i] + 3f * c[i];

    /// <summary>
    /// Compulsory traffic of a weighted SpMM Y = A · X: the CSR arrays (row offsets, columns, values) once, X read once,
    /// Y written once. Over a measured bandwidth, the time no SpMM can beat.
    /// </summary>
    public static double CompulsorySpMMBytes(int rows, int columns, long nonzeros, int dim) =>
        4.0 * (rows + 1) + 8.0 * nonzeros + 4.0 * dim * ((double)columns + rows);

    /// <summary>Upper-bound traffic of an SpMM: CSR arrays once, one feature row per nonzero (X never reused from cache), the output once.</summary>
    public static double SpMMTrafficBytes(int rows, long nonzeros, int dim, bool weighted) =>
        4.0 * (rows + 1) + 4.0 * nonzeros * (weighted ? 2 : 1) + 4.0 * dim * nonzeros + 4.0 * dim * rows;
}
