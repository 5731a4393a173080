using KernelDsl.Reference;
using KernelDsl.Runtime;
using KernelDsl.Tests.Backends;
using KernelDsl.Tests.Kernels;
using KernelDsl.Tests.Support;
using Xunit;

namespace KernelDsl.Tests.Hetero;

/// <summary>Dynamic-ReLU forward and backward on both backends against the reference, and its gradient through SpGEMM.</summary>
public sealed class DynamicReLUTests(IlgpuCpuFixture fixture) : IClassFixture<IlgpuCpuFixture>
{
    private static void Check(ComputeBackend backend, DenseMatrix<float> x, int k)
    {
        var expected = ReferenceMaxK.DynamicReLU<byte>(x, k);
        using var xb = backend.Upload(x);
        using var y = backend.AllocateCbsr<float, byte>(x.Rows, x.Columns, k);
        DynamicReLUKernels.Activate(backend.DefaultStream, xb, y);
        var actual = y.ToHost();
        Assert.Equal(expected.Indices, actual.Indices);
        Assert.Equal(expected.Values, actual.Values);
        Assert.All(actual.Values, v => Assert.True(v >= 0));

        var gradient = DenseMatrix<float>.Random(x.Rows, k, k);
        var dyHost = new CbsrMatrix<float, byte>(x.Rows, x.Columns, k, gradient.Data, actual.Indices);
        using var dy = backend.Upload(dyHost);
        using var dx = backend.AllocateDense<float>(x.Rows, x.Columns);
        dx.CopyFrom(Enumerable.Repeat(float.NaN, (int)dx.Length).ToArray());
        DynamicReLUKernels.ActivateBackward(backend.DefaultStream, y, dy, dx);
        Assert.Equal(ReferenceMaxK.DynamicReLUBackward(actual, dyHost).Data, dx.ToHost().Data);
    }

    [Theory]
    [InlineData(16, 1)]
    [InlineData(16, 16)]
    [InlineData(64, 8)]
    [InlineData(256, 32)]
    public void MatchesTheReferenceOnBothBackendsWithVariableRowLengths(int dim, int k)
    {
        // Shift some rows down so they have fewer than k positives (rows of different lengths), one row all negative.
        var x = MaxKChecker.Features(37, dim, dim + k, ties: true);
        for (int r = 0; r < x.Rows; r += 3) for (int c = 0; c < dim; c++) x[r, c] -= 0.9f;
        for (int c = 0; c < dim; c++) x[1, c] = -1f - c;
        using (var native = ComputeBackend.Create(BackendKind.NativeCpu)) Check(native, x, k);
        Check(fixture.Warp4, x, k);
        Check(fixture.Warp32, x, k);
        var kept = ReferenceMaxK.DynamicReLU<byte>(x, k);
        var perRow = Enumerable.Range(0, x.Rows).Select(r => Enumerable.Range(0, k).Count(t => kept.Values[r * k + t] > 0)).ToArray();
        Assert.Equal(0, perRow[1]);
        Assert.True(perRow.Distinct().Count() > 1, "rows should carry different numbers of nonzeros");
    }

    [Fact]
    public void DeclaredKAndDimAreCheckedAtRunTime()
    {
        using var native = ComputeBackend.Create(BackendKind.NativeCpu);
        using var x = native.Upload(DenseMatrix<float>.Random(5, 300, 1));
        using var wrongK = native.AllocateCbsr<float, ushort>(5, 300, 8);
        var ex = Assert.Throws<ArgumentException>(() => DynamicReLUKernels.ActivateWide(native.DefaultStream, x, wrongK));
        Assert.Contains("[DynamicReLU(K = 16)]", ex.Message, StringComparison.Ordinal);
        using var y = native.AllocateCbsr<float, ushort>(5, 300, 16);
        DynamicReLUKernels.ActivateWide(native.DefaultStream, x, y);
        Assert.Equal(ReferenceMaxK.DynamicReLU<ushort>(x.ToHost(), 16).Values, y.ToHost().Values);
    }

    /// <summary>L = Σ w ⊙ (A · dynrelu(x)); gradient via SSpMM then Dynamic-ReLU backward vs central differences.</summary>
    [Fact]
    public void GradientThroughSpGemmMatchesFiniteDifferences()
    {
        using var backend = ComputeBackend.Create(BackendKind.NativeCpu);
        const int n = 30, dim = 16, k = 6;
        var rng = new Random(8);
        var a = TestGraphs.Induced(TestGraphs.RealGraph("email-eu-core/adjacency.mtx"), n);
        var x = new DenseMatrix<float>(n, dim);
        for (int r = 0; r < n; r++)
        {
            var order = Enumerable.Range(0, dim).OrderBy(_ => rng.Next()).ToArray();
            // Values 0.1 apart and away from 0, so ±1e-3 changes neither the kept set nor the signs.
            for (int c = 0; c < dim; c++) x[r, c] = (order[c] - dim / 2 + 0.5f) * 0.1f;
        }
        var w = DenseMatrix<float>.Random(n, dim, 2);
        double Loss(DenseMatrix<float> input)
        {
            var y = ReferenceMaxK.SpGemm(a, ReferenceMaxK.DynamicReLU<byte>(input, k));
            return y.Select((v, i) => v * w.Data[i]).Sum();
        }
        using var ab = backend.Upload(a);
        using var xb = backend.Upload(x);
        using var y = backend.AllocateCbsr<float, byte>(n, dim, k);
        DynamicReLUKernels.Activate(backend.DefaultStream, xb, y);
        using var dyDense = backend.Upload(w);
        using var dy = backend.AllocateCbsr<float, byte>(n, dim, k);
        MaxKKernels.Backward(backend.DefaultStream, ab, dyDense, y, dy);
        using var dx = backend.AllocateDense<float>(n, dim);
        DynamicReLUKernels.ActivateBackward(backend.DefaultStream, y, dy, dx);
        var analytic = dx.ToHost();
        double worst = FiniteDifferences.MaxError(Loss, x, analytic);
        Assert.True(worst < 1e-3, $"largest gradient error {worst:E2}");
        Assert.Contains(analytic.Data, v => v != 0);
    }
}
