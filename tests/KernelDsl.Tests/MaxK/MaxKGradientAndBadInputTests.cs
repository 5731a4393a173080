using KernelDsl.Reference;
using KernelDsl.Runtime;
using KernelDsl.Tests.Kernels;
using KernelDsl.Tests.Support;
using Xunit;

namespace KernelDsl.Tests.MaxK;

public sealed class MaxKGradientAndBadInputTests : IDisposable
{
    private readonly ComputeBackend _native = ComputeBackend.Create(BackendKind.NativeCpu);

    /// <summary>
    /// L(x) = Σ w ⊙ (A · maxk(x)). The kernels' gradient (SSpMM then MaxK backward) must match central
    /// finite differences of L computed in float64 with the references. Row values are 0.1 apart so that
    /// a step of ±1e-3 never changes which k entries MaxK keeps.
    /// </summary>
    [Theory]
    [InlineData("ComputeBackend.Native")]
    [InlineData("ComputeBackend.IlgpuCpu")]
    public void GradientOfMaxKThenSpGemmMatchesFiniteDifferences(string which)
    {
        using var backend = which.EndsWith("Native", StringComparison.Ordinal) ? ComputeBackend.Create(BackendKind.NativeCpu) : ComputeBackend.CreateIlgpuCpu();
        const int n = 30, dim = 16, k = 4;
        var rng = new Random(5);
        var a = TestGraphs.Induced(TestGraphs.RealGraph("email-eu-core/adjacency.mtx"), n);
        var x = new DenseMatrix<float>(n, dim);
        for (int r = 0; r < n; r++)
        {
            var order = Enumerable.Range(0, dim).OrderBy(_ => rng.Next()).ToArray();
            for (int c = 0; c < dim; c++) x[r, c] = (order[c] - dim / 2) * 0.1f + (float)(rng.NextDouble() * 0.01);
        }
        var w = DenseMatrix<float>.Random(n, dim, 6);

        double Loss(DenseMatrix<float> input)
        {
            var y = ReferenceMaxK.SpGemm(a, ReferenceMaxK.MaxK<byte>(input, k));
            double sum = 0;
            for (int i = 0; i < y.Length; i++) sum += w.Data[i] * y[i];
            return sum;
        }

        // Analytic gradient through the generated kernels.
        using var ab = backend.Upload(a);
        using var xb = backend.Upload(x);
        using var kept = backend.AllocateCbsr<float, byte>(n, dim, k);
        MaxKKernels.TopK(backend.DefaultStream, xb, kept);
        using var dy = backend.Upload(w);
        using var dKept = backend.AllocateCbsr<float, byte>(n, dim, k);
        MaxKKernels.Backward(backend.DefaultStream, ab, dy, kept, dKept);
        using var dx = backend.AllocateDense<float>(n, dim);
        MaxKKernels.TopKBackward(backend.DefaultStream, dKept, dx);
        var analytic = dx.ToHost();
        double worst = FiniteDifferences.MaxError(Loss, x, analytic);
        Assert.True(worst < 1e-3, $"largest gradient error {worst:E2}");
        Assert.Contains(analytic.Data, v => v != 0);
        Assert.Equal(n * (dim - k), analytic.Data.Count(v => v == 0) - CountZeroKeptGradients(dKept.ToHost()));
    }

    private static int CountZeroKeptGradients(CbsrMatrix<float, byte> g) => g.Values.Count(v => v == 0);

