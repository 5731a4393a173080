using System.CommandLine;
using System.Globalization;
using ILGPU.Runtime.CPU;
using KernelDsl;
using KernelDsl.Bench;
using KernelDsl.Graphs;
using KernelDsl.IO;
using KernelDsl.Reference;
using KernelDsl.Runtime;

// KernelDsl SpMM benchmark. Prints markdown tables of ratios measured in the same run:
//  1. native CPU backend on every real graph at each dim against the compulsory-traffic roofline (over a triad
//     bandwidth measured in the same run) and against scipy, run alternately in a python3 subprocess;
//  2. RowPerThread vs WarpPerRow on ILGPU's CPU accelerator on a small graph (semantics cost only);
//  3. with --backend cuda/opencl, the same kernels on the GPU against the RowPerThread baseline.

var dataOption = new Option<DirectoryInfo?>("--data") { Description = "Datasets folder (default: ../shared/data beside the repository)" };
var dimsOption = new Option<int[]>("--dims") { Description = "Feature widths", DefaultValueFactory = _ => [16, 64, 256], AllowMultipleArgumentsPerToken = true };
var filterOption = new Option<string?>("--graphs") { Description = "Only graphs whose path contains this text" };
var repeatsOption = new Option<int>("--repeats") { Description = "Timed runs of each kernel (median)", DefaultValueFactory = _ => 7 };
var backendOption = new Option<string>("--backend") { Description = "native (default) or cuda/opencl for the GPU table", DefaultValueFactory = _ => "native" };
var outOption = new Option<FileInfo?>("--out") { Description = "Also write the markdown here" };
var suiteOption = new Option<string>("--suite") { Description = "spmm (dense SpMM, default), maxk (MaxK-GNN SpGEMM/SSpMM vs dense), accel (Accel-GCN degree-sorted plan), circuits (Dynamic-ReLU on CircuitNet), hetero (DR-CircuitGNN layer: serial vs concurrent, sparse vs dense, host preparation) training (GEMM, generated SpMM backward), selection (MaxK / Dynamic-ReLU selection vs a dense ReLU pass: native per SIMD width, or the GPU kernel with --backend cuda), rowbody (the SpMM row body: cache-line-aligned vs misaligned rows, fused multiply-add vs multiply and add), locality (SpMM in the graph's ids vs reverse Cuthill-McKee order, also on shuffled ids), spgemm-narrow (the SpGEMM with its output row in registers vs the scalar scatter, the roofline, the dense SpMM and scipy, at --dims / --ks), endtoend (GCN epoch, MaxK vs ReLU), distributed (under mpiexec: partitioned training, traffic, projection) or analyzers (analyzer time on 200 declarations)", DefaultValueFactory = _ => "spmm" };
var ksOption = new Option<int[]>("--ks") { Description = "k values for the maxk suite", DefaultValueFactory = _ => [8, 16, 32, 64], AllowMultipleArgumentsPerToken = true };
var sbmNodesOption = new Option<int>("--sbm-nodes") { Description = "Nodes of the generated SBM of the distributed suite", DefaultValueFactory = _ => 1_000_000 };
var maxCellsOption = new Option<int>("--max-cells") { Description = "Largest generated circuit of the hetero suite (10 k, 100 k, 1 M cells)", DefaultValueFactory = _ => 1_000_000 };
var root = new RootCommand("KernelDsl SpMM benchmark")
{
    dataOption, dimsOption, filterOption, repeatsOption, backendOption, outOption, suiteOption, ksOption, maxCellsOption, sbmNodesOption,
};
root.SetAction(r => r.GetValue(suiteOption) == "distributed"
    ? DistributedSuite.Run(r.GetValue(dataOption)?.FullName ?? BenchGraphs.FindData(), r.GetValue(repeatsOption), r.GetValue(sbmNodesOption), r.GetValue(outOption), args)
    : r.GetValue(suiteOption) == "endtoend"
    ? EndToEndSuite.Run(r.GetValue(dataOption)?.FullName ?? BenchGraphs.FindData(), r.GetValue(repeatsOption), r.GetValue(outOption))
    : r.GetValue(suiteOption) == "rowbody"
    ? RowBodySuite.Run(r.GetValue(dataOption)?.FullName ?? BenchGraphs.FindData(), r.GetValue(repeatsOption), r.GetValue(outOption))
    : r.GetValue(suiteOption) == "spgemm-narrow"
    ? NarrowSpGemmSuite.Run(r.GetValue(dataOption)?.FullName ?? BenchGraphs.FindData(), r.GetValue(dimsOption)!, r.GetValue(ksOption)!, r.GetValue(repeatsOption), r.GetValue(outOption))
    : r.GetValue(suiteOption) == "locality"
    ? LocalitySuite.Run(r.GetValue(dataOption)?.FullName ?? BenchGraphs.FindData(), r.GetValue(dimsOption)!, r.GetValue(repeatsOption), r.GetValue(outOption))
    : r.GetValue(suiteOption) == "selection"
    ? SelectionSuite.Run(r.GetValue(dataOption)?.FullName ?? BenchGraphs.FindData(), r.GetValue(repeatsOption), r.GetValue(backendOption)!, r.GetValue(outOption))
    : r.GetValue(suiteOption) == "analyzers"
    ? AnalyzerSuite.Run(r.GetValue(repeatsOption), r.GetValue(outOption))
    : r.GetValue(suiteOption) == "training"
    ? TrainingSuite.Run(r.GetValue(dataOption)?.FullName ?? BenchGraphs.FindData(), r.GetValue(repeatsOption), r.GetValue(outOption))
    : r.GetValue(suiteOption) == "hetero"
    ? HeteroSuite.Run(r.GetValue(dataOption)?.FullName ?? BenchGraphs.FindData(), r.GetValue(backendOption)!, r.GetValue(repeatsOption), r.GetValue(maxCellsOption), r.GetValue(outOption))
    : r.GetValue(suiteOption) == "circuits"
    ? CircuitSuite.Run(r.GetValue(dataOption)?.FullName ?? BenchGraphs.FindData(), r.GetValue(repeatsOption), r.GetValue(outOption))
    : r.GetValue(suiteOption) == "accel"
    ? AccelSuite.Run(r.GetValue(dataOption)?.FullName ?? BenchGraphs.FindData(), r.GetValue(filterOption), r.GetValue(dimsOption)!,
        r.GetValue(repeatsOption), r.GetValue(outOption))
    : r.GetValue(suiteOption) == "maxk"
    ? MaxKSuite.Run(r.GetValue(dataOption)?.FullName ?? BenchGraphs.FindData(), r.GetValue(filterOption), r.GetValue(ksOption)!, r.GetValue(repeatsOption),
        r.GetValue(backendOption)!, r.GetValue(outOption))
    : Run(r.GetValue(dataOption), r.GetValue(dimsOption)!, r.GetValue(filterOption), r.GetValue(repeatsOption),
        r.GetValue(backendOption)!, r.GetValue(outOption)));
