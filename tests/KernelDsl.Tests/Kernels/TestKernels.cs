using ILGPU.Runtime;
using KernelDsl;
using KernelDsl.Runtime;

namespace KernelDsl.Tests.Kernels;

/// <summary>
/// The declarations under test: every schedule × reduce on a weighted adjacency, pattern
/// adjacencies, the three kinds of message (SIMD-inlined, scalar-inlined, called), float and
/// double, and the ILGPU-only view form. The generator supplies every body.
/// </summary>
public static partial class TestKernels
{
    [SpMM(Reduce = Reduce.Sum, Schedule = Schedule.RowPerThread)]
    public static partial void SumRowPerThread(ComputeStream stream, CsrBuffer<float> a, DenseBuffer<float> x, DenseBuffer<float> y);

    [SpMM(Reduce = Reduce.Mean, Schedule = Schedule.RowPerThread)]
    public static partial void MeanRowPerThread(ComputeStream stream, CsrBuffer<float> a, DenseBuffer<float> x, DenseBuffer<float> y);

    [SpMM(Reduce = Reduce.Max, Schedule = Schedule.RowPerThread)]
    public static partial void MaxRowPerThread(ComputeStream stream, CsrBuffer<float> a, DenseBuffer<float> x, DenseBuffer<float> y);

    [SpMM(Reduce = Reduce.Min, Schedule = Schedule.RowPerThread)]
    public static partial void MinRowPerThread(ComputeStream stream, CsrBuffer<float> a, DenseBuffer<float> x, DenseBuffer<float> y);

    [SpMM(Reduce = Reduce.Sum, Schedule = Schedule.WarpPerRow)]
    public static partial void SumWarpPerRow(ComputeStream stream, CsrBuffer<float> a, DenseBuffer<float> x, DenseBuffer<float> y);

    [SpMM(Reduce = Reduce.Mean, Schedule = Schedule.WarpPerRow)]
    public static partial void MeanWarpPerRow(ComputeStream stream, CsrBuffer<float> a, DenseBuffer<float> x, DenseBuffer<float> y);

    [SpMM(Reduce = Reduce.Max, Schedule = Schedule.WarpPerRow)]
    public static partial void MaxWarpPerRow(ComputeStream stream, CsrBuffer<float> a, DenseBuffer<float> x, DenseBuffer<float> y);

    [SpMM(Reduce = Reduce.Min, Schedule = Schedule.WarpPerRow)]
    public static partial void MinWarpPerRow(ComputeStream stream, CsrBuffer<float> a, DenseBuffer<float> x, DenseBuffer<float> y);

    [SpMM(Reduce = Reduce.Sum, Schedule = Schedule.RowPerThread, Adjacency = Adjacency.Pattern)]
    public static partial void PatternSumRowPerThread(ComputeStream stream, CsrBuffer<float> a, DenseBuffer<float> x, DenseBuffer<float> y);

    [SpMM(Reduce = Reduce.Mean, Schedule = Schedule.WarpPerRow, Adjacency = Adjacency.Pattern)]
    public static partial void PatternMeanWarpPerRow(ComputeStream stream, CsrBuffer<float> a, DenseBuffer<float> x, DenseBuffer<float> y);

    [SpMM(Reduce = Reduce.Max, Schedule = Schedule.WarpPerRow, Adjacency = Adjacency.Pattern)]
    public static partial void PatternMaxWarpPerRow(ComputeStream stream, CsrBuffer<float> a, DenseBuffer<float> x, DenseBuffer<float> y);

    /// <summary>A message the native backend inlines as SIMD code: edge · ReLU(source) + 0.5.</summary>
    [Message]
    public static float GatedRelu(float edge, float source) => edge * MathF.Max(source, 0f) + 0.5f;

    [SpMM(Reduce = Reduce.Sum, Schedule = Schedule.WarpPerRow, Message = nameof(GatedRelu))]
    public static partial void GatedSumWarpPerRow(ComputeStream stream, CsrBuffer<float> a, DenseBuffer<float> x, DenseBuffer<float> y);