    [Fact]
    public void MalformedCbsrIsRefusedAtUploadWithTheInvariant()
    {
        string Message(CbsrMatrix<float, byte> m) => Assert.Throws<ArgumentException>(() => _native.Upload(m)).Message;
        Assert.Contains("need 4", Message(new CbsrMatrix<float, byte>(2, 8, 2, new float[3], new byte[4])), StringComparison.Ordinal);
        Assert.Contains("outside [0, 8)", Message(new CbsrMatrix<float, byte>(2, 8, 2, new float[4], [0, 1, 2, 9])), StringComparison.Ordinal);
        Assert.Contains("keeps column 3 twice", Message(new CbsrMatrix<float, byte>(2, 8, 2, new float[4], [0, 1, 3, 3])), StringComparison.Ordinal);
        Assert.Contains("larger than dim", Message(new CbsrMatrix<float, byte>(1, 2, 3, new float[3], [0, 1, 2])), StringComparison.Ordinal);
        // The index type cannot hold dim's columns: dim is blamed, with the types as C# writes them.
        var tooNarrow = Assert.Throws<ArgumentException>(() => _native.AllocateCbsr<float, byte>(3, 300, 2));
        Assert.Equal("dim", tooNarrow.ParamName);
        Assert.Contains("more than byte holds (max dim 256); use ushort", tooNarrow.Message, StringComparison.Ordinal);
        Assert.Equal("k", Assert.Throws<ArgumentOutOfRangeException>(() => _native.AllocateCbsr<float, byte>(3, 16, 17)).ParamName);
        Assert.Equal("k", Assert.Throws<ArgumentOutOfRangeException>(() => _native.AllocateCbsr<float, byte>(3, 16, 0)).ParamName);
        Assert.Equal(typeof(ushort), Cbsr.IndexTypeFor(300));
        Assert.Equal(typeof(byte), Cbsr.IndexTypeFor(256));
        Assert.Equal(typeof(int), Cbsr.IndexTypeFor(70000));
        // Index types wider than int hold every dim (long's own maximum + 1 once wrapped to a negative "max dim").
        Assert.Equal(256, Cbsr.MaxDim<byte>());
        Assert.Equal((long)int.MaxValue + 1, Cbsr.MaxDim<int>());
        Assert.Equal((long)int.MaxValue + 1, Cbsr.MaxDim<long>());
        Assert.Equal((long)int.MaxValue + 1, Cbsr.MaxDim<ulong>());
        using var wide = _native.AllocateCbsr<float, long>(3, 16, 2);
        Assert.Equal(16, wide.Dim);
    }

    [Fact]
    public void MismatchedShapesAreNamedBeforeAnyLaunch()
    {
        var a = TestGraphs.Shape("uniform");
        using var ab = _native.Upload(a);
        using var x16 = _native.Upload(DenseMatrix<float>.Random(a.Rows, 16, 1));
        using var y32 = _native.AllocateCbsr<float, byte>(a.Rows, 32, 4);
        Assert.Equal("y", Assert.Throws<ArgumentException>(() => MaxKKernels.TopK(_native.DefaultStream, x16, y32)).ParamName);

        using var cbsr = _native.AllocateCbsr<float, byte>(a.ColumnCount, 16, 4);
        using var wide = _native.AllocateDense<float>(a.Rows, 17);
        var ex = Assert.Throws<ArgumentException>(() => MaxKKernels.Forward(_native.DefaultStream, ab, cbsr, wide));
        Assert.Equal("y", ex.ParamName);
        Assert.Contains("dim 16", ex.Message, StringComparison.Ordinal);

        using var y = _native.AllocateDense<float>(a.Rows, 16);
        using var wrongK = _native.AllocateCbsr<float, byte>(a.ColumnCount, 16, 5);
        Assert.Equal("dx", Assert.Throws<ArgumentException>(() => MaxKKernels.Backward(_native.DefaultStream, ab, y, cbsr, wrongK)).ParamName);
        Assert.Equal("dx", Assert.Throws<ArgumentException>(() => MaxKKernels.Backward(_native.DefaultStream, ab, y, cbsr, cbsr)).ParamName);

        using var declared = _native.AllocateCbsr<float, byte>(a.ColumnCount, 64, 4);
        using var y64 = _native.AllocateDense<float>(a.Rows, 64);
        var declaredK = Assert.Throws<ArgumentException>(() => MaxKKernels.ForwardPattern(_native.DefaultStream, ab, declared, y64));
        Assert.Equal("x", declaredK.ParamName);
        Assert.Contains("[SpGemm(K = 8)]", declaredK.Message, StringComparison.Ordinal);
        Assert.Equal("a", Assert.Throws<ArgumentNullException>(() => MaxKKernels.Forward(_native.DefaultStream, null!, cbsr, y)).ParamName);
    }

    [Fact]
    public void TransposeIsBuiltOnceAndCached()
    {
        using var a = _native.Upload(TestGraphs.Shape("power-law"));
        var first = a.Transposed();
        Assert.Same(first, a.Transposed());
        Assert.Equal(a.Nonzeros, first.Nonzeros);
    }

    public void Dispose() => _native.Dispose();
}
