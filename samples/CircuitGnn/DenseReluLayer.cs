using KernelDsl;
using KernelDsl.Gnn;
using KernelDsl.Hetero;
using KernelDsl.Runtime;
using KernelDsl.Training;

namespace CircuitGnn;

/// <summary>
/// The dense path a user would run without Dynamic-ReLU, and so the baseline the sparse layer must beat: ReLU on
/// every source type, then a dense SpMM (the runtime's generated <c>[SpMM]</c> Sum kernel) per relation, summed per
/// destination. Backward: the adjoint SpMM (Aᵀ · dY over each relation's cached transpose), summed per source,
/// masked by ReLU.
/// </summary>
public sealed class DenseReluLayer : ICircuitLayer
{
    private readonly ComputeBackend _backend;
    private readonly (string Source, string Destination, CsrBuffer<float> A, CsrBuffer<float> At)[] _relations;
    private readonly Dictionary<string, DenseBuffer<float>> _activated = [], _gradient = [], _scratch = [];
    private HeteroFeatures? _input;

    public DenseReluLayer(ComputeBackend backend, int dim, Dictionary<string, int> nodeCounts,
        params (string Source, string Destination, CsrMatrix<float> Adjacency)[] relations)
    {
        _backend = backend;
        Dim = dim;
        _relations = relations.Select(r =>
        {
            var a = backend.Upload(r.Adjacency);
            return (r.Source, r.Destination, a, a.Transposed());
        }).ToArray();
        foreach (var (type, count) in nodeCounts)
        {
            _activated[type] = backend.AllocateDense<float>(count, dim);
            _gradient[type] = backend.AllocateDense<float>(count, dim);
            _scratch[type] = backend.AllocateDense<float>(count, dim);
        }
    }

    public int Dim { get; }

    public void Forward(HeteroFeatures x, HeteroFeatures y)
    {
        var s = _backend.DefaultStream;
        _input = x;
        foreach (var source in _relations.Select(r => r.Source).Distinct()) TensorOps.Relu(s, x[source], _activated[source]);
        Accumulate(s, r => (r.A, _activated[r.Source], y[r.Destination], r.Destination));
    }

    public void Backward(HeteroFeatures dy, HeteroFeatures dx)
    {
        if (_input is null) throw new InvalidOperationException("Backward needs a Forward first.");
        var s = _backend.DefaultStream;
        Accumulate(s, r => (r.At, dy[r.Destination], _gradient[r.Source], r.Source));
        foreach (var source in _relations.Select(r => r.Source).Distinct()) TensorOps.ReluBackward(s, _input[source], _gradient[source], dx[source]);
    }

    /// <summary>target[t] = Σ over relations writing t of matrix · input; the first writes, the others add through scratch.</summary>
    private void Accumulate(ComputeStream s, Func<(string Source, string Destination, CsrBuffer<float> A, CsrBuffer<float> At),
        (CsrBuffer<float> Matrix, DenseBuffer<float> Input, DenseBuffer<float> Target, string Type)> pick)
    {
        var written = new HashSet<string>();
        foreach (var relation in _relations)
        {
            var (matrix, input, target, type) = pick(relation);
            if (written.Add(type)) GnnKernels.Propagate(s, matrix, input, target);
            else
            {
                GnnKernels.Propagate(s, matrix, input, _scratch[type]);
                Elementwise.Add(s, target, _scratch[type]);
            }
        }
    }

    public void Dispose()
    {
        foreach (var (_, _, a, _) in _relations) a.Dispose();
        foreach (var buffer in _activated.Values.Concat(_gradient.Values).Concat(_scratch.Values)) buffer.Dispose();
    }
}
