using KernelDsl.Native;
using KernelDsl.Reference;
using KernelDsl.Runtime;
using KernelDsl.Tests.Kernels;
using KernelDsl.Tests.Support;
using Xunit;

namespace KernelDsl.Tests.MaxK;

/// <summary>
/// The outer-product SSpMM with dY's row in registers (<see cref="RowGather"/>) against its scalar loop, bit for bit: on
/// the shape list, at dims with a partial last piece and at each lookup depth (1, 2, 4 and 8 permutes: up to 32, 64, 128
/// and 256 columns), k below, at and past 16 (the scalar tail), byte and ushort indices, weighted and pattern, and a
/// gradient full of ±0, NaN and ±∞; both equal the float64 reference on finite inputs.
/// </summary>
public sealed class RowGatherTests : IDisposable
{
    private readonly ComputeBackend _backend = ComputeBackend.Create(BackendKind.NativeCpu);

    public static IEnumerable<object[]> ShapesAndDims =>
        from s in TestGraphs.ShapeNames from dim in new[] { 1, 17, 32, 64, 100, 128, 200, 256 } select new object[] { s, dim };

    [Theory]
    [MemberData(nameof(ShapesAndDims))]
    public void RegisterLookupEqualsTheScalarLoopBitForBit(string shape, int dim)
    {
        var a = TestGraphs.Shape(shape);
        foreach (int k in new[] { 1, 15, 16, 17, 32, dim }.Where(k => k <= dim).Distinct())
            foreach (bool hostile in new[] { false, true })
            {
                var x = ReferenceMaxK.MaxK<byte>(MaxKChecker.Features(a.ColumnCount, dim, k, ties: false), k);
                var dy = Gradient(a.Rows, dim, k, hostile);
                string context = $"{shape}, dim {dim}, k {k}{(hostile ? ", ±0/NaN/±inf in dY" : "")}";
                var scalar = Run(a, dy, x, vector: false, MaxKKernels.Backward);
                var vector = Run(a, dy, x, vector: true, MaxKKernels.Backward);
                Assert.True(Bits(scalar).SequenceEqual(Bits(vector)), context + ": the register lookup differs from the scalar loop");
                if (!hostile) MaxKChecker.CheckSSpMM(_backend, a, x, dy, context);
            }
    }

    [Fact]
    public void UshortIndicesAndPatternEqualTheScalarLoop()
    {
        var a = TestGraphs.Shape("power-law");
        var wide = ReferenceMaxK.MaxK<ushort>(MaxKChecker.Features(a.ColumnCount, 250, 5, ties: false), 33);
        var dy = Gradient(a.Rows, 250, 6, hostile: true);
        Assert.True(Bits(Run(a, dy, wide, vector: false, MaxKKernels.Backward)).SequenceEqual(Bits(Run(a, dy, wide, vector: true, MaxKKernels.Backward))));
        var x = ReferenceMaxK.MaxK<byte>(MaxKChecker.Features(a.ColumnCount, 64, 3, ties: true), 16);
        var dy64 = Gradient(a.Rows, 64, 7, hostile: false);
        var pattern = a.AsPattern();
        Assert.True(Bits(Run(pattern, dy64, x, vector: false, MaxKKernels.BackwardPattern)).SequenceEqual(Bits(Run(pattern, dy64, x, vector: true, MaxKKernels.BackwardPattern))));
        MaxKChecker.CheckSSpMM(_backend, a, x, dy64, "power-law pattern", Adjacency.Pattern);
    }

    [Fact]
    public void TheLookupTakesRowsUpTo256ColumnsWithSmallIndexTypes()
    {
        bool avx512 = System.Runtime.Intrinsics.X86.Avx512F.IsSupported && System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated;
        Assert.Equal(avx512, RowGather.Supports<byte>(256));
        Assert.Equal(avx512, RowGather.Supports<ushort>(1));
        Assert.Equal(avx512, RowGather.Supports<int>(100));
        Assert.False(RowGather.Supports<ushort>(257)); // wider than sixteen registers: the scalar loop
        Assert.False(RowGather.Supports<long>(64));
    }

    private float[] Run<TIndex>(CsrMatrix<float> a, DenseMatrix<float> dy, CbsrMatrix<float, TIndex> x, bool vector,
        Action<ComputeStream, CsrBuffer<float>, DenseBuffer<float>, CbsrBuffer<float, TIndex>, CbsrBuffer<float, TIndex>> run)
        where TIndex : unmanaged, System.Numerics.IBinaryInteger<TIndex>
    {
        using var ab = _backend.Upload(a);
        using var dyb = _backend.Upload(dy);
        using var xb = _backend.Upload(x);
        using var dx = _backend.AllocateCbsr<float, TIndex>(x.Rows, x.Dim, x.K);
        RowGather.Enabled = vector;
        try
        {
            run(_backend.DefaultStream, ab, dyb, xb, dx);
        }
        finally
        {
            RowGather.Enabled = true;
        }
        return dx.ToHost().Values;
    }

    /// <summary>A random gradient; with <paramref name="hostile"/> every 7th entry ±0, NaN, +∞ or −∞.</summary>
    private static DenseMatrix<float> Gradient(int rows, int dim, int seed, bool hostile)
    {
        var dy = DenseMatrix<float>.Random(rows, dim, seed);
        if (!hostile) return dy;
        float[] special = [0f, -0f, float.NaN, float.PositiveInfinity, float.NegativeInfinity];
        var data = (float[])dy.Data.Clone();
        for (int i = 0; i < data.Length; i += 7) data[i] = special[i / 7 % special.Length];
        return new DenseMatrix<float>(rows, dim, data);
    }

    private static int[] Bits(float[] values) => values.Select(BitConverter.SingleToInt32Bits).ToArray();

    public void Dispose() => _backend.Dispose();
}
