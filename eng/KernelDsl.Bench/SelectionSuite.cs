using System.Globalization;
using KernelDsl.Native;
using KernelDsl.Runtime;
using KernelDsl.Training;

namespace KernelDsl.Bench;

/// <summary>
/// The native MaxK and Dynamic-ReLU selections against a dense ReLU pass over the same matrix (the runtime's
/// TensorOps.Relu, what the dense path runs), all interleaved in one process: the generated kernels (TopK.Select at the
/// machine's best width), the same selection forced to each SIMD width, and the radix select the kernels used before
/// (16 dependent two-bit counting passes per row, kept here as the baseline it replaced); beside them the
/// compulsory-traffic roofline (triad bandwidth measured in the same run) and numpy's row-wise top-k, the peer a user
/// would pick. 100 000 rows of uniform values; ratio = time(ReLU) / time(selection): 0.5 means twice as long as ReLU.
/// </summary>
public static class SelectionSuite
{
    public const int Rows = 100_000;

    /// <summary>Rows on ILGPU's CPU accelerator, which emulates GPU threads one by one (a check that the device table runs).</summary>
    public const int EmulatedRows = 200;

    public static int Run(string data, int repeats, string backendName, FileInfo? outFile)
    {
        var requested = ComputeBackend.ParseKind(backendName);
        if (requested is BackendKind.Cuda or BackendKind.OpenCL or BackendKind.IlgpuCpu) return RunOnDevice(requested, repeats, outFile);
        var inv = CultureInfo.InvariantCulture;
        var report = new Report();
        void Emit(string line) => report.Line(line);
        using var backend = ComputeBackend.Create(BackendKind.NativeCpu);
        var stream = backend.DefaultStream;
        Emit($"# Native selection vs a dense ReLU pass ({backend.Name}, {Rows} rows, best width {TopK.Best}, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC)");
        Emit("");
        double triad = Harness.TriadGigabytesPerSecond(backend.Parallelism, 5);
        Emit(string.Create(inv, $"Triad bandwidth measured now: {triad:F1} GB/s ({backend.Parallelism} threads)."));
        Emit("Ratio = time(ReLU) / time(selection), median of interleaved pairs, [25th–75th percentile] of the pair ratios beside it.");
        Emit("Roofline = compulsory traffic (x read once, the CBSR values and indices written once) / triad bandwidth; share = roofline / generated.");
        Emit("numpy = a user's row-wise top-k on the same matrix (argpartition, indices sorted, values gathered; Debian's python3, one thread), "
            + "median of its own repeats [25th–75th percentile]; ratio = numpy / generated.");
        Emit("Target of issue 12: MaxK at dim 256, k 32 and Dynamic-ReLU at dim 64, k 16 at ≥ 0.5 (≤ 2× ReLU).");
        Emit("Rows: uniform values, and (last row) what the selection reads in training: a 2-layer GCN's hidden layer (hidden 256, k 32) "
            + "on Cora after 40 epochs, after dropout (half the entries exact zeros, the top ones clustered), its 2 708 rows repeated.");
        var trained = TrainedLayerRows(backend, data);
        if (trained is null) Emit($"(No trained-layer row: {Path.Combine(data, "cora")} is missing.)");
        Emit("");
        Emit("| selection | dim | k | ReLU ms | generated ms | generated vs ReLU | roofline ms | share of roofline | numpy ms | numpy / generated | scalar | AVX2 (256) | AVX-512 | radix select (before) |");
        Emit("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        var cases = new List<(string Rows, bool Relu, int Dim, int K)>
        {
            ("uniform", false, 256, 32), ("uniform", false, 256, 8), ("uniform", false, 256, 64), ("uniform", false, 64, 16),
            ("uniform", true, 64, 16), ("uniform", true, 64, 8), ("uniform", true, 256, 32),
        };
        if (trained is not null) cases.Add(("trained Cora layer", false, 256, 32));
        foreach (var (rows, relu, dim, k) in cases)
        {
            using var x = backend.Upload(rows == "uniform" ? DenseMatrix<float>.Random(Rows, dim, dim + k) : trained!);
            using var dense = backend.AllocateDense<float>(Rows, dim);
            using var cbsr = backend.AllocateCbsr<float, byte>(Rows, dim, k);
            void Relu() => TensorOps.Relu(stream, x, dense);
            Action generated = relu ? () => BenchKernels.DynamicReLU(stream, x, cbsr) : () => BenchKernels.TopK(stream, x, cbsr);
            var g = Harness.InterleavedWithSpread(Relu, generated, repeats);
            string Forced(SimdWidth width)
            {
                var r = Harness.InterleavedWithSpread(Relu, () => Rowwise(x, cbsr, k, relu, (row, values, indices, scratch) =>
                    TopK.Select<byte>(row, k, values, indices, scratch, relu, width)), repeats);
                return string.Create(inv, $"{r.Ratio:F2} [{r.Low:F2}–{r.High:F2}]");
            }
            var before = Harness.InterleavedWithSpread(Relu, () => Rowwise(x, cbsr, k, relu, RadixSelect), repeats);
            double roofline = ((double)Rows * dim * sizeof(float) + (double)Rows * k * (sizeof(float) + sizeof(byte))) / (triad * 1e6);
            string peer = NumpyTopK(x.HostSpan, dim, k, relu, repeats) is { } numpy
                ? string.Create(inv, $"{numpy.Median:F2} [{numpy.Low:F2}–{numpy.High:F2}] | {numpy.Median / g.Candidate:F1}")
                : "numpy missing (apt-get install python3-numpy) | –";
            Emit(string.Create(inv, $"| {(relu ? "Dynamic-ReLU" : "MaxK")}{(rows == "uniform" ? "" : $" ({rows})")} | {dim} | {k} | {g.Baseline:F2} | {g.Candidate:F2} | {g.Ratio:F2} [{g.Low:F2}–{g.High:F2}] | "
                + $"{roofline:F2} | {roofline / g.Candidate:P0} | {peer} | "
                + $"{Forced(SimdWidth.Scalar)} | {Forced(SimdWidth.Vector256)} | {Forced(SimdWidth.Vector512)} | {before.Ratio:F2} [{before.Low:F2}–{before.High:F2}] |"));
        }
        report.Save(outFile);
        return 0;
    }

    /// <summary>
    /// The generated GPU selection (one warp per row, the row's keys staged in shared memory: <c>MaxKStagedKernel</c>) on an
    /// ILGPU device against the device's ReLU pass over the same matrix, interleaved; beside them the compulsory-traffic
    /// roofline over a triad measured on the same device in the same run, and numpy's top-k on the host (the peer a user
    /// without the kernel would run).
    /// </summary>
    private static int RunOnDevice(BackendKind kind, int repeats, FileInfo? outFile)
    {
        var inv = CultureInfo.InvariantCulture;
        var report = new Report();
        void Emit(string line) => report.Line(line);
        using var backend = ComputeBackend.Create(kind);
        var accelerator = backend.Accelerator!;
        var stream = backend.DefaultStream;
        int rows = kind == BackendKind.IlgpuCpu ? EmulatedRows : Rows;
        Emit($"# GPU selection vs a dense ReLU pass ({backend.Name}, {rows} rows, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC)");
        Emit("");
        double triad = Harness.DeviceTriadGigabytesPerSecond(accelerator, kind == BackendKind.IlgpuCpu ? 1 << 16 : 1 << 26, 5);
        Emit(string.Create(inv, $"Triad bandwidth measured now on the device: {triad:F1} GB/s."));
        Emit("Ratio = time(ReLU) / time(selection), median of interleaved pairs, [25th–75th percentile] beside it. "
            + "Roofline = compulsory traffic (x read once, the CBSR values and indices written once) / device triad; share = roofline / generated. "
            + "Rows up to 4096 columns run the staged kernel (LaunchPlanner.StagedRowPerWarp).");
        Emit("");
        Emit("| selection | dim | k | ReLU ms | generated ms | generated vs ReLU | roofline ms | share of roofline | numpy ms (host) | numpy / generated |");
        Emit("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var (relu, dim, k) in new[] { (false, 256, 32), (false, 256, 8), (false, 256, 64), (false, 64, 16), (true, 64, 16), (true, 256, 32) })
        {
            var host = DenseMatrix<float>.Random(rows, dim, dim + k);
            using var x = backend.Upload(host);
            using var dense = backend.AllocateDense<float>(rows, dim);
            using var cbsr = backend.AllocateCbsr<float, byte>(rows, dim, k);
            // Each timed call waits for the device, so a pair's times are the kernels' own.
            void Relu() { TensorOps.Relu(stream, x, dense); backend.Synchronize(); }
            void Generated()
            {
                if (relu) BenchKernels.DynamicReLU(stream, x, cbsr);
                else BenchKernels.TopK(stream, x, cbsr);
                backend.Synchronize();
            }
            var g = Harness.InterleavedWithSpread(Relu, Generated, repeats);
            double roofline = ((double)rows * dim * sizeof(float) + (double)rows * k * (sizeof(float) + sizeof(byte))) / (triad * 1e6);
            string peer = NumpyTopK(host.Data, dim, k, relu, repeats) is { } numpy
                ? string.Create(inv, $"{numpy.Median:F2} [{numpy.Low:F2}–{numpy.High:F2}] | {numpy.Median / g.Candidate:F1}")
                : "numpy missing (apt-get install python3-numpy) | –";
            Emit(string.Create(inv, $"| {(relu ? "Dynamic-ReLU" : "MaxK")} | {dim} | {k} | {g.Baseline:F3} | {g.Candidate:F3} | {g.Ratio:F2} [{g.Low:F2}–{g.High:F2}] | "
                + $"{roofline:F3} | {roofline / g.Candidate:P0} | {peer} |"));
        }
        report.Save(outFile);
        return 0;
    }

    /// <summary>
    /// The same top-k by numpy, as a user would write it, timed inside Debian's python3 (median and quartiles of
    /// <paramref name="repeats"/> runs, ms); null when python3 or numpy is missing.
    /// </summary>
    private static (double Median, double Low, double High)? NumpyTopK(ReadOnlySpan<float> x, int dim, int k, bool relu, int repeats) =>
        NumpyPeer.Time(x, dim, new[]
        {
            "def run():",
            $"    idx = np.sort(np.argpartition(-x, {k - 1}, axis=1)[:, :{k}], axis=1)",
            "    v = np.take_along_axis(x, idx, axis=1)",
            relu ? "    v = np.maximum(v, 0)" : "    pass",
            "    return v, idx.astype(np.uint8)",
        }, repeats);

    private delegate void RowSelection(ReadOnlySpan<float> row, Span<float> values, Span<byte> indices, uint[] scratch);

    /// <summary>
    /// What a MaxK layer selects from in training: the hidden layer of a 2-layer GCN (hidden 256, k 32) trained 40 epochs
    /// on Cora, after dropout, its rows repeated to <see cref="Rows"/>; null without the dataset.
    /// </summary>
    private static DenseMatrix<float>? TrainedLayerRows(ComputeBackend backend, string data)
    {
        string cora = Path.Combine(data, "cora");
        if (!Directory.Exists(cora)) return null;
        var dataset = KernelDsl.Gnn.NodeDataset.Read(cora, 1);
        using var model = new KernelDsl.Gnn.GnnModel(backend, dataset,
            new KernelDsl.Gnn.GnnOptions(KernelDsl.Gnn.GnnArchitecture.Gcn, KernelDsl.Gnn.Nonlinearity.MaxK, K: 32, Hidden: 256, Seed: 1));
        KernelDsl.Gnn.GnnTrainer.Train(model, 40);
        model.FusedMaxK = false; // the selection's dense input is written only by the separate passes (the same numbers)
        model.Forward(training: true, dropoutSeed: 12345);
        var layer = model.SelectionInput(1).HostSpan;
        var rows = new DenseMatrix<float>(Rows, 256);
        for (int r = 0; r < Rows; r++) layer.Slice(r % dataset.Nodes * 256, 256).CopyTo(rows.Data.AsSpan(r * 256, 256));
        return rows;
    }

    /// <summary>A selection over every row, split over the cores as the generated kernels split it.</summary>
    private static void Rowwise(DenseBuffer<float> x, CbsrBuffer<float, byte> y, int k, bool relu, RowSelection select)
    {
        Memory<float> source = x.HostMemory;
        var output = y.DangerousGetHostArrays();
        int dim = x.Columns, rows = x.Rows;
        int blocks = Environment.ProcessorCount * RowPartition.BlocksPerWorker;
        Parallel.For(0, blocks, block =>
        {
            var scratch = new uint[TopK.ScratchLength(dim)];
            for (int row = (int)((long)rows * block / blocks); row < (int)((long)rows * (block + 1) / blocks); row++)
                select(source.Span.Slice(row * dim, dim), output.Values.AsSpan(row * k, k), output.Indices.AsSpan(row * k, k), scratch);
        });
    }

    /// <summary>The selection the generated kernels ran before issue 12: radix select of the k-th largest key, then one pass.</summary>
    private static void RadixSelect(ReadOnlySpan<float> row, Span<float> values, Span<byte> indices, uint[] scratch)
    {
        int dim = row.Length, k = values.Length;
        for (int c = 0; c < dim; c++) scratch[c] = KernelMath.OrderedKeyHost(row[c]);
        var keys = scratch.AsSpan(0, dim);
        uint threshold = Selection.KthLargest(keys, k);
        int ties = k - (threshold == uint.MaxValue ? 0 : Selection.CountAtLeast(keys, threshold + 1));
        int kept = 0;
        for (int c = 0; c < dim && kept < k; c++)
        {
            uint key = keys[c];
            if (key > threshold || (key == threshold && ties > 0))
            {
                if (key == threshold) ties--;
                values[kept] = row[c];
                indices[kept++] = (byte)c;
            }
        }
    }
}
