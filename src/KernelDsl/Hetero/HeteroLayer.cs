using System.ComponentModel;
using KernelDsl.Runtime;

namespace KernelDsl.Hetero;

/// <summary>One relation of a prepared <see cref="HeteroLayer"/>: its name, node types and size.</summary>
public sealed record HeteroRelationInfo(string Name, string Source, string Destination, int Rows, int Columns, int Nonzeros);

/// <summary>
/// A heterogeneous layer prepared by the body a <see cref="HeteroLayerAttribute"/> declaration generates:
/// its relations are uploaded, its buffers allocated; <see cref="Forward"/> and <see cref="Backward"/>
/// check their operands here, then run the generated waves.
/// </summary>
public abstract class HeteroLayer : IDisposable
{
    private readonly string[] _nodeTypes;
    private readonly int[] _nodeCounts;
    private readonly HeteroRelationInfo[] _relations;
    private readonly CsrBuffer<float>[] _adjacency;
    private bool _forwardDone;
    private bool _disposed;

    /// <summary>
    /// Checks the relations against the node types (every relation's rows agree with its destination's
    /// count, its columns with its source's), then uploads them and builds their row-chunk work lists on the
    /// execution's host worker threads.
    /// </summary>
    [EditorBrowsable(EditorBrowsableState.Advanced)]
    protected HeteroLayer(HeteroExecution execution, string declaration, string[] nodeTypes, int k, int dim, HeteroCombine combine, int streams,
        int maxEdgesPerWarp, (string Name, string Parameter, string Source, string Destination, CsrMatrix<float>? Matrix)[] relations)
    {
        ArgumentNullException.ThrowIfNull(execution, nameof(execution));
        execution.ThrowIfDisposed();
        Execution = execution;
        Declaration = declaration;
        _nodeTypes = nodeTypes;
        K = k;
        Dim = dim;
        Combine = combine;
        Streams = Math.Min(streams, execution.Streams.Count);
        _nodeCounts = Enumerable.Repeat(-1, nodeTypes.Length).ToArray();
        var origin = new string[nodeTypes.Length];
        foreach (var (name, parameter, source, destination, matrix) in relations)
        {
            if (matrix is null) throw new ArgumentNullException(parameter, $"relation '{name}' ({source} → {destination}) is null.");
            Agree(name, parameter, source, matrix.ColumnCount, "columns", origin);
            Agree(name, parameter, destination, matrix.Rows, "rows", origin);
        }
        for (int t = 0; t < nodeTypes.Length; t++) if (_nodeCounts[t] < 0) _nodeCounts[t] = 0;

        _relations = relations.Select(r => new HeteroRelationInfo(r.Name, r.Source, r.Destination, r.Matrix!.Rows, r.Matrix.ColumnCount, r.Matrix.Nonzeros)).ToArray();
        _adjacency = new CsrBuffer<float>[relations.Length];
        try
        {
            execution.Prepare(relations.Length, i =>
            {
                var matrix = relations[i].Matrix!;
                CsrBuffer<float> buffer;
                try
                {
                    // Upload validates every CSR invariant. A pattern relation aggregates with weight 1.
                    buffer = execution.Backend.Upload(matrix.Values is null ? matrix.WithValues(1f) : matrix);
                }
                catch (CsrFormatException ex)
                {
                    throw new ArgumentException($"relation '{relations[i].Name}' is not a valid CSR matrix: {ex.Message}", relations[i].Parameter, ex);
                }
                _adjacency[i] = buffer;
                // The SpGEMM and SSpMM work lists (and their device copies), built here rather than on first launch.
                if (execution.Backend.Accelerator is not null) buffer.ChunkView(maxEdgesPerWarp);
                else buffer.Chunks(maxEdgesPerWarp);
            });
        }
        catch
        {
            foreach (var buffer in _adjacency) buffer?.Dispose();
            throw;
        }
    }

    private void Agree(string relation, string parameter, string nodeType, int count, string what, string[] origin)
    {
        int t = Array.IndexOf(_nodeTypes, nodeType);
        if (_nodeCounts[t] < 0)
        {
            _nodeCounts[t] = count;
            origin[t] = $"'{relation}' {what}";
            return;
        }
        if (_nodeCounts[t] != count)
            throw new ArgumentException($"relation '{relation}' has {count} {what} but node type '{nodeType}' has {_nodeCounts[t]} nodes (from {origin[t]}); every relation's rows must match its destination type and its columns its source type.", parameter);
    }

    /// <summary>The declaration that generated this layer (Namespace.Type.Method).</summary>
    public string Declaration { get; }

    /// <summary>Where the layer runs.</summary>
    public HeteroExecution Execution { get; }

    /// <summary>The backend.</summary>
    public ComputeBackend Backend => Execution.Backend;

    /// <summary>Entries each Dynamic-ReLU row keeps at most.</summary>
    public int K { get; }

    /// <summary>Feature width of every node type.</summary>
    public int Dim { get; }

    /// <summary>How relations into one destination type are combined.</summary>
    public HeteroCombine Combine { get; }

