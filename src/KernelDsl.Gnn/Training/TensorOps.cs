using System.Numerics;
using System.Runtime.Intrinsics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using ILGPU;
using ILGPU.Runtime;
using KernelDsl.Native;
using KernelDsl.Runtime;

namespace KernelDsl.Training;

/// <summary>
/// The element-wise steps of training, on every backend: ReLU and its gradient, dropout (a counter-based
/// hash decides each element, so the mask is the same on every backend and needs no storage), bias add
/// and bias gradient, and the Adam update. ILGPU kernels on accelerators, SIMD loops on the native backend.
/// </summary>
public static class TensorOps
{
    /// <summary><paramref name="y"/> = max(<paramref name="x"/>, 0).</summary>
    public static void Relu(ComputeStream stream, DenseBuffer<float> x, DenseBuffer<float> y)
    {
        Same(stream, x, y, nameof(y));
        if (Native(stream))
        {
            Map(stream, x.HostMemory, y.HostMemory, static (xs, ys) =>
            {
                int i = 0;
                if (Vector.IsHardwareAccelerated)
                    for (; i <= xs.Length - Vector<float>.Count; i += Vector<float>.Count)
                        Vector.Max(new Vector<float>(xs[i..]), Vector<float>.Zero).CopyTo(ys[i..]);
                for (; i < xs.Length; i++) ys[i] = MathF.Max(xs[i], 0f);
            });
            return;
        }
        Launch(stream, "relu", x.View.Data, x.View.Data, y.View.Data, 0f, 0u);
    }

    /// <summary><paramref name="dx"/> = <paramref name="dy"/> where <paramref name="x"/> &gt; 0, else 0 (x: the ReLU's input).</summary>
    public static void ReluBackward(ComputeStream stream, DenseBuffer<float> x, DenseBuffer<float> dy, DenseBuffer<float> dx)
    {
        Same(stream, x, dy, nameof(dy));
        Same(stream, x, dx, nameof(dx));
        if (Native(stream))
        {
            Memory<float> input = x.HostMemory, gradient = dy.HostMemory, output = dx.HostMemory;
            Parts(stream, input.Length, (lo, hi) =>
            {
                ReadOnlySpan<float> xs = input.Span, g = gradient.Span;
                Span<float> o = output.Span;
                int i = lo;
                if (Vector.IsHardwareAccelerated)
                    for (; i <= hi - Vector<float>.Count; i += Vector<float>.Count)
                        Vector.ConditionalSelect(Vector.GreaterThan(new Vector<float>(xs[i..]), Vector<float>.Zero), new Vector<float>(g[i..]), Vector<float>.Zero).CopyTo(o[i..]);
                for (; i < hi; i++) o[i] = xs[i] > 0f ? g[i] : 0f;
            });
            return;
        }
        Launch(stream, "relu-backward", x.View.Data, dy.View.Data, dx.View.Data, 0f, 0u);
    }

    /// <summary>
    /// Inverted dropout: <paramref name="y"/> = <paramref name="x"/> / (1 − p) where element i is kept, else 0.
    /// Element i is dropped when hash(<paramref name="seed"/>, i) &lt; p; the backward uses the same seed.
    /// </summary>
    public static void Dropout(ComputeStream stream, DenseBuffer<float> x, DenseBuffer<float> y, float p, uint seed) =>
        Dropout(stream, x, y, p, seed, rowIds: null);

