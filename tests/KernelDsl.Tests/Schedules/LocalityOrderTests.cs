using KernelDsl.Gnn;
using KernelDsl.Graphs;
using KernelDsl.Reference;
using KernelDsl.Runtime;
using KernelDsl.Tests.Support;
using Xunit;

namespace KernelDsl.Tests.Schedules;

/// <summary>
/// The reverse Cuthill–McKee order (<see cref="LocalityOrder"/>): a permutation whose inverse round-trips; P·A·Pᵀ holds
/// exactly A's entries under the new ids; every generated SpMM (all reduces, messages, pattern and weighted, every
/// schedule) on the reordered graph and features, its rows mapped back, equals the float64 reference on the original
/// graph (shape list × dims, every real graph whole); the order finds a hidden path's locality; another graph is refused.
/// </summary>
public sealed class LocalityOrderTests : IDisposable
{
    private static readonly int[] Dims = [1, 3, 16, 31, 32, 33, 256];

    private readonly ComputeBackend _backend = ComputeBackend.Create(BackendKind.NativeCpu);

    public static IEnumerable<object[]> KernelsAndShapes =>
        from k in KernelCatalog.All from s in TestGraphs.ShapeNames.Where(s => s != "rectangular") select new object[] { k.Name, s };

    [Theory]
    [MemberData(nameof(KernelsAndShapes))]
    public void EveryKernelOnTheReorderedGraphEqualsTheReferenceOnTheOriginal(string kernelName, string shape)
    {
        var kernel = KernelCatalog.Get(kernelName);
        var graph = TestGraphs.Shape(shape);
        var order = LocalityOrder.ReverseCuthillMcKee(graph);
        var reordered = order.Apply(graph);
        foreach (int dim in Dims) Check(kernel, graph, order, reordered, dim, $"{shape}, reordered");
    }

    [Theory]
    [MemberData(nameof(TestGraphs.RealGraphFiles), MemberType = typeof(TestGraphs))]
    public void RealGraphsWholeReorderedEqualTheReference(string file)
    {
        var graph = TestGraphs.RealGraph(file);
        if (graph.Rows != graph.ColumnCount) return; // a node order renumbers the nodes of a square adjacency
        var order = LocalityOrder.ReverseCuthillMcKee(graph);
        var reordered = order.Apply(graph);
        AssertSameEntries(graph, reordered, order);
        Check(KernelCatalog.Get("SumAuto"), graph, order, reordered, 16, file);
        Check(KernelCatalog.Get("MaxRowPerThread"), graph, order, reordered, 3, file);
    }

    [Theory]
    [MemberData(nameof(TestGraphs.Shapes), MemberType = typeof(TestGraphs))]
    public void ThePermutationIsABijectionAndItsInverseRoundTrips(string shape)
    {
        var graph = TestGraphs.Shape(shape);
        if (graph.Rows != graph.ColumnCount)
        {
            Assert.Throws<ArgumentException>("graph", () => LocalityOrder.ReverseCuthillMcKee(graph));
            return;
        }
        var order = LocalityOrder.ReverseCuthillMcKee(graph);
        Assert.Equal(graph.Rows, order.Count);
        Assert.Equal(Enumerable.Range(0, graph.Rows), order.NewToOld.Order());
        for (int i = 0; i < order.Count; i++) Assert.Equal(i, order.OldToNew[order.NewToOld[i]]);
        var rows = Enumerable.Range(0, graph.Rows * 3).Select(v => (float)v).ToArray();
        var permuted = order.PermuteRows<float>(rows, 3);
        for (int i = 0; i < order.Count; i++) Assert.Equal(rows.AsSpan(order.NewToOld[i] * 3, 3).ToArray(), permuted.AsSpan(i * 3, 3).ToArray());
        Assert.Equal(rows, order.RestoreRows<float>(permuted, 3));
        Assert.Equal(order.MapIds(Enumerable.Range(0, graph.Rows).ToArray()), order.OldToNew);
        AssertSameEntries(graph, order.Apply(graph), order);
        Assert.Equal(order.NewToOld, LocalityOrder.ReverseCuthillMcKee(graph).NewToOld); // deterministic
    }

