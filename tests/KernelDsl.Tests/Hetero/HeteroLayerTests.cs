using KernelDsl.Graphs;
using KernelDsl.Hetero;
using KernelDsl.IO;
using KernelDsl.Reference;
using KernelDsl.Runtime;
using KernelDsl.Tests.Backends;
using KernelDsl.Tests.Kernels;
using KernelDsl.Tests.Support;
using Xunit;

namespace KernelDsl.Tests.Hetero;

/// <summary>
/// The generated heterogeneous layers: forward and backward against the float64 reference, the
/// concurrent launcher against the serial one (same numbers, no race), on the ISCAS circuits, generated
/// circuits and the CircuitNet designs; gradients by finite differences; bad input refused before any launch.
/// </summary>
public sealed class HeteroLayerTests(IlgpuCpuFixture fixture) : IClassFixture<IlgpuCpuFixture>
{
    public static IEnumerable<object[]> IscasCircuits => new[] { "iscas85", "iscas89" }
        .SelectMany(d => Directory.EnumerateFiles(Path.Combine(RepoPaths.Data, d), "*.bench"))
        .Select(f => Path.GetRelativePath(RepoPaths.Data, f)).Order(StringComparer.Ordinal).Select(f => new object[] { f });

    private delegate HeteroLayer Declare(HeteroExecution execution, CsrMatrix<float> drives, CsrMatrix<float> feeds, CsrMatrix<float> near);

    private static readonly (string Name, Declare Create, int K, HeteroCombine Combine)[] ThreeRelationLayers =
    [
        ("CircuitConv", CircuitLayers.CircuitConv, 8, HeteroCombine.Sum),
        ("CircuitConvMean", CircuitLayers.CircuitConvMean, 3, HeteroCombine.Mean),
    ];

    private static HeteroReference ReferenceFor(HeteroGraph g, string[] names, int k, HeteroCombine combine) =>
        new(k, combine, names.Select(n => (g[n].Source, g[n].Destination, g[n].Adjacency)).ToArray());

    /// <summary>Forward + backward in both modes; asserts they agree (bitwise when <paramref name="exact"/>) and match the reference.</summary>
    private static void CheckLayer(HeteroLayer layer, HeteroReference reference, int seed, bool exact, int repeats = 1, string context = "")
    {
        var x = HeteroRunner.Features(layer, layer.SourceTypes, seed);
        var dy = HeteroRunner.Features(layer, layer.DestinationTypes, seed + 1000);
        layer.Execution.Mode = LaunchMode.Serial;
        var serial = HeteroRunner.Run(layer, x, dy);

        var expectedY = reference.Forward(x);
        var expectedDx = reference.Backward(dy);
        foreach (var (type, values) in serial.Y)
            Assert.True(Compare.MaxRelativeError<float>(values, expectedY[type]) < 1e-4, $"{context} forward {type}: error {Compare.MaxRelativeError<float>(values, expectedY[type])}");
        foreach (var (type, values) in serial.Dx)
            Assert.True(Compare.MaxRelativeError<float>(values, expectedDx[type]) < 1e-4, $"{context} backward {type}: error {Compare.MaxRelativeError<float>(values, expectedDx[type])}");

        layer.Execution.Mode = LaunchMode.Concurrent;
        for (int repeat = 0; repeat < repeats; repeat++)
        {
            var concurrent = HeteroRunner.Run(layer, x, dy);
            foreach (var (type, values) in serial.Y) Agree(values, concurrent.Y[type], exact, $"{context} repeat {repeat}: forward {type}");
            foreach (var (type, values) in serial.Dx) Agree(values, concurrent.Dx[type], exact, $"{context} repeat {repeat}: backward {type}");
        }
    }

    private static void Agree(float[] serial, float[] concurrent, bool exact, string context)
    {
        if (exact) Assert.True(serial.AsSpan().SequenceEqual(concurrent), $"{context}: concurrent differs from serial");
        else Assert.True(Compare.MaxRelativeError<float>(concurrent, serial.Select(v => (double)v).ToArray()) < 1e-5, $"{context}: concurrent differs from serial");
    }

