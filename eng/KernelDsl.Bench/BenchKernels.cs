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
}
