namespace KernelDsl;

/// <summary>
/// One relation of a <see cref="HeteroGraph"/>: edges from <see cref="Source"/> nodes to
/// <see cref="Destination"/> nodes. The adjacency is stored the way SpMM consumes it: one row per
/// destination node, listing the source nodes it aggregates (Destination count × Source count), so
/// <c>y_dst = A · x_src</c>.
/// </summary>
public sealed record Relation(string Name, string Source, string Destination, CsrMatrix<float> Adjacency);

/// <summary>
/// A heterogeneous graph: named node types with counts (and optional features), and named relations
/// between them, each a CSR operand. Adding a relation checks that its shape matches its node types.
/// </summary>
public sealed class HeteroGraph
{
    private readonly Dictionary<string, int> _nodeTypes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DenseMatrix<float>> _features = new(StringComparer.Ordinal);
    private readonly List<Relation> _relations = [];

    /// <summary>Node type → node count, in the order added.</summary>
    public IReadOnlyDictionary<string, int> NodeTypes => _nodeTypes;

    /// <summary>The relations, in the order added.</summary>
    public IReadOnlyList<Relation> Relations => _relations;

    /// <summary>Node features per type (one row per node), where given.</summary>
    public IReadOnlyDictionary<string, DenseMatrix<float>> Features => _features;

    /// <summary>The relation called <paramref name="name"/>.</summary>
    public Relation this[string name] => _relations.FirstOrDefault(r => r.Name == name)
        ?? throw new KeyNotFoundException($"no relation '{name}'; the graph has {string.Join(", ", _relations.Select(r => r.Name))}.");

    /// <summary>Adds a node type with <paramref name="count"/> nodes.</summary>
    public HeteroGraph AddNodeType(string name, int count)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (!_nodeTypes.TryAdd(name, count))
            throw new ArgumentException($"node type '{name}' is already defined.", nameof(name));
        return this;
    }

    /// <summary>Adds a relation; its adjacency must have one row per destination node and one column per source node.</summary>
    public HeteroGraph AddRelation(string name, string source, string destination, CsrMatrix<float> adjacency)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(adjacency);
        if (_relations.Any(r => r.Name == name)) throw new ArgumentException($"relation '{name}' is already defined.", nameof(name));
        int sources = Count(source, nameof(source)), destinations = Count(destination, nameof(destination));
        if (adjacency.Rows != destinations || adjacency.ColumnCount != sources)
            throw new ArgumentException($"relation '{name}' ({source} → {destination}) needs a {destinations} x {sources} adjacency (one row per '{destination}' node, one column per '{source}' node), got {adjacency.Rows} x {adjacency.ColumnCount}.", nameof(adjacency));
        adjacency.Validate(nameof(adjacency));
        _relations.Add(new Relation(name, source, destination, adjacency));
        return this;
    }

    /// <summary>Sets the features of a node type (one row per node).</summary>
    public HeteroGraph SetFeatures(string nodeType, DenseMatrix<float> features)
    {
        ArgumentNullException.ThrowIfNull(features);
        int count = Count(nodeType, nameof(nodeType));
        if (features.Rows != count)
            throw new ArgumentException($"features of '{nodeType}' have {features.Rows} rows but the type has {count} nodes.", nameof(features));
        _features[nodeType] = features;
        return this;
    }

    private int Count(string nodeType, string paramName) => _nodeTypes.TryGetValue(nodeType, out int n) ? n
        : throw new ArgumentException($"unknown node type '{nodeType}'; the graph has {string.Join(", ", _nodeTypes.Keys)}.", paramName);
}
