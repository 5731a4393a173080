using KernelDsl.Reference;
using KernelDsl.Runtime;
using KernelDsl.Tests.Backends;
using KernelDsl.Tests.Kernels;
using KernelDsl.Tests.Support;
using Xunit;

namespace KernelDsl.Tests.Training;

/// <summary>The generated [SpMM] backward: against Σ_i w_ij s_i dy_i in float64 on both backends, and against finite differences of the forward.</summary>
public sealed class SpMMBackwardTests(IlgpuCpuFixture fixture) : IClassFixture<IlgpuCpuFixture>
{
    private delegate void Kernel(ComputeStream s, CsrBuffer<float> a, DenseBuffer<float> x, DenseBuffer<float> y);

    private static readonly (string Name, Kernel Forward, Kernel Backward, bool Mean, bool Weighted)[] Cases =
    [
        ("SumWeighted", BackwardKernels.SumWeighted, BackwardKernels.SumWeightedBackward, false, true),
        ("MeanWeighted", BackwardKernels.MeanWeighted, BackwardKernels.MeanWeightedBackward, true, true),
        ("MeanPattern", BackwardKernels.MeanPattern, BackwardKernels.MeanPatternBackward, true, false),
        ("SumPatternAuto", BackwardKernels.SumPatternAuto, BackwardKernels.SumPatternAutoBackward, false, false),
    ];

    public static IEnumerable<object[]> CasesAndShapes =>
        from c in Cases from shape in new[] { "empty-rows", "one-huge-row", "power-law", "rectangular", "duplicate-edges" } select new object[] { c.Name, shape };

    private static double[] Expected(CsrMatrix<float> a, DenseMatrix<float> dy, bool mean, bool weighted)
    {
        var dx = new double[a.ColumnCount * dy.Columns];
        for (int i = 0; i < a.Rows; i++)
        {
            int start = a.RowOffsets[i], end = a.RowOffsets[i + 1];
            for (int e = start; e < end; e++)
            {
                double w = (weighted ? a.Values![e] : 1.0) / (mean ? end - start : 1);
                for (int c = 0; c < dy.Columns; c++) dx[a.ColumnIndices[e] * dy.Columns + c] += w * dy[i, c];
            }
        }
        return dx;
    }

    [Theory]
    [MemberData(nameof(CasesAndShapes))]
    public void BackwardMatchesTheAdjointProductOnBothBackends(string name, string shape)
    {
        var c = Cases.Single(k => k.Name == name);
        var a = TestGraphs.Weighted(TestGraphs.Shape(shape), new Random(3));
        using var native = ComputeBackend.Create(BackendKind.NativeCpu);
        foreach (var (backend, dims) in new[] { (native, new[] { 1, 7, 33 }), (fixture.Warp4, new[] { 5 }), (fixture.Warp32, new[] { 33 }) })
            foreach (int dim in dims)
            {
                var dy = DenseMatrix<float>.Random(a.Rows, dim, 11);
                using var ab = backend.Upload(a);
                using var dyb = backend.Upload(dy);
                using var dx = backend.AllocateDense<float>(a.ColumnCount, dim);
                dx.CopyFrom(Enumerable.Repeat(float.NaN, (int)dx.Length).ToArray());
                c.Backward(backend.DefaultStream, ab, dyb, dx);
                var expected = Expected(a, dy, c.Mean, c.Weighted);
                double error = Compare.MaxRelativeError<float>(dx.ToHost().Data, expected);
                Assert.True(error < KernelChecker.FloatTolerance(a.Rows), $"{name} {shape} {backend.Name} dim {dim}: error {error}");
            }
    }

    [Theory]
    [InlineData("SumWeighted")]
    [InlineData("MeanWeighted")]
    [InlineData("MeanPattern")]
    [InlineData("SumPatternAuto")]
    public void BackwardMatchesFiniteDifferencesOfTheForward(string name)
    {
        var c = Cases.Single(k => k.Name == name);
        var a = TestGraphs.Weighted(TestGraphs.Shape("power-law"), new Random(4));
        a = a.InducedSubgraph(Enumerable.Range(0, Math.Min(a.Rows, 24)).ToArray());
        using var backend = ComputeBackend.Create(BackendKind.NativeCpu);
        var x = DenseMatrix<float>.Random(a.ColumnCount, 3, 5);
        var w = DenseMatrix<float>.Random(a.Rows, 3, 6);
        using var ab = backend.Upload(a);
        using var y = backend.AllocateDense<float>(a.Rows, 3);
        double Loss(DenseMatrix<float> input)
        {
            using var xb = backend.Upload(input);
            c.Forward(backend.DefaultStream, ab, xb, y);
            return y.ToHost().Data.Select((v, i) => (double)v * w.Data[i]).Sum();
        }
        using var wb = backend.Upload(w);
        using var dx = backend.AllocateDense<float>(a.ColumnCount, 3);
        c.Backward(backend.DefaultStream, ab, wb, dx);
        Assert.True(FiniteDifferences.MaxError(Loss, x, dx.ToHost()) < 1e-3);
    }

    [Fact]
    public void BackwardRefusesMismatchedGradients()
    {
        using var backend = ComputeBackend.Create(BackendKind.NativeCpu);
        var a = TestGraphs.Weighted(TestGraphs.Shape("rectangular"), new Random(1));
        using var ab = backend.Upload(a);
        using var dy = backend.AllocateDense<float>(a.Rows + 1, 4);
        using var dx = backend.AllocateDense<float>(a.ColumnCount, 4);
        Assert.Equal("dy", Assert.Throws<ArgumentException>(() => BackwardKernels.SumWeightedBackward(backend.DefaultStream, ab, dy, dx)).ParamName);
        using var pattern = backend.Upload(a.AsPattern());
        using var dyOk = backend.AllocateDense<float>(a.Rows, 4);
        Assert.Equal("a", Assert.Throws<ArgumentException>(() => BackwardKernels.SumWeightedBackward(backend.DefaultStream, pattern, dyOk, dx)).ParamName);
    }
}
