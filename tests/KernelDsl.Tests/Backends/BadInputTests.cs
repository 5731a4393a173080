using ILGPU.Runtime.CPU;
using KernelDsl.Reference;
using KernelDsl.Runtime;
using KernelDsl.Tests.Kernels;
using KernelDsl.Tests.Support;
using Xunit;

namespace KernelDsl.Tests.Backends;

/// <summary>Bad input to a generated method: an exception naming the parameter, and nothing written.</summary>
public sealed class BadInputTests : IDisposable
{
    private readonly ComputeBackend _native = ComputeBackend.Create(BackendKind.NativeCpu);
    private readonly CsrMatrix<float> _graph = TestGraphs.Shape("uniform");

    private (CsrBuffer<float> A, DenseBuffer<float> X, DenseBuffer<float> Y) Operands(ComputeBackend backend, int dim = 4)
    {
        var y = backend.AllocateDense<float>(_graph.Rows, dim);
        y.CopyFrom(Enumerable.Repeat(42f, (int)y.Length).ToArray());
        return (backend.Upload(_graph), backend.Upload(DenseMatrix<float>.Random(_graph.ColumnCount, dim, 2)), y);
    }

    private static void AssertUntouched(DenseBuffer<float> y) => Assert.All(y.ToHost().Data, v => Assert.Equal(42f, v));

    [Fact]
    public void NullOperandsAreNamed()
    {
        var (a, x, y) = Operands(_native);
        Assert.Equal("stream", Assert.Throws<ArgumentNullException>(() => TestKernels.SumWarpPerRow(null!, a, x, y)).ParamName);
        Assert.Equal("a", Assert.Throws<ArgumentNullException>(() => TestKernels.SumWarpPerRow(_native.DefaultStream, null!, x, y)).ParamName);
        Assert.Equal("x", Assert.Throws<ArgumentNullException>(() => TestKernels.SumWarpPerRow(_native.DefaultStream, a, null!, y)).ParamName);
        Assert.Equal("y", Assert.Throws<ArgumentNullException>(() => TestKernels.SumWarpPerRow(_native.DefaultStream, a, x, null!)).ParamName);
        AssertUntouched(y);
    }

    [Fact]
    public void DisposedBuffersAreNamed()
    {
        var (a, x, y) = Operands(_native);
        x.Dispose();
        var ex = Assert.Throws<ObjectDisposedException>(() => TestKernels.SumWarpPerRow(_native.DefaultStream, a, x, y));
        Assert.Contains("x has been disposed", ex.Message, StringComparison.Ordinal);
        AssertUntouched(y);
    }

    [Fact]
    public void MismatchedShapesAreNamedWithTheFix()
    {
        var (a, x, y) = Operands(_native);
        using var wrongWidth = _native.AllocateDense<float>(_graph.Rows, 5);
        var ex = Assert.Throws<ArgumentException>(() => TestKernels.SumWarpPerRow(_native.DefaultStream, a, x, wrongWidth));
        Assert.Equal("y", ex.ParamName);
        Assert.Contains("as wide as the features", ex.Message, StringComparison.Ordinal);
        using var wrongRows = _native.Upload(DenseMatrix<float>.Random(_graph.ColumnCount + 1, 4, 3));
        Assert.Equal("x", Assert.Throws<ArgumentException>(() => TestKernels.SumWarpPerRow(_native.DefaultStream, a, wrongRows, y)).ParamName);
        AssertUntouched(y);
    }

    [Fact]
    public void OutputAliasingInputIsRefused()
    {
        var square = TestGraphs.Shape("uniform");
        using var a = _native.Upload(square);
        using var x = _native.Upload(DenseMatrix<float>.Random(square.Rows, 4, 1));
        var ex = Assert.Throws<ArgumentException>(() => TestKernels.SumWarpPerRow(_native.DefaultStream, a, x, x));
        Assert.Equal("y", ex.ParamName);
    }

