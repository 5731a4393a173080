using System.Globalization;
using KernelDsl.Gnn;
using KernelDsl.Runtime;
using KernelDsl.Training;

namespace KernelDsl.Bench;

/// <summary>
/// The training stack's kernels, native backend, each as a ratio against a baseline timed in the same run:
/// the GEMM forms a GCN layer uses against a plain triple loop (one thread), and the generated [SpMM] backward
/// (the adjoint product, cached) against the forward SpMM on the same graph and width — the two move the same bytes,
/// so a ratio near 1 means the backward costs no more than the forward.
/// </summary>
public static class TrainingSuite
{
    /// <summary>The MaxK layer the two MaxK tables time: width 256, k 32, dropout 0.5 (the models' defaults).</summary>
    private const int Dim = 256, K = 32;
    private const float P = 0.5f;

    /// <summary>
    /// Dropout's backward on a MaxK layer's gradient (width 256, k 32, p 0.5): on the CBSR gradient's kept entries (what
    /// the model runs) against the dense dropout after the scatter (what it ran before), interleaved; beside it the
    /// compulsory-traffic roofline of the CBSR form (values read and written, columns read once, over a triad measured
    /// now) and numpy's dropout of the same k values a row (a user's <c>v * (rand &gt;= p) / (1 − p)</c>).
    /// </summary>
    private static void DropoutOnTheMaxKGradient(ComputeBackend backend, int repeats, Action<string> emit)
    {
        var inv = CultureInfo.InvariantCulture;
        var s = backend.DefaultStream;
        double triad = RooflineTableHeader(backend, emit, string.Create(inv, $"Dropout on the MaxK gradient (dim {Dim}, k {K}, p {P})"),
            "Ratio = time(dense dropout of the scattered gradient) / time(dropout on its CBSR kept entries); roofline = k values read and "
            + "written and k ushort columns read per row, over the triad; numpy = its dropout of the same rows × k values (one thread).",
            ("dense dropout", "dense"), ("CBSR dropout", "CBSR"));
        foreach (int rows in new[] { 2708, 50_000 })
        {
            var rng = new Random(rows);
            var host = new CbsrMatrix<float, ushort>(rows, Dim, K);
            for (int i = 0; i < host.Values.Length; i++)
            {
                host.Values[i] = (float)(rng.NextDouble() * 2 - 1);
                host.Indices[i] = (ushort)(i % K * (Dim / K) + rng.Next(Dim / K)); // k distinct ascending columns a row
            }
            using var cbsr = backend.Upload(host);
            using var dense = backend.AllocateDense<float>(rows, Dim);
            GnnKernels.TopKBackward(s, cbsr, dense);
            var r = Harness.InterleavedWithSpread(() => TensorOps.Dropout(s, dense, dense, P, 7), () => TensorOps.Dropout(s, cbsr, P, 7), repeats);
            double roofline = (double)rows * K * (2 * sizeof(float) + sizeof(ushort)) / (triad * 1e6);
            var numpy = NumpyPeer.Time(host.Values, K, new[]
            {
                "rng = np.random.default_rng(7)",
                "def run():",
                $"    return x * (rng.random(x.shape, dtype=np.float32) >= {P.ToString(inv)}) / np.float32({(1 - P).ToString(inv)})",
            }, repeats);
            emit(RooflineTableRow(rows, r, roofline, numpy));
        }
    }