    [Theory]
    [MemberData(nameof(IscasCircuits))]
    public void NativeLayersMatchTheReferenceAndConcurrentEqualsSerialOnEveryIscasCircuit(string file)
    {
        var g = CircuitGraph.FromBench(BenchNetlist.Read(Path.Combine(RepoPaths.Data, file)));
        using var backend = ComputeBackend.Create(BackendKind.NativeCpu, parallelism: 1); // items of a wave at once (OverlapsItems)
        using var execution = new HeteroExecution(backend, streams: 4);
        foreach (var (name, create, k, combine) in ThreeRelationLayers)
        {
            using var layer = create(execution, g["drives"].Adjacency, g["feeds"].Adjacency, g["near"].Adjacency);
            CheckLayer(layer, ReferenceFor(g, ["drives", "feeds", "near"], k, combine), seed: 3, exact: true, repeats: 3, context: $"{file} {name}");
        }
        using var cellNet = CircuitLayers.CellNet(execution, g["drives"].Adjacency, g["feeds"].Adjacency);
        CheckLayer(cellNet, ReferenceFor(g, ["drives", "feeds"], 5, HeteroCombine.None), seed: 4, exact: true, context: $"{file} CellNet");
    }

    [Fact]
    public void ConcurrentEqualsSerialOnAGenerated100kCellCircuitFiftyTimes()
    {
        var g = CircuitGraph.FromBench(CircuitGenerator.RandomNetlist(100_000, seed: 7));
        Assert.Equal(100_000, g.NodeTypes["cell"]);
        // One thread per kernel, so that on a machine of two cores or more the items of a wave really run at once.
        using var backend = ComputeBackend.Create(BackendKind.NativeCpu, parallelism: 1);
        using var execution = new HeteroExecution(backend, streams: 3);
        Assert.Equal(Environment.ProcessorCount >= 2, execution.OverlapsItems);
        using var layer = CircuitLayers.CircuitConv(execution, g["drives"].Adjacency, g["feeds"].Adjacency, g["near"].Adjacency);
        CheckLayer(layer, ReferenceFor(g, ["drives", "feeds", "near"], 8, HeteroCombine.Sum), seed: 5, exact: true, repeats: 50, context: "100k cells");
    }

    /// <summary>
    /// Natively a concurrent wave overlaps its items only where the kernels leave cores idle: with every core inside each
    /// kernel the items run in order on the calling thread; with one thread per kernel and two cores or more, two items
    /// meet at a barrier (they run at once); on an accelerator the streams always overlap.
    /// </summary>
    [Fact]
    public void ConcurrentWavesOverlapOnlyWhereCoresAreIdle()
    {
        using (var busy = ComputeBackend.Create(BackendKind.NativeCpu, parallelism: Math.Max(1, Environment.ProcessorCount)))
        using (var execution = new HeteroExecution(busy, streams: 3))
        {
            Assert.False(execution.OverlapsItems);
            int caller = Environment.CurrentManagedThreadId;
            var order = new List<(int Item, int Thread)>();
            execution.Wave(3, s => order.Add((0, Environment.CurrentManagedThreadId)), s => order.Add((1, Environment.CurrentManagedThreadId)),
                s => order.Add((2, Environment.CurrentManagedThreadId)));
            Assert.Equal([(0, caller), (1, caller), (2, caller)], order);
        }
        using (var single = ComputeBackend.Create(BackendKind.NativeCpu, parallelism: 1))
        using (var execution = new HeteroExecution(single, streams: 3))
        {
            Assert.Equal(Environment.ProcessorCount >= 2, execution.OverlapsItems);
            if (execution.OverlapsItems)
            {
                using var meet = new Barrier(2);
                bool[] met = new bool[2];
                execution.Wave(2, s => met[0] = meet.SignalAndWait(TimeSpan.FromSeconds(30)), s => met[1] = meet.SignalAndWait(TimeSpan.FromSeconds(30)));
                Assert.True(met[0] && met[1], "the two items of a concurrent wave did not run at once");
            }
        }
        using (var device = new HeteroExecution(fixture.Get(4), streams: 2)) Assert.True(device.OverlapsItems);
    }

