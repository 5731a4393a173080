using KernelDsl.Hetero;
using KernelDsl.Runtime;
using KernelDsl.Training;

namespace KernelDsl.Gnn;

/// <summary>The GNN architectures.</summary>
public enum GnnArchitecture
{
    /// <summary>GCN (Kipf and Welling): H' = Â · H · W + b with Â = D^-1/2 (A + I) D^-1/2.</summary>
    Gcn,

    /// <summary>GraphSAGE with mean aggregation: H' = mean_N(H) · W_n + H · W_s + b.</summary>
    Sage,
}

/// <summary>The nonlinearity between layers.</summary>
public enum Nonlinearity
{
    /// <summary>ReLU; the next aggregation is a dense SpMM.</summary>
    Relu,

    /// <summary>MaxK (MaxK-GNN): each row keeps its k largest entries as CBSR; the next aggregation is the SpGEMM, its backward the SSpMM.</summary>
    MaxK,
}

/// <summary>A model's shape and training settings.</summary>
public sealed record GnnOptions(
    GnnArchitecture Architecture = GnnArchitecture.Gcn,
    Nonlinearity Nonlinearity = Nonlinearity.Relu,
    int K = 32,
    int Hidden = 256,
    int Layers = 2,
    float Dropout = 0.5f,
    float LearningRate = 0.01f,
    float WeightDecay = 5e-4f,
    int Seed = 1)
{
    /// <summary>The widest hidden layer MaxK supports: its CBSR stores column indices as ushort.</summary>
    public const int MaxKMaxHidden = 65536;

    /// <summary>Checks the settings; throws naming the option and the fix. NaN and infinities are refused everywhere.</summary>
    public void Validate()
    {
        if (Layers < 1) throw new ArgumentOutOfRangeException(nameof(Layers), Layers, "a model has at least one layer.");
        if (Hidden < 1) throw new ArgumentOutOfRangeException(nameof(Hidden), Hidden, "the hidden width is at least 1.");
        if (!(Dropout >= 0f && Dropout < 1f)) throw new ArgumentOutOfRangeException(nameof(Dropout), Dropout, "dropout is a probability in [0, 1).");
        if (Nonlinearity == Nonlinearity.MaxK && (K < 1 || K > Hidden))
            throw new ArgumentOutOfRangeException(nameof(K), K, $"MaxK keeps 1..hidden ({Hidden}) entries per row.");
        if (Nonlinearity == Nonlinearity.MaxK && Hidden > MaxKMaxHidden)
            throw new ArgumentOutOfRangeException(nameof(Hidden), Hidden, $"MaxK stores each kept column as a 16-bit index, so the hidden width is at most {MaxKMaxHidden}; use a smaller width or ReLU.");
        if (!(LearningRate > 0 && float.IsFinite(LearningRate)))
            throw new ArgumentOutOfRangeException(nameof(LearningRate), LearningRate, "the learning rate is a positive finite number (typical: 0.001 to 0.05).");
        if (!(WeightDecay >= 0 && float.IsFinite(WeightDecay)))
            throw new ArgumentOutOfRangeException(nameof(WeightDecay), WeightDecay, "weight decay is a finite number >= 0 (typical: 0 to 5e-4).");
    }

    /// <summary>
    /// Checks the settings against a dataset before anything is allocated: every activation matrix (nodes × width) must
    /// fit in one host array, and the dataset must have nodes. Throws naming the option and the fix.
    /// </summary>
    public void Validate(NodeDataset data)
    {
        ArgumentNullException.ThrowIfNull(data);
        Validate();
        if (data.Nodes == 0) throw new ArgumentException($"dataset '{data.Name}' has no nodes; there is nothing to train on.", nameof(data));
        if (data.Classes < 2) throw new ArgumentException($"dataset '{data.Name}' has {data.Classes} class(es); node classification needs two or more.", nameof(data));
        if (data.Train.Length == 0) throw new ArgumentException($"dataset '{data.Name}' has no training nodes.", nameof(data));
        if ((long)data.Nodes * Hidden > Array.MaxLength || (long)data.Features.ColumnCount * Hidden > Array.MaxLength)
            throw new ArgumentOutOfRangeException(nameof(Hidden), Hidden,
                $"a hidden layer of {data.Nodes:N0} nodes × {Hidden:N0} (or a {data.Features.ColumnCount:N0} × {Hidden:N0} weight) is more than one array holds ({Array.MaxLength:N0} values); use a smaller hidden width.");
    }
}

