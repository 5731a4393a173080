using KernelDsl.Hetero;
using KernelDsl.Reference;
using KernelDsl.Runtime;

namespace KernelDsl.Tests.Support;

/// <summary>
/// A heterogeneous layer computed from its definition in float64, relation by relation, from the
/// reference Dynamic-ReLU, SpGEMM and SSpMM: the independent reference the generated layers are checked against.
/// </summary>
public sealed class HeteroReference
{
    private readonly (string Source, string Destination, CsrMatrix<float> A)[] _relations;
    private readonly int _k;
    private readonly HeteroCombine _combine;
    private Dictionary<string, CbsrMatrix<float, byte>> _activations = [];

    public HeteroReference(int k, HeteroCombine combine, params (string Source, string Destination, CsrMatrix<float> A)[] relations)
    {
        _relations = relations;
        _k = k;
        _combine = combine;
    }

    private double Scale(string destination) =>
        _combine == HeteroCombine.Mean ? 1.0 / _relations.Count(r => r.Destination == destination) : 1.0;

    /// <summary>y_t = combine over relations r into t of A_r · DynamicReLU_k(x_src(r)).</summary>
    public Dictionary<string, double[]> Forward(IReadOnlyDictionary<string, DenseMatrix<float>> x)
    {
        _activations = _relations.Select(r => r.Source).Distinct().ToDictionary(t => t, t => ReferenceMaxK.DynamicReLU<byte>(x[t], _k));
        var y = new Dictionary<string, double[]>();
        foreach (var (source, destination, a) in _relations)
        {
            var part = ReferenceMaxK.SpGemm(a, _activations[source]);
            if (!y.TryGetValue(destination, out var sum)) y[destination] = sum = new double[part.Length];
            for (int i = 0; i < part.Length; i++) sum[i] += part[i] * Scale(destination);
        }
        return y;
    }

    /// <summary>dx_s: the relations' SSpMM gradients (scaled as in the forward) summed per source, passed at the kept positives.</summary>
    public Dictionary<string, double[]> Backward(IReadOnlyDictionary<string, DenseMatrix<float>> dy)
    {
        var kept = new Dictionary<string, double[]>();
        foreach (var (source, destination, a) in _relations)
        {
            var part = ReferenceMaxK.SSpMM(a, dy[destination], _activations[source]);
            if (!kept.TryGetValue(source, out var sum)) kept[source] = sum = new double[part.Length];
            for (int i = 0; i < part.Length; i++) sum[i] += part[i] * Scale(destination);
        }
        var dx = new Dictionary<string, double[]>();
        foreach (var (type, gradient) in kept)
        {
            var z = _activations[type];
            var dense = new double[z.Rows * z.Dim];
            for (int r = 0; r < z.Rows; r++)
                for (int t = 0; t < z.K; t++)
                    if (z.Values[r * z.K + t] > 0f) dense[r * z.Dim + z.Indices[r * z.K + t]] = gradient[r * z.K + t];
            dx[type] = dense;
        }
        return dx;
    }
}

/// <summary>Runs a generated layer on host matrices: uploads, forward, backward, copies back.</summary>
public static class HeteroRunner
{
    public static (Dictionary<string, float[]> Y, Dictionary<string, float[]> Dx) Run(HeteroLayer layer,
        IReadOnlyDictionary<string, DenseMatrix<float>> x, IReadOnlyDictionary<string, DenseMatrix<float>> dy)
    {
        var backend = layer.Backend;
        var buffers = new List<IDisposable>();
        HeteroFeatures Upload(IEnumerable<string> types, IReadOnlyDictionary<string, DenseMatrix<float>>? values)
        {
            var features = new HeteroFeatures();
            foreach (var t in types)
            {
                var buffer = values is null ? backend.AllocateDense<float>(layer.NodeCount(t), layer.Dim) : backend.Upload(values[t]);
                if (values is null) buffer.CopyFrom(Enumerable.Repeat(float.NaN, (int)buffer.Length).ToArray());
                buffers.Add(buffer);
                features.Add(t, buffer);
            }
            return features;
        }
        try
        {
            var xf = Upload(layer.SourceTypes, x);
            var yf = Upload(layer.DestinationTypes, null);
            layer.Forward(xf, yf);
            var dyf = Upload(layer.DestinationTypes, dy);
            var dxf = Upload(layer.SourceTypes, null);
            layer.Backward(dyf, dxf);
            return (yf.ToDictionary(p => p.Key, p => p.Value.ToHost().Data), dxf.ToDictionary(p => p.Key, p => p.Value.ToHost().Data));
        }
        finally
        {
            foreach (var b in buffers) b.Dispose();
        }
    }

    /// <summary>Random features of <paramref name="dim"/> columns for every node type of <paramref name="layer"/>.</summary>
    public static Dictionary<string, DenseMatrix<float>> Features(HeteroLayer layer, IEnumerable<string> types, int seed) =>
        types.Select((t, i) => (t, i)).ToDictionary(p => p.t, p => DenseMatrix<float>.Random(layer.NodeCount(p.t), layer.Dim, seed + 17 * p.i));
}