return root.Parse(args).Invoke();

static int Run(DirectoryInfo? dataDir, int[] dims, string? filter, int repeats, string backendName, FileInfo? outFile)
{
    var data = dataDir?.FullName ?? BenchGraphs.FindData();
    var report = new Report();
    void Emit(string line) => report.Line(line);
    var inv = CultureInfo.InvariantCulture;

    int threads = Environment.ProcessorCount;
    double triad = Harness.TriadGigabytesPerSecond(threads, 9);
    Emit($"# KernelDsl SpMM benchmark ({DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC)");
    Emit("");
    Emit(string.Create(inv, $"Machine: {threads} threads, {System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture}, Vector<float> = {System.Numerics.Vector<float>.Count} lanes. Triad bandwidth measured in this run: **{triad:F1} GB/s**."));
    Emit("");

    var kind = ComputeBackend.ParseKind(backendName);
    if (kind is BackendKind.Cuda or BackendKind.OpenCL)
    {
        try
        {
            GpuTable(kind, data, dims, filter, repeats, Emit);
        }
        catch (NotSupportedException ex)
        {
            Console.Error.WriteLine("error: " + ex.Message);
            return 2;
        }
    }
    else
    {
        using var native = ComputeBackend.Create(BackendKind.NativeCpu);
        using var scipy = ScipyPeer.Start(out string noScipy);
        Emit("## Native CPU backend (the [SpMM] Sum kernel, weighted) against the memory roofline and scipy");
        Emit("");
        Emit("Roofline = compulsory traffic (CSR arrays once, X read once, Y written once) over the triad bandwidth above: the "
            + "time no SpMM can beat on this machine; share = roofline / our time. Upper-bound model = one feature row per "
            + "nonzero (the old column: the traffic if X never stayed in cache). scipy = " + (scipy is null ? noScipy : $"scipy {scipy.Version} `A @ X` (csr, float32, one thread) in Debian's python3")
            + ", its runs alternated with ours; vs scipy = the median of per-pair ratios scipy / ours, [25th–75th percentile] the noise. "
            + "KernelDsl ms = our median in that alternation (scipy's run leaves our arrays out of cache, as the rest of a training step does); "
            + "back to back = ours run repeatedly alone, warm in the last-level cache where the graph fits. "
            + $"Vector<T> body = the same kernel forced to its 4 × 256-bit tiles (NativeSimd.Width), alternated with the default ({KernelDsl.Native.NativeSimd.Width}); gain = the median of per-pair ratios. "
            + $"Column tiles = the traversal ColumnTiles would try where X outgrows the cache ({KernelDsl.Native.ColumnTiles.CacheBytes >> 20} MB here; tiles of the width shown, all rows per tile) "
            + "forced, alternated with the row-wise walk forced; speed-up = row-wise / tiles per pair; Auto = what the rule kept after its first, timed call (– where X fits and it runs row-wise untimed).");
        Emit("");
        Emit("| graph | rows | nnz | dim | KernelDsl ms | back to back ms | roofline ms | % of roofline | back to back | upper-bound model % of triad | Vector<T> body ms | AVX-512 body gain [spread] | tile width | tiles ms | tiles speed-up [spread] | Auto | scipy ms | vs scipy [spread] |");
        Emit("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|");
        foreach (var file in BenchGraphs.Files(data, filter))
        {
            var graph = BenchGraphs.LoadWeighted(data, file);
            using var a = native.Upload(graph);
            scipy?.SetMatrix(graph);
            foreach (int dim in dims)
            {
                var features = DenseMatrix<float>.Random(graph.ColumnCount, dim, 1);
                using var x = native.Upload(features);
                using var y = native.AllocateDense<float>(graph.Rows, dim);
                void Ours() => BenchKernels.SumWarpPerRow(native.DefaultStream, a, x, y);
                double roofline = Harness.CompulsorySpMMBytes(graph.Rows, graph.ColumnCount, graph.Nonzeros, dim) / (triad * 1e6);
                double upperBound = Harness.SpMMTrafficBytes(graph.Rows, graph.Nonzeros, dim, weighted: true);
                string peer = "– | –";
                double alone = Harness.MedianMilliseconds(Ours, repeats), ours = alone;
                // The same kernel's Vector<T> body (4 × 256-bit tiles: the traversal before AVX-512 tiles), alternated with the default.
                var width = KernelDsl.Native.NativeSimd.Width;
                var (narrowMs, _, wideGain, wideLow, wideHigh) = Harness.InterleavedWithSpread(
                    () => { KernelDsl.Native.NativeSimd.Width = KernelDsl.Native.SimdWidth.Vector256; Ours(); KernelDsl.Native.NativeSimd.Width = width; }, Ours, repeats);
                // The column-tiled traversal at the rule's width, forced, against the row-wise walk, forced (alternated).
                int tileWidth = KernelDsl.Native.ColumnTiles.Width(graph.ColumnCount, dim, sizeof(float), KernelDsl.Native.ColumnTiles.CacheBytes);
                string tiles = "– | – | –";
                if (tileWidth > 0)
                {
                    void Forced(int w) { KernelDsl.Native.ColumnTiles.ForcedWidth = w; try { Ours(); } finally { KernelDsl.Native.ColumnTiles.ForcedWidth = 0; } }
                    var (_, tiledMs, tileGain, tileLow, tileHigh) = Harness.InterleavedWithSpread(() => Forced(-1), () => Forced(tileWidth), repeats);
                    tiles = string.Create(inv, $"{tileWidth} | {tiledMs:F3} | {tileGain:F2}x [{tileLow:F2}–{tileHigh:F2}]");
                }
                bool? kept = KernelDsl.Native.ColumnTiles.Decision(a, dim, tileWidth);
                string auto = kept is null ? "–" : kept.Value ? "tiles" : "row-wise";
                if (scipy is not null)
                {
                    scipy.SetFeatures(features);
                    int check = graph.Rows / 2;
                    double peerMs = 0;
                    var (peerMedian, oursMedian, ratio, low, high) = Harness.InterleavedWithSpread(() => peerMs = scipy.Run(check).Milliseconds, Ours, repeats,
                        baselineTime: () => peerMs);
                    ours = oursMedian;
                    double expected = 0;
                    for (int c = 0; c < dim; c++) expected += y.HostSpan[check * dim + c];
                    double theirs = scipy.Run(check).RowSum;
                    if (graph.Rows > 0 && Math.Abs(expected - theirs) > 1e-3 * (1 + Math.Abs(theirs)))
                        throw new InvalidOperationException($"{file}, dim {dim}: scipy's row {check} sums to {theirs}, ours to {expected}.");
                    peer = string.Create(inv, $"{peerMedian:F2} | {ratio:F1}x [{low:F1}–{high:F1}]");
                }
                Emit(string.Create(inv, $"| {file} | {graph.Rows} | {graph.Nonzeros} | {dim} | {ours:F3} | {alone:F3} | {roofline:F3} | {100 * roofline / ours:F0}% | {100 * roofline / alone:F0}% | {100 * upperBound / (ours * 1e6) / triad:F0}% | {narrowMs:F3} | {wideGain:F2}x [{wideLow:F2}–{wideHigh:F2}] | {tiles} | {auto} | {peer} |"));
            }
        }
        Emit("");
        CpuAcceleratorTable(data, repeats, Emit);
    }

    if (report.Save(outFile)) Console.WriteLine($"wrote {outFile!.FullName}");
    return 0;
}