    [Theory]
    [InlineData("zero-riscy-b-1-c2")]
    [InlineData("RISCY-b-1-c2")]
    public void NativeLayerMatchesTheReferenceOnTheCircuitNetDesigns(string design)
    {
        var (g, _, _) = CircuitNetDesign.Read(Path.Combine(RepoPaths.Data, "circuitnet", design));
        using var backend = ComputeBackend.Create(BackendKind.NativeCpu);
        using var execution = new HeteroExecution(backend, streams: 3);
        using var layer = CircuitLayers.CircuitConv64(execution, g["pins"].Adjacency, g["pinned"].Adjacency, g["near"].Adjacency);
        CheckLayer(layer, ReferenceFor(g, ["pins", "pinned", "near"], 16, HeteroCombine.Sum), seed: 6, exact: true, repeats: 5, context: design);
    }

    [Theory]
    [InlineData(4)]
    [InlineData(32)]
    public void IlgpuKernelsMatchTheReferenceAndConcurrentAgreesWithSerialOnSmallCircuits(int warp)
    {
        var backend = fixture.Get(warp);
        using var execution = new HeteroExecution(backend, streams: 3);
        var circuits = new[]
        {
            ("c17", CircuitGraph.FromBench(BenchNetlist.Read(Path.Combine(RepoPaths.Data, "iscas85", "c17.bench")))),
            ("random 120", CircuitGraph.FromBench(CircuitGenerator.RandomNetlist(120, seed: 2))),
        };
        foreach (var (circuit, g) in circuits)
            foreach (var (name, create, k, combine) in ThreeRelationLayers)
            {
                using var layer = create(execution, g["drives"].Adjacency, g["feeds"].Adjacency, g["near"].Adjacency);
                // The SSpMM (outer product) accumulates with atomics on ILGPU: the order of additions may differ, not the value beyond rounding.
                CheckLayer(layer, ReferenceFor(g, ["drives", "feeds", "near"], k, combine), seed: 8, exact: false, repeats: 3, context: $"warp {warp} {circuit} {name}");
            }
    }

    /// <summary>Features whose entries sit ≥ 0.04 from zero and ≥ 0.08 from each other, so a finite-difference step never changes what Dynamic-ReLU keeps.</summary>
    private static DenseMatrix<float> Separated(int rows, int dim, int seed)
    {
        var rng = new Random(seed);
        var m = new DenseMatrix<float>(rows, dim);
        for (int r = 0; r < rows; r++)
        {
            var order = Enumerable.Range(0, dim).OrderBy(_ => rng.Next()).ToArray();
            for (int c = 0; c < dim; c++) m[r, c] = (order[c] - dim / 2) * 0.1f + 0.05f + (float)rng.NextDouble() * 0.01f;
        }
        return m;
    }

