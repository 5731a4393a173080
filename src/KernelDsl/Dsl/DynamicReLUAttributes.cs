namespace KernelDsl;

/// <summary>
/// Row-wise Dynamic-ReLU (DR-CircuitGNN), as KernelDsl defines it (the paper's exact rule is not
/// public): <c>y = ReLU(x)</c> restricted to each row's k largest entries, so a row keeps between 0 and
/// k positive values — rows carry different numbers of nonzeros. Stored as CBSR with k slots per row:
/// the kept positives in place, the other slots value 0 at the row's next-largest columns (distinct,
/// ascending), so the MaxK-GNN kernels ([SpGemm], [SSpMM]) consume it without densifying and without
/// per-row offsets; the number of real entries of a row is its count of positive values. Declared on
/// <c>(ComputeStream stream, DenseBuffer&lt;float&gt; x, CbsrBuffer&lt;float, TIndex&gt; y)</c>; k is y's K.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class DynamicReLUAttribute : Attribute
{
    /// <summary>Optional: the k the output must have.</summary>
    public int K { get; set; }

    /// <summary>Optional: the row width the input must have.</summary>
    public int Dim { get; set; }
}

/// <summary>
/// Dynamic-ReLU backward: the dense input gradient from the CBSR output gradient, passed only at the
/// kept positive entries of the forward output <c>y</c> (zeros elsewhere, padding slots included).
/// Declared on <c>(ComputeStream stream, CbsrBuffer&lt;float, TIndex&gt; y, CbsrBuffer&lt;float, TIndex&gt; dy, DenseBuffer&lt;float&gt; dx)</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class DynamicReLUBackwardAttribute : Attribute
{
}
