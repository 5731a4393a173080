using KernelDsl.Runtime;

namespace KernelDsl.Gnn;

/// <summary>
/// The sparse kernels of the GNN models, declared in the DSL like any user's (the runtime is built with its
/// own generator). Every aggregation is a weighted sum: GCN's Â = D^-1/2 (A + I) D^-1/2 and GraphSAGE's
/// mean (rows scaled by 1 / degree) are both folded into the adjacency's values.
/// </summary>
public static partial class GnnKernels
{
    /// <summary>y = A · x: neighbour aggregation of dense features, and sparse input features times a weight (X · W).</summary>
    [SpMM(Reduce = Reduce.Sum, Schedule = Schedule.Auto, Backward = true)]
    public static partial void Propagate(ComputeStream stream, CsrBuffer<float> a, DenseBuffer<float> x, DenseBuffer<float> y);

    /// <summary>MaxK: the k largest entries of each row, as CBSR.</summary>
    [MaxK]
    public static partial void TopK(ComputeStream stream, DenseBuffer<float> x, CbsrBuffer<float, ushort> y);

    /// <summary>MaxK backward: the CBSR gradient scattered into a dense one (also densifies a CBSR matrix).</summary>
    [MaxKBackward]
    public static partial void TopKBackward(ComputeStream stream, CbsrBuffer<float, ushort> dy, DenseBuffer<float> dx);

    /// <summary>y = A · z with z in CBSR (MaxK-GNN's row-wise-product SpGEMM).</summary>
    [SpGemm(Training = true)]
    public static partial void PropagateSparse(ComputeStream stream, CsrBuffer<float> a, CbsrBuffer<float, ushort> x, DenseBuffer<float> y);

    /// <summary>dz at z's kept entries from dy (MaxK-GNN's outer-product SSpMM).</summary>
    [SSpMM]
    public static partial void PropagateSparseBackward(ComputeStream stream, CsrBuffer<float> a, DenseBuffer<float> dy, CbsrBuffer<float, ushort> x, CbsrBuffer<float, ushort> dx);
}
