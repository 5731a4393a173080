using ILGPU.Runtime;
using KernelDsl.Runtime;
using KernelDsl.Tests.Kernels;

namespace KernelDsl.Tests.Support;

/// <summary>One generated declaration and what the reference needs to check it.</summary>
public sealed record KernelCase(
    string Name,
    Reduce Reduce,
    Adjacency Adjacency,
    Func<double, double, double>? Message,
    Action<ComputeStream, CsrBuffer<float>, DenseBuffer<float>, DenseBuffer<float>> Run)
{
    public override string ToString() => Name;
}

/// <summary>The float declarations of <see cref="TestKernels"/>, with independent C# formulas of their messages.</summary>
public static class KernelCatalog
{
    public static readonly KernelCase[] All =
    [
        new("SumRowPerThread", Reduce.Sum, Adjacency.Weighted, null, TestKernels.SumRowPerThread),
        new("MeanRowPerThread", Reduce.Mean, Adjacency.Weighted, null, TestKernels.MeanRowPerThread),
        new("MaxRowPerThread", Reduce.Max, Adjacency.Weighted, null, TestKernels.MaxRowPerThread),
        new("MinRowPerThread", Reduce.Min, Adjacency.Weighted, null, TestKernels.MinRowPerThread),
        new("SumWarpPerRow", Reduce.Sum, Adjacency.Weighted, null, TestKernels.SumWarpPerRow),
        new("MeanWarpPerRow", Reduce.Mean, Adjacency.Weighted, null, TestKernels.MeanWarpPerRow),
        new("MaxWarpPerRow", Reduce.Max, Adjacency.Weighted, null, TestKernels.MaxWarpPerRow),
        new("MinWarpPerRow", Reduce.Min, Adjacency.Weighted, null, TestKernels.MinWarpPerRow),
        new("PatternSumRowPerThread", Reduce.Sum, Adjacency.Pattern, null, TestKernels.PatternSumRowPerThread),
        new("PatternMeanWarpPerRow", Reduce.Mean, Adjacency.Pattern, null, TestKernels.PatternMeanWarpPerRow),
        new("PatternMaxWarpPerRow", Reduce.Max, Adjacency.Pattern, null, TestKernels.PatternMaxWarpPerRow),
        new("GatedSumWarpPerRow", Reduce.Sum, Adjacency.Weighted, (e, s) => e * Math.Max(s, 0) + 0.5, TestKernels.GatedSumWarpPerRow),
        new("GatedMaxRowPerThread", Reduce.Max, Adjacency.Weighted, (e, s) => e * Math.Max(s, 0) + 0.5, TestKernels.GatedMaxRowPerThread),
        new("TanhMeanWarpPerRow", Reduce.Mean, Adjacency.Weighted, (e, s) => e * Math.Tanh(s), TestKernels.TanhMeanWarpPerRow),
        new("LeakySumRowPerThread", Reduce.Sum, Adjacency.Weighted, (e, s) => e * s > 0 ? e * s : 0.1 * e * s, TestKernels.LeakySumRowPerThread),
        new("SumDegreeSorted", Reduce.Sum, Adjacency.Weighted, null, TestKernels.SumDegreeSorted),
        new("PatternMeanDegreeSorted", Reduce.Mean, Adjacency.Pattern, null, TestKernels.PatternMeanDegreeSorted),
        new("SumAuto", Reduce.Sum, Adjacency.Weighted, null, TestKernels.SumAuto),
        new("MaxAuto", Reduce.Max, Adjacency.Weighted, null, TestKernels.MaxAuto),
        new("GatedSumDegreeSorted", Reduce.Sum, Adjacency.Weighted, (e, s) => e * Math.Max(s, 0) + 0.5, TestKernels.GatedSumDegreeSorted),
    ];

    public static IEnumerable<object[]> Names => All.Select(k => new object[] { k.Name });

    public static KernelCase Get(string name) => All.Single(k => k.Name == name);
}