    /// <summary>
    /// Inverted dropout whose mask follows each row's id rather than its position: row r, column c is dropped when
    /// hash(<paramref name="seed"/>, <paramref name="rowIds"/>[r] · columns + c) &lt; p. A process that holds some rows of
    /// a graph (in any order) passes their global ids and drops exactly what one process holding the whole graph
    /// drops. Null ids mean the identity (the overload above).
    /// </summary>
    public static void Dropout(ComputeStream stream, DenseBuffer<float> x, DenseBuffer<float> y, float p, uint seed, DenseBuffer<int>? rowIds)
    {
        Same(stream, x, y, nameof(y));
        if (p < 0f || p >= 1f) throw new ArgumentOutOfRangeException(nameof(p), p, "the drop probability is in [0, 1).");
        if (rowIds is not null)
        {
            OperandChecks.Dense(rowIds, stream.Backend, nameof(rowIds));
            if (rowIds.Rows != x.Rows || rowIds.Columns != 1)
                throw new ArgumentException($"rowIds is {rowIds.Rows} x {rowIds.Columns} but x has {x.Rows} rows; pass one id per row (rows x 1).", nameof(rowIds));
        }
        int columns = x.Columns;
        if (Native(stream))
        {
            Memory<float> input = x.HostMemory, output = y.HostMemory;
            Memory<int> rows = rowIds?.HostMemory ?? Memory<int>.Empty;
            bool byId = rowIds is not null;
            float keep = 1f - p;
            Parts(stream, input.Length, (lo, hi) =>
            {
                ReadOnlySpan<float> xs = input.Span;
                Span<float> ys = output.Span;
                ReadOnlySpan<int> ids = rows.Span;
                uint Index(ReadOnlySpan<int> ids, int i) => !byId ? (uint)i : (uint)(ids[i / columns] * columns + i % columns);
                // A vector of `width` elements from i: true with its first element's mask index when it lies in one row; one
                // that straddles two rows, whose ids need not be consecutive, runs element by element here instead (false).
                [MethodImpl(MethodImplOptions.AggressiveInlining)] // once a vector: a call here cost as much as the hash
                bool InOneRow(ReadOnlySpan<float> xs, Span<float> ys, ReadOnlySpan<int> ids, ref int i, int width, out uint first)
                {
                    int row = i / columns;
                    first = !byId ? (uint)i : (uint)(ids[row] * columns + (i - row * columns));
                    if (!byId || row == (i + width - 1) / columns) return true;
                    for (int end = i + width; i < end; i++) ys[i] = Uniform(seed, Index(ids, i)) < p ? 0f : xs[i] / keep;
                    return false;
                }
                int i = lo;
                if (Vector512.IsHardwareAccelerated)
                {
                    // 16 lanes a step where the CPU has them (the hash's two 32-bit multiplies are most of the pass).
                    var vp = Vector512.Create(p);
                    var vkeep = Vector512.Create(keep);
                    while (i <= hi - Vector512<float>.Count)
                    {
                        if (!InOneRow(xs, ys, ids, ref i, Vector512<float>.Count, out uint first)) continue;
                        var u = Uniform(seed, Vector512.Create(first) + Lanes512);
                        Vector512.ConditionalSelect(Vector512.LessThan(u, vp), Vector512<float>.Zero, Vector512.Create(xs[i..]) / vkeep).CopyTo(ys[i..]);
                        i += Vector512<float>.Count;
                    }
                }
                if (Vector.IsHardwareAccelerated)
                {
                    var vp = new Vector<float>(p);
                    var vkeep = new Vector<float>(keep);
                    while (i <= hi - Vector<float>.Count)
                    {
                        if (!InOneRow(xs, ys, ids, ref i, Vector<float>.Count, out uint first)) continue;
                        var u = Uniform(seed, new Vector<uint>(first) + Lanes);
                        Vector.ConditionalSelect(Vector.LessThan(u, vp), Vector<float>.Zero, new Vector<float>(xs[i..]) / vkeep).CopyTo(ys[i..]);
                        i += Vector<float>.Count;
                    }
                }
                for (; i < hi; i++) ys[i] = Uniform(seed, Index(ids, i)) < p ? 0f : xs[i] / keep;
            });
            return;
        }
        if (rowIds is null)
        {
            Launch(stream, "dropout", x.View.Data, x.View.Data, y.View.Data, p, seed);
            return;
        }
        if (y.Length == 0) return;
        var s = stream.AcceleratorStream!;
        var kernel = KernelCache.GetOrLoad(s.Accelerator, "KernelDsl.Training.RowDropout",
            static acc => acc.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<int>, int, float, uint>(RowDropoutKernel));
        kernel(s, (int)y.Length, x.View.Data, y.View.Data, rowIds.View.Data, columns, p, seed);
    }

