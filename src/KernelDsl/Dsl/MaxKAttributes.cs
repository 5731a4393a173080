namespace KernelDsl;

/// <summary>
/// MaxK nonlinearity (MaxK-GNN): keeps the k largest entries of each row of a dense matrix and
/// writes them as CBSR, columns ascending. Declared on
/// <c>static partial void M(ComputeStream stream, DenseBuffer&lt;float&gt; x, CbsrBuffer&lt;float, TIndex&gt; y)</c>;
/// k is the output's K. Ties are broken deterministically: among equal values the lowest column is
/// kept. Values are ordered by IEEE-754 totalOrder: −0 below +0, a NaN with the sign bit clear above +∞,
/// one with it set (such as .NET's float.NaN) below −∞.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class MaxKAttribute : Attribute
{
    /// <summary>Optional: the k the output must have (checked at build time against <see cref="Dim"/>, and at run time).</summary>
    public int K { get; set; }

    /// <summary>Optional: the row width the input must have (checked at build time against the index type, and at run time).</summary>
    public int Dim { get; set; }
}

/// <summary>
/// MaxK backward: scatters a CBSR gradient back to a dense gradient (zeros at the columns MaxK
/// dropped). Declared on <c>(ComputeStream stream, CbsrBuffer&lt;float, TIndex&gt; dy, DenseBuffer&lt;float&gt; dx)</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class MaxKBackwardAttribute : Attribute
{
}

/// <summary>
/// MaxK-GNN forward: <c>Y = A · X</c> with A in CSR and X in CBSR (k kept per row), Y dense.
/// Declared on <c>(ComputeStream stream, CsrBuffer&lt;float&gt; a, CbsrBuffer&lt;float, TIndex&gt; x, DenseBuffer&lt;float&gt; y)</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class SpGemmAttribute : Attribute
{
    /// <summary>Only <see cref="KernelDsl.Schedule.RowProductSharedAccumulator"/> takes a CBSR operand.</summary>
    public Schedule Schedule { get; set; } = Schedule.RowProductSharedAccumulator;

    /// <summary>Weighted (edge values) or pattern (edge value 1) adjacency.</summary>
    public Adjacency Adjacency { get; set; } = Adjacency.Weighted;

    /// <summary>Optional: the k of X (checked at build time against <see cref="Dim"/>, and at run time).</summary>
    public int K { get; set; }

    /// <summary>Optional: the width of X and Y (checked at build time against the index type, and at run time).</summary>
    public int Dim { get; set; }

    /// <summary>Edges per warp chunk on the GPU: longer rows are split and their partial sums added atomically. Default 64.</summary>
    public int MaxEdgesPerWarp { get; set; } = 64;

    /// <summary>When true, the containing type must also declare the matching [SSpMM] backward (KDSL3003).</summary>
    public bool Training { get; set; }
}

/// <summary>
/// MaxK-GNN backward: <c>dX[j, t] = Σ_i A[i, j] · dY[i, idx[j, t]]</c> for the k kept entries of each
/// row j of X only, written as CBSR with X's indices. Declared on
/// <c>(ComputeStream stream, CsrBuffer&lt;float&gt; a, DenseBuffer&lt;float&gt; dy, CbsrBuffer&lt;float, TIndex&gt; x, CbsrBuffer&lt;float, TIndex&gt; dx)</c>,
/// with <c>a</c> the forward adjacency.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class SSpMMAttribute : Attribute
{
    /// <summary><see cref="KernelDsl.Schedule.OuterProduct"/> (default) or <see cref="KernelDsl.Schedule.TransposeGather"/>.</summary>
    public Schedule Schedule { get; set; } = Schedule.OuterProduct;

    /// <summary>Edges per warp chunk for the GPU outer product (long rows are split). Default 64.</summary>
    public int MaxEdgesPerWarp { get; set; } = 64;

    /// <summary>Weighted (edge values) or pattern (edge value 1) adjacency.</summary>
    public Adjacency Adjacency { get; set; } = Adjacency.Weighted;
}
