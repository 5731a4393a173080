using System.Diagnostics;
using System.Globalization;
using KernelDsl.Gnn;
using KernelDsl.Graphs;
using KernelDsl.IO;
using KernelDsl.Runtime;

namespace KernelDsl.Bench;

/// <summary>
/// Issue 13's locality order: the native SpMM (<c>GnnKernels.Propagate</c> on the GCN-normalised Â) on each graph in its
/// own ids and in reverse Cuthill–McKee order (<see cref="LocalityOrder"/>), alternated in one process, with the order's
/// build time and the SpMM calls it takes to pay for itself; and the same on the graph with its ids shuffled (what a
/// hashed or crawled numbering looks like), where the order has locality to find. Share of the compulsory-traffic
/// roofline (CSR once, X once, Y once over a triad measured in this run) for both orders.
/// </summary>
public static class LocalitySuite
{
    public static int Run(string data, int[] dims, int repeats, FileInfo? outFile)
    {
        var inv = CultureInfo.InvariantCulture;
        var report = new Report();
        void Emit(string line) => report.Line(line);
        using var backend = ComputeBackend.Create(BackendKind.NativeCpu);
        var s = backend.DefaultStream;
        double triad = Harness.TriadGigabytesPerSecond(Environment.ProcessorCount, 9);
        using var scipy = ScipyPeer.Start(out string why);
        Emit(string.Create(inv, $"# Locality order: native SpMM in the graph's ids vs reverse Cuthill–McKee ({backend.Name}, triad {triad:F1} GB/s, scipy {scipy?.Version ?? why}, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC)"));
        Emit("");
        Emit("| graph | ids | edges within 2048 rows, as given / RCM | Auto reorders | dim | as given ms | RCM ms | speed-up [25th–75th] | roofline share as given / RCM | RCM build ms | scipy RCM build ms | epochs to break even | scipy A @ X, RCM order, ms | RCM vs scipy |");
        Emit("|---|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var name in new[] { "ca-AstroPh", "soc-brightkite", "soc-slashdot0902", "pubmed-maxk", "proteins-full" })
        {
            string path = Path.Combine(data, name, "adjacency.mtx");
            if (!File.Exists(path)) continue;
            var natural = GnnModel.GcnAdjacency(MatrixMarket.ReadCsr<float>(path));
            var rng = new Random(3);
            var shuffle = Enumerable.Range(0, natural.Rows).OrderBy(_ => rng.Next()).ToArray();
            var shuffled = Shuffle(natural, shuffle);
            foreach (var (ids, graph) in new[] { ("as given", natural), ("shuffled", shuffled) })
            {
                var watch = Stopwatch.StartNew();
                var order = LocalityOrder.ReverseCuthillMcKee(graph);
                double build = watch.Elapsed.TotalMilliseconds;
                var reordered = order.Apply(graph);
                scipy?.SetMatrix(graph);
                string scipyBuild = scipy is null ? "–" : scipy.ReverseCuthillMcKee().ToString("F1", inv);
                scipy?.SetMatrix(reordered);
                double nearGiven = LocalityOrder.NearShare(graph, LocalityOrder.AutoWindow), nearRcm = LocalityOrder.NearShare(reordered, LocalityOrder.AutoWindow);
                string auto = LocalityOrder.Auto(graph) is null ? "no" : "yes";
                using var a = backend.Upload(graph);
                using var b = backend.Upload(reordered);
                foreach (int dim in dims)
                {
                    var x = DenseMatrix<float>.Random(graph.Rows, dim, seed: dim);
                    using var xa = backend.Upload(x);
                    using var xb = backend.Upload(new DenseMatrix<float>(x.Rows, dim, order.PermuteRows<float>(x.Data, dim)));
                    using var ya = backend.AllocateDense<float>(graph.Rows, dim);
                    using var yb = backend.AllocateDense<float>(graph.Rows, dim);
                    var (given, rcm, speedUp, low, high) = Harness.InterleavedWithSpread(
                        () => { GnnKernels.Propagate(s, a, xa, ya); s.Synchronize(); },
                        () => { GnnKernels.Propagate(s, b, xb, yb); s.Synchronize(); }, repeats);
                    double roof = Harness.CompulsorySpMMBytes(graph.Rows, graph.ColumnCount, graph.Nonzeros, dim) / (triad * 1e6);
                    string breakEven = given > rcm ? (build / (4 * (given - rcm))).ToString("F1", inv) : "never";
                    string peer = "– | –";
                    if (scipy is not null)
                    {
                        scipy.SetFeatures(new DenseMatrix<float>(x.Rows, dim, order.PermuteRows<float>(x.Data, dim)));
                        double peerMs = 0;
                        var (peerMedian, _, ratio, pLow, pHigh) = Harness.InterleavedWithSpread(() => peerMs = scipy.Run(graph.Rows / 2).Milliseconds,
                            () => { GnnKernels.Propagate(s, b, xb, yb); s.Synchronize(); }, repeats, baselineTime: () => peerMs);
                        peer = string.Create(inv, $"{peerMedian:F2} | {ratio:F1}× [{pLow:F1}–{pHigh:F1}]");
                    }
                    Emit(string.Create(inv, $"| {name} | {ids} | {100 * nearGiven:F0} % / {100 * nearRcm:F0} % | {auto} | {dim} | {given:F2} | {rcm:F2} | {speedUp:F2}× [{low:F2}–{high:F2}] | {100 * roof / given:F0} % / {100 * roof / rcm:F0} % | {build:F1} | {scipyBuild} | {breakEven} | {peer} |"));
                }
            }
        }
        Emit("");
        Emit("Speed-up = time(as given) / time(RCM), median of alternated pairs with the spread of the pair ratios. Epochs to break even = build time / (4 × time saved per SpMM): a 2-layer GCN epoch makes about four Â products (two forward, two backward). Auto = LocalityOrder.Auto's rule (reorder when RCM puts ≥ 1.5× as many edges within 2048 rows). The peer: scipy.sparse.csgraph.reverse_cuthill_mckee's build time, and scipy's A @ X on the RCM-ordered graph alternated with ours (RCM vs scipy = its time / ours).");
        report.Save(outFile);
        return 0;
    }

    /// <summary>The graph under new ids: new node i is old node <paramref name="newToOld"/>[i] (rows and columns renamed).</summary>
    private static CsrMatrix<float> Shuffle(CsrMatrix<float> graph, int[] newToOld)
    {
        int n = graph.Rows;
        var rank = new int[n];
        for (int i = 0; i < n; i++) rank[newToOld[i]] = i;
        var rows = new int[graph.Nonzeros];
        var cols = new int[graph.Nonzeros];
        for (int i = 0; i < n; i++)
            for (int e = graph.RowOffsets[i]; e < graph.RowOffsets[i + 1]; e++) (rows[e], cols[e]) = (rank[i], rank[graph.ColumnIndices[e]]);
        return CsrMatrix<float>.FromCoo(n, n, rows, cols, graph.Values);
    }
}
