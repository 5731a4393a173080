using KernelDsl;
using KernelDsl.Hetero;
using KernelDsl.Runtime;
using KernelDsl.Training;

namespace CircuitGnn;

/// <summary>
/// A two-layer heterogeneous circuit GNN for a per-cell regression:
/// <code>
/// h0[t]  = Linear0[t](x[t])                       per node type t (cell, net)
/// y1     = Layer1(h0)                             Dynamic-ReLU → SpGEMM (or ReLU → SpMM) over the three relations, summed
/// h1[t]  = Linear1[t](y1[t])
/// y2     = Layer2(h1)
/// pred   = Out(y2[cell]) + Skip(h0[cell])         the skip carries the cell's own features
/// </code>
/// The sparse layer runs the generated [HeteroLayer] kernels, its dense baseline the generated [SpMM]; the dense
/// operations run through the runtime's GEMM. Trained with Adam on the mean squared error of the standardised target.
/// </summary>
public sealed class CircuitModel : IDisposable
{
    private static readonly string[] Types = ["cell", "net"];
    private readonly ComputeBackend _backend;
    private readonly HeteroExecution _execution;
    private readonly ICircuitLayer _layer1, _layer2;
    private readonly Dictionary<string, Linear> _linear0 = [], _linear1 = [];
    private readonly Linear _out, _skip;
    private readonly AdamOptimizer _optimizer;
    private readonly Dictionary<string, DenseBuffer<float>> _x = [];
    private readonly HeteroFeatures _h0 = new(), _y1 = new(), _h1 = new(), _y2 = new();
    private readonly HeteroFeatures _dh0 = new(), _dy1 = new(), _dh1 = new(), _dy2 = new();
    private readonly DenseBuffer<float> _prediction, _outPart, _skipPart, _dPrediction, _dSkip, _dh0Cell;
    private readonly List<IDisposable> _owned = [];

    /// <summary>Builds one layer over the three row-normalised relations (cell → net, net → cell, cell → cell).</summary>
    public delegate ICircuitLayer Declaration(HeteroExecution execution, CsrMatrix<float> cellToNet, CsrMatrix<float> netToCell, CsrMatrix<float> near);

    public CircuitModel(ComputeBackend backend, CircuitTask task, Declaration layer, int seed, float learningRate)
    {
        _backend = backend;
        var g = task.Graph;
        var rng = new Random(seed);
        _execution = new HeteroExecution(backend, streams: 3);
        var (a, b, c) = (g[task.Relations[0]].Adjacency, g[task.Relations[1]].Adjacency, g[task.Relations[2]].Adjacency);
        // Mean aggregation per relation (rows scaled by 1 / degree), so high-fanout nets do not dominate.
        (a, b, c) = (RowNormalised(a), RowNormalised(b), RowNormalised(c));
        _layer1 = layer(_execution, a, b, c);
        _layer2 = layer(_execution, a, b, c);
        int hidden = _layer1.Dim;
        foreach (var t in Types)
        {
            int n = g.NodeTypes[t];
            var features = Standardised(g.Features[t]);
            _x[t] = Own(backend.Upload(features));
            _linear0[t] = Own(new Linear(backend, "linear0." + t, features.Columns, hidden, bias: true, rng));
            _linear1[t] = Own(new Linear(backend, "linear1." + t, hidden, hidden, bias: true, rng));
            foreach (var set in new[] { _h0, _y1, _h1, _y2, _dh0, _dy1, _dh1, _dy2 }) set.Add(t, Own(backend.AllocateDense<float>(n, hidden)));
        }
        int cells = g.NodeTypes["cell"];
        _out = Own(new Linear(backend, "out", hidden, 1, bias: true, rng));
        _skip = Own(new Linear(backend, "skip", hidden, 1, bias: false, rng));
        _prediction = Own(backend.AllocateDense<float>(cells, 1));
        _outPart = Own(backend.AllocateDense<float>(cells, 1));
        _skipPart = Own(backend.AllocateDense<float>(cells, 1));
        _dPrediction = Own(backend.AllocateDense<float>(cells, 1));
        _dSkip = Own(backend.AllocateDense<float>(cells, hidden));
        _dh0Cell = Own(backend.AllocateDense<float>(cells, hidden));
        var parameters = _linear0.Values.Concat(_linear1.Values).Append(_out).Append(_skip).SelectMany(l => l.Parameters).ToList();
        _optimizer = new AdamOptimizer(parameters, new AdamSettings(LearningRate: learningRate, WeightDecay: 1e-5f));
    }

