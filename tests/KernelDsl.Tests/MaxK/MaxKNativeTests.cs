using KernelDsl.Reference;
using KernelDsl.Runtime;
using KernelDsl.Tests.Kernels;
using KernelDsl.Tests.Support;
using Xunit;

namespace KernelDsl.Tests.MaxK;

/// <summary>MaxK, its backward, SpGEMM and SSpMM on the native backend against the references.</summary>
public sealed class MaxKNativeTests : IDisposable
{
    private readonly ComputeBackend _backend = ComputeBackend.Create(BackendKind.NativeCpu);

    public static IEnumerable<object[]> DimsAndKs =>
        from dim in new[] { 16, 64, 256 } from k in new[] { 1, 8, 32, dim } where k <= dim select new object[] { dim, k };

    [Theory]
    [MemberData(nameof(DimsAndKs))]
    public void MaxKAndItsBackwardMatchTheReference(int dim, int k)
    {
        foreach (bool ties in new[] { false, true })
        {
            var x = MaxKChecker.Features(97, dim, dim + k, ties);
            var y = MaxKChecker.CheckMaxK(_backend, x, k);
            MaxKChecker.CheckMaxKBackward(_backend, y);
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(8)]
    [InlineData(32)]
    [InlineData(300)]
    public void MaxKWithUshortIndicesAtDim300(int k) => MaxKChecker.CheckMaxKWide(_backend, MaxKChecker.Features(41, 300, k, ties: true), k);

    [Fact]
    public void TiesKeepTheLowestColumnsAndSpecialValuesFollowTotalOrder()
    {
        var x = new DenseMatrix<float>(2, 6, [1f, 3f, 3f, 2f, 3f, 0f, float.NegativeInfinity, -0f, 0f, float.NaN, -1f, float.PositiveInfinity]);
        var y = MaxKChecker.CheckMaxK(_backend, x, 2);
        // Row 0: the lowest two columns of the three 3s. Row 1: +inf and +0 (-0 < +0; .NET's float.NaN has the sign bit set, so it sorts lowest).
        Assert.Equal(new byte[] { 1, 2, 2, 5 }, y.Indices);
    }

    public static IEnumerable<object[]> ShapesAndDims =>
        from s in TestGraphs.ShapeNames from dim in new[] { 16, 64, 256 } select new object[] { s, dim };

    [Theory]
    [MemberData(nameof(ShapesAndDims))]
    public void SpGemmAndSSpMMMatchTheReferenceOnTheShapeList(string shape, int dim)
    {
        var a = TestGraphs.Shape(shape);
        foreach (int k in new[] { 1, 8, 32, dim }.Where(k => k <= dim).Distinct())
        {
            var x = ReferenceMaxK.MaxK<byte>(MaxKChecker.Features(a.ColumnCount, dim, k, ties: false), k);
            MaxKChecker.CheckSpGemm(_backend, a, x, shape);
            MaxKChecker.CheckSpGemm(_backend, a, x, shape + " (split)", MaxKKernels.ForwardSplit);
            var dy = DenseMatrix<float>.Random(a.Rows, dim, k + 3);
            MaxKChecker.CheckSSpMM(_backend, a, x, dy, shape);
            MaxKChecker.CheckSSpMM(_backend, a, x, dy, shape + " (gather)", run: MaxKKernels.BackwardGather);
            MaxKChecker.CheckSSpMM(_backend, a, x, dy, shape + " (split)", run: MaxKKernels.BackwardSplit);
        }
    }

    [Fact]
    public void PatternVariantsMatchTheReference()
    {
        var a = TestGraphs.Shape("power-law");
        var x = ReferenceMaxK.MaxK<byte>(MaxKChecker.Features(a.ColumnCount, 64, 1, ties: true), 8);
        MaxKChecker.CheckSpGemm(_backend, a, x, "power-law", MaxKKernels.ForwardPattern, Adjacency.Pattern);
        MaxKChecker.CheckSSpMM(_backend, a, x, DenseMatrix<float>.Random(a.Rows, 64, 2), "power-law", Adjacency.Pattern);
    }

    [Fact]
    public void Dim300UsesUshortIndicesEndToEnd()
    {
        var a = TestGraphs.Shape("uniform");
        var x = ReferenceMaxK.MaxK<ushort>(MaxKChecker.Features(a.ColumnCount, 300, 5, ties: false), 32);
        var (expected, magnitude) = ReferenceSpMM.ComputeWithMagnitude(a, x.ToDense(), Reduce.Sum);
        using var ab = _backend.Upload(a);
        using var xb = _backend.Upload(x);
        using var y = _backend.AllocateDense<float>(a.Rows, 300);
        MaxKKernels.Forward(_backend.DefaultStream, ab, xb, y);
        Assert.True(Compare.MaxScaledError<float>(y.ToHost().Data, expected, magnitude) < 1e-5);
        var dy = DenseMatrix<float>.Random(a.Rows, 300, 9);
        using var dyb = _backend.Upload(dy);
        using var dx = _backend.AllocateCbsr<float, ushort>(x.Rows, 300, 32);
        MaxKKernels.Backward(_backend.DefaultStream, ab, dyb, xb, dx);
        var expectedDx = ReferenceMaxK.SSpMM(a, dy, x);
        Assert.True(Compare.MaxScaledError<float>(dx.ToHost().Values, expectedDx, ReferenceMaxK.SSpMMMagnitude(a, dy, x)) < 1e-5);
    }

    [Theory]
    [MemberData(nameof(TestGraphs.RealGraphFiles), MemberType = typeof(TestGraphs))]
    public void RealGraphsWhole(string file)
    {
        var a = TestGraphs.RealGraph(file);
        var x = ReferenceMaxK.MaxK<byte>(MaxKChecker.Features(a.ColumnCount, 64, 3, ties: false), 16);
        MaxKChecker.CheckSpGemm(_backend, a, x, file);
        MaxKChecker.CheckSSpMM(_backend, a, x, DenseMatrix<float>.Random(a.Rows, 64, 4), file);
    }

    public void Dispose() => _backend.Dispose();
}

public sealed class SelectionTests
{
    [Fact]
    public void KthLargestMatchesSortingOnRandomAndTiedInputs()
    {
        var rng = new Random(3);
        for (int trial = 0; trial < 300; trial++)
        {
            int n = rng.Next(1, 300);
            var keys = Enumerable.Range(0, n).Select(_ => trial % 3 == 0 ? (uint)rng.Next(4) : (uint)rng.NextInt64(0, 1L << 32)).ToArray();
            int k = rng.Next(1, n + 1);
            var sorted = keys.Order().ToArray();
            Assert.Equal(sorted[n - k], KernelDsl.Native.Selection.KthLargest(keys.AsSpan(), k));
        }
        Assert.Throws<ArgumentOutOfRangeException>(() => KernelDsl.Native.Selection.KthLargest(new uint[3], 4));
        Assert.Equal(uint.MaxValue, KernelDsl.Native.Selection.KthLargest(new[] { uint.MaxValue, 0u }, 1));
        Assert.Equal(0u, KernelDsl.Native.Selection.KthLargest(new[] { uint.MaxValue, 0u }, 2));
    }
}

public sealed class OrderedKeyTests
{
    [Fact]
    public void HostAndKernelKeysAgreeAndFollowTotalOrder()
    {
        float[] ordered = [-float.NaN, float.NegativeInfinity, -1e30f, -1f, -float.Epsilon, -0f, 0f, float.Epsilon, 1f, 1e30f, float.PositiveInfinity];
        for (int i = 0; i < ordered.Length; i++)
        {
            Assert.Equal(KernelDsl.Runtime.KernelMath.OrderedKey(ordered[i]), KernelDsl.Runtime.KernelMath.OrderedKeyHost(ordered[i]));
            if (i > 0) Assert.True(KernelDsl.Runtime.KernelMath.OrderedKeyHost(ordered[i - 1]) < KernelDsl.Runtime.KernelMath.OrderedKeyHost(ordered[i]), $"{ordered[i - 1]} < {ordered[i]}");
        }
    }

    /// <summary>The staged GPU selection writes a kept value back from its key: the inverse must give every float back bit for bit.</summary>
    [Fact]
    public void FromOrderedKeyInvertsTheKeyBitForBit()
    {
        uint[] bits = [0x7FC00000u, 0xFFC00000u, 0x7F800001u, 0xFFBFFFFFu, 0x7F800000u, 0xFF800000u, 0x80000000u, 0u, 1u, 0x80000001u, 0x007FFFFFu, 0x3F800000u, 0xBF800000u];
        var rng = new Random(3);
        foreach (uint b in bits.Concat(Enumerable.Range(0, 10_000).Select(_ => (uint)rng.NextInt64(0, 1L << 32))))
        {
            float value = BitConverter.UInt32BitsToSingle(b);
            Assert.Equal(b, BitConverter.SingleToUInt32Bits(KernelDsl.Runtime.KernelMath.FromOrderedKey(KernelDsl.Runtime.KernelMath.OrderedKeyHost(value))));
        }
    }
}