    /// <summary>
    /// Inverted dropout on a CBSR matrix's kept values, in place, with the mask of the dense matrix it stands for: the entry
    /// row r keeps at column c is dropped when hash(<paramref name="seed"/>, id(r) · dim + c) &lt; p and divided by 1 − p
    /// otherwise — bit for bit what <see cref="Dropout(ComputeStream, DenseBuffer{float}, DenseBuffer{float}, float, uint, DenseBuffer{int}?)"/>
    /// does to the dense form (its zeros stay zero), at k hashes a row instead of dim. For a gradient that arrives in CBSR
    /// (the MaxK layer's backward): the mask goes on before the scatter to dense. <paramref name="rowIds"/> as there.
    /// </summary>
    public static void Dropout<TIndex>(ComputeStream stream, CbsrBuffer<float, TIndex> x, float p, uint seed, DenseBuffer<int>? rowIds = null)
        where TIndex : unmanaged, System.Numerics.IBinaryInteger<TIndex>
    {
        OperandChecks.Stream(stream, nameof(stream));
        OperandChecks.Cbsr(x, stream.Backend, nameof(x));
        if (p < 0f || p >= 1f) throw new ArgumentOutOfRangeException(nameof(p), p, "the drop probability is in [0, 1).");
        if (rowIds is not null)
        {
            OperandChecks.Dense(rowIds, stream.Backend, nameof(rowIds));
            if (rowIds.Rows != x.Rows || rowIds.Columns != 1)
                throw new ArgumentException($"rowIds is {rowIds.Rows} x {rowIds.Columns} but x has {x.Rows} rows; pass one id per row (rows x 1).", nameof(rowIds));
        }
        int dim = x.Dim, k = x.K;
        if ((long)x.Rows * k == 0) return;
        if (Native(stream))
        {
            var host = x.DangerousGetHostArrays();
            float[] values = host.Values;
            TIndex[] indices = host.Indices;
            Memory<int> ids = rowIds?.HostMemory ?? Memory<int>.Empty;
            bool byId = rowIds is not null;
            float keep = 1f - p;
            Parts(stream, x.Rows, (lo, hi) =>
            {
                ReadOnlySpan<int> id = ids.Span;
                int width = Vector<float>.Count;
                var vp = new Vector<float>(p);
                var vkeep = new Vector<float>(keep);
                void Apply(int t, Vector<uint> index) =>
                    Vector.ConditionalSelect(Vector.LessThan(Uniform(seed, index), vp), Vector<float>.Zero, new Vector<float>(values, t) / vkeep).CopyTo(values, t);
                for (int r = lo; r < hi; r++)
                {
                    int first = (byId ? id[r] : r) * dim; // the dense form's index of (row, column 0), as Dropout computes it
                    int t = r * k, end = t + k;
                    // A vector of kept entries at a time (the index types the models use): their dense indices, widened from
                    // the columns, then the same vector hash as Dropout's.
                    var start = new Vector<uint>((uint)first);
                    if (Vector.IsHardwareAccelerated && typeof(TIndex) == typeof(ushort))
                    {
                        ReadOnlySpan<ushort> columns = MemoryMarshal.Cast<TIndex, ushort>(indices);
                        for (; t <= end - 2 * width; t += 2 * width)
                        {
                            Vector.Widen(new Vector<ushort>(columns.Slice(t)), out var low, out var high);
                            Apply(t, start + low);
                            Apply(t + width, start + high);
                        }
                    }
                    else if (Vector.IsHardwareAccelerated && typeof(TIndex) == typeof(int))
                    {
                        ReadOnlySpan<uint> columns = MemoryMarshal.Cast<TIndex, uint>(indices);
                        for (; t <= end - width; t += width) Apply(t, start + new Vector<uint>(columns.Slice(t)));
                    }
                    for (; t < end; t++)
                        values[t] = Uniform(seed, (uint)(first + int.CreateTruncating(indices[t]))) < p ? 0f : values[t] / keep;
                }
            });
            return;
        }
        var s = stream.AcceleratorStream!;
        var view = x.View;
        var noIds = rowIds?.View.Data ?? view.Values.Cast<int>(); // unread when byId is 0
        int withIds = rowIds is null ? 0 : 1;
        if (typeof(TIndex) == typeof(ushort))
            KernelCache.GetOrLoad(s.Accelerator, "KernelDsl.Training.CbsrDropout16",
                static acc => acc.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<ushort>, ArrayView<int>, int, int, int, float, uint>(CbsrDropout16Kernel))(
                s, (int)view.Values.Length, view.Values, view.Indices.Cast<ushort>(), noIds, withIds, dim, k, p, seed);
        else if (typeof(TIndex) == typeof(byte))
            KernelCache.GetOrLoad(s.Accelerator, "KernelDsl.Training.CbsrDropout8",
                static acc => acc.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<byte>, ArrayView<int>, int, int, int, float, uint>(CbsrDropout8Kernel))(
                s, (int)view.Values.Length, view.Values, view.Indices.Cast<byte>(), noIds, withIds, dim, k, p, seed);
        else if (typeof(TIndex) == typeof(int))
            KernelCache.GetOrLoad(s.Accelerator, "KernelDsl.Training.CbsrDropout32",
                static acc => acc.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<int>, int, int, int, float, uint>(CbsrDropout32Kernel))(
                s, (int)view.Values.Length, view.Values, view.Indices.Cast<int>(), noIds, withIds, dim, k, p, seed);
        else
            throw new ArgumentException($"CBSR dropout on a device takes byte, ushort or int indices, not {Cbsr.Keyword(typeof(TIndex))}.", nameof(x));
    }

