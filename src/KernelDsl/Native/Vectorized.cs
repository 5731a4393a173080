using System.ComponentModel;
using System.Numerics;

namespace KernelDsl.Native;

/// <summary>
/// The element-wise SIMD loops and the chunked parallel loop the dense steps share (the core's heterogeneous combine and
/// the KernelDsl.Gnn training stack). Public for the packages built on the core.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Advanced)]
public static class Vectorized
{
    /// <summary><c>y += alpha · x</c>.</summary>
    public static void Axpy(Span<float> y, ReadOnlySpan<float> x, float alpha)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var va = new Vector<float>(alpha);
            for (; i <= y.Length - Vector<float>.Count; i += Vector<float>.Count)
                (new Vector<float>(y[i..]) + va * new Vector<float>(x[i..])).CopyTo(y[i..]);
        }
        for (; i < y.Length; i++) y[i] += alpha * x[i];
    }

    /// <summary><c>y *= scale</c>.</summary>
    public static void Scale(Span<float> y, float scale)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var s = new Vector<float>(scale);
            for (; i <= y.Length - Vector<float>.Count; i += Vector<float>.Count)
                (new Vector<float>(y[i..]) * s).CopyTo(y[i..]);
        }
        for (; i < y.Length; i++) y[i] *= scale;
    }

    /// <summary>
    /// Runs <paramref name="body"/>(from, to) over [0, <paramref name="length"/>) in contiguous chunks on up to
    /// <paramref name="parallelism"/> threads (one chunk, on this thread, when the work is small).
    /// </summary>
    public static void Chunks(int length, int parallelism, Action<int, int> body)
    {
        int parts = Math.Max(1, Math.Min(parallelism * 4, length / 4096));
        if (parts == 1) { body(0, length); return; }
        Parallel.For(0, parts, new ParallelOptions { MaxDegreeOfParallelism = parallelism },
            part => body((int)((long)length * part / parts), (int)((long)length * (part + 1) / parts)));
    }
}