    public HeteroExecution Execution => _execution;

    /// <summary>Forward pass; returns the prediction per cell (standardised units).</summary>
    public float[] Forward()
    {
        var s = _backend.DefaultStream;
        foreach (var t in Types) _linear0[t].Forward(s, _x[t], _h0[t]);
        _layer1.Forward(_h0, _y1);
        foreach (var t in Types) _linear1[t].Forward(s, _y1[t], _h1[t]);
        _layer2.Forward(_h1, _y2);
        _out.Forward(s, _y2["cell"], _outPart);
        _skip.Forward(s, _h0["cell"], _skipPart);
        Elementwise.Combine(s, _prediction, 1f, _outPart, _skipPart);
        return _prediction.ToHost().Data;
    }

    /// <summary>One training step on the labelled rows <paramref name="train"/>; returns the loss.</summary>
    public double TrainStep(float[] target, int[] train)
    {
        var s = _backend.DefaultStream;
        var prediction = Forward();
        var gradient = new float[prediction.Length];
        double loss = Losses.MeanSquaredError(prediction, target, train, gradient);
        _dPrediction.CopyFrom(gradient);
        foreach (var p in _optimizer.Parameters) p.Gradient.Clear();

        _out.Backward(s, _y2["cell"], _dPrediction, _dy2["cell"]);
        _dy2["net"].Clear(); // the nets' second-layer output feeds nothing
        _skip.Backward(s, _h0["cell"], _dPrediction, _dSkip);
        _layer2.Backward(_dy2, _dh1);
        foreach (var t in Types) _linear1[t].Backward(s, _y1[t], _dh1[t], _dy1[t]);
        _layer1.Backward(_dy1, _dh0);
        Elementwise.Combine(s, _dh0Cell, 1f, _dh0["cell"], _dSkip);
        _linear0["cell"].Backward(s, _x["cell"], _dh0Cell, null);
        _linear0["net"].Backward(s, _x["net"], _dh0["net"], null);
        _optimizer.Step(s);
        s.Synchronize();
        return loss;
    }

    private T Own<T>(T item) where T : IDisposable
    {
        _owned.Add(item);
        return item;
    }

    /// <summary>Each column to zero mean and unit variance (constant columns to zero).</summary>
    public static DenseMatrix<float> Standardised(DenseMatrix<float> x)
    {
        var m = new DenseMatrix<float>(x.Rows, x.Columns);
        for (int c = 0; c < x.Columns; c++)
        {
            double mean = 0, square = 0;
            for (int r = 0; r < x.Rows; r++) { mean += x[r, c]; square += (double)x[r, c] * x[r, c]; }
            mean /= Math.Max(1, x.Rows);
            double sd = Math.Sqrt(Math.Max(0, square / Math.Max(1, x.Rows) - mean * mean));
            for (int r = 0; r < x.Rows; r++) m[r, c] = sd < 1e-12 ? 0f : (float)((x[r, c] - mean) / sd);
        }
        return m;
    }

    private static CsrMatrix<float> RowNormalised(CsrMatrix<float> a)
    {
        var values = new float[a.Nonzeros];
        for (int r = 0; r < a.Rows; r++)
        {
            int degree = a.RowOffsets[r + 1] - a.RowOffsets[r];
            for (int e = a.RowOffsets[r]; e < a.RowOffsets[r + 1]; e++) values[e] = 1f / degree;
        }
        return new CsrMatrix<float>(a.Rows, a.ColumnCount, a.RowOffsets, a.ColumnIndices, values);
    }

    public void Dispose()
    {
        _layer1.Dispose();
        _layer2.Dispose();
        foreach (var item in _owned) item.Dispose();
        _execution.Dispose();
    }
}