static void CpuAcceleratorTable(string data, int repeats, Action<string> emit)
{
    var inv = CultureInfo.InvariantCulture;
    var graph = MatrixMarket.ReadCsr<float>(Path.Combine(data, "planetoid-cora", "adjacency.mtx"));
    graph = graph.InducedSubgraph(Enumerable.Range(0, 400).ToArray()).WithValues(1f);
    emit("## ILGPU CPU accelerator: RowPerThread vs WarpPerRow (semantics cost only; planetoid-cora induced on 400 nodes)");
    emit("");
    emit("| emulated device | dim | RowPerThread ms | WarpPerRow ms | WarpPerRow / RowPerThread |");
    emit("|---|---:|---:|---:|---:|");
    foreach (var (label, device) in new[] { ("warp 4, group 16", CPUDevice.Default), ("warp 32, group 64", new CPUDevice(32, 2, 1)) })
    {
        using var backend = ComputeBackend.CreateIlgpuCpu(device);
        using var a = backend.Upload(graph);
        foreach (int dim in new[] { 16, 64 })
        {
            using var x = backend.Upload(DenseMatrix<float>.Random(graph.ColumnCount, dim, 1));
            using var y = backend.AllocateDense<float>(graph.Rows, dim);
            double row = Harness.MedianMilliseconds(() => BenchKernels.SumRowPerThread(backend.DefaultStream, a, x, y), Math.Min(repeats, 3), backend.Synchronize);
            double warp = Harness.MedianMilliseconds(() => BenchKernels.SumWarpPerRow(backend.DefaultStream, a, x, y), Math.Min(repeats, 3), backend.Synchronize);
            emit(string.Create(inv, $"| {label} | {dim} | {row:F1} | {warp:F1} | {warp / row:F2} |"));
        }
    }
}