    [Fact]
    public void PatternMatrixForAWeightedDeclarationIsRefused()
    {
        using var a = _native.Upload(_graph.AsPattern());
        var (_, x, y) = Operands(_native);
        var ex = Assert.Throws<ArgumentException>(() => TestKernels.SumWarpPerRow(_native.DefaultStream, a, x, y));
        Assert.Equal("a", ex.ParamName);
        Assert.Contains("Adjacency.Pattern", ex.Message, StringComparison.Ordinal);
        AssertUntouched(y);
    }

    [Fact]
    public void BuffersFromAnotherBackendAreRefused()
    {
        using var other = ComputeBackend.Create(BackendKind.NativeCpu);
        var (a, x, y) = Operands(_native);
        using var foreign = other.Upload(DenseMatrix<float>.Random(_graph.ColumnCount, 4, 1));
        var ex = Assert.Throws<ArgumentException>(() => TestKernels.SumWarpPerRow(_native.DefaultStream, a, foreign, y));
        Assert.Equal("x", ex.ParamName);
        // Both are "NativeCpu (n threads)": the message must say which backend objects differ.
        Assert.Contains($"x belongs to backend #{other.Instance} but the stream to backend #{_native.Instance}", ex.Message, StringComparison.Ordinal);
        Assert.NotEqual(other.Instance, _native.Instance);
        AssertUntouched(y);
    }

    [Fact]
    public void InvalidCsrIsRefusedAtUpload()
    {
        var broken = new CsrMatrix<float>(2, 2, [0, 1, 2], [0, 7], [1f, 1f]);
        var ex = Assert.Throws<CsrFormatException>(() => _native.Upload(broken));
        Assert.Equal("matrix", ex.ParamName);
        Assert.Contains("ColumnIndices[1] = 7", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ViewFormMatchesReferenceAndRefusesViewsFromAnotherAccelerator()
    {
        using var first = ComputeBackend.CreateIlgpuCpu(CPUDevice.Default);
        using var second = ComputeBackend.CreateIlgpuCpu(CPUDevice.Default);
        var x = DenseMatrix<float>.Random(_graph.ColumnCount, 9, 4);
        using var a = first.Upload(_graph);
        using var xb = first.Upload(x);
        using var y = first.AllocateDense<float>(_graph.Rows, 9);
        TestKernels.SumWarpPerRowViews(first.Accelerator!.DefaultStream, a.View, xb.View, y.View);
        var (expected, magnitude) = ReferenceSpMM.ComputeWithMagnitude(_graph, x, Reduce.Sum);
        Assert.True(Compare.MaxScaledError<float>(y.ToHost().Data, expected, magnitude) < 1e-5);

        using var foreign = second.Upload(x);
        var ex = Assert.Throws<ArgumentException>(() => TestKernels.SumWarpPerRowViews(first.Accelerator!.DefaultStream, a.View, foreign.View, y.View));
        Assert.Equal("x", ex.ParamName);
        Assert.Contains("stream is on", ex.Message, StringComparison.Ordinal);
        using var wrong = first.AllocateDense<float>(_graph.Rows + 1, 9);
        Assert.Equal("y", Assert.Throws<ArgumentException>(() => TestKernels.SumWarpPerRowViews(first.Accelerator!.DefaultStream, a.View, xb.View, wrong.View)).ParamName);
        Assert.Equal("stream", Assert.Throws<ArgumentNullException>(() => TestKernels.SumWarpPerRowViews(null!, a.View, xb.View, y.View)).ParamName);
    }

    [Fact]
    public void DisposedBackendIsRefused()
    {
        var backend = ComputeBackend.Create(BackendKind.NativeCpu);
        var (a, x, y) = Operands(backend);
        backend.Dispose();
        Assert.Equal("stream", Assert.Throws<ObjectDisposedException>(() => TestKernels.SumWarpPerRow(backend.DefaultStream, a, x, y)).ObjectName);
    }

    public void Dispose() => _native.Dispose();
}
