using KernelDsl;
using KernelDsl.Runtime;

namespace SpmmCheck;

/// <summary>The kernels this sample runs: GNN aggregations declared with KernelDsl.</summary>
public static partial class Aggregations
{
    /// <summary>GCN-style weighted sum, the cuSPARSE-like thread-per-row schedule (the baseline).</summary>
    [SpMM(Reduce = Reduce.Sum, Schedule = Schedule.RowPerThread)]
    public static partial void WeightedSumRowPerThread(ComputeStream stream, CsrBuffer<float> a, DenseBuffer<float> x, DenseBuffer<float> y);

    /// <summary>GCN-style weighted sum, warp per row.</summary>
    [SpMM(Reduce = Reduce.Sum, Schedule = Schedule.WarpPerRow)]
    public static partial void WeightedSum(ComputeStream stream, CsrBuffer<float> a, DenseBuffer<float> x, DenseBuffer<float> y);

    /// <summary>GraphSAGE mean aggregation over the neighbour pattern.</summary>
    [SpMM(Reduce = Reduce.Mean, Adjacency = Adjacency.Pattern)]
    public static partial void NeighbourMean(ComputeStream stream, CsrBuffer<float> a, DenseBuffer<float> x, DenseBuffer<float> y);

    /// <summary>GraphSAGE max-pool aggregation.</summary>
    [SpMM(Reduce = Reduce.Max, Adjacency = Adjacency.Pattern)]
    public static partial void NeighbourMax(ComputeStream stream, CsrBuffer<float> a, DenseBuffer<float> x, DenseBuffer<float> y);

    /// <summary>A gated message: the edge weight scales the ReLU of the neighbour's features.</summary>
    [Message]
    public static float GatedRelu(float edge, float source) => edge * MathF.Max(source, 0f);

    [SpMM(Reduce = Reduce.Sum, Message = nameof(GatedRelu))]
    public static partial void GatedSum(ComputeStream stream, CsrBuffer<float> a, DenseBuffer<float> x, DenseBuffer<float> y);
}

/// <summary>MaxK-GNN: the k-sparse layer kernels.</summary>
public static partial class MaxKLayer
{
    [MaxK]
    public static partial void TopK(ComputeStream stream, DenseBuffer<float> x, CbsrBuffer<float, byte> y);

    [SpGemm(Training = true)]
    public static partial void Forward(ComputeStream stream, CsrBuffer<float> a, CbsrBuffer<float, byte> x, DenseBuffer<float> y);

    [SSpMM]
    public static partial void Backward(ComputeStream stream, CsrBuffer<float> a, DenseBuffer<float> dy, CbsrBuffer<float, byte> x, CbsrBuffer<float, byte> dx);
}
