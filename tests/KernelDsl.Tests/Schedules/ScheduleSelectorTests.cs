using ILGPU.Runtime.CPU;
using KernelDsl.Graphs;
using KernelDsl.Reference;
using KernelDsl.Runtime;
using KernelDsl.Tests.Kernels;
using KernelDsl.Tests.Support;
using Xunit;

namespace KernelDsl.Tests.Schedules;

public sealed class ScheduleSelectorTests
{
    [Fact]
    public void TheDocumentedRule()
    {
        var powerLaw = RMatGenerator.Generate<float>(4096, 60_000, 1).DegreeStatistics();
        var uniform = RMatGenerator.Generate<float>(4096, 60_000, 1, 0.25, 0.25, 0.25).DegreeStatistics();
        var smallSkewed = RMatGenerator.Generate<float>(256, 2_000, 1).DegreeStatistics();
        Assert.Equal(Schedule.RowPerThread, ScheduleSelector.Choose(powerLaw, dim: 4, warpSize: 32, degreeSortedAllowed: true));
        Assert.Equal(Schedule.DegreeSortedBlocks, ScheduleSelector.Choose(powerLaw, 64, 32, true));
        Assert.Equal(Schedule.WarpPerRow, ScheduleSelector.Choose(powerLaw, 64, 32, degreeSortedAllowed: false));
        Assert.Equal(Schedule.WarpPerRow, ScheduleSelector.Choose(uniform, 64, 32, true));
        Assert.Equal(Schedule.WarpPerRow, ScheduleSelector.Choose(smallSkewed, 64, 32, true));
        Assert.Equal(Schedule.RowPerThread, ScheduleSelector.Choose(uniform, 1, 4, true));
        Assert.True(powerLaw.Skew >= 1.0, $"R-MAT skew {powerLaw.Skew}");
        Assert.True(uniform.Skew < 1.0, $"uniform skew {uniform.Skew}");
    }

    [Theory]
    [InlineData(4)]
    [InlineData(32)]
    public void AutoIsCorrectWhicheverScheduleItPicksOnTheCpuAccelerator(int warp)
    {
        using var backend = ComputeBackend.CreateIlgpuCpu(warp == 4 ? CPUDevice.Default : new CPUDevice(32, 2, 1));
        // Skewed and big enough for the plan (DegreeSortedBlocks), narrow (RowPerThread), uniform (WarpPerRow).
        var skewed = RMatGenerator.Generate<float>(2048, 12_000, 3);
        foreach (var (graph, dim) in new[] { (skewed, 20), (skewed, 2), (TestGraphs.Shape("uniform"), 33) })
            KernelChecker.Check(backend, KernelCatalog.Get("SumAuto"), graph, dim, "auto");
        var x = DenseMatrix<float>.Random(skewed.ColumnCount, 9, 1);
        using var a = backend.Upload(skewed);
        using var xb = backend.Upload(x);
        using var y = backend.AllocateDense<float>(skewed.Rows, 9);
        TestKernels.MeanAutoViews(backend.Accelerator!.DefaultStream, a.View, xb.View, y.View);
        var (expected, magnitude) = ReferenceSpMM.ComputeWithMagnitude(skewed, x, Reduce.Mean);
        Assert.True(Compare.MaxScaledError<float>(y.ToHost().Data, expected, magnitude) < 1e-5);
    }
}

public sealed class OccupancyEstimateTests
{
    [Theory]
    [InlineData(32, 256, 1.0)]     // 8 blocks by registers and by threads: full
    [InlineData(64, 384, 0.375)]   // 2048-register warps: 2 blocks of 12 warps
    [InlineData(255, 128, 0.125)]  // 8192 registers per warp: 8 warps
    public void MatchesHandComputedValues(int registers, int threads, double expected) =>
        Assert.Equal(expected, new PtxasReport("k", registers, 0, 0, 0, "").EstimatedOccupancy(threads), 3);
}
