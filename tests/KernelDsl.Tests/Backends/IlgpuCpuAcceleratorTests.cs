using ILGPU.Runtime.CPU;
using KernelDsl.Runtime;
using KernelDsl.Tests.Support;
using Xunit;

namespace KernelDsl.Tests.Backends;

/// <summary>One ILGPU CPU accelerator per emulated device, shared by the tests of a class (creating one costs seconds).</summary>
public sealed class IlgpuCpuFixture : IDisposable
{
    public ComputeBackend Warp4 { get; } = ComputeBackend.CreateIlgpuCpu(CPUDevice.Default);
    public ComputeBackend Warp32 { get; } = ComputeBackend.CreateIlgpuCpu(new CPUDevice(32, 2, 1));

    public ComputeBackend Get(int warp) => warp == 4 ? Warp4 : Warp32;

    public void Dispose()
    {
        Warp4.Dispose();
        Warp32.Dispose();
    }
}

/// <summary>
/// The generated ILGPU kernels, run with their exact GPU semantics on ILGPU's CPU accelerator
/// (warp 4 / group 16 and warp 32 / group 64), against the float64 reference. Inputs stay small:
/// the accelerator emulates every GPU thread with OS threads.
/// </summary>
public sealed class IlgpuCpuAcceleratorTests(IlgpuCpuFixture fixture) : IClassFixture<IlgpuCpuFixture>
{
    private static readonly int[] Dims = [1, 3, 32, 33, 256];

    public static IEnumerable<object[]> KernelsAndWarps =>
        from k in KernelCatalog.All from w in new[] { 4, 32 } select new object[] { k.Name, w };

    [Theory]
    [MemberData(nameof(KernelsAndWarps))]
    public void MatchesReferenceOnShapeList(string kernel, int warp)
    {
        var backend = fixture.Get(warp);
        foreach (var shape in TestGraphs.ShapeNames)
        {
            var graph = TestGraphs.Shape(shape);
            foreach (int dim in Dims)
                KernelChecker.Check(backend, KernelCatalog.Get(kernel), graph, dim, shape);
        }
    }

    [Theory]
    [InlineData("SumWarpPerRow", 4)]
    [InlineData("SumWarpPerRow", 32)]
    [InlineData("MaxRowPerThread", 4)]
    public void WideFeaturesMatchReference(string kernel, int warp)
    {
        var graph = TestGraphs.Shape("cora-induced");
        KernelChecker.Check(fixture.Get(warp), KernelCatalog.Get(kernel), graph, 256, "cora-induced");
    }
}
