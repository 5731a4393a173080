using System.Diagnostics;
using System.Globalization;
using KernelDsl.Graphs;
using KernelDsl.Hetero;
using KernelDsl.IO;
using KernelDsl.Runtime;
using KernelDsl.Training;

namespace KernelDsl.Bench;

/// <summary>
/// One DR-CircuitGNN layer ([HeteroLayer], dim 64, k 16, three relations) forward + backward per circuit —
/// the CircuitNet designs, the largest ISCAS circuits, generated circuits of 10 k to 1 M cells — with three
/// ratios measured side by side in one run: serial vs concurrent waves, the Dynamic-ReLU sparse layer vs the
/// same layer on the dense path (ReLU → SpMM, backward Aᵀ·dY masked by ReLU), and host preparation on one
/// thread vs on every core.
/// </summary>
public static class HeteroSuite
{
    public const int Dim = 64, K = 16;

    public static int Run(string data, string backendName, int repeats, int maxCells, FileInfo? outFile)
    {
        var inv = CultureInfo.InvariantCulture;
        var report = new Report();
        void Emit(string line) => report.Line(line);
        using var backend = ComputeBackend.Create(ComputeBackend.ParseKind(backendName));
        Emit($"# DR-CircuitGNN heterogeneous layer ({backend.Name}, dim {Dim}, k {K}, 3 streams, {Environment.ProcessorCount} host threads, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC)");
        Emit("");
        Emit("| circuit | cells | nets | nnz (3 relations) | serial fwd+bwd ms | concurrent ms | concurrent speed-up | dense layer ms | Dynamic-ReLU vs dense | prep 1 thread ms | prep all threads ms | prep speed-up |");
        Emit("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var (name, graph, relations) in Circuits(data, maxCells))
        {
            var (drives, feeds, near) = (graph[relations[0]].Adjacency, graph[relations[1]].Adjacency, graph[relations[2]].Adjacency);
            using var execution = new HeteroExecution(backend, streams: 3);
            using var layer = BenchLayers.CircuitConv(execution, drives, feeds, near);
            var buffers = new List<IDisposable>();
            HeteroFeatures Features(IEnumerable<string> types, int seed)
            {
                var f = new HeteroFeatures();
                foreach (var t in types)
                {
                    var b = backend.Upload(DenseMatrix<float>.Random(layer.NodeCount(t), Dim, seed++));
                    buffers.Add(b);
                    f.Add(t, b);
                }
                return f;
            }
            var x = Features(layer.SourceTypes, 1);
            var y = Features(layer.DestinationTypes, 10);
            var dy = Features(layer.DestinationTypes, 20);
            var dx = Features(layer.SourceTypes, 30);
            void Pass(LaunchMode mode)
            {
                execution.Mode = mode;
                layer.Forward(x, y);
                layer.Backward(dy, dx);
            }
            var (serial, concurrent, speedUp) = Harness.Interleaved(() => Pass(LaunchMode.Serial), () => Pass(LaunchMode.Concurrent), repeats);

            using var dense = new DenseLayer(backend, drives, feeds, near);
            var (denseMs, _, sparseRatio) = Harness.Interleaved(() => dense.Pass(x, y, dy, dx), () => Pass(LaunchMode.Serial), repeats);

            var prep = PreparationRatio(backend, drives, feeds, near, Math.Max(3, repeats / 2));
            Emit(string.Create(inv, $"| {name} | {layer.NodeCount("cell")} | {layer.NodeCount("net")} | {drives.Nonzeros + feeds.Nonzeros + near.Nonzeros} | {serial:F2} | {concurrent:F2} | {speedUp:F2}x | {denseMs:F2} | {sparseRatio:F2}x | {prep.Single:F2} | {prep.Multi:F2} | {prep.Ratio:F2}x |"));
            foreach (var b in buffers) b.Dispose();
        }
        Emit("");
        Emit("Ratios are time(first) / time(second), from interleaved pairs: above 1 the second is faster. One pass = forward (Dynamic-ReLU per source type, SpGEMM per relation, combine) + backward (SSpMM per relation, per-source sum, Dynamic-ReLU backward).");
        Emit("Dense layer: the same relations with ReLU → SpMM (WarpPerRow) forward and Aᵀ·dY (SpMM over the cached transpose) masked by ReLU backward, serial.");
        Emit("Preparation: building the layer (validate, upload, row-chunk work lists of the three relations) with HostThreads = 1 vs every core.");
        if (backend.Kind == BackendKind.NativeCpu)
            Emit("On the native backend every kernel already uses all cores, so concurrent waves can only overlap the tails of small kernels; stream concurrency is a GPU effect (many small relation kernels filling one device), measured with --backend cuda.");
        report.Save(outFile);
        return 0;
    }

    private static IEnumerable<(string Name, HeteroGraph Graph, string[] Relations)> Circuits(string data, int maxCells)
    {
        foreach (var design in new[] { "zero-riscy-b-1-c2", "RISCY-b-1-c2" })
            yield return ($"CircuitNet {design}", CircuitNetDesign.Read(Path.Combine(data, "circuitnet", design)).Graph, ["pins", "pinned", "near"]);
        foreach (var file in new[] { "iscas85/c7552.bench", "iscas89/s9234.bench" })
            if (File.Exists(Path.Combine(data, file)))
                yield return ($"ISCAS {Path.GetFileNameWithoutExtension(file)}", CircuitGraph.FromBench(BenchNetlist.Read(Path.Combine(data, file))), ["drives", "feeds", "near"]);
        foreach (var cells in new[] { 10_000, 100_000, 1_000_000 }.Where(c => c <= maxCells))
            yield return ($"generated {cells / 1000} k cells", CircuitGraph.FromBench(CircuitGenerator.RandomNetlist(cells, seed: 1)), ["drives", "feeds", "near"]);
    }

    private static (double Single, double Multi, double Ratio) PreparationRatio(ComputeBackend backend, CsrMatrix<float> a, CsrMatrix<float> b, CsrMatrix<float> c, int repeats)
    {
        using var one = new HeteroExecution(backend, streams: 3, hostThreads: 1);
        using var all = new HeteroExecution(backend, streams: 3);
        return Harness.Interleaved(() => BenchLayers.CircuitConv(one, a, b, c).Dispose(), () => BenchLayers.CircuitConv(all, a, b, c).Dispose(), repeats, backend.Synchronize);
    }

    /// <summary>The dense-path baseline of the same layer: ReLU → SpMM per relation, summed; backward over Aᵀ, masked by ReLU.</summary>
    private sealed class DenseLayer : IDisposable
    {
        private readonly ComputeBackend _backend;
        private readonly CsrBuffer<float> _drives, _feeds, _near;
        private readonly DenseBuffer<float> _reluCell, _reluNet, _feedsOut, _nearOut, _drivesBack, _nearBack;

        public DenseLayer(ComputeBackend backend, CsrMatrix<float> drives, CsrMatrix<float> feeds, CsrMatrix<float> near)
        {
            _backend = backend;
            CsrBuffer<float> Upload(CsrMatrix<float> m) => backend.Upload(m.Values is null ? m.WithValues(1f) : m);
            (_drives, _feeds, _near) = (Upload(drives), Upload(feeds), Upload(near));
            int cells = near.Rows, nets = drives.Rows;
            _reluCell = backend.AllocateDense<float>(cells, Dim);
            _reluNet = backend.AllocateDense<float>(nets, Dim);
            _feedsOut = backend.AllocateDense<float>(cells, Dim);
            _nearOut = backend.AllocateDense<float>(cells, Dim);
            _drivesBack = backend.AllocateDense<float>(cells, Dim);
            _nearBack = backend.AllocateDense<float>(cells, Dim);
            _ = (_drives.Transposed(), _feeds.Transposed(), _near.Transposed()); // built once, outside the timing
        }

        public void Pass(HeteroFeatures x, HeteroFeatures y, HeteroFeatures dy, HeteroFeatures dx)
        {
            var s = _backend.DefaultStream;
            TensorOps.Relu(s, x["cell"], _reluCell);
            TensorOps.Relu(s, x["net"], _reluNet);
            // Forward: net = drives · relu(cell); cell = feeds · relu(net) + near · relu(cell).
            BenchKernels.SumWarpPerRow(s, _drives, _reluCell, y["net"]);
            BenchKernels.SumWarpPerRow(s, _feeds, _reluNet, _feedsOut);
            BenchKernels.SumWarpPerRow(s, _near, _reluCell, _nearOut);
            Elementwise.Combine(s, y["cell"], 1f, _feedsOut, _nearOut);
            // Backward: d cell = drivesᵀ · d net + nearᵀ · d cell; d net = feedsᵀ · d cell; both masked by x > 0.
            BenchKernels.SumWarpPerRow(s, _drives.Transposed(), dy["net"], _drivesBack);
            BenchKernels.SumWarpPerRow(s, _near.Transposed(), dy["cell"], _nearBack);
            Elementwise.Combine(s, dx["cell"], 1f, _drivesBack, _nearBack);
            BenchKernels.SumWarpPerRow(s, _feeds.Transposed(), dy["cell"], dx["net"]);
            TensorOps.ReluBackward(s, x["cell"], dx["cell"], dx["cell"]);
            TensorOps.ReluBackward(s, x["net"], dx["net"], dx["net"]);
            s.Synchronize();
        }

        public void Dispose()
        {
            foreach (var b in new IDisposable[] { _drives, _feeds, _near, _reluCell, _reluNet, _feedsOut, _nearOut, _drivesBack, _nearBack }) b.Dispose();
        }
    }
}