    /// <summary>
    /// On a device, in place and in one kernel: <c>y += bias</c> (row-wise; skipped when null), then inverted dropout with
    /// <see cref="Dropout(ComputeStream, DenseBuffer{float}, DenseBuffer{float}, float, uint, DenseBuffer{int}?)"/>'s mask —
    /// bit for bit AddBias then Dropout, one pass instead of two (the device half of <see cref="MaxKEpilogue{TIndex}"/>).
    /// Operands are checked by the caller.
    /// </summary>
    internal static void BiasDropoutOnDevice(ComputeStream stream, DenseBuffer<float> y, DenseBuffer<float>? bias, float p, uint seed, DenseBuffer<int>? rowIds)
    {
        if (y.Length == 0 || (bias is null && p == 0f)) return;
        var s = stream.AcceleratorStream!;
        var kernel = KernelCache.GetOrLoad(s.Accelerator, "KernelDsl.Training.BiasDropout",
            static acc => acc.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<float>, int, ArrayView<int>, int, int, float, uint>(BiasDropoutKernel));
        var data = y.View.Data;
        kernel(s, (int)y.Length, data, bias?.View.Data ?? data, bias is null ? 0 : 1, rowIds?.View.Data ?? data.Cast<int>(), rowIds is null ? 0 : 1, y.Columns, p, seed);
    }

    private static void BiasDropoutKernel(Index1D i, ArrayView<float> y, ArrayView<float> bias, int withBias, ArrayView<int> rowIds, int withIds, int columns, float p, uint seed)
    {
        int row = i / columns, column = i - row * columns;
        float v = y[i];
        if (withBias != 0) v += bias[column];
        if (p > 0f)
        {
            int id = withIds != 0 ? rowIds[row] : row;
            v = Uniform(seed, (uint)(id * columns + column)) < p ? 0f : v / (1f - p);
        }
        y[i] = v;
    }

