using KernelDsl.Runtime;

namespace KernelDsl.Gnn;

/// <summary>
/// A process's aggregations overlapped with its halo exchanges (native backend): the pieces of <see cref="HaloSplit"/>
/// on the device and the order that hides the exchange behind the work that does not need it. Forward, the interior
/// rows aggregate while the halo arrives, then the boundary rows; backward, the halo rows' gradient is computed first
/// and travels while the owned rows' gradient is computed. The kernels are the model's own generated ones.
/// </summary>
internal sealed class HaloAggregation : IDisposable
{
    private readonly ComputeBackend _backend;
    private readonly INodeExchange _exchange;
    private readonly KernelTimer _timer;
    private readonly CsrBuffer<float> _interior, _boundary, _ownedColumns, _haloColumns;
    private readonly int[] _boundaryRows;
    private readonly Dictionary<int, DenseBuffer<float>> _boundaryOutput = [];

    public HaloAggregation(ComputeBackend backend, INodeExchange exchange, KernelTimer timer, CsrMatrix<float> local)
    {
        if (backend.Kind != BackendKind.NativeCpu)
            throw new NotSupportedException($"overlapping aggregation with the exchange runs on the native backend; {backend.Name} runs them in turn.");
        _backend = backend;
        _exchange = exchange;
        _timer = timer;
        var split = HaloSplit.Of(local, exchange.OwnedRows);
        _interior = backend.Upload(split.Interior);
        _boundary = backend.Upload(split.Boundary);
        _ownedColumns = backend.Upload(split.OwnedColumns);
        _haloColumns = backend.Upload(split.HaloColumns);
        _boundaryRows = split.BoundaryRows.ToArray();
    }

    private ComputeStream Stream => _backend.DefaultStream;

    /// <summary>y = Â·z with z's halo rows gathered: interior rows during the gather, boundary rows after it.</summary>
    public void Forward(DenseBuffer<float> z, DenseBuffer<float> y)
    {
        var s = Stream;
        _timer.Time(s, "SpMM Â·H interior ∥ halo exchange", Phase.Forward, () => _exchange.Gather(z, () => GnnKernels.Propagate(s, _interior, z, y)));
        Boundary("SpMM Â·H (boundary rows)", y, output => GnnKernels.Propagate(s, _boundary, z, output));
    }

    /// <summary>y = Â·zc (SpGEMM) with zc's halo rows gathered, in the same order as <see cref="Forward"/>.</summary>
    public void ForwardSparse(CbsrBuffer<float, ushort> zc, DenseBuffer<float> y)
    {
        var s = Stream;
        _timer.Time(s, "SpGEMM Â·MaxK(H) interior ∥ halo exchange", Phase.Forward, () => _exchange.Gather(zc, () => GnnKernels.PropagateSparse(s, _interior, zc, y)));
        Boundary("SpGEMM Â·MaxK(H) (boundary rows)", y, output => GnnKernels.PropagateSparse(s, _boundary, zc, output));
    }

    /// <summary>dz = Âᵀ·dy, the halo rows' share sent to their owners and added there.</summary>
    public void Backward(DenseBuffer<float> dy, DenseBuffer<float> dz)
    {
        var s = Stream;
        _timer.Time(s, "SpMM backward Âᵀ·dY (halo rows)", Phase.Backward, () => GnnKernels.PropagateBackward(s, _haloColumns, dy, dz));
        _timer.Time(s, "SpMM backward Âᵀ·dY owned ∥ halo exchange", Phase.Backward, () => _exchange.Scatter(dz, () => GnnKernels.PropagateBackward(s, _ownedColumns, dy, dz)));
    }

    /// <summary>dzc = (Âᵀ·dy) at zc's kept entries (SSpMM), the halo rows' share sent to their owners and added there.</summary>
    public void BackwardSparse(DenseBuffer<float> dy, CbsrBuffer<float, ushort> zc, CbsrBuffer<float, ushort> dzc)
    {
        var s = Stream;
        _timer.Time(s, "SSpMM (halo rows)", Phase.Backward, () => GnnKernels.PropagateSparseBackward(s, _haloColumns, dy, zc, dzc));
        _timer.Time(s, "SSpMM owned ∥ halo exchange", Phase.Backward, () => _exchange.Scatter(dzc, () => GnnKernels.PropagateSparseBackward(s, _ownedColumns, dy, zc, dzc)));
    }

    /// <summary>Runs <paramref name="kernel"/> over the boundary rows into a buffer of their own and copies them into place in <paramref name="y"/>.</summary>
    private void Boundary(string operation, DenseBuffer<float> y, Action<DenseBuffer<float>> kernel)
    {
        if (_boundaryRows.Length == 0) return;
        int width = y.Columns;
        if (!_boundaryOutput.TryGetValue(width, out var output))
            _boundaryOutput[width] = output = _backend.AllocateDense<float>(_boundaryRows.Length, width);
        _timer.Time(Stream, operation, Phase.Forward, () =>
        {
            kernel(output);
            Span<float> from = output.HostSpan, to = y.HostSpan;
            for (int i = 0; i < _boundaryRows.Length; i++)
                from.Slice(i * width, width).CopyTo(to.Slice(_boundaryRows[i] * width, width));
        });
    }

    public void Dispose()
    {
        _interior.Dispose();
        _boundary.Dispose();
        _ownedColumns.Dispose();
        _haloColumns.Dispose();
        foreach (var buffer in _boundaryOutput.Values) buffer.Dispose();
    }
}