    /// <summary>
    /// What a MaxK layer does to its producer's rows (width 256, k 32, dropout 0.5): the fused epilogue the model runs
    /// (<see cref="MaxKEpilogue{TIndex}"/>: bias, dropout and the top-k of each 16-row block in one pass) against the three
    /// separate passes it replaced (AddBias, Dropout, the MaxK kernel), interleaved; beside it the compulsory-traffic
    /// roofline (the rows read once, the CBSR written once, over a triad measured now) and numpy's bias, dropout and
    /// <c>argpartition</c> top-k of the same rows.
    /// </summary>
    private static void FusedMaxKEpilogue(ComputeBackend backend, int repeats, Action<string> emit)
    {
        var inv = CultureInfo.InvariantCulture;
        var s = backend.DefaultStream;
        double triad = RooflineTableHeader(backend, emit, string.Create(inv, $"MaxK after its producer (dim {Dim}, k {K}, dropout {P}): bias + dropout + selection"),
            "Ratio = time(AddBias, Dropout and the MaxK kernel, three passes) / time(the fused epilogue, one pass); roofline = the rows read "
            + "and the CBSR (k values and ushort columns a row) written once, over the triad; numpy = x + b, its dropout and argpartition's top k (one thread).",
            ("three passes", "three"), ("fused", "fused"));
        foreach (int rows in new[] { 2708, 50_000 })
        {
            var host = DenseMatrix<float>.Random(rows, Dim, rows);
            using var h = backend.Upload(host);
            using var z = backend.AllocateDense<float>(rows, Dim);
            using var bias = backend.Upload(DenseMatrix<float>.Random(1, Dim, 2));
            using var output = backend.AllocateCbsr<float, ushort>(rows, Dim, K);
            var epilogue = new MaxKEpilogue<ushort>(output, bias, P, 7);
            // The separate passes add the bias to h in place each time (its values drift by the bias; the work does not change).
            var r = Harness.InterleavedWithSpread(
                () => { TensorOps.AddBias(s, h, bias); TensorOps.Dropout(s, h, z, P, 7); GnnKernels.TopK(s, z, output); },
                () => epilogue.Apply(s, h, GnnKernels.TopK), repeats);
            double roofline = (double)rows * (Dim * sizeof(float) + K * (sizeof(float) + sizeof(ushort))) / (triad * 1e6);
            var numpy = NumpyPeer.Time(host.Data, Dim, new[]
            {
                "rng = np.random.default_rng(7)",
                "b = np.ones(x.shape[1], dtype=np.float32)",
                "def run():",
                $"    z = (x + b) * (rng.random(x.shape, dtype=np.float32) >= {P.ToString(inv)}) / np.float32({(1 - P).ToString(inv)})",
                $"    i = np.sort(np.argpartition(-z, {K - 1}, axis=1)[:, :{K}], axis=1)",
                "    return np.take_along_axis(z, i, axis=1), i.astype(np.uint16)",
            }, repeats);
            emit(RooflineTableRow(rows, r, roofline, numpy));
        }
    }

    /// <summary>
    /// Measures the triad now and writes a roofline table's title, legend and header: rows, the baseline's and the
    /// candidate's times, their ratio, the roofline and its share, numpy and numpy's ratio. Returns the triad (GB/s).
    /// </summary>
    private static double RooflineTableHeader(ComputeBackend backend, Action<string> emit, string title, string legend,
        (string Long, string Short) baseline, (string Long, string Short) candidate)
    {
        var inv = CultureInfo.InvariantCulture;
        double triad = Harness.TriadGigabytesPerSecond(backend.Parallelism, 5);
        emit("");
        emit(string.Create(inv, $"{title}; triad bandwidth measured now: {triad:F1} GB/s ({backend.Parallelism} threads)."));
        emit(legend);
        emit("");
        emit($"| rows | {baseline.Long} ms | {candidate.Long} ms | {baseline.Short} / {candidate.Short} [25th–75th] | roofline ms | share of roofline | numpy ms [25th–75th] | numpy / {candidate.Short} |");
        emit("|---:|---:|---:|---:|---:|---:|---:|---:|");
        return triad;
    }

    /// <summary>One row of a roofline table (see <see cref="RooflineTableHeader"/>); without numpy, the install hint.</summary>
    private static string RooflineTableRow(int rows, (double Baseline, double Candidate, double Ratio, double Low, double High) r, double roofline,
        (double Median, double Low, double High)? numpy)
    {
        var inv = CultureInfo.InvariantCulture;
        string peer = numpy is { } n
            ? string.Create(inv, $"{n.Median:F3} [{n.Low:F3}–{n.High:F3}] | {n.Median / r.Candidate:F1}")
            : "numpy missing (apt-get install python3-numpy) | –";
        return string.Create(inv, $"| {rows} | {r.Baseline:F3} | {r.Candidate:F3} | {r.Ratio:F2} [{r.Low:F2}–{r.High:F2}] | {roofline:F3} | {roofline / r.Candidate:P0} | {peer} |");
    }

