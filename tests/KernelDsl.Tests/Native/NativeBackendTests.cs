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

    /// <summary>
    /// The Vector512 and the Vector&lt;T&gt; row bodies (<see cref="KernelDsl.Native.NativeSimd.Width"/>) agree bit for bit on
    /// every declaration, at dims that reach every register tile and the scalar tail, with ±0, NaN and ±∞ among the
    /// features (Max/Min must treat them alike); the narrow body also against the reference on the whole shape list.
    /// </summary>
    [Theory]
    [MemberData(nameof(KernelCatalog.Names), MemberType = typeof(KernelCatalog))]
    public void SimdWidthsAgreeBitForBit(string kernel)
    {
        var k = KernelCatalog.Get(kernel);
        var before = KernelDsl.Native.NativeSimd.Width;
        try
        {
            if (System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated)
                Assert.Equal(KernelDsl.Native.SimdWidth.Vector512, before);
            foreach (var shape in new[] { "power-law", "one-huge-row", "empty-rows", "duplicate-edges" })
            {
                var graph = TestGraphs.Shape(shape);
                var input = k.Adjacency == Adjacency.Pattern ? graph.AsPattern() : graph;
                foreach (int dim in new[] { 3, 17, 64, 200, 256 })
                {
                    var x = DenseMatrix<float>.Random(graph.ColumnCount, dim, dim);
                    float[] specials = [0f, -0f, float.NaN, float.PositiveInfinity, float.NegativeInfinity];
                    for (long i = 0; i < x.Data.LongLength; i += 37) x.Data[i] = specials[i % specials.Length];
                    int[] Run(KernelDsl.Native.SimdWidth width)
                    {
                        KernelDsl.Native.NativeSimd.Width = width;
                        using var a = _backend.Upload(input);
                        using var xb = _backend.Upload(x);
                        using var y = _backend.AllocateDense<float>(graph.Rows, dim);
                        k.Run(_backend.DefaultStream, a, xb, y);
                        return y.ToHost().Data.Select(BitConverter.SingleToInt32Bits).ToArray();
                    }
                    Assert.True(Run(KernelDsl.Native.SimdWidth.Vector512).SequenceEqual(Run(KernelDsl.Native.SimdWidth.Vector256)), $"{kernel} on {shape}, dim {dim}");
                }
            }
            KernelDsl.Native.NativeSimd.Width = KernelDsl.Native.SimdWidth.Vector256;
            foreach (var shape in TestGraphs.ShapeNames)
                foreach (int dim in Dims)
                    KernelChecker.Check(_backend, k, TestGraphs.Shape(shape), dim, shape + " (Vector<T> body)");
        }
        finally
        {
            KernelDsl.Native.NativeSimd.Width = before;
        }
    }

    public void Dispose() => _backend.Dispose();
}