/// <summary>
/// GCN or GraphSAGE for node classification, every sparse operation through generated kernels
/// (<see cref="GnnKernels"/>): the sparse input features times the first weight (SpMM over the feature CSR),
/// neighbour aggregation (SpMM, or with MaxK the CBSR SpGEMM) and their backwards (the generated [SpMM]
/// backward over the cached adjoint, or the SSpMM); dense products through <see cref="Gemm"/>.
/// <para>
/// Layer 0: H₀ = Â (X W₀) + b₀ (SAGE: Ā (X W₀ⁿ) + X W₀ˢ + b₀). Layer l ≥ 1: Z = act(dropout(H_{l−1})) for MaxK,
/// dropout(ReLU(H_{l−1})) for ReLU; H_l = (Â Z) W_l + b_l (SAGE: (Ā Z) W_lⁿ + Z W_lˢ + b_l). The last H is the logits.
/// Features are row-normalised; the graph is symmetrised, self loops removed, then (GCN) self loops added and
/// normalised symmetrically or (SAGE) rows scaled by 1 / degree.
/// </para>
/// </summary>
public sealed class GnnModel : IDisposable
{
    private readonly ComputeBackend _backend;
    private readonly ComputeStream _s;
    private readonly List<IDisposable> _owned = [];
    private readonly CsrBuffer<float> _features, _graph, _identity;
    private readonly Parameter _w0, _w0Self, _b0;
    private readonly Linear[] _linear, _self;
    private readonly DenseBuffer<float>[] _h, _dh, _z, _y, _dy, _dz;
    private bool _lastForwardDropped;
    private readonly CbsrBuffer<float, ushort>[] _zc, _dzc, _selfc;
    private readonly DenseBuffer<float> _p, _dp, _selfPart, _logitsGradient;
    private readonly AdamOptimizer _optimizer;
    private readonly int[] _widths;
    private readonly int _rows;
    private readonly INodeExchange? _exchange;
    private readonly DenseBuffer<int>? _rowIds;
    private readonly HaloAggregation? _overlapped;
    private uint _dropoutSeed;

    /// <summary>A model of the whole dataset in this process.</summary>
    public GnnModel(ComputeBackend backend, NodeDataset data, GnnOptions options)
        : this(backend, data, options, Inputs(data, options), exchange: null)
    {
    }

    /// <summary>
    /// A model of the rows of <paramref name="data"/> that <paramref name="exchange"/> says this process holds:
    /// <paramref name="features"/> holds the rows of <see cref="Features(NodeDataset)"/> for every one of the exchange's
    /// <see cref="INodeExchange.GlobalIds"/> (owned and halo: input features never change, so the halo's are replicated
    /// and the first layer's X·W₀ needs no exchange; its weight gradient Xᵀ·(Âᵀ·dH) is a sum over nodes, complete once
    /// the gradients are summed over the processes); <paramref name="propagation"/> holds the rows of
    /// <see cref="Propagation"/> for the owned nodes (halo rows empty), its columns the [owned | halo] rows. Parameters
    /// start as in the one-process model (same seed).
    /// </summary>
    public GnnModel(ComputeBackend backend, NodeDataset data, GnnOptions options, CsrMatrix<float> features, CsrMatrix<float> propagation, INodeExchange exchange)
        : this(backend, data, options, (features, propagation), exchange ?? throw new ArgumentNullException(nameof(exchange)))
    {
    }