    /// <summary>Row-wise bias: <c>y[i, j] += bias[0, j]</c>.</summary>
    public static void AddBias(ComputeStream stream, DenseBuffer<float> y, DenseBuffer<float> bias)
    {
        OperandChecks.Stream(stream, nameof(stream));
        OperandChecks.Dense(y, stream.Backend, nameof(y));
        OperandChecks.Dense(bias, stream.Backend, nameof(bias));
        if (bias.Rows != 1 || bias.Columns != y.Columns)
            throw new ArgumentException($"bias is {bias.Rows} x {bias.Columns} but y has {y.Columns} columns; a bias is 1 x columns.", nameof(bias));
        if (y.Length == 0) return;
        if (Native(stream))
        {
            Memory<float> output = y.HostMemory, row = bias.HostMemory;
            int n = y.Columns;
            Parts(stream, y.Rows, (lo, hi) =>
            {
                Span<float> ys = output.Span;
                ReadOnlySpan<float> b = row.Span;
                for (int r = lo; r < hi; r++) Vectorized.Axpy(ys.Slice(r * n, n), b, 1f);
            });
            return;
        }
        var s = stream.AcceleratorStream!;
        var kernel = KernelCache.GetOrLoad(s.Accelerator, "KernelDsl.Training.AddBias",
            static acc => acc.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<float>, int>(AddBiasKernel));
        kernel(s, (int)y.Length, y.View.Data, bias.View.Data, y.Columns);
    }

    /// <summary>The bias gradient: column sums of <paramref name="dy"/> (overwritten, or added when <paramref name="accumulate"/>).</summary>
    public static void BiasGradient(ComputeStream stream, DenseBuffer<float> dy, DenseBuffer<float> gradient, bool accumulate = false)
    {
        OperandChecks.Stream(stream, nameof(stream));
        OperandChecks.Dense(dy, stream.Backend, nameof(dy));
        OperandChecks.Dense(gradient, stream.Backend, nameof(gradient));
        if (gradient.Rows != 1 || gradient.Columns != dy.Columns)
            throw new ArgumentException($"gradient is {gradient.Rows} x {gradient.Columns} but dy has {dy.Columns} columns.", nameof(gradient));
        if (Native(stream))
        {
            Memory<float> rowsOfDy = dy.HostMemory;
            int n = dy.Columns, rows = dy.Rows;
            int slices = Math.Max(1, Math.Min(stream.Backend.Parallelism * 2, rows / 256));
            var partial = new float[slices][];
            Parallel.For(0, slices, new ParallelOptions { MaxDegreeOfParallelism = stream.Backend.Parallelism }, slice =>
            {
                var acc = new float[n];
                for (int r = (int)((long)rows * slice / slices); r < (int)((long)rows * (slice + 1) / slices); r++) Vectorized.Axpy(acc, rowsOfDy.Span.Slice(r * n, n), 1f);
                partial[slice] = acc;
            });
            Span<float> o = gradient.HostSpan;
            if (!accumulate) o.Clear();
            foreach (var acc in partial) Vectorized.Axpy(o, acc, 1f);
            return;
        }
        var s = stream.AcceleratorStream!;
        var kernel = KernelCache.GetOrLoad(s.Accelerator, "KernelDsl.Training.BiasGradient",
            static acc => acc.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<float>, int, int>(BiasGradientKernel));
        kernel(s, dy.Columns, dy.View.Data, gradient.View.Data, dy.Rows, accumulate ? 1 : 0);
    }

