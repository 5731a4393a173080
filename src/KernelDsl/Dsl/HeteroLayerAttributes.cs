namespace KernelDsl;

/// <summary>How a heterogeneous layer combines the relations that write the same destination node type.</summary>
public enum HeteroCombine
{
    /// <summary>The destination's output is the sum of its relations' outputs.</summary>
    Sum = 0,

    /// <summary>The destination's output is the mean over its relations (the sum divided by their count).</summary>
    Mean = 1,

    /// <summary>No reduction: every destination type may be written by one relation only (KDSL5003 otherwise).</summary>
    None = 2,
}

/// <summary>
/// Declares one DR-CircuitGNN layer over a heterogeneous graph. Per relation r (source type s,
/// destination type t): <c>Y_r = A_r · DynamicReLU_k(X_s)</c>, a Dynamic-ReLU sparse-feature SpGEMM
/// (<see cref="DynamicReLUAttribute"/>, <see cref="SpGemmAttribute"/>); per destination type t:
/// <c>Y_t = combine(Y_r for every r into t)</c>. The backward gives <c>dX_s</c> from <c>dY_t</c> through
/// SSpMM (only at the kept entries) and the Dynamic-ReLU backward.
/// <para>
/// Declared on a <c>static partial</c> method returning <see cref="Hetero.HeteroLayer"/> whose first parameter is a
/// <see cref="Hetero.HeteroExecution"/> and whose other parameters are the relations, each a
/// <see cref="CsrMatrix{T}"/> of float marked with <see cref="RelationAttribute"/>:
/// <code>
/// [HeteroLayer("cell", "net", K = 16, Dim = 64, Combine = HeteroCombine.Sum, Streams = 3)]
/// public static partial HeteroLayer CircuitConv(HeteroExecution execution,
///     [Relation("cell", "net")] CsrMatrix&lt;float&gt; drives,
///     [Relation("net", "cell")] CsrMatrix&lt;float&gt; feeds,
///     [Relation("cell", "cell")] CsrMatrix&lt;float&gt; near);
/// </code>
/// The generated body prepares the relations (validation, upload, row-chunk work lists) on host worker
/// threads and returns a layer whose forward and backward run in waves of independent work: the
/// activation of each source type, then one SpGEMM per relation, each on its own stream from the
/// execution's pool, then the per-destination reduction.
/// </para>
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class HeteroLayerAttribute : Attribute
{
    /// <summary>Declares the layer over the node types <paramref name="nodeTypes"/>.</summary>
    public HeteroLayerAttribute(params string[] nodeTypes) => NodeTypes = nodeTypes;

    /// <summary>The node types the relations may name.</summary>
    public string[] NodeTypes { get; }

    /// <summary>Entries each Dynamic-ReLU row keeps at most (1 ≤ K ≤ Dim).</summary>
    public int K { get; set; }

    /// <summary>Feature width of every node type (the layer's input and output width).</summary>
    public int Dim { get; set; }

    /// <summary>How relations writing the same destination type are combined.</summary>
    public HeteroCombine Combine { get; set; } = HeteroCombine.Sum;

    /// <summary>Streams the layer uses at most (1 .. <see cref="Hetero.HeteroExecution.MaxStreams"/>).</summary>
    public int Streams { get; set; } = 4;

    /// <summary>Edges one warp of the SpGEMM takes at most (longer rows are split).</summary>
    public int MaxEdgesPerWarp { get; set; } = 64;
}

/// <summary>
/// Marks a parameter of a <see cref="HeteroLayerAttribute"/> method as a relation from
/// <paramref name="source"/> nodes to <paramref name="destination"/> nodes. The matrix has one row per
/// destination node and one column per source node (<c>y_dst = A · x_src</c>).
/// </summary>
[AttributeUsage(AttributeTargets.Parameter, AllowMultiple = false, Inherited = false)]
public sealed class RelationAttribute(string source, string destination) : Attribute
{
    /// <summary>The node type the relation reads.</summary>
    public string Source { get; } = source;

    /// <summary>The node type the relation writes.</summary>
    public string Destination { get; } = destination;

    /// <summary>The relation's name (default: the parameter's name).</summary>
    public string? Name { get; set; }
}
