using System.Buffers;
using System.ComponentModel;
using System.Numerics;

namespace KernelDsl.Native;

/// <summary>
/// Scatter-style native kernels (the SSpMM outer product) give each row partition a private
/// accumulator and sum them afterwards, instead of racing on shared outputs. Public for generated code.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Advanced)]
public static class PrivateAccumulators
{
    /// <summary>Memory the extra accumulators may take together.</summary>
    public const long BudgetBytes = 512L << 20;

    /// <summary>
    /// Multiply-adds (edges × k) below which one partition does the whole product: a second one's private accumulator
    /// (rented, cleared, summed back) and the hand-off to a worker cost more than the worker saves. Measured on the SSpMM
    /// at k 32, one thread against two: Cora (425 000 multiply-adds) 158 against 262 µs, Citeseer 182 against 283 µs;
    /// pubmed-maxk (3.5 million) 2.7 against 2.1 ms, ego-facebook (5.7 million) 1.2 against 0.87 ms.
    /// </summary>
    public const long MinimumParallelWork = 1L << 20;

    /// <summary>
    /// Partitions for <paramref name="parallelism"/> workers: one per worker, fewer when accumulators of
    /// <paramref name="size"/> floats would exceed the budget, one when the <paramref name="work"/> (multiply-adds) is
    /// under <see cref="MinimumParallelWork"/>.
    /// </summary>
    public static int Partitions(int parallelism, int size, long work) => work < MinimumParallelWork
        ? 1
        : (int)Math.Clamp(BudgetBytes / Math.Max(1L, (long)size * sizeof(float)) + 1, 1, Math.Max(1, parallelism));

    /// <summary>
    /// Adds partial[1..] into <paramref name="target"/> (which is partial[0]) in partition order, in
    /// parallel over element ranges, and returns the pooled buffers.
    /// </summary>
    public static void SumInto<T>(T[] target, T[][] partial, int size, int parallelism) where T : unmanaged, INumber<T>
    {
        if (partial.Length > 1)
        {
            int chunks = Math.Max(1, Math.Min(parallelism * 4, size / 4096 + 1));
            Parallel.For(0, chunks, new ParallelOptions { MaxDegreeOfParallelism = parallelism }, chunk =>
            {
                int lo = (int)((long)size * chunk / chunks), hi = (int)((long)size * (chunk + 1) / chunks);
                var destination = target.AsSpan(lo, hi - lo);
                for (int p = 1; p < partial.Length; p++)
                {
                    var source = partial[p].AsSpan(lo, hi - lo);
                    int i = 0;
                    for (; i <= destination.Length - Vector<T>.Count; i += Vector<T>.Count)
                        (new Vector<T>(destination[i..]) + new Vector<T>(source[i..])).CopyTo(destination[i..]);
                    for (; i < destination.Length; i++) destination[i] += source[i];
                }
            });
        }
        for (int p = 1; p < partial.Length; p++) ArrayPool<T>.Shared.Return(partial[p]);
    }
}