    /// <summary>
    /// One Adam step (Kingma and Ba). Weight decay is L2 regularisation added to the gradient
    /// (g + λ·w, as PyTorch's Adam and the GCN paper's 5e-4 use it), not AdamW's decoupled decay.
    /// </summary>
    public static void Adam(ComputeStream stream, DenseBuffer<float> value, DenseBuffer<float> gradient, DenseBuffer<float> m, DenseBuffer<float> v,
        AdamSettings settings, int step)
    {
        Same(stream, value, gradient, nameof(gradient));
        Same(stream, value, m, nameof(m));
        Same(stream, value, v, nameof(v));
        ArgumentOutOfRangeException.ThrowIfLessThan(step, 1);
        var p = new AdamStep(settings.LearningRate, settings.Beta1, settings.Beta2, settings.Epsilon, settings.WeightDecay,
            1f - MathF.Pow(settings.Beta1, step), 1f - MathF.Pow(settings.Beta2, step));
        if (Native(stream))
        {
            Memory<float> weights = value.HostMemory, gradients = gradient.HostMemory, first = m.HostMemory, second = v.HostMemory;
            Parts(stream, weights.Length, (lo, hi) =>
            {
                Span<float> w = weights.Span, ms = first.Span, vs = second.Span;
                ReadOnlySpan<float> g = gradients.Span;
                int i = lo;
                if (Vector.IsHardwareAccelerated)
                    for (; i <= hi - Vector<float>.Count; i += Vector<float>.Count)
                        AdamVector(w.Slice(i), g.Slice(i), ms.Slice(i), vs.Slice(i), p);
                for (; i < hi; i++) AdamElement(ref w[i], g[i], ref ms[i], ref vs[i], p);
            });
            return;
        }
        var s = stream.AcceleratorStream!;
        var kernel = KernelCache.GetOrLoad(s.Accelerator, "KernelDsl.Training.Adam",
            static acc => acc.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, AdamStep>(AdamKernel));
        kernel(s, (int)value.Length, value.View.Data, gradient.View.Data, m.View.Data, v.View.Data, p);
    }

    /// <summary>Adam's constants for one step (bias corrections precomputed).</summary>
    public readonly record struct AdamStep(float LearningRate, float Beta1, float Beta2, float Epsilon, float WeightDecay, float Correction1, float Correction2);

    /// <summary>
    /// <see cref="AdamElement"/> on one vector of lanes: the same operations in the same order on each lane (no fused
    /// multiply-add; division and square root are correctly rounded either way), so the result is the scalar one bit for bit.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AdamVector(Span<float> w, ReadOnlySpan<float> g, Span<float> m, Span<float> v, AdamStep p)
    {
        var wv = new Vector<float>(w);
        var gv = new Vector<float>(g) + new Vector<float>(p.WeightDecay) * wv;
        var mv = new Vector<float>(p.Beta1) * new Vector<float>(m) + new Vector<float>(1f - p.Beta1) * gv;
        var vv = new Vector<float>(p.Beta2) * new Vector<float>(v) + new Vector<float>(1f - p.Beta2) * gv * gv;
        var mHat = mv / new Vector<float>(p.Correction1);
        var vHat = vv / new Vector<float>(p.Correction2);
        wv -= new Vector<float>(p.LearningRate) * mHat / (Vector.SquareRoot(vHat) + new Vector<float>(p.Epsilon));
        wv.CopyTo(w);
        mv.CopyTo(m);
        vv.CopyTo(v);
    }

    private static void AdamElement(ref float w, float g, ref float m, ref float v, AdamStep p)
    {
        g += p.WeightDecay * w;
        m = p.Beta1 * m + (1f - p.Beta1) * g;
        v = p.Beta2 * v + (1f - p.Beta2) * g * g;
        float mHat = m / p.Correction1, vHat = v / p.Correction2;
        w -= p.LearningRate * mHat / (MathF.Sqrt(vHat) + p.Epsilon);
    }

    /// <summary>A uniform number in [0, 1) from (seed, index): a murmur3-style finaliser of a Weyl step.</summary>
    public static float Uniform(uint seed, uint index)
    {
        uint h = seed * 0x9E3779B9u + index * 0x85EBCA6Bu + 0x27D4EB2Fu;
        h ^= h >> 16;
        h *= 0x7FEB352Du;
        h ^= h >> 15;
        h *= 0x846CA68Bu;
        h ^= h >> 16;
        return (h >> 8) * (1f / 16777216f);
    }

