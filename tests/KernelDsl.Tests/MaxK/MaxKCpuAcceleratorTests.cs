using KernelDsl.Reference;
using KernelDsl.Tests.Backends;
using KernelDsl.Tests.Kernels;
using KernelDsl.Tests.Support;
using Xunit;

namespace KernelDsl.Tests.MaxK;

/// <summary>The MaxK-family ILGPU kernels on ILGPU's CPU accelerator (warp 4 and warp 32), small inputs.</summary>
public sealed class MaxKCpuAcceleratorTests(IlgpuCpuFixture fixture) : IClassFixture<IlgpuCpuFixture>
{
    private static readonly string[] Shapes = ["empty-graph", "no-edges", "empty-rows", "one-huge-row", "duplicate-edges", "rectangular", "cora-induced"];

    [Theory]
    [InlineData(4)]
    [InlineData(32)]
    public void MaxKAndBackward(int warp)
    {
        var backend = fixture.Get(warp);
        foreach (var (dim, k) in new[] { (16, 1), (16, 16), (64, 8), (64, 32), (256, 32) })
        {
            var y = MaxKChecker.CheckMaxK(backend, MaxKChecker.Features(23, dim, k, ties: true), k);
            MaxKChecker.CheckMaxKBackward(backend, y);
        }
        MaxKChecker.CheckMaxKWide(backend, MaxKChecker.Features(9, 300, 1, ties: true), 20);
    }

    [Theory]
    [InlineData(4)]
    [InlineData(32)]
    public void SpGemmIncludingSplitRows(int warp)
    {
        var backend = fixture.Get(warp);
        foreach (var shape in Shapes)
        {
            var a = TestGraphs.Shape(shape);
            foreach (var (dim, k) in new[] { (16, 1), (16, 16), (33, 8), (64, 32) })
            {
                var x = ReferenceMaxK.MaxK<byte>(MaxKChecker.Features(a.ColumnCount, dim, k, ties: false), k);
                MaxKChecker.CheckSpGemm(backend, a, x, shape);
                MaxKChecker.CheckSpGemm(backend, a, x, shape + " (split)", MaxKKernels.ForwardSplit);
            }
        }
    }

    [Theory]
    [InlineData(4)]
    [InlineData(32)]
    public void SSpMM(int warp)
    {
        var backend = fixture.Get(warp);
        foreach (var shape in Shapes)
        {
            var a = TestGraphs.Shape(shape);
            foreach (var (dim, k) in new[] { (16, 1), (16, 16), (33, 8), (64, 32) })
            {
                var x = ReferenceMaxK.MaxK<byte>(MaxKChecker.Features(a.ColumnCount, dim, k, ties: false), k);
                var dy = DenseMatrix<float>.Random(a.Rows, dim, k);
                MaxKChecker.CheckSSpMM(backend, a, x, dy, shape);
                MaxKChecker.CheckSSpMM(backend, a, x, dy, shape + " (gather)", run: MaxKKernels.BackwardGather);
                MaxKChecker.CheckSSpMM(backend, a, x, dy, shape + " (split)", run: MaxKKernels.BackwardSplit);
            }
        }
    }
}
