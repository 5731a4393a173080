using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using KernelDsl.Gnn;
using KernelDsl.Native;

namespace KernelDsl.Bench;

/// <summary>
/// What the generated SpMM's AVX-512 row body owes to two choices, each measured on a copy of the body (its 8- and 4-vector
/// tiles) alternated in one process: the 64-byte start of a native dense buffer (HostStorage) — the same X and Y once on a
/// cache line and once 16 bytes past one, where a plain managed array's elements start — and the fused multiply-add
/// (against a multiply, then an add). The generated kernel itself can no longer be given a misaligned buffer, hence the copy.
/// </summary>
public static class RowBodySuite
{
    public static int Run(string data, int repeats, FileInfo? outFile)
    {
        var inv = CultureInfo.InvariantCulture;
        var report = new Report();
        void Emit(string line) => report.Line(line);
        if (!Vector512.IsHardwareAccelerated)
        {
            Console.WriteLine("This machine has no AVX-512: the body this suite times is the AVX-512 one; nothing to measure.");
            return 0;
        }
        Emit($"# The native SpMM row body: cache-line alignment and fused multiply-adds ({Environment.ProcessorCount} threads, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC)");
        Emit("");
        Emit("| graph | rows | nnz | dim | on a cache line ms | 16 bytes off ms | alignment gain [25th–75th %] | multiply + add ms | fused gain [25th–75th %] |");
        Emit("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var file in new[] { "ca-AstroPh/adjacency.mtx", "soc-brightkite/adjacency.mtx", "soc-slashdot0902/adjacency.mtx" })
        {
            if (!File.Exists(Path.Combine(data, file))) continue;
            var graph = GnnModel.GcnAdjacency(BenchGraphs.LoadWeighted(data, file));
            int[] blocks = RowPartition.BalanceByNonzeros(graph.RowOffsets, Environment.ProcessorCount * RowPartition.BlocksPerWorker);
            foreach (int dim in new[] { 64, 256 })
            {
                int length = graph.Rows * dim;
                var x = HostStorage.Aligned<float>(length + 16);
                var y = HostStorage.Aligned<float>(length + 16);
                var random = new Random(3);
                foreach (ref float v in x.Span) v = random.NextSingle();
                void Run(int shift, bool fused) => Parallel.For(0, blocks.Length - 1, block =>
                {
                    ref float x0 = ref Unsafe.Add(ref MemoryMarshal.GetReference(x.Span), shift);
                    ref float y0 = ref Unsafe.Add(ref MemoryMarshal.GetReference(y.Span), shift);
                    for (int row = blocks[block]; row < blocks[block + 1]; row++)
                    {
                        if (fused) Row<Fused>(row, graph.RowOffsets, graph.ColumnIndices, graph.Values!, ref x0, ref y0, dim);
                        else Row<MultiplyAdd>(row, graph.RowOffsets, graph.ColumnIndices, graph.Values!, ref x0, ref y0, dim);
                    }
                });
                var aligned = Harness.InterleavedWithSpread(() => Run(4, true), () => Run(0, true), repeats);
                var fma = Harness.InterleavedWithSpread(() => Run(0, false), () => Run(0, true), repeats);
                Emit(string.Create(inv, $"| {file.Split('/')[0]} | {graph.Rows} | {graph.Nonzeros} | {dim} | {aligned.Candidate:F2} | {aligned.Baseline:F2} | {aligned.Ratio:F2} [{aligned.Low:F2}–{aligned.High:F2}] | {fma.Baseline:F2} | {fma.Ratio:F2} [{fma.Low:F2}–{fma.High:F2}] |"));
            }
        }
        Emit("");
        Emit("alignment gain = time(16 bytes off) / time(on a cache line); fused gain = time(multiply, then add) / time(fused multiply-add), both on a cache line; medians of interleaved pairs. A 512-bit load that starts 16 bytes past a line reads two lines.");
        report.Save(outFile);
        return 0;
    }

    /// <summary>One accumulation step, acc + w · x: a fused multiply-add, or a multiply then an add (the JIT compiles one copy of the body per kind).</summary>
    private interface IUpdate { static abstract Vector512<float> Apply(Vector512<float> w, Vector512<float> x, Vector512<float> acc); }

    private readonly struct Fused : IUpdate
    {
        public static Vector512<float> Apply(Vector512<float> w, Vector512<float> x, Vector512<float> acc) => Vector512.FusedMultiplyAdd(w, x, acc);
    }

    private readonly struct MultiplyAdd : IUpdate
    {
        public static Vector512<float> Apply(Vector512<float> w, Vector512<float> x, Vector512<float> acc) => acc + w * x;
    }

    /// <summary>y[row, :] = Σ a_ij · x[j, :] in tiles of 8, then 4 × 512 bits (dim a multiple of 64), as the generated body.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Row<TUpdate>(int row, int[] rowOffsets, int[] columns, float[] values, ref float source, ref float output, int dim) where TUpdate : struct, IUpdate
    {
        int start = rowOffsets[row], end = rowOffsets[row + 1];
        ref float y = ref Unsafe.Add(ref output, (nint)row * dim);
        for (int c = 0; c <= dim - 128; c += 128)
        {
            Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default;
            for (int e = start; e < end; e++)
            {
                var w = Vector512.Create(values[e]);
                ref float t = ref Unsafe.Add(ref source, (nint)columns[e] * dim + c);
                a0 = TUpdate.Apply(w, Vector512.LoadUnsafe(ref t), a0);
                a1 = TUpdate.Apply(w, Vector512.LoadUnsafe(ref t, 16), a1);
                a2 = TUpdate.Apply(w, Vector512.LoadUnsafe(ref t, 32), a2);
                a3 = TUpdate.Apply(w, Vector512.LoadUnsafe(ref t, 48), a3);
                a4 = TUpdate.Apply(w, Vector512.LoadUnsafe(ref t, 64), a4);
                a5 = TUpdate.Apply(w, Vector512.LoadUnsafe(ref t, 80), a5);
                a6 = TUpdate.Apply(w, Vector512.LoadUnsafe(ref t, 96), a6);
                a7 = TUpdate.Apply(w, Vector512.LoadUnsafe(ref t, 112), a7);
            }
            a0.StoreUnsafe(ref y, (nuint)c); a1.StoreUnsafe(ref y, (nuint)c + 16); a2.StoreUnsafe(ref y, (nuint)c + 32); a3.StoreUnsafe(ref y, (nuint)c + 48);
            a4.StoreUnsafe(ref y, (nuint)c + 64); a5.StoreUnsafe(ref y, (nuint)c + 80); a6.StoreUnsafe(ref y, (nuint)c + 96); a7.StoreUnsafe(ref y, (nuint)c + 112);
        }
        for (int c = dim / 128 * 128; c <= dim - 64; c += 64)
        {
            Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default;
            for (int e = start; e < end; e++)
            {
                var w = Vector512.Create(values[e]);
                ref float t = ref Unsafe.Add(ref source, (nint)columns[e] * dim + c);
                a0 = TUpdate.Apply(w, Vector512.LoadUnsafe(ref t), a0);
                a1 = TUpdate.Apply(w, Vector512.LoadUnsafe(ref t, 16), a1);
                a2 = TUpdate.Apply(w, Vector512.LoadUnsafe(ref t, 32), a2);
                a3 = TUpdate.Apply(w, Vector512.LoadUnsafe(ref t, 48), a3);
            }
            a0.StoreUnsafe(ref y, (nuint)c); a1.StoreUnsafe(ref y, (nuint)c + 16); a2.StoreUnsafe(ref y, (nuint)c + 32); a3.StoreUnsafe(ref y, (nuint)c + 48);
        }
    }

}
