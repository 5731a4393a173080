using KernelDsl.Runtime;

namespace KernelDsl.Training;

/// <summary>
/// A dense linear layer <c>y = x · W + b</c> on a batch of rows. Forward keeps nothing: the caller passes the
/// same input to <see cref="Backward"/>, which adds into the parameter gradients (zero them with
/// <see cref="ZeroGradients"/> per step) and writes the input gradient when one is asked for.
/// </summary>
public sealed class Linear : IDisposable
{
    public Linear(ComputeBackend backend, string name, int inputs, int outputs, bool bias, Random rng)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(inputs, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(outputs, 1);
        Weight = new Parameter(backend, name + ".weight", Parameter.Glorot(inputs, outputs, rng));
        Bias = bias ? new Parameter(backend, name + ".bias", new DenseMatrix<float>(1, outputs)) : null;
    }

    public Parameter Weight { get; }
    public Parameter? Bias { get; }
    public int Inputs => Weight.Value.Rows;
    public int Outputs => Weight.Value.Columns;

    public IEnumerable<Parameter> Parameters => Bias is null ? [Weight] : [Weight, Bias];

    /// <summary><paramref name="y"/> = <paramref name="x"/> · W (+ b).</summary>
    public void Forward(ComputeStream stream, DenseBuffer<float> x, DenseBuffer<float> y)
    {
        Gemm.Multiply(stream, x, false, Weight.Value, false, y);
        if (Bias is not null) TensorOps.AddBias(stream, y, Bias.Value);
    }

    /// <summary>
    /// <paramref name="y"/> = <paramref name="x"/> · W with <paramref name="epilogue"/> run on its rows, this layer's bias
    /// in it: MaxK(dropout(x · W + b)) into the epilogue's CBSR output, bit for bit <see cref="Forward(ComputeStream, DenseBuffer{float}, DenseBuffer{float})"/>
    /// then the epilogue's dropout and MaxK. Native: each block of 16 rows is selected by the worker that computed it,
    /// while the rows are in cache (MaxK-GNN's GEMM epilogue); a device runs the product, then the epilogue's kernels.
    /// <paramref name="y"/> is consumed (see <see cref="MaxKEpilogue{TIndex}"/>). The epilogue's own bias must be null.
    /// </summary>
    public void Forward<TIndex>(ComputeStream stream, DenseBuffer<float> x, DenseBuffer<float> y, MaxKEpilogue<TIndex> epilogue, MaxKKernel<TIndex> select)
        where TIndex : unmanaged, System.Numerics.IBinaryInteger<TIndex>
    {
        ArgumentNullException.ThrowIfNull(epilogue);
        ArgumentNullException.ThrowIfNull(select);
        if (epilogue.Bias is not null)
            throw new ArgumentException("the layer adds its own bias in the epilogue; pass an epilogue without one.", nameof(epilogue));
        var withBias = epilogue with { Bias = Bias?.Value };
        withBias.Check(stream, y, nameof(y));
        if (stream.Backend.Kind != BackendKind.NativeCpu)
        {
            Gemm.Multiply(stream, x, false, Weight.Value, false, y);
            withBias.Unfused(stream, y, select);
            return;
        }
        Memory<float> rows = y.HostMemory;
        Gemm.Multiply(stream, x, false, Weight.Value, false, y, accumulate: false, (first, last) => withBias.ApplyRows(rows.Span, first, last));
    }

    /// <summary>dW += xᵀ · dy, db += Σ rows of dy, and <paramref name="dx"/> = dy · Wᵀ when given.</summary>
    public void Backward(ComputeStream stream, DenseBuffer<float> x, DenseBuffer<float> dy, DenseBuffer<float>? dx)
    {
        Gemm.Multiply(stream, x, true, dy, false, Weight.Gradient, accumulate: true);
        if (Bias is not null) TensorOps.BiasGradient(stream, dy, Bias.Gradient, accumulate: true);
        if (dx is not null) Gemm.Multiply(stream, dy, false, Weight.Value, true, dx);
    }

    public void ZeroGradients()
    {
        foreach (var p in Parameters) p.Gradient.Clear();
    }

    public void Dispose()
    {
        Weight.Dispose();
        Bias?.Dispose();
    }
}
