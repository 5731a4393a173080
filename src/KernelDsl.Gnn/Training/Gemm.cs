using System.Numerics;
using ILGPU;
using ILGPU.Runtime;
using KernelDsl.Native;
using KernelDsl.Runtime;

namespace KernelDsl.Training;

/// <summary>
/// Dense matrix products for the training stack: <c>C = op(A) · op(B)</c> (or <c>C += ...</c>), with
/// op = identity or transpose. ILGPU: 16 × 16 output tiles (smaller where groups are smaller), one thread per output, A and B staged through
/// shared memory one 16-wide slab of the inner dimension at a time. Native: SIMD row updates (A·B),
/// SIMD dot products (A·Bᵀ), and for Aᵀ·B — the weight gradient, whose inner dimension is the node count —
/// thread-private accumulators over slices of the rows, summed in a fixed order (deterministic).
/// </summary>
public static class Gemm
{
    /// <summary>Tile edge of the ILGPU kernel (a group is Tile × Tile threads), smaller on accelerators with small groups.</summary>
    public const int Tile = 16;

    /// <summary>The tile edge used on <paramref name="accelerator"/>: 16, or the largest power of two whose square fits a group.</summary>
    public static int TileFor(Accelerator accelerator)
    {
        ArgumentNullException.ThrowIfNull(accelerator);
        int t = Tile;
        while (t > 1 && t * t > accelerator.MaxNumThreadsPerGroup) t /= 2;
        return t;
    }

    /// <summary>
    /// <paramref name="c"/> = op(<paramref name="a"/>) · op(<paramref name="b"/>), or += when <paramref name="accumulate"/>.
    /// Shapes: op(a) is M × K, op(b) is K × N, c is M × N.
    /// </summary>
    public static void Multiply(ComputeStream stream, DenseBuffer<float> a, bool transposeA, DenseBuffer<float> b, bool transposeB,
        DenseBuffer<float> c, bool accumulate = false) =>
        Multiply(stream, a, transposeA, b, transposeB, c, accumulate, rowsDone: null);

    /// <summary>
    /// As <see cref="Multiply(ComputeStream, DenseBuffer{float}, bool, DenseBuffer{float}, bool, DenseBuffer{float}, bool)"/>;
    /// on the native backend <paramref name="rowsDone"/>(first, last) runs on the worker that wrote rows first..last of
    /// <paramref name="c"/> as soon as they are complete, at most <see cref="EpilogueRows"/> at a time, so an epilogue
    /// reads them from cache (every row exactly once; on a device it is not called).
    /// </summary>
    internal static void Multiply(ComputeStream stream, DenseBuffer<float> a, bool transposeA, DenseBuffer<float> b, bool transposeB,
        DenseBuffer<float> c, bool accumulate, Action<int, int>? rowsDone)
    {
        OperandChecks.Stream(stream, nameof(stream));
        var backend = stream.Backend;
        OperandChecks.Dense(a, backend, nameof(a));
        OperandChecks.Dense(b, backend, nameof(b));
        OperandChecks.Dense(c, backend, nameof(c));
        int m = transposeA ? a.Columns : a.Rows, k = transposeA ? a.Rows : a.Columns;
        int kb = transposeB ? b.Columns : b.Rows, n = transposeB ? b.Rows : b.Columns;
        if (k != kb)
            throw new ArgumentException($"op(a) is {m} x {k} but op(b) is {kb} x {n}; the inner dimensions must agree.", nameof(b));
        if (c.Rows != m || c.Columns != n)
            throw new ArgumentException($"c is {c.Rows} x {c.Columns} but op(a) · op(b) is {m} x {n}.", nameof(c));
        if (ReferenceEquals(c, a) || ReferenceEquals(c, b))
            throw new ArgumentException("c must not be one of the inputs.", nameof(c));
        if (m == 0 || n == 0) return;
        var shape = new GemmShape(m, n, k, transposeA ? 1 : k, transposeA ? m : 1, transposeB ? 1 : n, transposeB ? k : 1, accumulate ? 1 : 0);
        if (backend.Kind == BackendKind.NativeCpu)
        {
            Native(a.HostMemory, b.HostMemory, c.HostMemory, shape, backend.Parallelism, rowsDone);
            return;
        }
        var s = stream.AcceleratorStream!;
        var kernel = KernelCache.GetOrLoad(s.Accelerator, "KernelDsl.Training.Gemm",
            static acc => acc.LoadKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, GemmShape, int>(GemmKernel));
        int tile = TileFor(s.Accelerator);
        var grid = new Index2D((n + tile - 1) / tile, (m + tile - 1) / tile);
        var config = new KernelConfig(grid, new Index2D(tile, tile), SharedMemoryConfig.RequestDynamic<float>(2 * tile * tile));
        kernel(s, config, a.View.Data, b.View.Data, c.View.Data, shape, tile);
    }

