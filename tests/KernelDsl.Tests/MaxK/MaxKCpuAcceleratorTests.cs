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

    /// <summary>
    /// The warp-cooperative selection, bit for bit against the reference, on the rows built to break a selection
    /// (ties, all equal, ±0, NaN of both signs, ±∞, sorted, one large, denormals), dims below, at and above the
    /// warp size and not a multiple of it, k ∈ {1, 8, 32, dim}; MaxK and Dynamic-ReLU.
    /// </summary>
    [Theory]
    [InlineData(4)]
    [InlineData(32)]
    public void SelectionIsExactOnHostileRows(int warp)
    {
        var backend = fixture.Get(warp);
        foreach (int dim in new[] { 3, 16, 33, 64, 256, 300 })
        {
            var rows = Native.TopKTests.Rows(dim, dim).Select(r => r.Row).ToArray();
            var x = new DenseMatrix<float>(rows.Length, dim, rows.SelectMany(r => r).ToArray());
            foreach (int k in new[] { 1, 8, 32, dim }.Where(k => k <= dim).Distinct())
            {
                using var xb = backend.Upload(x);
                if (dim <= 256)
                {
                    using var y = backend.AllocateCbsr<float, byte>(x.Rows, dim, k);
                    MaxKKernels.TopK(backend.DefaultStream, xb, y);
                    AssertBitEqual(ReferenceMaxK.MaxK<byte>(x, k), y.ToHost(), $"MaxK warp {warp}, dim {dim}, k {k}");
                    DynamicReLUKernels.Activate(backend.DefaultStream, xb, y);
                    AssertBitEqual(ReferenceMaxK.DynamicReLU<byte>(x, k), y.ToHost(), $"Dynamic-ReLU warp {warp}, dim {dim}, k {k}");
                }
                else
                {
                    using var y = backend.AllocateCbsr<float, ushort>(x.Rows, dim, k);
                    MaxKKernels.TopK(backend.DefaultStream, xb, y);
                    AssertBitEqual(ReferenceMaxK.MaxK<ushort>(x, k), y.ToHost(), $"MaxK warp {warp}, dim {dim}, k {k}");
                }
            }
        }
        var hostile = Native.TopKTests.Rows(300, 7).Select(r => r.Row).ToArray();
        var wide = new DenseMatrix<float>(hostile.Length, 300, hostile.SelectMany(r => r).ToArray());
        using var wb = backend.Upload(wide);
        using var wy = backend.AllocateCbsr<float, ushort>(wide.Rows, 300, 16);
        DynamicReLUKernels.ActivateWide(backend.DefaultStream, wb, wy);
        AssertBitEqual(ReferenceMaxK.DynamicReLU<ushort>(wide, 16), wy.ToHost(), $"Dynamic-ReLU warp {warp}, dim 300, k 16");
    }

    /// <summary>
    /// The rule between the two selection kernels (LaunchPlanner.StagedRowPerWarp): rows up to
    /// <see cref="Runtime.LaunchPlanner.MaxStagedRowBytes"/> of keys are staged in shared memory (every other test here runs that
    /// kernel), wider rows run the kernel that re-reads the row from global memory — checked here bit for bit on hostile rows
    /// just past the limit, MaxK and Dynamic-ReLU.
    /// </summary>
    [Fact]
    public void RowsTooWideToStageRunTheGlobalKernel()
    {
        var backend = fixture.Get(4);
        var accelerator = backend.Accelerator!;
        int widest = Runtime.LaunchPlanner.MaxStagedRowBytes / sizeof(uint);
        var staged = Runtime.LaunchPlanner.StagedRowPerWarp(accelerator, 10, widest);
        Assert.NotNull(staged);
        int warps = staged.Value.GroupDim.X / accelerator.WarpSize;
        Assert.Equal(warps * widest, staged.Value.SharedMemoryConfig.NumElements);
        Assert.Equal(sizeof(uint), staged.Value.SharedMemoryConfig.ElementSize);
        Assert.Equal((10 + warps - 1) / warps, staged.Value.GridDim.X);
        Assert.Null(Runtime.LaunchPlanner.StagedRowPerWarp(accelerator, 10, widest + 1));

        int dim = widest + 3;
        var rows = Native.TopKTests.Rows(dim, 5).Select(r => r.Row).ToArray();
        var x = new DenseMatrix<float>(rows.Length, dim, rows.SelectMany(r => r).ToArray());
        using var xb = backend.Upload(x);
        foreach (int k in new[] { 1, 32 })
        {
            using var y = backend.AllocateCbsr<float, ushort>(x.Rows, dim, k);
            MaxKKernels.TopK(backend.DefaultStream, xb, y);
            AssertBitEqual(ReferenceMaxK.MaxK<ushort>(x, k), y.ToHost(), $"MaxK, dim {dim}, k {k}");
        }
        using var dy = backend.AllocateCbsr<float, ushort>(x.Rows, dim, 16);
        DynamicReLUKernels.ActivateAnyWidth(backend.DefaultStream, xb, dy);
        AssertBitEqual(ReferenceMaxK.DynamicReLU<ushort>(x, 16), dy.ToHost(), $"Dynamic-ReLU, dim {dim}, k 16");
    }

    private static void AssertBitEqual<TIndex>(CbsrMatrix<float, TIndex> expected, CbsrMatrix<float, TIndex> actual, string what)
        where TIndex : unmanaged, System.Numerics.IBinaryInteger<TIndex>
    {
        Assert.True(expected.Indices.SequenceEqual(actual.Indices), what + ": columns");
        Assert.True(expected.Values.Select(BitConverter.SingleToInt32Bits).SequenceEqual(actual.Values.Select(BitConverter.SingleToInt32Bits)), what + ": values");
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
