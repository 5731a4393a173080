using KernelDsl.Runtime;
using KernelDsl.Tests.Support;
using Xunit;

namespace KernelDsl.Tests.Native;

/// <summary>The generated native CPU implementations against the float64 reference.</summary>
public sealed class NativeBackendTests : IDisposable
{
    private static readonly int[] Dims = [1, 3, 16, 31, 32, 33, 256];
    private readonly ComputeBackend _backend = ComputeBackend.Create(BackendKind.NativeCpu);

    public static IEnumerable<object[]> KernelsAndShapes =>
        from k in KernelCatalog.All from s in TestGraphs.ShapeNames select new object[] { k.Name, s };

    [Theory]
    [MemberData(nameof(KernelsAndShapes))]
    public void MatchesReferenceOnShapeList(string kernel, string shape)
    {
        var graph = TestGraphs.Shape(shape);
        foreach (int dim in Dims)
            KernelChecker.Check(_backend, KernelCatalog.Get(kernel), graph, dim, shape);
    }

    [Theory]
    [MemberData(nameof(TestGraphs.RealGraphFiles), MemberType = typeof(TestGraphs))]
    public void MatchesReferenceOnRealGraphWhole(string file)
    {
        var graph = TestGraphs.RealGraph(file);
        foreach (var kernel in KernelCatalog.All)
            KernelChecker.Check(_backend, kernel, graph, kernel.Name.StartsWith("Sum", StringComparison.Ordinal) ? 33 : 16, file);
    }

    [Fact]
    public void SingleThreadedAndParallelRunsAgreeBitForBit()
    {
        var graph = TestGraphs.Shape("power-law");
        var x = DenseMatrix<float>.Random(graph.ColumnCount, 40, 5);
        float[] Run(int threads)
        {
            using var backend = ComputeBackend.Create(BackendKind.NativeCpu, threads);
            using var a = backend.Upload(graph);
            using var xb = backend.Upload(x);
            using var y = backend.AllocateDense<float>(graph.Rows, 40);
            Kernels.TestKernels.SumWarpPerRow(backend.DefaultStream, a, xb, y);
            return y.ToHost().Data;
        }
        Assert.Equal(Run(1), Run(2));
    }

    public void Dispose() => _backend.Dispose();
}