    public static int Run(string data, int repeats, FileInfo? outFile)
    {
        var inv = CultureInfo.InvariantCulture;
        var report = new Report();
        void Emit(string line) => report.Line(line);
        using var backend = ComputeBackend.Create(BackendKind.NativeCpu);
        var s = backend.DefaultStream;
        Emit($"# Training stack ({backend.Name}, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC)");
        Emit("");
        Emit("| GEMM (op(A) M×K · op(B) K×N) | M | K | N | plain loop ms | Gemm ms | speed-up |");
        Emit("|---|---:|---:|---:|---:|---:|---:|");
        foreach (var (name, m, k, n, ta, tb) in new (string, int, int, int, bool, bool)[]
        {
            ("H·W, hidden layer", 2708, 256, 256, false, false),
            ("H·W, classifier", 2708, 256, 7, false, false),
            ("Hᵀ·dY, weight gradient", 256, 2708, 7, true, false),
            ("dY·Wᵀ, input gradient", 2708, 7, 256, false, true),
            ("Hᵀ·dY, hidden weight gradient", 256, 19717, 64, true, false),
        })
        {
            var a = ta ? DenseMatrix<float>.Random(k, m, 1) : DenseMatrix<float>.Random(m, k, 1);
            var b = tb ? DenseMatrix<float>.Random(n, k, 2) : DenseMatrix<float>.Random(k, n, 2);
            using var ab = backend.Upload(a);
            using var bb = backend.Upload(b);
            using var c = backend.AllocateDense<float>(m, n);
            var plain = new float[m * n];
            var (loop, gemm, ratio) = Harness.Interleaved(() => PlainLoop(a, ta, b, tb, plain, m, k, n), () => Gemm.Multiply(s, ab, ta, bb, tb, c), repeats);
            Emit(string.Create(inv, $"| {name} | {m} | {k} | {n} | {loop:F2} | {gemm:F3} | {ratio:F1}x |"));
        }
        Emit("");
        Emit("| graph | nnz | dim | forward SpMM ms | generated backward ms | backward / forward time |");
        Emit("|---|---:|---:|---:|---:|---:|");
        foreach (var file in new[] { "cora/adjacency.mtx", "planetoid-pubmed/adjacency.mtx", "ca-AstroPh/adjacency.mtx", "soc-brightkite/adjacency.mtx" })
        {
            if (!File.Exists(Path.Combine(data, file))) continue;
            var graph = GnnModel.GcnAdjacency(BenchGraphs.LoadWeighted(data, file));
            using var a = backend.Upload(graph);
            foreach (int dim in new[] { 16, 256 })
            {
                using var x = backend.Upload(DenseMatrix<float>.Random(graph.ColumnCount, dim, 3));
                using var y = backend.AllocateDense<float>(graph.Rows, dim);
                using var dx = backend.AllocateDense<float>(graph.ColumnCount, dim);
                GnnKernels.PropagateBackward(s, a, y, dx); // builds and caches the adjoint outside the timing
                var (forward, backward, ratio) = Harness.Interleaved(() => GnnKernels.Propagate(s, a, x, y), () => GnnKernels.PropagateBackward(s, a, y, dx), repeats);
                Emit(string.Create(inv, $"| {file} | {graph.Nonzeros} | {dim} | {forward:F2} | {backward:F2} | {1 / ratio:F2} |"));
            }
        }
        Emit("");
        Emit("GEMM ratios are time(plain loop) / time(Gemm); the backward column is time(backward) / time(forward) (median of interleaved pairs).");
        DropoutOnTheMaxKGradient(backend, repeats, Emit);
        FusedMaxKEpilogue(backend, repeats, Emit);
        report.Save(outFile);
        return 0;
    }

    /// <summary>The baseline: C = op(A) · op(B) as three nested loops, one thread, float accumulation.</summary>
    private static void PlainLoop(DenseMatrix<float> a, bool ta, DenseMatrix<float> b, bool tb, float[] c, int m, int k, int n)
    {
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                float sum = 0;
                for (int p = 0; p < k; p++) sum += (ta ? a[p, i] : a[i, p]) * (tb ? b[j, p] : b[p, j]);
                c[i * n + j] = sum;
            }
    }
}