    [Fact]
    public void AShuffledPathGetsItsBandwidthBack()
    {
        // A path 0-1-2-...-n-1 under shuffled ids: bandwidth near n; RCM walks it end to end, so bandwidth 1.
        const int n = 500;
        var ids = Enumerable.Range(0, n).OrderBy(i => (i * 7919) % n).ToArray();
        var rows = new List<int>();
        var cols = new List<int>();
        for (int i = 0; i + 1 < n; i++)
        {
            rows.Add(ids[i]); cols.Add(ids[i + 1]);
            rows.Add(ids[i + 1]); cols.Add(ids[i]);
        }
        var path = CsrMatrix<float>.FromCoo(n, n, rows.ToArray(), cols.ToArray(), Enumerable.Repeat(1f, rows.Count).ToArray());
        Assert.True(LocalityOrder.Bandwidth(path) > n / 4);
        var order = LocalityOrder.ReverseCuthillMcKee(path);
        Assert.Equal(1, LocalityOrder.Bandwidth(order.Apply(path)));
        // A directed path (each edge stored once) is walked both ways: the same result.
        var oneWay = CsrMatrix<float>.FromCoo(n, n, rows.Where((_, e) => e % 2 == 0).ToArray(), cols.Where((_, e) => e % 2 == 0).ToArray(), Enumerable.Repeat(1f, n - 1).ToArray());
        Assert.Equal(1, LocalityOrder.Bandwidth(LocalityOrder.ReverseCuthillMcKee(oneWay).Apply(oneWay)));
    }

    [Fact]
    public void TheOrderStartsAtTheLeastDegreeVisitsByDegreeAndIsReversed()
    {
        // The path 2-0-3-1: the walk starts at 1 (degree 1, the lower of the two ends) and goes 1, 3, 0, 2; reversed.
        var path = Symmetric(4, (2, 0), (0, 3), (3, 1));
        Assert.Equal([2, 0, 3, 1], LocalityOrder.ReverseCuthillMcKee(path).NewToOld);
        // A star with centre 0 and a tail 3-4: start 1 (degree 1, lowest id), then 0, whose neighbours 2 (degree 1) and
        // 3 (degree 2) go by degree, then 4; reversed. Node 5 is alone: its own component, placed first of all (degree 0).
        var star = Symmetric(6, (0, 1), (0, 2), (0, 3), (3, 4));
        Assert.Equal([4, 3, 2, 0, 1, 5], LocalityOrder.ReverseCuthillMcKee(star).NewToOld);
    }

    private static CsrMatrix<float> Symmetric(int n, params (int, int)[] edges) =>
        CsrMatrix<float>.FromCoo(n, n, edges.SelectMany(e => new[] { e.Item1, e.Item2 }).ToArray(), edges.SelectMany(e => new[] { e.Item2, e.Item1 }).ToArray(),
            Enumerable.Repeat(1f, edges.Length * 2).ToArray());

    [Fact]
    public void AutoReordersWhereTheOrderPutsManyMoreEdgesNearTheirRow()
    {
        const int n = 20_000;
        var inOrder = Path(Enumerable.Range(0, n).ToArray());
        var shuffled = Path(Enumerable.Range(0, n).OrderBy(i => (i * 7919L) % n).ToArray());
        Assert.Null(LocalityOrder.Auto(inOrder)); // every edge already within the window: nothing to gain
        var order = LocalityOrder.Auto(shuffled);
        Assert.NotNull(order);
        Assert.True(LocalityOrder.NearShare(shuffled, LocalityOrder.AutoWindow) < 0.5);
        Assert.Equal(1.0, LocalityOrder.NearShare(order!.Apply(shuffled), LocalityOrder.AutoWindow));
        Assert.Null(LocalityOrder.Auto(new CsrMatrix<float>(0, 0, [0], [], [])));
        // The shared graphs as the locality suite measured them: ca-AstroPh gained (1.2-1.4x), soc-brightkite did not.
        Assert.NotNull(LocalityOrder.Auto(GnnModel.GcnAdjacency(TestGraphs.RealGraph("ca-AstroPh/adjacency.mtx"))));
        Assert.Null(LocalityOrder.Auto(GnnModel.GcnAdjacency(TestGraphs.RealGraph("soc-brightkite/adjacency.mtx"))));
    }

    /// <summary>An undirected path visiting <paramref name="ids"/> in turn.</summary>
    private static CsrMatrix<float> Path(int[] ids) =>
        Symmetric(ids.Length, Enumerable.Range(0, ids.Length - 1).Select(i => (ids[i], ids[i + 1])).ToArray());

    [Fact]
    public void AnOrderIsRefusedForAnotherGraphOrAnotherSize()
    {
        var graph = TestGraphs.Shape("power-law");
        var order = LocalityOrder.ReverseCuthillMcKee(graph);
        var other = TestGraphs.Shape("uniform");
        var sameSizeOtherEdges = CsrMatrix<float>.FromCoo(graph.Rows, graph.Rows, [0], [graph.Rows - 1], [1f]);
        Assert.Contains("built for another graph", Assert.Throws<ArgumentException>("graph", () => order.Apply(other)).Message);
        Assert.Throws<ArgumentException>("graph", () => order.Apply(sameSizeOtherEdges));
        Assert.Throws<ArgumentException>("rows", () => order.PermuteRows<float>(new float[(graph.Rows + 1) * 2], 2));
        Assert.Throws<ArgumentException>("rows", () => order.PermuteRows(other.Rows == graph.Rows ? TestGraphs.Shape("rectangular") : other));
        Assert.Throws<ArgumentOutOfRangeException>("originalIds", () => order.MapIds([graph.Rows]));
        Assert.Throws<ArgumentOutOfRangeException>("width", () => order.RestoreRows<float>(new float[graph.Rows], 0));
        var bad = new CsrMatrix<float>(2, 2, [0, 1, 1], [5], [1f]);
        Assert.Throws<ArgumentException>("graph", () => LocalityOrder.ReverseCuthillMcKee(bad));
    }