    [SpMM(Reduce = Reduce.Max, Schedule = Schedule.RowPerThread, Message = nameof(GatedRelu))]
    public static partial void GatedMaxRowPerThread(ComputeStream stream, CsrBuffer<float> a, DenseBuffer<float> x, DenseBuffer<float> y);

    /// <summary>A message inlined as scalar code (tanh has no SIMD form here).</summary>
    [Message]
    public static float TanhMessage(float edge, float source) => edge * MathF.Tanh(source);

    [SpMM(Reduce = Reduce.Mean, Schedule = Schedule.WarpPerRow, Message = nameof(TanhMessage))]
    public static partial void TanhMeanWarpPerRow(ComputeStream stream, CsrBuffer<float> a, DenseBuffer<float> x, DenseBuffer<float> y);

    /// <summary>A block-bodied message: called, not inlined as an expression.</summary>
    [Message]
    public static float LeakyProduct(float edge, float source)
    {
        float t = edge * source;
        return t > 0f ? t : 0.1f * t;
    }

    [SpMM(Reduce = Reduce.Sum, Schedule = Schedule.RowPerThread, Message = nameof(LeakyProduct))]
    public static partial void LeakySumRowPerThread(ComputeStream stream, CsrBuffer<float> a, DenseBuffer<float> x, DenseBuffer<float> y);

    [SpMM(Reduce = Reduce.Sum, Schedule = Schedule.WarpPerRow)]
    public static partial void SumWarpPerRow(ComputeStream stream, CsrBuffer<double> a, DenseBuffer<double> x, DenseBuffer<double> y);

    [SpMM(Reduce = Reduce.Max, Schedule = Schedule.RowPerThread)]
    public static partial void MaxRowPerThread(ComputeStream stream, CsrBuffer<double> a, DenseBuffer<double> x, DenseBuffer<double> y);

    /// <summary>The ILGPU-only form: views and an ILGPU stream.</summary>
    [SpMM(Reduce = Reduce.Sum, Schedule = Schedule.WarpPerRow)]
    internal static partial void SumWarpPerRowViews(AcceleratorStream stream, CsrView<float> a, DenseView<float> x, DenseView<float> y);

    /// <summary>Accel-GCN schedule with its defaults (12 warps per block, 32 edges per warp).</summary>
    [SpMM(Reduce = Reduce.Sum, Schedule = Schedule.DegreeSortedBlocks)]
    public static partial void SumDegreeSorted(ComputeStream stream, CsrBuffer<float> a, DenseBuffer<float> x, DenseBuffer<float> y);

    /// <summary>Small blocks (4 warps of 8 edges) so the test graphs have split rows and segments.</summary>
    [SpMM(Reduce = Reduce.Mean, Adjacency = Adjacency.Pattern, Schedule = Schedule.DegreeSortedBlocks, WarpsPerBlock = 4, MaxEdgesPerWarp = 8)]
    public static partial void PatternMeanDegreeSorted(ComputeStream stream, CsrBuffer<float> a, DenseBuffer<float> x, DenseBuffer<float> y);

    [SpMM(Reduce = Reduce.Sum, Schedule = Schedule.DegreeSortedBlocks, BlockSize = 64, MaxEdgesPerWarp = 3, Message = nameof(GatedRelu))]
    public static partial void GatedSumDegreeSorted(ComputeStream stream, CsrBuffer<float> a, DenseBuffer<float> x, DenseBuffer<float> y);

    [SpMM(Reduce = Reduce.Sum, Schedule = Schedule.Auto, WarpsPerBlock = 4, MaxEdgesPerWarp = 8)]
    public static partial void SumAuto(ComputeStream stream, CsrBuffer<float> a, DenseBuffer<float> x, DenseBuffer<float> y);

    [SpMM(Reduce = Reduce.Max, Schedule = Schedule.Auto)]
    public static partial void MaxAuto(ComputeStream stream, CsrBuffer<float> a, DenseBuffer<float> x, DenseBuffer<float> y);

    [SpMM(Reduce = Reduce.Mean, Schedule = Schedule.Auto)]
    internal static partial void MeanAutoViews(AcceleratorStream stream, CsrView<float> a, DenseView<float> x, DenseView<float> y);
}
