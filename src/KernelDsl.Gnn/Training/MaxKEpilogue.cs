using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using KernelDsl.Native;
using KernelDsl.Runtime;

namespace KernelDsl.Training;

/// <summary>
/// The declared MaxK kernel a device runs for an epilogue (the model's <c>[MaxK]</c> declaration): the native backend
/// selects inline with the same engine its generated body calls, a device launches this.
/// </summary>
public delegate void MaxKKernel<TIndex>(ComputeStream stream, DenseBuffer<float> x, CbsrBuffer<float, TIndex> y)
    where TIndex : unmanaged, IBinaryInteger<TIndex>;

/// <summary>The declared MaxK backward (scatter) kernel a device runs for <see cref="MaxKEpilogue{TIndex}.Backward"/>.</summary>
public delegate void MaxKBackwardKernel<TIndex>(ComputeStream stream, CbsrBuffer<float, TIndex> dy, DenseBuffer<float> dx)
    where TIndex : unmanaged, IBinaryInteger<TIndex>;

/// <summary>
/// What a MaxK layer does to the rows its producer writes, fused into one pass: add <see cref="Bias"/>, apply inverted
/// dropout (<see cref="Dropout"/>, <see cref="Seed"/>, <see cref="RowIds"/>: the mask of
/// <see cref="TensorOps.Dropout(ComputeStream, DenseBuffer{float}, DenseBuffer{float}, float, uint, DenseBuffer{int}?)"/>)
/// and keep each row's k largest entries in <see cref="Output"/> (k = its K; ties: lowest column) — bit for bit
/// <c>AddBias</c>, <c>Dropout</c> and the MaxK kernel one after another. A device runs two kernels: the bias and the
/// dropout in one, in place, then the declared MaxK kernel (the selection is not fused into a device kernel). On the native
/// backend each block of 16 rows is biased and dropped in a thread's cache-resident buffer and selected from there, so
/// the dense rows are read once and nothing dense is written: run by <see cref="Linear"/> inside its product (the
/// rows still in cache: the fused GEMM epilogue of MaxK-GNN), or by <see cref="Apply"/> as one pass after a producer
/// that cannot call it (the aggregation SpMM). The producer's dense output is consumed: afterwards it holds its rows
/// without the bias (native) or with the bias and dropout applied (device); nothing should read it.
/// </summary>
public sealed record MaxKEpilogue<TIndex>(CbsrBuffer<float, TIndex> Output, DenseBuffer<float>? Bias = null, float Dropout = 0f, uint Seed = 0,
    DenseBuffer<int>? RowIds = null)
    where TIndex : unmanaged, IBinaryInteger<TIndex>
{
    /// <summary>Rows a native block biases, drops and selects at a time: 16 rows of 256 floats are 16 KB, in L1.</summary>
    public const int BlockRows = 16;

    [ThreadStatic] private static float[]? s_block;
    [ThreadStatic] private static uint[]? s_scratch;

    /// <summary>Runs the epilogue over every row of <paramref name="h"/> (the producer's output, rows × the CBSR's dim).</summary>
    public void Apply(ComputeStream stream, DenseBuffer<float> h, MaxKKernel<TIndex> select)
    {
        Check(stream, h, nameof(h));
        ArgumentNullException.ThrowIfNull(select);
        if (h.Rows == 0) return;
        if (stream.Backend.Kind == BackendKind.NativeCpu)
        {
            Memory<float> rows = h.HostMemory;
            RowPartition.ForBlocks(h.Rows, stream.Backend.Parallelism, (first, last) => ApplyRows(rows.Span, first, last));
            return;
        }
        Unfused(stream, h, select);
    }

    /// <summary>On a device: the bias and the dropout in one kernel (in place on <paramref name="h"/>), then the declared kernel.</summary>
    internal void Unfused(ComputeStream stream, DenseBuffer<float> h, MaxKKernel<TIndex> select)
    {
        TensorOps.BiasDropoutOnDevice(stream, h, Bias, Dropout, Seed, RowIds);
        select(stream, h, Output);
    }

    /// <summary>
    /// The epilogue's backward in one pass over the gradient at the kept entries: <paramref name="gradient"/> (CBSR, the
    /// pattern of <see cref="Output"/>) masked by the forward's dropout (the same hash, divided by 1 − p where kept),
    /// scattered into <paramref name="inputGradient"/> (rows × dim, zeros elsewhere), and — when
    /// <paramref name="biasGradient"/> is given (the gradient of <see cref="Bias"/>, 1 × dim) — its column sums, summed
    /// from the k entries a row instead of the dense rows. Bit for bit <c>TensorOps.Dropout</c> on the CBSR, the MaxK
    /// backward kernel and <c>TensorOps.BiasGradient</c> one after another (the same per-slice partial sums, in the same
    /// order), which is what a device runs (there the dropout is applied to <paramref name="gradient"/> in place; the
    /// native pass leaves it). The bias gradient is overwritten, or added to with <paramref name="accumulate"/>.
    /// </summary>
    public void Backward(ComputeStream stream, CbsrBuffer<float, TIndex> gradient, DenseBuffer<float> inputGradient, DenseBuffer<float>? biasGradient,
        MaxKBackwardKernel<TIndex> scatter, bool accumulate = false)
    {
        OperandChecks.Stream(stream, nameof(stream));
        var backend = stream.Backend;
        OperandChecks.Cbsr(gradient, backend, nameof(gradient));
        OperandChecks.Dense(inputGradient, backend, nameof(inputGradient));
        ArgumentNullException.ThrowIfNull(scatter);
        if (gradient.Rows != Output.Rows || gradient.Dim != Output.Dim || gradient.K != Output.K)
            throw new ArgumentException($"gradient is {gradient.Rows} rows of dim {gradient.Dim}, k {gradient.K}, but the epilogue's output is {Output.Rows} of dim {Output.Dim}, k {Output.K}; pass the gradient at the output's kept entries.", nameof(gradient));
        OperandChecks.MaxKBackwardShapes(gradient, inputGradient, nameof(gradient), nameof(inputGradient));
        if (biasGradient is not null)
        {
            OperandChecks.Dense(biasGradient, backend, nameof(biasGradient));
            if (biasGradient.Rows != 1 || biasGradient.Columns != gradient.Dim)
                throw new ArgumentException($"biasGradient is {biasGradient.Rows} x {biasGradient.Columns} but the rows have {gradient.Dim} columns; a bias gradient is 1 x columns.", nameof(biasGradient));
        }
        if (!(Dropout >= 0f && Dropout < 1f)) throw new ArgumentOutOfRangeException(nameof(Dropout), Dropout, "the drop probability is in [0, 1).");
        if (RowIds is not null && (RowIds.Rows != gradient.Rows || RowIds.Columns != 1))
            throw new ArgumentException($"RowIds is {RowIds.Rows} x {RowIds.Columns} but gradient has {gradient.Rows} rows; pass one id per row (rows x 1).", nameof(RowIds));
        if (backend.Kind != BackendKind.NativeCpu)
        {
            if (Dropout > 0f) TensorOps.Dropout(stream, gradient, Dropout, Seed, RowIds);
            scatter(stream, gradient, inputGradient);
            if (biasGradient is not null) TensorOps.BiasGradient(stream, inputGradient, biasGradient, accumulate);
            return;
        }
        int rows = gradient.Rows, dim = gradient.Dim;
        // BiasGradient's slices: each sums its rows in order into its own accumulator, then the slices are added in order.
        int slices = Math.Max(1, Math.Min(backend.Parallelism * 2, rows / 256));
        var partial = biasGradient is null ? null : new float[slices][];
        var host = gradient.DangerousGetHostArrays();
        Memory<float> dense = inputGradient.HostMemory;
        Parallel.For(0, slices, new ParallelOptions { MaxDegreeOfParallelism = backend.Parallelism }, slice =>
        {
            var sums = partial is null ? null : partial[slice] = new float[dim];
            BackwardRows(host.Values, host.Indices, dense.Span, sums, (int)((long)rows * slice / slices), (int)((long)rows * (slice + 1) / slices));
        });
        if (biasGradient is null) return;
        Span<float> o = biasGradient.HostSpan;
        if (!accumulate) o.Clear();
        foreach (var sums in partial!) Vectorized.Axpy(o, sums, 1f);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void BackwardRows(float[] values, TIndex[] indices, Span<float> dense, float[]? sums, int first, int last)
    {
        int dim = Output.Dim, k = Output.K;
        float p = Dropout, keep = 1f - p;
        bool dropped = p > 0f;
        ReadOnlySpan<int> ids = RowIds is null ? default : RowIds.HostSpan;
        Span<float> masked = k <= 256 ? stackalloc float[k] : new float[k];
        for (int r = first; r < last; r++)
        {
            int at = r * k, t = 0;
            uint start = (uint)((RowIds is null ? r : ids[r]) * dim); // the dense index of (row, column 0), as Dropout computes it
            if (dropped && Vector512.IsHardwareAccelerated && typeof(TIndex) == typeof(ushort))
            {
                // 32 kept entries a step: their dense indices widened from the columns, the hash 16 lanes at a time.
                ReadOnlySpan<ushort> columns = MemoryMarshal.Cast<TIndex, ushort>(indices);
                var vp = Vector512.Create(p);
                var vkeep = Vector512.Create(keep);
                var vstart = Vector512.Create(start);
                for (; t <= k - 32; t += 32)
                {
                    var (low, high) = Vector512.Widen(Vector512.Create(columns.Slice(at + t)));
                    Vector512.ConditionalSelect(Vector512.LessThan(TensorOps.Uniform(Seed, vstart + low), vp), Vector512<float>.Zero,
                        Vector512.Create(values, at + t) / vkeep).CopyTo(masked[t..]);
                    Vector512.ConditionalSelect(Vector512.LessThan(TensorOps.Uniform(Seed, vstart + high), vp), Vector512<float>.Zero,
                        Vector512.Create(values, at + t + 16) / vkeep).CopyTo(masked[(t + 16)..]);
                }
            }
            for (; t < k; t++)
            {
                float v = values[at + t];
                masked[t] = dropped && TensorOps.Uniform(Seed, start + uint.CreateTruncating(indices[at + t])) < p ? 0f : dropped ? v / keep : v;
            }
            var row = dense.Slice(r * dim, dim);
            row.Clear();
            for (t = 0; t < k; t++)
            {
                int column = int.CreateTruncating(indices[at + t]);
                row[column] = masked[t];
                if (sums is not null) sums[column] += masked[t];
            }
        }
    }

    /// <summary>
    /// Checks the operands before anything runs: the output's shape against <paramref name="h"/>, the bias, the dropout
    /// probability and the row ids, each named with its fix.
    /// </summary>
    internal void Check(ComputeStream stream, DenseBuffer<float> h, string hName)
    {
        OperandChecks.Stream(stream, nameof(stream));
        var backend = stream.Backend;
        OperandChecks.Dense(h, backend, hName);
        OperandChecks.Cbsr(Output, backend, nameof(Output));
        OperandChecks.MaxKShapes(h, Output, hName, nameof(Output));
        if (Bias is not null)
        {
            OperandChecks.Dense(Bias, backend, nameof(Bias));
            if (Bias.Rows != 1 || Bias.Columns != h.Columns)
                throw new ArgumentException($"Bias is {Bias.Rows} x {Bias.Columns} but the rows have {h.Columns} columns; a bias is 1 x columns.", nameof(Bias));
        }
        if (!(Dropout >= 0f && Dropout < 1f)) throw new ArgumentOutOfRangeException(nameof(Dropout), Dropout, "the drop probability is in [0, 1).");
        if (RowIds is not null)
        {
            OperandChecks.Dense(RowIds, backend, nameof(RowIds));
            if (RowIds.Rows != h.Rows || RowIds.Columns != 1)
                throw new ArgumentException($"RowIds is {RowIds.Rows} x {RowIds.Columns} but {hName} has {h.Rows} rows; pass one id per row (rows x 1).", nameof(RowIds));
        }
    }

    /// <summary>
    /// The native epilogue of rows <paramref name="first"/>..<paramref name="last"/> (exclusive) of <paramref name="h"/>
    /// (the whole row-major matrix), on the calling thread: a producer calls it for each block it has just written.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // optimised from the first call: an epoch's few calls never reach tier 1 in time
    internal void ApplyRows(ReadOnlySpan<float> h, int first, int last)
    {
        int dim = Output.Dim, k = Output.K;
        var block = s_block is { } b && b.Length >= BlockRows * dim ? b : s_block = new float[BlockRows * dim];
        var scratch = s_scratch is { } c && c.Length >= TopK.ScratchLength(dim) ? c : s_scratch = new uint[TopK.ScratchLength(dim)];
        var output = Output.DangerousGetHostArrays();
        ReadOnlySpan<float> bias = Bias is null ? default : Bias.HostSpan;
        ReadOnlySpan<int> ids = RowIds is null ? default : RowIds.HostSpan;
        for (int row = first; row < last; row += BlockRows)
        {
            int count = Math.Min(BlockRows, last - row);
            for (int r = 0; r < count; r++)
            {
                int at = row + r;
                uint index = (uint)((RowIds is null ? at : ids[at]) * dim);
                Prepare(h.Slice(at * dim, dim), bias, block.AsSpan(r * dim, dim), index);
            }
            TopK.SelectBlock<TIndex>(block.AsSpan(0, count * dim), dim, k, output.Values.AsSpan(row * k, count * k), output.Indices.AsSpan(row * k, count * k),
                scratch, relu: false);
        }
    }

    /// <summary>
    /// One row: <c>x + bias</c>, then dropped where hash(seed, <paramref name="index"/> + column) &lt; p and divided by
    /// 1 − p elsewhere — the operations of AddBias and Dropout on each element, in their order, so the same floats.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Prepare(ReadOnlySpan<float> x, ReadOnlySpan<float> bias, Span<float> y, uint index)
    {
        int n = x.Length, j = 0;
        bool biased = !bias.IsEmpty, dropped = Dropout > 0f;
        float p = Dropout, keep = 1f - p;
        if (Vector512.IsHardwareAccelerated)
        {
            // 16 lanes a step where the CPU has them: the hash's two 32-bit multiplies are most of this loop.
            var vp = Vector512.Create(p);
            var vkeep = Vector512.Create(keep);
            var lanes = TensorOps.Lanes512;
            for (; j <= n - Vector512<float>.Count; j += Vector512<float>.Count)
            {
                var v = Vector512.Create(x[j..]);
                if (biased) v += Vector512.Create(bias[j..]);
                if (dropped) v = Vector512.ConditionalSelect(Vector512.LessThan(TensorOps.Uniform(Seed, Vector512.Create(index + (uint)j) + lanes), vp), Vector512<float>.Zero, v / vkeep);
                v.CopyTo(y[j..]);
            }
        }
        if (Vector.IsHardwareAccelerated)
        {
            var vp = new Vector<float>(p);
            var vkeep = new Vector<float>(keep);
            var lanes = TensorOps.Lanes;
            for (; j <= n - Vector<float>.Count; j += Vector<float>.Count)
            {
                var v = new Vector<float>(x[j..]);
                if (biased) v += new Vector<float>(bias[j..]);
                if (dropped) v = Vector.ConditionalSelect(Vector.LessThan(TensorOps.Uniform(Seed, new Vector<uint>(index + (uint)j) + lanes), vp), Vector<float>.Zero, v / vkeep);
                v.CopyTo(y[j..]);
            }
        }
        for (; j < n; j++)
        {
            float v = x[j];
            if (biased) v += bias[j];
            if (dropped) v = TensorOps.Uniform(Seed, index + (uint)j) < p ? 0f : v / keep;
            y[j] = v;
        }
    }
}