    /// <summary>Streams the layer uses at most (its declared count, capped by the pool).</summary>
    public int Streams { get; }

    /// <summary>The node types, in declaration order.</summary>
    public IReadOnlyList<string> NodeTypes => _nodeTypes;

    /// <summary>The relations, in declaration order.</summary>
    public IReadOnlyList<HeteroRelationInfo> Relations => _relations;

    /// <summary>How many nodes <paramref name="nodeType"/> has (from the relations; 0 if no relation names it).</summary>
    public int NodeCount(string nodeType)
    {
        int t = Array.IndexOf(_nodeTypes, nodeType);
        return t >= 0 ? _nodeCounts[t] : throw new ArgumentException($"unknown node type '{nodeType}'; the layer has {string.Join(", ", _nodeTypes)}.", nameof(nodeType));
    }

    /// <summary>Node types some relation reads (the forward needs their features).</summary>
    public IEnumerable<string> SourceTypes => _nodeTypes.Where(t => _relations.Any(r => r.Source == t));

    /// <summary>Node types some relation writes (the forward produces their outputs).</summary>
    public IEnumerable<string> DestinationTypes => _nodeTypes.Where(t => _relations.Any(r => r.Destination == t));

    /// <summary>
    /// Forward: <paramref name="x"/> holds the features of every source type (nodes × <see cref="Dim"/>);
    /// <paramref name="y"/> receives the output of every destination type (nodes × Dim). Returns when done.
    /// </summary>
    public void Forward(HeteroFeatures x, HeteroFeatures y)
    {
        ThrowIfDisposed();
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        CheckFeatures(x, SourceTypes, nameof(x), "features");
        CheckFeatures(y, DestinationTypes, nameof(y), "outputs");
        foreach (var (_, output) in y)
            foreach (var (_, input) in x)
                if (ReferenceEquals(output, input))
                    throw new ArgumentException($"{nameof(y)} shares a buffer with {nameof(x)}; outputs need their own buffers.", nameof(y));
        ForwardCore(x, y);
        _forwardDone = true;
    }

    /// <summary>
    /// Backward of the last <see cref="Forward"/>: <paramref name="dy"/> holds the gradient of every
    /// destination type's output; <paramref name="dx"/> receives the gradient of every source type's features
    /// (nonzero only at the entries Dynamic-ReLU kept).
    /// </summary>
    public void Backward(HeteroFeatures dy, HeteroFeatures dx)
    {
        ThrowIfDisposed();
        ArgumentNullException.ThrowIfNull(dy);
        ArgumentNullException.ThrowIfNull(dx);
        if (!_forwardDone) throw new InvalidOperationException("Backward needs the activations of a Forward; call Forward first.");
        CheckFeatures(dy, DestinationTypes, nameof(dy), "output gradients");
        CheckFeatures(dx, SourceTypes, nameof(dx), "feature gradients");
        foreach (var (_, gradient) in dx)
            foreach (var (_, incoming) in dy)
                if (ReferenceEquals(gradient, incoming))
                    throw new ArgumentException($"{nameof(dx)} shares a buffer with {nameof(dy)}; gradients need their own buffers.", nameof(dx));
        BackwardCore(dy, dx);
    }

    private void CheckFeatures(HeteroFeatures features, IEnumerable<string> required, string name, string what)
    {
        foreach (var type in required)
        {
            if (!features.Contains(type))
                throw new ArgumentException($"{name} has no buffer for node type '{type}'; the layer's {what} need one per type ({string.Join(", ", required)}).", name);
            var buffer = features[type];
            OperandChecks.Dense(buffer, Backend, $"{name}[\"{type}\"]");
            int count = NodeCount(type);
            if (buffer.Rows != count || buffer.Columns != Dim)
                throw new ArgumentException($"{name}[\"{type}\"] is {buffer.Rows} x {buffer.Columns} but node type '{type}' needs {count} x {Dim} (one row per node, Dim columns).", name);
        }
    }

    /// <summary>The uploaded adjacency of relation <paramref name="relation"/> (declaration order).</summary>
    [EditorBrowsable(EditorBrowsableState.Advanced)]
    protected CsrBuffer<float> Adjacency(int relation) => _adjacency[relation];

    /// <summary>The generated forward waves.</summary>
    [EditorBrowsable(EditorBrowsableState.Advanced)]
    protected abstract void ForwardCore(HeteroFeatures x, HeteroFeatures y);

    /// <summary>The generated backward waves.</summary>
    [EditorBrowsable(EditorBrowsableState.Advanced)]
    protected abstract void BackwardCore(HeteroFeatures dy, HeteroFeatures dx);

    /// <summary>Frees the generated layer's own buffers.</summary>
    [EditorBrowsable(EditorBrowsableState.Advanced)]
    protected abstract void DisposeBuffers();

    private void ThrowIfDisposed()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        Execution.ThrowIfDisposed();
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        DisposeBuffers();
        foreach (var buffer in _adjacency) buffer?.Dispose();
        GC.SuppressFinalize(this);
    }
}
