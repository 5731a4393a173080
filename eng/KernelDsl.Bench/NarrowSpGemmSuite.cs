using System.Globalization;
using KernelDsl.Gnn;
using KernelDsl.IO;
using KernelDsl.Native;
using KernelDsl.Runtime;

namespace KernelDsl.Bench;

/// <summary>
/// The SpGEMM on rows of 33–64 columns (<see cref="RowScatter"/>, DR-CircuitGNN's width), measured in one run against:
/// the scalar scatter it replaces (<c>RowScatter.Enabled = false</c>, alternated), the compulsory-traffic roofline (Â's
/// CSR once, the CBSR values and indices once, Y once, over a triad measured in this run), the dense SpMM on the same
/// features (the path the sparse activation replaces), and scipy's sparse × sparse <c>A @ X</c> on the same CBSR as CSR
/// (the peer a scipy user has for MaxK's output), alternated with ours.
/// </summary>
public static class NarrowSpGemmSuite
{
    public static int Run(string data, int[] dims, int[] ks, int repeats, FileInfo? outFile)
    {
        var inv = CultureInfo.InvariantCulture;
        var report = new Report();
        void Emit(string line) => report.Line(line);
        using var backend = ComputeBackend.Create(BackendKind.NativeCpu);
        var s = backend.DefaultStream;
        double triad = Harness.TriadGigabytesPerSecond(Environment.ProcessorCount, 9);
        using var scipy = ScipyPeer.Start(out string why);
        Emit(string.Create(inv, $"# SpGEMM on narrow rows: output row in registers vs the scalar scatter ({backend.Name}, triad {triad:F1} GB/s, scipy {scipy?.Version ?? why}, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC)"));
        Emit("");
        Emit("| graph | dim | k | registers ms | scatter ms | registers vs scatter [25th–75th] | roofline ms | % of roofline | dense SpMM ms | vs dense | scipy ms | vs scipy [25th–75th] |");
        Emit("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var name in new[] { "ca-AstroPh", "soc-brightkite", "soc-slashdot0902" })
        {
            string path = Path.Combine(data, name, "adjacency.mtx");
            if (!File.Exists(path)) continue;
            var graph = GnnModel.GcnAdjacency(MatrixMarket.ReadCsr<float>(path));
            using var a = backend.Upload(graph);
            scipy?.SetMatrix(graph);
            foreach (int dim in dims)
                foreach (int k in ks.Where(k => k <= dim))
                {
                    var features = DenseMatrix<float>.Random(graph.ColumnCount, dim, 1);
                    using var x = backend.Upload(features);
                    using var cbsr = backend.AllocateCbsr<float, byte>(graph.ColumnCount, dim, k);
                    BenchKernels.TopK(s, x, cbsr);
                    using var y = backend.AllocateDense<float>(graph.Rows, dim);
                    void Ours() { BenchKernels.MaxKForward(s, a, cbsr, y); s.Synchronize(); }
                    void Scatter()
                    {
                        RowScatter.Enabled = false;
                        try { Ours(); }
                        finally { RowScatter.Enabled = true; }
                    }
                    var (scatterMs, oursMs, gain, low, high) = Harness.InterleavedWithSpread(Scatter, Ours, repeats);
                    double denseMs = Harness.MedianMilliseconds(() => { BenchKernels.SumWarpPerRow(s, a, x, y); s.Synchronize(); }, repeats);
                    double bytes = 4.0 * (graph.Rows + 1) + 8.0 * graph.Nonzeros + (4.0 + 1.0) * k * graph.ColumnCount + 4.0 * dim * graph.Rows;
                    double roofline = bytes / (triad * 1e6);
                    string peer = "– | –";
                    if (scipy is not null)
                    {
                        scipy.SetSparseFeatures(cbsr.ToHost());
                        double peerMs = 0;
                        var (peerMedian, _, ratio, pLow, pHigh) = Harness.InterleavedWithSpread(() => peerMs = scipy.Run(graph.Rows / 2).Milliseconds, Ours, repeats,
                            baselineTime: () => peerMs);
                        peer = string.Create(inv, $"{peerMedian:F2} | {ratio:F1}× [{pLow:F1}–{pHigh:F1}]");
                    }
                    string path2 = RowScatter.Supports<byte>(dim, k) ? "" : " (scatter: outside the rule)";
                    Emit(string.Create(inv, $"| {name} | {dim} | {k}{path2} | {oursMs:F2} | {scatterMs:F2} | {gain:F2}× [{low:F2}–{high:F2}] | {roofline:F2} | {100 * roofline / oursMs:F0} % | {denseMs:F2} | {denseMs / oursMs:F2}× | {peer} |"));
                }
        }
        Emit("");
        Emit("Registers vs scatter = time(scatter) / time(registers), median of alternated pairs. Roofline = Â's CSR once + CBSR values (4 B) and byte indices once + Y once, over the triad. vs dense = dense SpMM time / ours (above 1 the sparse path is faster). vs scipy = scipy's A @ X (X the CBSR as CSR, sparse × sparse) / ours.");
        report.Save(outFile);
        return 0;
    }
}