    /// <summary><see cref="Uniform(uint, uint)"/> for a vector of indices, bit for bit the same numbers.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector<float> Uniform(uint seed, Vector<uint> index)
    {
        var h = new Vector<uint>(seed * 0x9E3779B9u + 0x27D4EB2Fu) + index * new Vector<uint>(0x85EBCA6Bu);
        h ^= Vector.ShiftRightLogical(h, 16);
        h *= new Vector<uint>(0x7FEB352Du);
        h ^= Vector.ShiftRightLogical(h, 15);
        h *= new Vector<uint>(0x846CA68Bu);
        h ^= Vector.ShiftRightLogical(h, 16);
        return Vector.ConvertToSingle(Vector.AsVectorInt32(Vector.ShiftRightLogical(h, 8))) * new Vector<float>(1f / 16777216f);
    }

    /// <summary><see cref="Uniform(uint, uint)"/> for 16 indices at once (AVX-512), bit for bit the same numbers.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector512<float> Uniform(uint seed, Vector512<uint> index)
    {
        var h = Vector512.Create(seed * 0x9E3779B9u + 0x27D4EB2Fu) + index * Vector512.Create(0x85EBCA6Bu);
        h ^= Vector512.ShiftRightLogical(h, 16);
        h *= Vector512.Create(0x7FEB352Du);
        h ^= Vector512.ShiftRightLogical(h, 15);
        h *= Vector512.Create(0x846CA68Bu);
        h ^= Vector512.ShiftRightLogical(h, 16);
        return Vector512.ConvertToSingle(Vector512.ShiftRightLogical(h, 8).AsInt32()) * Vector512.Create(1f / 16777216f);
    }

    /// <summary>0, 1, … 15: the offsets of a 512-bit vector's elements.</summary>
    internal static Vector512<uint> Lanes512 { get; } = Vector512.Create(0u, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);

    /// <summary>0, 1, … in the lanes of a <see cref="Vector{T}"/>: the offsets of a vector's elements.</summary>
    internal static Vector<uint> Lanes { get; } = new(Enumerable.Range(0, Vector<uint>.Count).Select(i => (uint)i).ToArray());

    private static bool Native(ComputeStream stream) => stream.Backend.Kind == BackendKind.NativeCpu;

    private static void Same(ComputeStream stream, DenseBuffer<float> x, DenseBuffer<float> other, string otherName)
    {
        OperandChecks.Stream(stream, nameof(stream));
        OperandChecks.Dense(x, stream.Backend, "x");
        OperandChecks.Dense(other, stream.Backend, otherName);
        if (other.Rows != x.Rows || other.Columns != x.Columns)
            throw new ArgumentException($"{otherName} is {other.Rows} x {other.Columns} but x is {x.Rows} x {x.Columns}; they must have the same shape.", otherName);
    }

    private static void Parts(ComputeStream stream, int length, Action<int, int> body) => Vectorized.Chunks(length, stream.Backend.Parallelism, body);

    private static void Map(ComputeStream stream, Memory<float> x, Memory<float> y, SpanAction body) =>
        Parts(stream, x.Length, (lo, hi) => body(x.Span.Slice(lo, hi - lo), y.Span.Slice(lo, hi - lo)));

    private delegate void SpanAction(ReadOnlySpan<float> x, Span<float> y);

    // ILGPU kernels.
    private static void Launch(ComputeStream stream, string op, ArrayView<float> a, ArrayView<float> b, ArrayView<float> output, float p, uint seed)
    {
        if (output.Length == 0) return;
        int code = op switch { "relu" => 0, "relu-backward" => 1, _ => 2 };
        var s = stream.AcceleratorStream!;
        var kernel = KernelCache.GetOrLoad(s.Accelerator, "KernelDsl.Training.Map",
            static acc => acc.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, float, uint, int>(MapKernel));
        kernel(s, (int)output.Length, a, b, output, p, seed, code);
    }