    [Fact]
    public void AReorderedDatasetHoldsTheSameNodesUnderNewIds()
    {
        var data = NodeDataset.StochasticBlockModel(nodes: 600, classes: 4, degree: 6, seed: 2);
        var order = LocalityOrder.ReverseCuthillMcKee(data.Adjacency);
        var reordered = data.Reordered(order);
        for (int i = 0; i < data.Nodes; i++)
        {
            int j = order.OldToNew[i];
            Assert.Equal(data.Labels[i], reordered.Labels[j]);
            Assert.Equal(Row(data.Features, i), Row(reordered.Features, j));
        }
        Assert.Equal(data.Train.Select(i => order.OldToNew[i]), reordered.Train);
        Assert.Equal(data.Validation.Select(i => order.OldToNew[i]), reordered.Validation);
        Assert.Equal(data.Test.Select(i => order.OldToNew[i]), reordered.Test);
        AssertSameEntries(data.Adjacency, reordered.Adjacency, order);
        Assert.Throws<ArgumentException>("graph", () => reordered.Reordered(order)); // built for the original adjacency
    }

    /// <summary>The kernel on (P·A·Pᵀ, P·X), rows mapped back, against the float64 reference on (A, X).</summary>
    private void Check(KernelCase kernel, CsrMatrix<float> graph, LocalityOrder order, CsrMatrix<float> reordered, int dim, string context)
    {
        var input = kernel.Adjacency == Adjacency.Pattern ? graph.AsPattern() : graph;
        var x = DenseMatrix<float>.Random(graph.ColumnCount, dim, seed: dim * 31 + graph.Nonzeros);
        var (expected, magnitude) = ReferenceSpMM.ComputeWithMagnitude(input, x, kernel.Reduce, kernel.Adjacency, kernel.Message);
        using var a = _backend.Upload(kernel.Adjacency == Adjacency.Pattern ? reordered.AsPattern() : reordered);
        using var xb = _backend.Upload(new DenseMatrix<float>(x.Rows, dim, order.PermuteRows<float>(x.Data, dim)));
        using var yb = _backend.AllocateDense<float>(graph.Rows, dim);
        yb.CopyFrom(Enumerable.Repeat(float.NaN, (int)yb.Length).ToArray());
        kernel.Run(_backend.DefaultStream, a, xb, yb);
        if (graph.Rows == 0) return;
        var actual = order.RestoreRows<float>(yb.ToHost().Data, dim);
        double error = Compare.MaxScaledError<float>(actual, expected, magnitude);
        double tolerance = KernelChecker.FloatTolerance(graph.DegreeStatistics().Max);
        Assert.True(error <= tolerance, $"{kernel.Name} on {context} (dim {dim}): max error {error:E3} > {tolerance:E1}");
    }

    /// <summary>Entry (i, j) of A is entry (OldToNew[i], OldToNew[j]) of the reordered matrix, value for value, and nothing else is stored.</summary>
    private static void AssertSameEntries(CsrMatrix<float> a, CsrMatrix<float> reordered, LocalityOrder order)
    {
        Assert.Equal(a.Nonzeros, reordered.Nonzeros);
        var expected = new List<(int, int, float)>();
        for (int i = 0; i < a.Rows; i++)
            for (int e = a.RowOffsets[i]; e < a.RowOffsets[i + 1]; e++)
                expected.Add((order.OldToNew[i], order.OldToNew[a.ColumnIndices[e]], a.Values?[e] ?? 1f));
        var actual = new List<(int, int, float)>();
        for (int i = 0; i < reordered.Rows; i++)
            for (int e = reordered.RowOffsets[i]; e < reordered.RowOffsets[i + 1]; e++)
            {
                if (e > reordered.RowOffsets[i]) Assert.True(reordered.ColumnIndices[e - 1] <= reordered.ColumnIndices[e], $"row {i}: columns not sorted");
                actual.Add((i, reordered.ColumnIndices[e], reordered.Values?[e] ?? 1f));
            }
        Assert.Equal(expected.Order(), actual.Order());
    }

    private static (int, float)[] Row(CsrMatrix<float> m, int row) =>
        Enumerable.Range(m.RowOffsets[row], m.RowOffsets[row + 1] - m.RowOffsets[row]).Select(e => (m.ColumnIndices[e], m.Values?[e] ?? 1f)).ToArray();

    public void Dispose() => _backend.Dispose();
}
