using KernelDsl;
using KernelDsl.Runtime;

namespace KernelDsl.Tests.Kernels;

/// <summary>[SpMM(Backward = true)] declarations: each also gets {Name}Backward(stream, a, dy, dx).</summary>
public static partial class BackwardKernels
{
    [SpMM(Reduce = Reduce.Sum, Backward = true)]
    public static partial void SumWeighted(ComputeStream stream, CsrBuffer<float> a, DenseBuffer<float> x, DenseBuffer<float> y);

    [SpMM(Reduce = Reduce.Mean, Schedule = Schedule.RowPerThread, Backward = true)]
    public static partial void MeanWeighted(ComputeStream stream, CsrBuffer<float> a, DenseBuffer<float> x, DenseBuffer<float> y);

    [SpMM(Reduce = Reduce.Mean, Adjacency = Adjacency.Pattern, Backward = true)]
    public static partial void MeanPattern(ComputeStream stream, CsrBuffer<float> a, DenseBuffer<float> x, DenseBuffer<float> y);

    [SpMM(Reduce = Reduce.Sum, Adjacency = Adjacency.Pattern, Schedule = Schedule.Auto, Backward = true)]
    public static partial void SumPatternAuto(ComputeStream stream, CsrBuffer<float> a, DenseBuffer<float> x, DenseBuffer<float> y);
}