    /// <summary>Sizes and strides: element (i, j) of op(A) is <c>a[i * ARow + j * ACol]</c>, likewise B.</summary>
    public readonly record struct GemmShape(int M, int N, int K, int ARow, int ACol, int BRow, int BCol, int Accumulate);

    private static void GemmKernel(ArrayView<float> a, ArrayView<float> b, ArrayView<float> c, GemmShape s, int tile)
    {
        var shared = SharedMemory.GetDynamic<float>();
        var tileA = shared.SubView(0, tile * tile);
        var tileB = shared.SubView(tile * tile, tile * tile);
        int tx = Group.IdxX, ty = Group.IdxY;
        int row = Grid.IdxY * tile + ty, col = Grid.IdxX * tile + tx;
        float sum = 0f;
        for (int k0 = 0; k0 < s.K; k0 += tile)
        {
            int ka = k0 + tx, kb = k0 + ty;
            tileA[ty * tile + tx] = row < s.M && ka < s.K ? a[(long)row * s.ARow + (long)ka * s.ACol] : 0f;
            tileB[ty * tile + tx] = kb < s.K && col < s.N ? b[(long)kb * s.BRow + (long)col * s.BCol] : 0f;
            Group.Barrier();
            for (int kk = 0; kk < tile; kk++) sum += tileA[ty * tile + kk] * tileB[kk * tile + tx];
            Group.Barrier();
        }
        if (row < s.M && col < s.N)
        {
            long at = (long)row * s.N + col;
            c[at] = s.Accumulate != 0 ? c[at] + sum : sum;
        }
    }

    /// <summary>Rows of C an epilogue gets at a time (<see cref="MaxKEpilogue{TIndex}.BlockRows"/>: one L1-sized block).</summary>
    internal const int EpilogueRows = 16;