static void GpuTable(BackendKind kind, string data, int[] dims, string? filter, int repeats, Action<string> emit)
{
    var inv = CultureInfo.InvariantCulture;
    using var gpu = ComputeBackend.Create(kind);
    emit($"## {gpu.Name}: WarpPerRow and DegreeSortedBlocks vs the RowPerThread (cuSPARSE-like) baseline");
    emit("");
    emit("| graph | rows | nnz | dim | RowPerThread ms | WarpPerRow ms | speed-up | WarpPerRow GB/s (model) | DegreeSortedBlocks ms | vs RowPerThread |");
    emit("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    foreach (var file in BenchGraphs.Files(data, filter))
    {
        var graph = BenchGraphs.LoadWeighted(data, file);
        using var a = gpu.Upload(graph);
        foreach (int dim in dims)
        {
            using var x = gpu.Upload(DenseMatrix<float>.Random(graph.ColumnCount, dim, 1));
            using var y = gpu.AllocateDense<float>(graph.Rows, dim);
            double row = Harness.MedianMilliseconds(() => BenchKernels.SumRowPerThread(gpu.DefaultStream, a, x, y), repeats, gpu.Synchronize);
            double warp = Harness.MedianMilliseconds(() => BenchKernels.SumWarpPerRow(gpu.DefaultStream, a, x, y), repeats, gpu.Synchronize);
            double sorted = Harness.MedianMilliseconds(() => BenchKernels.SumDegreeSorted(gpu.DefaultStream, a, x, y), repeats, gpu.Synchronize);
            double gbs = Harness.SpMMTrafficBytes(graph.Rows, graph.Nonzeros, dim, true) / (warp * 1e6);
            emit(string.Create(inv, $"| {file} | {graph.Rows} | {graph.Nonzeros} | {dim} | {row:F3} | {warp:F3} | {row / warp:F2}x | {gbs:F0} | {sorted:F3} | {row / sorted:F2}x |"));
        }
    }
}