    private static void MapKernel(Index1D i, ArrayView<float> a, ArrayView<float> b, ArrayView<float> output, float p, uint seed, int code)
    {
        if (code == 0) output[i] = MathF.Max(a[i], 0f);
        else if (code == 1) output[i] = a[i] > 0f ? b[i] : 0f;
        else output[i] = Uniform(seed, (uint)i.X) < p ? 0f : a[i] / (1f - p);
    }

    private static void RowDropoutKernel(Index1D i, ArrayView<float> x, ArrayView<float> y, ArrayView<int> rowIds, int columns, float p, uint seed)
    {
        int row = i / columns;
        uint index = (uint)(rowIds[row] * columns + (i - row * columns));
        y[i] = Uniform(seed, index) < p ? 0f : x[i] / (1f - p);
    }

    private static void CbsrDropout16Kernel(Index1D i, ArrayView<float> values, ArrayView<ushort> indices, ArrayView<int> rowIds, int withIds, int dim, int k, float p, uint seed) =>
        values[i] = CbsrDropped(i, values[i], indices[i], rowIds, withIds, dim, k, p, seed);

    private static void CbsrDropout8Kernel(Index1D i, ArrayView<float> values, ArrayView<byte> indices, ArrayView<int> rowIds, int withIds, int dim, int k, float p, uint seed) =>
        values[i] = CbsrDropped(i, values[i], indices[i], rowIds, withIds, dim, k, p, seed);

    private static void CbsrDropout32Kernel(Index1D i, ArrayView<float> values, ArrayView<int> indices, ArrayView<int> rowIds, int withIds, int dim, int k, float p, uint seed) =>
        values[i] = CbsrDropped(i, values[i], indices[i], rowIds, withIds, dim, k, p, seed);

    /// <summary>Kept entry <paramref name="i"/> (row i / k, column <paramref name="column"/>) after dropout, as the dense form's.</summary>
    private static float CbsrDropped(int i, float value, int column, ArrayView<int> rowIds, int withIds, int dim, int k, float p, uint seed)
    {
        int row = i / k;
        int id = withIds != 0 ? rowIds[row] : row;
        return Uniform(seed, (uint)(id * dim + column)) < p ? 0f : value / (1f - p);
    }

    private static void AddBiasKernel(Index1D i, ArrayView<float> y, ArrayView<float> bias, int columns) => y[i] += bias[i % columns];

    private static void BiasGradientKernel(Index1D column, ArrayView<float> dy, ArrayView<float> gradient, int rows, int accumulate)
    {
        int columns = (int)gradient.Length;
        float sum = 0f;
        for (int r = 0; r < rows; r++) sum += dy[(long)r * columns + column];
        gradient[column] = accumulate != 0 ? gradient[column] + sum : sum;
    }

    private static void AdamKernel(Index1D i, ArrayView<float> w, ArrayView<float> g, ArrayView<float> m, ArrayView<float> v, AdamStep p)
    {
        float gi = g[i] + p.WeightDecay * w[i];
        float mi = p.Beta1 * m[i] + (1f - p.Beta1) * gi;
        float vi = p.Beta2 * v[i] + (1f - p.Beta2) * gi * gi;
        m[i] = mi;
        v[i] = vi;
        w[i] -= p.LearningRate * (mi / p.Correction1) / (MathF.Sqrt(vi / p.Correction2) + p.Epsilon);
    }
}

/// <summary>Adam's hyper-parameters (defaults: the paper's, learning rate 0.01 as GCN uses).</summary>
public sealed record AdamSettings(float LearningRate = 0.01f, float Beta1 = 0.9f, float Beta2 = 0.999f, float Epsilon = 1e-8f, float WeightDecay = 0f);