    private static (CsrMatrix<float> Features, CsrMatrix<float> Propagation) Inputs(NodeDataset data, GnnOptions options)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(options);
        return (Features(data), Propagation(data, options.Architecture));
    }

    /// <summary>The input features as the model reads them: each row divided by its sum.</summary>
    public static CsrMatrix<float> Features(NodeDataset data)
    {
        ArgumentNullException.ThrowIfNull(data);
        return RowNormalised(data.Features);
    }

    /// <summary>The propagation matrix of <paramref name="architecture"/>: Â for GCN, the mean adjacency for SAGE.</summary>
    public static CsrMatrix<float> Propagation(NodeDataset data, GnnArchitecture architecture)
    {
        ArgumentNullException.ThrowIfNull(data);
        return architecture == GnnArchitecture.Sage ? MeanAdjacency(data.Adjacency) : GcnAdjacency(data.Adjacency);
    }

    private GnnModel(ComputeBackend backend, NodeDataset data, GnnOptions options, (CsrMatrix<float> Features, CsrMatrix<float> Propagation) inputs, INodeExchange? exchange)
    {
        ArgumentNullException.ThrowIfNull(backend);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate(data);
        _backend = backend;
        _s = backend.DefaultStream;
        _exchange = exchange;
        Options = options;
        Data = data;
        var rng = new Random(options.Seed);
        if (exchange is not null && (exchange.GlobalIds.Count != exchange.Rows || exchange.OwnedRows < 0 || exchange.OwnedRows > exchange.Rows))
            throw new ArgumentException($"the exchange holds {exchange.Rows} rows, {exchange.OwnedRows} of them owned, but names {exchange.GlobalIds.Count} global ids; it must name one per row.", nameof(exchange));
        int n = exchange?.Rows ?? data.Nodes, f = data.Features.ColumnCount, h = options.Hidden, c = data.Classes;
        _rows = n;
        if (inputs.Features.Rows != n || inputs.Features.ColumnCount != f)
            throw new ArgumentException($"features is {inputs.Features.Rows} x {inputs.Features.ColumnCount} but the model holds {n} rows of {f} features.", "features");
        if (inputs.Propagation.Rows != n || inputs.Propagation.ColumnCount != n)
            throw new ArgumentException($"propagation is {inputs.Propagation.Rows} x {inputs.Propagation.ColumnCount} but the model holds {n} rows (owned, then halo); it must be {n} x {n}.", "propagation");
        bool sage = options.Architecture == GnnArchitecture.Sage, maxk = options.Nonlinearity == Nonlinearity.MaxK;
        _widths = Enumerable.Range(0, options.Layers).Select(l => l == options.Layers - 1 ? c : h).ToArray();

        _features = Own(backend.Upload(inputs.Features));
        _graph = Own(backend.Upload(inputs.Propagation));
        if (exchange is not null)
        {
            _rowIds = Own(backend.AllocateDense<int>(n, 1));
            _rowIds.CopyFrom(exchange.GlobalIds.ToArray());
            // The exchange may hide behind the aggregation work that does not need it (native backend; see HaloSplit).
            if (exchange.Overlaps && backend.Kind == BackendKind.NativeCpu)
                _overlapped = Own(new HaloAggregation(backend, exchange, Timer, inputs.Propagation));
        }
        _identity = Own(backend.Upload(new CsrMatrix<float>(n, n, Enumerable.Range(0, n + 1).ToArray(), Enumerable.Range(0, n).ToArray(), Enumerable.Repeat(1f, n).ToArray())));

        _w0 = Own(new Parameter(backend, "w0", Parameter.Glorot(f, _widths[0], rng)));
        _w0Self = sage ? Own(new Parameter(backend, "w0.self", Parameter.Glorot(f, _widths[0], rng))) : null!;
        _b0 = Own(new Parameter(backend, "b0", new DenseMatrix<float>(1, _widths[0])));
        _p = Own(backend.AllocateDense<float>(n, _widths[0]));
        _dp = Own(backend.AllocateDense<float>(n, _widths[0]));
        _selfPart = Own(backend.AllocateDense<float>(n, _widths[0]));
        int layers = options.Layers;
        _linear = new Linear[layers];
        _self = new Linear[layers];
        _h = new DenseBuffer<float>[layers];
        _dh = new DenseBuffer<float>[layers];
        _z = new DenseBuffer<float>[layers];
        _y = new DenseBuffer<float>[layers];
        _dy = new DenseBuffer<float>[layers];
        _dz = new DenseBuffer<float>[layers];
        _zc = new CbsrBuffer<float, ushort>[layers];
        _dzc = new CbsrBuffer<float, ushort>[layers];
        _selfc = new CbsrBuffer<float, ushort>[layers];
        for (int l = 0; l < layers; l++)
        {
            _h[l] = Own(backend.AllocateDense<float>(n, _widths[l]));
            _dh[l] = Own(backend.AllocateDense<float>(n, _widths[l]));
            if (l == 0) continue;
            int inWidth = _widths[l - 1];
            _linear[l] = Own(new Linear(backend, $"layer{l}", inWidth, _widths[l], bias: true, rng));
            if (sage) _self[l] = Own(new Linear(backend, $"layer{l}.self", inWidth, _widths[l], bias: false, rng));
            _z[l] = Own(backend.AllocateDense<float>(n, inWidth));
            _y[l] = Own(backend.AllocateDense<float>(n, inWidth));
            _dy[l] = Own(backend.AllocateDense<float>(n, inWidth));
            _dz[l] = Own(backend.AllocateDense<float>(n, inWidth));
            if (maxk)
            {
                _zc[l] = Own(backend.AllocateCbsr<float, ushort>(n, inWidth, options.K));
                _dzc[l] = Own(backend.AllocateCbsr<float, ushort>(n, inWidth, options.K));
                if (sage) _selfc[l] = Own(backend.AllocateCbsr<float, ushort>(n, inWidth, options.K));
            }
        }
        Logits = _h[layers - 1];
        _logitsGradient = _dh[layers - 1];
        var parameters = new List<Parameter> { _w0, _b0 };
        if (sage) parameters.Add(_w0Self);
        for (int l = 1; l < layers; l++)
        {
            parameters.AddRange(_linear[l].Parameters);
            if (sage) parameters.AddRange(_self[l].Parameters);
        }
        Parameters = parameters;
        _optimizer = new AdamOptimizer(parameters, new AdamSettings(options.LearningRate, WeightDecay: options.WeightDecay));
    }

    public GnnOptions Options { get; }
    public NodeDataset Data { get; }
    public IReadOnlyList<Parameter> Parameters { get; }
    public KernelTimer Timer { get; } = new();

    /// <summary>The output of the last forward (nodes × classes).</summary>
    public DenseBuffer<float> Logits { get; }

    /// <summary>Forward pass; dropout only when <paramref name="training"/>.</summary>
    public void Forward(bool training, uint dropoutSeed = 0)
    {
        _dropoutSeed = dropoutSeed;
        _lastForwardDropped = training && Options.Dropout > 0;
        bool sage = Options.Architecture == GnnArchitecture.Sage, maxk = Options.Nonlinearity == Nonlinearity.MaxK;
        var t = Timer;
        // Layer 0: sparse features times the weight, then the aggregation.
        t.Time(_s, "SpMM X·W (sparse input)", Phase.Forward, () => GnnKernels.Propagate(_s, _features, _w0.Value, _p)); // halo rows too: no exchange
        t.Time(_s, "SpMM Â·H (aggregate)", Phase.Forward, () => GnnKernels.Propagate(_s, _graph, _p, _h[0]));
        if (sage)
        {
            t.Time(_s, "SpMM X·W (sparse input)", Phase.Forward, () => GnnKernels.Propagate(_s, _features, _w0Self.Value, _selfPart));
            t.Time(_s, "element-wise", Phase.Forward, () => Elementwise.Add(_s, _h[0], _selfPart));
        }
        if (Fused(1))
            t.Time(_s, "bias + dropout + MaxK (fused)", Phase.Forward, () => Epilogue(1, training, _b0.Value).Apply(_s, _h[0], GnnKernels.TopK));
        else
            t.Time(_s, "bias", Phase.Forward, () => TensorOps.AddBias(_s, _h[0], _b0.Value));
        for (int l = 1; l < Options.Layers; l++)
        {
            var input = _h[l - 1];
            if (maxk)
            {
                // Fused: the previous layer's producer already selected this layer's input into _zc[l].
                if (!Fused(l))
                {
                    var source = input;
                    if (training && Options.Dropout > 0)
                    {
                        t.Time(_s, "dropout", Phase.Forward, () => TensorOps.Dropout(_s, input, _z[l], Options.Dropout, DropoutSeed(l), _rowIds));
                        source = _z[l];
                    }
                    t.Time(_s, "MaxK", Phase.Forward, () => GnnKernels.TopK(_s, source, _zc[l]));
                }
                if (_overlapped is not null) _overlapped.ForwardSparse(_zc[l], _y[l]);
                else
                {
                    Gather(_zc[l]);
                    t.Time(_s, "SpGEMM Â·MaxK(H)", Phase.Forward, () => GnnKernels.PropagateSparse(_s, _graph, _zc[l], _y[l]));
                }
                if (sage) t.Time(_s, "MaxK backward (scatter)", Phase.Forward, () => GnnKernels.TopKBackward(_s, _zc[l], _z[l]));
            }
            else
            {
                t.Time(_s, "ReLU", Phase.Forward, () => TensorOps.Relu(_s, input, _z[l]));
                if (training && Options.Dropout > 0)
                    t.Time(_s, "dropout", Phase.Forward, () => TensorOps.Dropout(_s, _z[l], _z[l], Options.Dropout, DropoutSeed(l), _rowIds));
                if (_overlapped is not null) _overlapped.Forward(_z[l], _y[l]);
                else
                {
                    Gather(_z[l]);
                    t.Time(_s, "SpMM Â·H (aggregate)", Phase.Forward, () => GnnKernels.Propagate(_s, _graph, _z[l], _y[l]));
                }
            }
            int layer = l;
            if (Fused(l + 1))
                t.Time(_s, "GEMM + bias + dropout + MaxK (fused)", Phase.Forward,
                    () => _linear[layer].Forward(_s, _y[layer], _h[layer], Epilogue(layer + 1, training, bias: null), GnnKernels.TopK));
            else
                t.Time(_s, "GEMM", Phase.Forward, () => _linear[layer].Forward(_s, _y[layer], _h[layer]));
            if (sage)
            {
                var selfOut = Scratch(l, _widths[l]);
                t.Time(_s, "GEMM", Phase.Forward, () => _self[layer].Forward(_s, _z[layer], selfOut));
                t.Time(_s, "element-wise", Phase.Forward, () => Elementwise.Add(_s, _h[layer], selfOut));
            }
        }
    }

    /// <summary>
    /// Whether layer <paramref name="layer"/>'s MaxK runs fused into the epilogue of its input's producer (bias, dropout and
    /// selection in one pass over each block of rows; <see cref="MaxKEpilogue{TIndex}"/>): layer 1 after the aggregation,
    /// later GCN layers inside the previous layer's GEMM. SAGE's later layers add a second product after the GEMM, so
    /// they select unfused. Bit for bit the unfused forward either way.
    /// </summary>
    private bool Fused(int layer) =>
        FusedMaxK && Options.Nonlinearity == Nonlinearity.MaxK && layer < Options.Layers
        && (layer == 1 || Options.Architecture == GnnArchitecture.Gcn);

    /// <summary>
    /// Whether a MaxK model fuses its selection into its producers' epilogues and their backward into one pass (dropout's
    /// mask, the scatter and, for layer 1, b₀'s gradient) — the default. Off, it runs each as a separate pass — the same
    /// numbers — for tests and benchmarks that compare the two or read the dense selection input (<see cref="SelectionInput"/>).
    /// </summary>
    internal bool FusedMaxK { get; set; } = true;

    private MaxKEpilogue<ushort> Epilogue(int layer, bool training, DenseBuffer<float>? bias) =>
        new(_zc[layer], bias, training ? Options.Dropout : 0f, DropoutSeed(layer), _rowIds);

    /// <summary>
    /// The matrix a MaxK model's layer <paramref name="layer"/> (≥ 1) selected from in the last <see cref="Forward"/>: the
    /// dropout output when that forward was training with dropout, else the previous layer's output. For benchmarks that
    /// measure the selection on what training feeds it; only without fusion (<see cref="FusedMaxK"/> false), since a fused
    /// forward never writes it.
    /// </summary>
    internal DenseBuffer<float> SelectionInput(int layer) =>
        FusedMaxK ? throw new InvalidOperationException("a fused forward does not write the selection's input; set FusedMaxK false first.")
        : _lastForwardDropped ? _z[layer] : _h[layer - 1];

    /// <summary>Backward from the logits' gradient (already in place, see <see cref="SetLogitsGradient"/>); fills every parameter's gradient.</summary>
    public void Backward()
    {
        bool sage = Options.Architecture == GnnArchitecture.Sage, maxk = Options.Nonlinearity == Nonlinearity.MaxK;
        var t = Timer;
        foreach (var p in Parameters) p.Gradient.Clear();
        for (int l = Options.Layers - 1; l >= 1; l--)
        {
            int layer = l;
            t.Time(_s, "GEMM", Phase.Backward, () => _linear[layer].Backward(_s, _y[layer], _dh[layer], _dy[layer]));
            if (maxk)
            {
                if (_overlapped is not null) _overlapped.BackwardSparse(_dy[layer], _zc[layer], _dzc[layer]);
                else
                {
                    t.Time(_s, "SSpMM", Phase.Backward, () => GnnKernels.PropagateSparseBackward(_s, _graph, _dy[layer], _zc[layer], _dzc[layer]));
                    Scatter(_dzc[layer]);
                }
                if (sage)
                {
                    t.Time(_s, "GEMM", Phase.Backward, () => _self[layer].Backward(_s, _z[layer], _dh[layer], _dz[layer]));
                    // The self term's gradient at the kept entries: an SSpMM over the identity gathers them.
                    t.Time(_s, "SSpMM", Phase.Backward, () => GnnKernels.PropagateSparseBackward(_s, _identity, _dz[layer], _zc[layer], _selfc[layer]));
                    t.Time(_s, "element-wise", Phase.Backward, () => Elementwise.CombineCbsr(_s, _dzc[layer], 1f, (_selfc[layer], 1f)));
                }
                var target = _dh[l - 1];
                if (FusedMaxK)
                {
                    // The epilogue's backward in one pass: dropout's mask on the k kept entries, the scatter, and for layer 1
                    // b₀'s gradient summed from those entries instead of the dense rows.
                    var biasGradient = l == 1 ? _b0.Gradient : null;
                    t.Time(_s, "dropout + MaxK backward (scatter) (fused)", Phase.Backward,
                        () => Epilogue(layer, training: true, bias: null).Backward(_s, _dzc[layer], target, biasGradient, GnnKernels.TopKBackward));
                }
                else
                {
                    // Dropout's backward on the k kept entries before the scatter (bit for bit the dense one after it, at k hashes
                    // a row instead of the layer's width: on Cora 0.35 ms of a 5 ms epoch before).
                    if (Options.Dropout > 0)
                        t.Time(_s, "dropout", Phase.Backward, () => TensorOps.Dropout(_s, _dzc[layer], Options.Dropout, DropoutSeed(layer), _rowIds));
                    t.Time(_s, "MaxK backward (scatter)", Phase.Backward, () => GnnKernels.TopKBackward(_s, _dzc[layer], target));
                }
            }
            else
            {
                if (_overlapped is not null) _overlapped.Backward(_dy[layer], _dz[layer]);
                else
                {
                    t.Time(_s, "SpMM backward Âᵀ·dY", Phase.Backward, () => GnnKernels.PropagateBackward(_s, _graph, _dy[layer], _dz[layer]));
                    Scatter(_dz[layer]);
                }
                if (sage)
                {
                    var selfGradient = Scratch(l, _widths[l - 1]);
                    t.Time(_s, "GEMM", Phase.Backward, () => _self[layer].Backward(_s, _z[layer], _dh[layer], selfGradient));
                    t.Time(_s, "element-wise", Phase.Backward, () => Elementwise.Add(_s, _dz[layer], selfGradient));
                }
                if (Options.Dropout > 0)
                    t.Time(_s, "dropout", Phase.Backward, () => TensorOps.Dropout(_s, _dz[layer], _dz[layer], Options.Dropout, DropoutSeed(layer), _rowIds));
                t.Time(_s, "ReLU", Phase.Backward, () => TensorOps.ReluBackward(_s, _h[layer - 1], _dz[layer], _dh[layer - 1]));
            }
        }
        if (!(maxk && FusedMaxK && Options.Layers > 1)) // else summed by layer 1's fused backward
            t.Time(_s, "bias", Phase.Backward, () => TensorOps.BiasGradient(_s, _dh[0], _b0.Gradient));
        // Distributed: dP's halo rows hold this process's share of those nodes' gradients; Xᵀ·dP over every local row is
        // this process's share of W₀'s gradient, and the sum over processes is the whole (no scatter needed).
        t.Time(_s, "SpMM backward Âᵀ·dY", Phase.Backward, () => GnnKernels.PropagateBackward(_s, _graph, _dh[0], _dp));
        t.Time(_s, "SpMM backward Xᵀ·dP", Phase.Backward, () => GnnKernels.PropagateBackward(_s, _features, _dp, _w0.Gradient));
        if (sage) t.Time(_s, "SpMM backward Xᵀ·dP", Phase.Backward, () => GnnKernels.PropagateBackward(_s, _features, _dh[0], _w0Self.Gradient));
        if (_exchange is not null) t.Time(_s, "all-reduce (gradients)", Phase.Backward, () => _exchange.SumGradients(Parameters));
    }

    /// <summary>The exchange this model's rows take part in (null: the whole graph is here).</summary>
    public INodeExchange? Exchange => _exchange;

    /// <summary>The rows of every per-node buffer (the dataset's nodes, or owned + halo rows).</summary>
    public int Rows => _rows;

    private void Gather(DenseBuffer<float> rows)
    {
        if (_exchange is not null) Timer.Time(_s, "halo exchange", Phase.Forward, () => _exchange.Gather(rows));
    }

    private void Gather(CbsrBuffer<float, ushort> rows)
    {
        if (_exchange is not null) Timer.Time(_s, "halo exchange", Phase.Forward, () => _exchange.Gather(rows));
    }

    private void Scatter(DenseBuffer<float> rows)
    {
        if (_exchange is not null) Timer.Time(_s, "halo exchange", Phase.Backward, () => _exchange.Scatter(rows));
    }

    private void Scatter(CbsrBuffer<float, ushort> rows)
    {
        if (_exchange is not null) Timer.Time(_s, "halo exchange", Phase.Backward, () => _exchange.Scatter(rows));
    }

    /// <summary>Copies the loss gradient with respect to the logits to the device.</summary>
    public void SetLogitsGradient(float[] gradient) => _logitsGradient.CopyFrom(gradient);

    /// <summary>One Adam step.</summary>
    public void Step() => Timer.Time(_s, "Adam", Phase.Optimizer, () => _optimizer.Step(_s));

    private uint DropoutSeed(int layer) => _dropoutSeed * 0x9E3779B1u + (uint)layer;

    private readonly Dictionary<(int Layer, int Width), DenseBuffer<float>> _scratch = [];

    /// <summary>A nodes × <paramref name="width"/> work buffer of <paramref name="layer"/>, allocated once.</summary>
    private DenseBuffer<float> Scratch(int layer, int width)
    {
        if (!_scratch.TryGetValue((layer, width), out var buffer)) _scratch[(layer, width)] = buffer = Own(_backend.AllocateDense<float>(_rows, width));
        return buffer;
    }

    private T Own<T>(T item) where T : IDisposable
    {
        _owned.Add(item);
        return item;
    }

    /// <summary>Each row divided by its sum (rows summing to 0 unchanged), as GCN preprocesses bag-of-words features.</summary>
    public static CsrMatrix<float> RowNormalised(CsrMatrix<float> x)
    {
        var values = new float[x.Nonzeros];
        for (int r = 0; r < x.Rows; r++)
        {
            double sum = 0;
            for (int e = x.RowOffsets[r]; e < x.RowOffsets[r + 1]; e++) sum += x.Values?[e] ?? 1f;
            for (int e = x.RowOffsets[r]; e < x.RowOffsets[r + 1]; e++) values[e] = (float)((x.Values?[e] ?? 1f) / (sum == 0 ? 1 : sum));
        }
        return new CsrMatrix<float>(x.Rows, x.ColumnCount, x.RowOffsets, x.ColumnIndices, values);
    }

    /// <summary>The symmetrised simple graph: A ∪ Aᵀ, one entry per neighbour pair, no self loops.</summary>
    public static CsrMatrix<float> Symmetrised(CsrMatrix<float> a)
    {
        var rows = new List<int>(a.Nonzeros * 2);
        var cols = new List<int>(a.Nonzeros * 2);
        for (int r = 0; r < a.Rows; r++)
            for (int e = a.RowOffsets[r]; e < a.RowOffsets[r + 1]; e++)
            {
                int c = a.ColumnIndices[e];
                if (c == r) continue;
                rows.Add(r); cols.Add(c);
                rows.Add(c); cols.Add(r);
            }
        var m = CsrMatrix<float>.FromCoo(a.Rows, a.Rows, rows.ToArray(), cols.ToArray(), new float[rows.Count], DuplicatePolicy.Sum);
        return m.WithValues(1f);
    }

    /// <summary>GCN's Â = D^-1/2 (S + I) D^-1/2 of the symmetrised graph S.</summary>
    public static CsrMatrix<float> GcnAdjacency(CsrMatrix<float> a)
    {
        var s = Symmetrised(a);
        int n = s.Rows;
        var rows = new List<int>(s.Nonzeros + n);
        var cols = new List<int>(s.Nonzeros + n);
        for (int r = 0; r < n; r++)
        {
            rows.Add(r); cols.Add(r);
            for (int e = s.RowOffsets[r]; e < s.RowOffsets[r + 1]; e++) { rows.Add(r); cols.Add(s.ColumnIndices[e]); }
        }
        var degree = new double[n];
        foreach (int r in rows) degree[r]++;
        var values = new float[rows.Count];
        for (int i = 0; i < values.Length; i++) values[i] = (float)(1 / Math.Sqrt(degree[rows[i]] * degree[cols[i]]));
        return CsrMatrix<float>.FromCoo(n, n, rows.ToArray(), cols.ToArray(), values);
    }

    /// <summary>GraphSAGE's mean: the symmetrised graph with each row scaled by 1 / degree.</summary>
    public static CsrMatrix<float> MeanAdjacency(CsrMatrix<float> a)
    {
        var s = Symmetrised(a);
        var values = new float[s.Nonzeros];
        for (int r = 0; r < s.Rows; r++)
        {
            int degree = s.RowOffsets[r + 1] - s.RowOffsets[r];
            for (int e = s.RowOffsets[r]; e < s.RowOffsets[r + 1]; e++) values[e] = 1f / degree;
        }
        return new CsrMatrix<float>(s.Rows, s.ColumnCount, s.RowOffsets, s.ColumnIndices, values);
    }

    public void Dispose()
    {
        foreach (var item in _owned) item.Dispose();
    }
}