    [Theory]
    [InlineData("CircuitConvMean")]
    [InlineData("CellNet")]
    public void GradientsMatchFiniteDifferences(string which)
    {
        var g = CircuitGraph.FromBench(CircuitGenerator.RandomNetlist(24, seed: 3));
        using var backend = ComputeBackend.Create(BackendKind.NativeCpu);
        using var execution = new HeteroExecution(backend, streams: 2);
        using HeteroLayer layer = which == "CellNet"
            ? CircuitLayers.CellNet(execution, g["drives"].Adjacency, g["feeds"].Adjacency)
            : CircuitLayers.CircuitConvMean(execution, g["drives"].Adjacency, g["feeds"].Adjacency, g["near"].Adjacency);
        var x = layer.SourceTypes.Select((t, i) => (t, i)).ToDictionary(p => p.t, p => Separated(layer.NodeCount(p.t), layer.Dim, 10 + p.i));
        var w = HeteroRunner.Features(layer, layer.DestinationTypes, 20);
        double Loss(Dictionary<string, DenseMatrix<float>> input)
        {
            var (y, _) = HeteroRunner.Run(layer, input, w);
            return y.Sum(p => p.Value.Select((v, i) => (double)v * w[p.Key].Data[i]).Sum());
        }
        var (_, dx) = HeteroRunner.Run(layer, x, w);
        foreach (var type in layer.SourceTypes)
        {
            var analytic = new DenseMatrix<float>(layer.NodeCount(type), layer.Dim, dx[type]);
            double error = FiniteDifferences.MaxError(xt => Loss(new Dictionary<string, DenseMatrix<float>>(x) { [type] = xt }), x[type], analytic);
            Assert.True(error < 2e-3, $"{which} {type}: finite-difference error {error}");
        }
    }

