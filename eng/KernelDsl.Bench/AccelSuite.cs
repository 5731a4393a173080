using System.Diagnostics;
using System.Globalization;
using ILGPU;
using ILGPU.Runtime.Cuda;
using KernelDsl.Graphs;
using KernelDsl.Runtime;

namespace KernelDsl.Bench;

/// <summary>
/// Accel-GCN: the native backend with the degree-sorted plan (rows heaviest first in equal-work runs)
/// against the same kernel with nonzero-balanced row blocks, on the real graphs and on R-MAT graphs
/// of growing skew; plan build time alone and as a fraction of one SpMM; ptxas's static figures of each
/// GPU variant. Ratios are medians of interleaved pairs.
/// </summary>
public static class AccelSuite
{
    public static int Run(string data, string? filter, int[] dims, int repeats, FileInfo? outFile)
    {
        var inv = CultureInfo.InvariantCulture;
        var report = new Report();
        void Emit(string line) => report.Line(line);
        using var backend = ComputeBackend.Create(BackendKind.NativeCpu);
        Emit($"# Accel-GCN degree-sorted blocks ({backend.Name}, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC)");
        Emit("");
        Emit("Baseline: the [SpMM] Sum kernel with nonzero-balanced row blocks (WarpPerRow declaration). Plan: the same native row code, "
            + "rows scheduled from the DegreeSortedPartition (heaviest first, equal-work runs). Speed-up = baseline / plan (median of interleaved pairs).");
        Emit("");
        Emit("| graph | nnz | degree σ/mean | max degree | dim | baseline ms | plan ms | speed-up | plan build ms | build / one SpMM |");
        Emit("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        var graphs = BenchGraphs.Files(data, filter).Select(f => (f, (Func<CsrMatrix<float>>)(() => BenchGraphs.LoadWeighted(data, f)))).ToList();
        if (filter is null || "power-law".Contains(filter, StringComparison.OrdinalIgnoreCase))
            foreach (double a in new[] { 0.25, 0.45, 0.57, 0.70 })
            {
                double rest = (1 - a) / 3;
                graphs.Add(($"R-MAT a={a.ToString(inv)} (65536 nodes, 1M edges)", () => RMatGenerator.Generate<float>(65536, 1_000_000, 11, a, rest, rest)));
            }
        foreach (var (name, load) in graphs)
        {
            var graph = load();
            if (graph.Nonzeros < 1000) continue;
            var stats = graph.DegreeStatistics();
            using var adjacency = backend.Upload(graph);
            var build = Stopwatch.StartNew();
            var plan = DegreeSortedPartition.Build(graph);
            double buildMs = build.Elapsed.TotalMilliseconds;
            adjacency.UsePlan(plan);
            foreach (int dim in dims)
            {
                using var x = backend.Upload(DenseMatrix<float>.Random(graph.ColumnCount, dim, 1));
                using var y = backend.AllocateDense<float>(graph.Rows, dim);
                var (baseline, planned, ratio) = Harness.Interleaved(
                    () => BenchKernels.SumWarpPerRow(backend.DefaultStream, adjacency, x, y),
                    () => BenchKernels.SumDegreeSorted(backend.DefaultStream, adjacency, x, y), repeats);
                Emit(string.Create(inv, $"| {name} | {graph.Nonzeros} | {stats.Skew:F2} | {stats.Max} | {dim} | {baseline:F3} | {planned:F3} | {ratio:F2}x | {buildMs:F2} | {buildMs / planned:F2} |"));
            }
        }
        Emit("");
        StaticFigures(Emit);
        report.Save(outFile);
        return 0;
    }

    /// <summary>ptxas's registers, shared memory and an occupancy estimate for each SpMM schedule of the benchmark, when ptxas is there.</summary>
    private static void StaticFigures(Action<string> emit)
    {
        string? ptxas = Environment.GetEnvironmentVariable("KERNELDSL_PTXAS");
        if (string.IsNullOrEmpty(ptxas))
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "artifacts", "tools", "ptxas", "ptxas");
                if (File.Exists(candidate)) { ptxas = candidate; break; }
            }
        }
        emit("## GPU variants, static figures (ILGPU PTX for sm_90, ptxas 11.8)");
        emit("");
        if (ptxas is null)
        {
            emit("ptxas not found (run eng/ptxas/fetch-ptxas.sh or set KERNELDSL_PTXAS); static figures skipped.");
            return;
        }
        emit("| kernel | registers | shared bytes | spills | threads/block | occupancy estimate |");
        emit("|---|---:|---:|---:|---:|---:|");
        using var context = Context.Create(b => b.Default().Cuda().Optimize(OptimizationLevel.O2));
        foreach (var kernel in PtxTools.GeneratedKernels(typeof(AccelSuite).Assembly).Where(k => k.DeclaringType!.Name.Contains("Sum", StringComparison.Ordinal)))
        {
            var report = PtxTools.Assemble(ptxas, kernel.Name, PtxTools.CompileToPtx(context, kernel));
            int threads = kernel.Name.StartsWith("DegreeSorted", StringComparison.Ordinal) ? 12 * 32 : 256;
            emit(string.Create(CultureInfo.InvariantCulture,
                $"| {kernel.DeclaringType!.Name}.{kernel.Name} | {report.Registers} | {report.SharedBytes} | {report.SpillStoreBytes + report.SpillLoadBytes} | {threads} | {100 * report.EstimatedOccupancy(threads):F0}% |"));
        }
    }
}
