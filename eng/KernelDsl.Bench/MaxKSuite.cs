using System.Globalization;
using KernelDsl.Graphs;
using KernelDsl.Reference;
using KernelDsl.Runtime;

namespace KernelDsl.Bench;

/// <summary>
/// MaxK-GNN kernels against the dense path they replace, measured in the same run, dim 256:
/// SpGEMM (A · CBSR) vs the dense SpMM (A · X), and SSpMM vs the dense backward SpMM (Aᵀ · dY), each
/// beside the theoretical limit dim/k (the factor by which the feature traffic shrinks).
/// </summary>
public static class MaxKSuite
{
    public const int Dim = 256;

    public static int Run(string data, string? filter, int[] ks, int repeats, string backendName, FileInfo? outFile)
    {
        var inv = CultureInfo.InvariantCulture;
        var report = new Report();
        void Emit(string line) => report.Line(line);
        var kind = ComputeBackend.ParseKind(backendName);
        using var backend = ComputeBackend.Create(kind == BackendKind.Auto ? BackendKind.NativeCpu : kind);
        Emit($"# MaxK-GNN kernels vs the dense path ({backend.Name}, dim {Dim}, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC)");
        Emit("");
        Emit("Forward: dense = the [SpMM] Sum kernel on dense X (N × 256); SpGEMM = [SpGemm] on X's top-k as CBSR. "
            + "Backward: dense = [SpMM] Sum over Aᵀ (cached transpose) with dense dY; SSpMM = [SSpMM] at the k kept entries. "
            + "Limit = dim/k. Dense and sparse runs alternate; times are medians, ratios the median of per-pair ratios.");
        Emit("");
        Emit("| graph | nnz | k | dense fwd ms | SpGEMM ms | fwd ratio | limit | % of limit | dense bwd ms | SSpMM ms | bwd ratio | % of limit |");
        Emit("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        var graphs = BenchGraphs.Files(data, filter).Select(f => (f, (Func<CsrMatrix<float>>)(() => BenchGraphs.LoadWeighted(data, f)))).ToList();
        if (filter is null || "power-law".Contains(filter, StringComparison.OrdinalIgnoreCase))
            graphs.Add(("power-law R-MAT 65536 nodes, 1M edges", () => RMatGenerator.Generate<float>(65536, 1_000_000, 7)));
        var totals = new Dictionary<int, List<(double Forward, double Backward)>>();
        foreach (var (name, load) in graphs)
        {
            var a = load();
            if (a.Rows != a.ColumnCount || a.Nonzeros < 1000) continue; // square graphs with some work
            using var ab = backend.Upload(a);
            using var at = ab.Transposed();
            var dense = DenseMatrix<float>.Random(a.ColumnCount, Dim, 1);
            using var x = backend.Upload(dense);
            using var y = backend.AllocateDense<float>(a.Rows, Dim);
            using var dy = backend.Upload(DenseMatrix<float>.Random(a.Rows, Dim, 2));
            using var dxDense = backend.AllocateDense<float>(a.ColumnCount, Dim);
            void DenseForward() => BenchKernels.SumWarpPerRow(backend.DefaultStream, ab, x, y);
            void DenseBackward() => BenchKernels.SumWarpPerRow(backend.DefaultStream, at, dy, dxDense);
            foreach (int k in ks)
            {
                using var cbsr = backend.AllocateCbsr<float, byte>(a.ColumnCount, Dim, k);
                BenchKernels.TopK(backend.DefaultStream, x, cbsr);
                using var dcbsr = backend.AllocateCbsr<float, byte>(a.ColumnCount, Dim, k);
                var (denseForward, spgemm, forward) = Harness.Interleaved(DenseForward,
                    () => BenchKernels.MaxKForward(backend.DefaultStream, ab, cbsr, y), repeats, backend.Synchronize);
                var (denseBackward, sspmm, backward) = Harness.Interleaved(DenseBackward,
                    () => BenchKernels.MaxKBackward(backend.DefaultStream, ab, dy, cbsr, dcbsr), repeats, backend.Synchronize);
                double limit = (double)Dim / k;
                if (!totals.TryGetValue(k, out var list)) totals[k] = list = [];
                list.Add((forward / limit, backward / limit));
                Emit(string.Create(inv, $"| {name} | {a.Nonzeros} | {k} | {denseForward:F2} | {spgemm:F2} | {forward:F2}x | {limit:F0}x | {100 * forward / limit:F0}% | {denseBackward:F2} | {sspmm:F2} | {backward:F2}x | {100 * backward / limit:F0}% |"));
            }
        }
        Emit("");
        Emit("| k | limit | forward: median % of limit | backward: median % of limit |");
        Emit("|---:|---:|---:|---:|");
        foreach (var (k, list) in totals.OrderBy(p => p.Key))
        {
            static double Median(IEnumerable<double> v) { var s = v.Order().ToArray(); return s[s.Length / 2]; }
            Emit(string.Create(inv, $"| {k} | {Dim / k}x | {100 * Median(list.Select(l => l.Forward)):F0}% | {100 * Median(list.Select(l => l.Backward)):F0}% |"));
        }
        report.Save(outFile);
        return 0;
    }
}