    private static void Native(Memory<float> a, Memory<float> b, Memory<float> c, GemmShape s, int parallelism, Action<int, int>? rowsDone)
    {
        var options = new ParallelOptions { MaxDegreeOfParallelism = parallelism };
        // SIMD wants long rows. A classifier layer has a narrow side (a few classes), so route each product to
        // the form whose inner loop runs along a long, contiguous dimension, materialising op(B) when needed.
        int narrow = 2 * Vector<float>.Count;
        if (s.BCol != 1 && s.ACol == 1 && s.K < narrow && s.N >= narrow)
        {
            // A · Bᵀ with a short inner dimension: row updates over an explicit op(B) instead of K-long dots.
            var explicitB = new float[(long)s.K * s.N];
            var stored = b.Span;
            for (int k = 0; k < s.K; k++)
                for (int j = 0; j < s.N; j++) explicitB[(long)k * s.N + j] = stored[k * s.BRow + j * s.BCol];
            Native(a, explicitB, c, s with { BRow = s.N, BCol = 1 }, parallelism, rowsDone);
            return;
        }
        if (s.BCol == 1 && s.ACol == 1 && s.N < narrow && s.K >= narrow)
        {
            // A · B with few output columns: K-long dots against Bᵀ instead of N-long row updates.
            var transposedB = new float[(long)s.N * s.K];
            var stored = b.Span;
            for (int k = 0; k < s.K; k++)
                for (int j = 0; j < s.N; j++) transposedB[(long)j * s.K + k] = stored[k * s.N + j];
            Native(a, transposedB, c, s with { BRow = 1, BCol = s.K }, parallelism, rowsDone);
            return;
        }
        if (s.ACol != 1 && s.BCol == 1)
        {
            // Aᵀ · B: the inner dimension (rows of the stored A and B) is long; private accumulators per slice —
            // M × N, or N × M (updates along A's rows) when N is the narrow side — summed in a fixed order.
            bool transposedAccumulator = s.N < narrow && s.M >= narrow;
            int slices = Math.Max(1, Math.Min(parallelism * 2, s.K / 256));
            var partial = new float[slices][];
            Parallel.For(0, slices, options, slice =>
            {
                var acc = new float[s.M * s.N];
                Span<float> A = a.Span, B = b.Span;
                int lo = (int)((long)s.K * slice / slices), hi = (int)((long)s.K * (slice + 1) / slices);
                for (int k = lo; k < hi; k++)
                {
                    var bRow = B.Slice(k * s.N, s.N);
                    if (transposedAccumulator)
                    {
                        var aRow = A.Slice(k * s.M, s.M);
                        for (int j = 0; j < s.N; j++)
                            if (bRow[j] != 0f) Vectorized.Axpy(acc.AsSpan(j * s.M, s.M), aRow, bRow[j]);
                        continue;
                    }
                    for (int i = 0; i < s.M; i++)
                    {
                        float v = A[k * s.ACol + i];
                        if (v != 0f) Vectorized.Axpy(acc.AsSpan(i * s.N, s.N), bRow, v);
                    }
                }
                partial[slice] = acc;
            });
            Parallel.For(0, s.M, options, i =>
            {
                var target = c.Span.Slice(i * s.N, s.N);
                if (s.Accumulate == 0) target.Clear();
                foreach (var acc in partial)
                {
                    if (!transposedAccumulator) { Vectorized.Axpy(target, acc.AsSpan(i * s.N, s.N), 1f); continue; }
                    for (int j = 0; j < s.N; j++) target[j] += acc[j * s.M + i];
                }
            });
            // Aᵀ · B completes every row only after its last slice: the epilogue runs afterwards, in blocks.
            if (rowsDone is not null) RowPartition.ForBlocks(s.M, parallelism, (lo, hi) => { for (int i = lo; i < hi; i += EpilogueRows) rowsDone(i, Math.Min(hi, i + EpilogueRows)); });
            return;
        }
        int blocks = Math.Max(1, Math.Min(s.M, parallelism * 8));
        Parallel.For(0, blocks, options, block =>
        {
            int lo = (int)((long)s.M * block / blocks), hi = (int)((long)s.M * (block + 1) / blocks);
            Span<float> A = a.Span, B = b.Span, C = c.Span;
            for (int i = lo; i < hi; i++)
            {
                var target = C.Slice(i * s.N, s.N);
                if (s.Accumulate == 0) target.Clear();
                if (s.BCol == 1)
                {
                    // A · B: row i of C = Σ_k A(i, k) · B(k, :).
                    for (int k = 0; k < s.K; k++)
                    {
                        float v = A[i * s.ARow + k * s.ACol];
                        if (v != 0f) Vectorized.Axpy(target, B.Slice(k * s.N, s.N), v);
                    }
                }
                else
                {
                    // A · Bᵀ: C(i, j) = A(i, :) · B(j, :), both rows contiguous when A is not transposed.
                    for (int j = 0; j < s.N; j++)
                    {
                        float dot = s.ACol == 1 ? Dot(A.Slice(i * s.K, s.K), B.Slice(j * s.K, s.K)) : StridedDot(A, i, B, j, s);
                        target[j] += dot;
                    }
                }
                if (rowsDone is not null && (i + 1 - lo) % EpilogueRows == 0) rowsDone(i + 1 - EpilogueRows, i + 1);
            }
            if (rowsDone is not null && (hi - lo) % EpilogueRows != 0) rowsDone(hi - (hi - lo) % EpilogueRows, hi);
        });
    }

    private static float StridedDot(ReadOnlySpan<float> a, int i, ReadOnlySpan<float> b, int j, GemmShape s)
    {
        float sum = 0f;
        for (int k = 0; k < s.K; k++) sum += a[i * s.ARow + k * s.ACol] * b[k * s.BRow + j * s.BCol];
        return sum;
    }

    private static float Dot(ReadOnlySpan<float> x, ReadOnlySpan<float> y)
    {
        int i = 0;
        var acc = Vector<float>.Zero;
        if (Vector.IsHardwareAccelerated)
            for (; i <= x.Length - Vector<float>.Count; i += Vector<float>.Count)
                acc += new Vector<float>(x[i..]) * new Vector<float>(y[i..]);
        float sum = Vector.Sum(acc);
        for (; i < x.Length; i++) sum += x[i] * y[i];
        return sum;
    }
}
