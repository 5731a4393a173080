using KernelDsl;
using KernelDsl.Runtime;

namespace KernelDsl.Bench;

/// <summary>The declarations the benchmark times.</summary>
public static partial class BenchKernels
{
    [SpMM(Reduce = Reduce.Sum, Schedule = Schedule.WarpPerRow)]
    public static partial void SumWarpPerRow(ComputeStream stream, CsrBuffer<float> a, DenseBuffer<float> x, DenseBuffer<float> y);

    [SpMM(Reduce = Reduce.Sum, Schedule = Schedule.RowPerThread)]
    public static partial void SumRowPerThread(ComputeStream stream, CsrBuffer<float> a, DenseBuffer<float> x, DenseBuffer<float> y);

    [SpMM(Reduce = Reduce.Mean, Adjacency = Adjacency.Pattern)]
    public static partial void PatternMean(ComputeStream stream, CsrBuffer<float> a, DenseBuffer<float> x, DenseBuffer<float> y);

    [SpGemm(Training = true)]
    public static partial void MaxKForward(ComputeStream stream, CsrBuffer<float> a, CbsrBuffer<float, byte> x, DenseBuffer<float> y);

    [SSpMM]
    public static partial void MaxKBackward(ComputeStream stream, CsrBuffer<float> a, DenseBuffer<float> dy, CbsrBuffer<float, byte> x, CbsrBuffer<float, byte> dx);

    [MaxK]
    public static partial void TopK(ComputeStream stream, DenseBuffer<float> x, CbsrBuffer<float, byte> y);

    [SpMM(Reduce = Reduce.Sum, Schedule = Schedule.DegreeSortedBlocks)]
    public static partial void SumDegreeSorted(ComputeStream stream, CsrBuffer<float> a, DenseBuffer<float> x, DenseBuffer<float> y);

    [DynamicReLU]
    public static partial void DynamicReLU(ComputeStream stream, DenseBuffer<float> x, CbsrBuffer<float, byte> y);

    [DynamicReLUBackward]
    public static partial void DynamicReLUBackward(ComputeStream stream, CbsrBuffer<float, byte> y, CbsrBuffer<float, byte> dy, DenseBuffer<float> dx);

    [MaxKBackward]
    public static partial void TopKBackward(ComputeStream stream, CbsrBuffer<float, byte> dy, DenseBuffer<float> dx);
}

/// <summary>The heterogeneous layer the hetero suite times: the circuit relations at dim 64, k 16.</summary>
public static partial class BenchLayers
{
    [HeteroLayer("cell", "net", K = 16, Dim = 64, Combine = HeteroCombine.Sum, Streams = 3)]
    public static partial KernelDsl.Hetero.HeteroLayer CircuitConv(KernelDsl.Hetero.HeteroExecution execution,
        [Relation("cell", "net")] CsrMatrix<float> drives,
        [Relation("net", "cell")] CsrMatrix<float> feeds,
        [Relation("cell", "cell")] CsrMatrix<float> near);
}
