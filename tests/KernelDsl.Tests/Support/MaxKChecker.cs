using KernelDsl.Reference;
using KernelDsl.Runtime;
using KernelDsl.Tests.Kernels;
using Xunit;

namespace KernelDsl.Tests.Support;

/// <summary>Runs the MaxK-family kernels on a backend and compares them with <see cref="ReferenceMaxK"/>.</summary>
public static class MaxKChecker
{
    /// <summary>Features with many exact ties (values on a 1/4 grid) when <paramref name="ties"/>, else uniform.</summary>
    public static DenseMatrix<float> Features(int rows, int dim, int seed, bool ties)
    {
        var x = DenseMatrix<float>.Random(rows, dim, seed);
        if (ties) for (long i = 0; i < x.Data.LongLength; i++) x.Data[i] = MathF.Round(x.Data[i] * 4) / 4;
        return x;
    }

    /// <summary>MaxK must equal the reference exactly (values and columns): selection involves no arithmetic.</summary>
    public static CbsrMatrix<float, byte> CheckMaxK(ComputeBackend backend, DenseMatrix<float> x, int k)
    {
        var expected = ReferenceMaxK.MaxK<byte>(x, k);
        using var xb = backend.Upload(x);
        using var y = backend.AllocateCbsr<float, byte>(x.Rows, x.Columns, k);
        MaxKKernels.TopK(backend.DefaultStream, xb, y);
        var actual = y.ToHost();
        Assert.Equal(expected.Indices, actual.Indices);
        Assert.Equal(expected.Values, actual.Values);
        return actual;
    }

    public static void CheckMaxKWide(ComputeBackend backend, DenseMatrix<float> x, int k)
    {
        var expected = ReferenceMaxK.MaxK<ushort>(x, k);
        using var xb = backend.Upload(x);
        using var y = backend.AllocateCbsr<float, ushort>(x.Rows, x.Columns, k);
        MaxKKernels.TopK(backend.DefaultStream, xb, y);
        var actual = y.ToHost();
        Assert.Equal(expected.Indices, actual.Indices);
        Assert.Equal(expected.Values, actual.Values);
    }

    public static void CheckMaxKBackward(ComputeBackend backend, CbsrMatrix<float, byte> gradient)
    {
        using var dy = backend.Upload(gradient);
        using var dx = backend.AllocateDense<float>(gradient.Rows, gradient.Dim);
        dx.CopyFrom(Enumerable.Repeat(float.NaN, (int)dx.Length).ToArray());
        MaxKKernels.TopKBackward(backend.DefaultStream, dy, dx);
        Assert.Equal(gradient.ToDense().Data, dx.ToHost().Data);
    }

    /// <summary>SpGEMM vs A · dense(X) in float64, error relative to Σ|terms|.</summary>
    public static void CheckSpGemm(ComputeBackend backend, CsrMatrix<float> a, CbsrMatrix<float, byte> x, string context,
        Action<ComputeStream, CsrBuffer<float>, CbsrBuffer<float, byte>, DenseBuffer<float>>? run = null, Adjacency adjacency = Adjacency.Weighted)
    {
        var input = adjacency == Adjacency.Pattern ? a.AsPattern() : a;
        var (expected, magnitude) = ReferenceSpMM.ComputeWithMagnitude(input, x.ToDense(), Reduce.Sum, adjacency);
        using var ab = backend.Upload(input);
        using var xb = backend.Upload(x);
        using var y = backend.AllocateDense<float>(a.Rows, x.Dim);
        y.CopyFrom(Enumerable.Repeat(float.NaN, (int)y.Length).ToArray());
        (run ?? MaxKKernels.Forward)(backend.DefaultStream, ab, xb, y);
        double error = Compare.MaxScaledError<float>(y.ToHost().Data, expected, magnitude);
        double tolerance = KernelChecker.FloatTolerance(a.DegreeStatistics().Max);
        Assert.True(error <= tolerance, $"SpGEMM on {context} (dim {x.Dim}, k {x.K}, {backend.Name}): error {error:E3} > {tolerance:E1}");
    }

    /// <summary>SSpMM vs the outer product over A's edges in float64; the gradient keeps x's indices.</summary>
    public static void CheckSSpMM(ComputeBackend backend, CsrMatrix<float> a, CbsrMatrix<float, byte> x, DenseMatrix<float> dy, string context,
        Adjacency adjacency = Adjacency.Weighted,
        Action<ComputeStream, CsrBuffer<float>, DenseBuffer<float>, CbsrBuffer<float, byte>, CbsrBuffer<float, byte>>? run = null)
    {
        var input = adjacency == Adjacency.Pattern ? a.AsPattern() : a;
        var (expected, magnitude) = ReferenceMaxK.SSpMMWithMagnitude(input, dy, x, adjacency);
        using var ab = backend.Upload(input);
        using var xb = backend.Upload(x);
        using var dyb = backend.Upload(dy);
        using var dx = backend.AllocateCbsr<float, byte>(x.Rows, x.Dim, x.K);
        run ??= adjacency == Adjacency.Pattern ? MaxKKernels.BackwardPattern : MaxKKernels.Backward;
        run(backend.DefaultStream, ab, dyb, xb, dx);
        var actual = dx.ToHost();
        Assert.Equal(x.Indices, actual.Indices);
        double error = Compare.MaxScaledError<float>(actual.Values, expected, magnitude);
        double tolerance = KernelChecker.FloatTolerance(a.Transpose().DegreeStatistics().Max);
        Assert.True(error <= tolerance, $"SSpMM on {context} (dim {x.Dim}, k {x.K}, {backend.Name}): error {error:E3} > {tolerance:E1}");
    }
}
