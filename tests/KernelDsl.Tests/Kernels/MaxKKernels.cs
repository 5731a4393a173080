using KernelDsl;
using KernelDsl.Runtime;

namespace KernelDsl.Tests.Kernels;

/// <summary>The MaxK-GNN declarations under test: byte indices (dim ≤ 256) and ushort indices (dim 300), weighted and pattern.</summary>
public static partial class MaxKKernels
{
    [MaxK]
    public static partial void TopK(ComputeStream stream, DenseBuffer<float> x, CbsrBuffer<float, byte> y);

    [MaxK]
    public static partial void TopK(ComputeStream stream, DenseBuffer<float> x, CbsrBuffer<float, ushort> y);

    [MaxKBackward]
    public static partial void TopKBackward(ComputeStream stream, CbsrBuffer<float, byte> dy, DenseBuffer<float> dx);

    [MaxKBackward]
    public static partial void TopKBackward(ComputeStream stream, CbsrBuffer<float, ushort> dy, DenseBuffer<float> dx);

    [SpGemm(Training = true)]
    public static partial void Forward(ComputeStream stream, CsrBuffer<float> a, CbsrBuffer<float, byte> x, DenseBuffer<float> y);

    [SSpMM]
    public static partial void Backward(ComputeStream stream, CsrBuffer<float> a, DenseBuffer<float> dy, CbsrBuffer<float, byte> x, CbsrBuffer<float, byte> dx);

    [SpGemm(Training = true)]
    public static partial void Forward(ComputeStream stream, CsrBuffer<float> a, CbsrBuffer<float, ushort> x, DenseBuffer<float> y);

    [SSpMM]
    public static partial void Backward(ComputeStream stream, CsrBuffer<float> a, DenseBuffer<float> dy, CbsrBuffer<float, ushort> x, CbsrBuffer<float, ushort> dx);

    /// <summary>Short chunks, so that rows of the test graphs are split over several warps.</summary>
    [SpGemm(MaxEdgesPerWarp = 3)]
    public static partial void ForwardSplit(ComputeStream stream, CsrBuffer<float> a, CbsrBuffer<float, byte> x, DenseBuffer<float> y);

    [SpGemm(Adjacency = Adjacency.Pattern, K = 8, Dim = 64)]
    public static partial void ForwardPattern(ComputeStream stream, CsrBuffer<float> a, CbsrBuffer<float, byte> x, DenseBuffer<float> y);

    /// <summary>A pattern SpGEMM whose rows take the register path (RowScatter: dim 64, k 16).</summary>
    [SpGemm(Adjacency = Adjacency.Pattern, K = 16, Dim = 64)]
    public static partial void ForwardPattern16(ComputeStream stream, CsrBuffer<float> a, CbsrBuffer<float, byte> x, DenseBuffer<float> y);

    [SSpMM(Adjacency = Adjacency.Pattern)]
    public static partial void BackwardPattern(ComputeStream stream, CsrBuffer<float> a, DenseBuffer<float> dy, CbsrBuffer<float, byte> x, CbsrBuffer<float, byte> dx);

    /// <summary>The deterministic GPU alternative: a gather over Aᵀ.</summary>
    [SSpMM(Schedule = Schedule.TransposeGather)]
    public static partial void BackwardGather(ComputeStream stream, CsrBuffer<float> a, DenseBuffer<float> dy, CbsrBuffer<float, byte> x, CbsrBuffer<float, byte> dx);

    /// <summary>Outer product with short chunks, so rows of the test graphs are split over several warps.</summary>
    [SSpMM(MaxEdgesPerWarp = 3)]
    public static partial void BackwardSplit(ComputeStream stream, CsrBuffer<float> a, DenseBuffer<float> dy, CbsrBuffer<float, byte> x, CbsrBuffer<float, byte> dx);
}