    [Fact]
    public void RelationsWhoseSizesDisagreeWithTheirNodeTypesAreRefusedBeforeAnyLaunch()
    {
        var g = CircuitGraph.FromBench(CircuitGenerator.RandomNetlist(50, seed: 1));
        using var backend = ComputeBackend.Create(BackendKind.NativeCpu);
        using var execution = new HeteroExecution(backend);
        var small = g["near"].Adjacency.InducedSubgraph(Enumerable.Range(0, 40).ToArray());
        var ex = Assert.Throws<ArgumentException>(() => CircuitLayers.CircuitConv(execution, g["drives"].Adjacency, g["feeds"].Adjacency, small));
        Assert.Equal("near", ex.ParamName);
        Assert.Contains("node type 'cell' has 50 nodes", ex.Message, StringComparison.Ordinal);

        var swapped = Assert.Throws<ArgumentException>(() => CircuitLayers.CircuitConv(execution, g["feeds"].Adjacency, g["drives"].Adjacency, g["near"].Adjacency));
        // drives and feeds swapped: the counts they imply contradict each other, caught at the first relation that disagrees.
        Assert.Equal("near", swapped.ParamName);
        Assert.Throws<ArgumentNullException>("near", () => CircuitLayers.CircuitConv(execution, g["drives"].Adjacency, g["feeds"].Adjacency, null!));

        // A relation of the right size whose columns point outside it: refused at preparation, naming the relation.
        var near = g["near"].Adjacency;
        var broken = new CsrMatrix<float>(near.Rows, near.ColumnCount, near.RowOffsets, near.ColumnIndices.Select(c => c + near.ColumnCount).ToArray(), near.Values);
        var invalid = Assert.Throws<ArgumentException>(() => CircuitLayers.CircuitConv(execution, g["drives"].Adjacency, g["feeds"].Adjacency, broken));
        Assert.Equal("near", invalid.ParamName);
        Assert.Contains("relation 'near' is not a valid CSR matrix", invalid.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentNullException>("execution", () => CircuitLayers.CircuitConv(null!, g["drives"].Adjacency, g["feeds"].Adjacency, g["near"].Adjacency));
    }

    [Fact]
    public void ForwardAndBackwardRefuseMissingOrMisshapenBuffers()
    {
        var g = CircuitGraph.FromBench(CircuitGenerator.RandomNetlist(30, seed: 1));
        using var backend = ComputeBackend.Create(BackendKind.NativeCpu);
        using var execution = new HeteroExecution(backend);
        using var layer = CircuitLayers.CircuitConv(execution, g["drives"].Adjacency, g["feeds"].Adjacency, g["near"].Adjacency);
        int cells = layer.NodeCount("cell"), nets = layer.NodeCount("net");
        using var xc = backend.AllocateDense<float>(cells, 32);
        using var xn = backend.AllocateDense<float>(nets, 32);
        using var yc = backend.AllocateDense<float>(cells, 32);
        using var yn = backend.AllocateDense<float>(nets, 32);
        using var narrow = backend.AllocateDense<float>(nets, 31);

        var missing = Assert.Throws<ArgumentException>(() => layer.Forward(new HeteroFeatures { { "cell", xc } }, new HeteroFeatures { { "cell", yc }, { "net", yn } }));
        Assert.Equal("x", missing.ParamName);
        Assert.Contains("'net'", missing.Message, StringComparison.Ordinal);
        var shape = Assert.Throws<ArgumentException>(() => layer.Forward(new HeteroFeatures { { "cell", xc }, { "net", narrow } }, new HeteroFeatures { { "cell", yc }, { "net", yn } }));
        Assert.Contains($"needs {nets} x 32", shape.Message, StringComparison.Ordinal);
        var alias = Assert.Throws<ArgumentException>(() => layer.Forward(new HeteroFeatures { { "cell", xc }, { "net", xn } }, new HeteroFeatures { { "cell", xc }, { "net", yn } }));
        Assert.Equal("y", alias.ParamName);
        Assert.Throws<InvalidOperationException>(() => layer.Backward(new HeteroFeatures { { "cell", yc }, { "net", yn } }, new HeteroFeatures { { "cell", xc }, { "net", xn } }));
        using var other = ComputeBackend.Create(BackendKind.NativeCpu);
        using var foreign = other.AllocateDense<float>(cells, 32);
        Assert.Throws<ArgumentException>(() => layer.Forward(new HeteroFeatures { { "cell", foreign }, { "net", xn } }, new HeteroFeatures { { "cell", yc }, { "net", yn } }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new HeteroExecution(backend, streams: HeteroExecution.MaxStreams + 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new HeteroExecution(backend, streams: 0));
    }

    [Fact]
    public void TheLayerDescribesItselfAndCapsItsStreamsAtThePool()
    {
        var g = CircuitGraph.FromBench(CircuitGenerator.RandomNetlist(20, seed: 1));
        using var backend = ComputeBackend.Create(BackendKind.NativeCpu);
        using var execution = new HeteroExecution(backend, streams: 2);
        using var layer = CircuitLayers.CircuitConv(execution, g["drives"].Adjacency, g["feeds"].Adjacency, g["near"].Adjacency);
        Assert.Equal(2, layer.Streams);
        Assert.Equal(["cell", "net"], layer.NodeTypes);
        Assert.Equal(["drives", "feeds", "near"], layer.Relations.Select(r => r.Name));
        Assert.Equal((8, 32, HeteroCombine.Sum), (layer.K, layer.Dim, layer.Combine));
        using var named = CircuitLayers.CellNet(execution, g["drives"].Adjacency, g["feeds"].Adjacency);
        Assert.Equal("cell-to-net", named.Relations[0].Name);
    }

    [Fact]
    public void GeneratedNetlistsAreDeterministicAndShapedLikeLogic()
    {
        var a = CircuitGenerator.RandomNetlist(5000, seed: 4);
        var b = CircuitGenerator.RandomNetlist(5000, seed: 4);
        Assert.Equal(a.Gates.Select(x => (x.Output, x.Type, string.Join(",", x.Inputs))), b.Gates.Select(x => (x.Output, x.Type, string.Join(",", x.Inputs))));
        Assert.Equal(5000, a.Gates.Count);
        Assert.Equal(5000 / 16, a.Inputs.Count);
        Assert.True(a.GateLevels.Max() > 20, "local fan-in should build deep logic cones");
        Assert.All(a.Gates, x => Assert.InRange(x.Inputs.Count, 1, 4));
        Assert.NotEqual(a.Gates.Select(x => x.Type), CircuitGenerator.RandomNetlist(5000, seed: 5).Gates.Select(x => x.Type));
    }
}
