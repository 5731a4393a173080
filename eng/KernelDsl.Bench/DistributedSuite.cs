using System.Diagnostics;
using System.Globalization;
using KernelDsl.Distributed;
using KernelDsl.Gnn;
using KernelDsl.IO;
using KernelDsl.Runtime;

namespace KernelDsl.Bench;

/// <summary>
/// Distributed GCN training, run under <c>mpiexec.mpich -n P</c> (P = 1, 2, 4 ...): per graph, partition method
/// (contiguous, METIS) and activation (ReLU, MaxK), the epoch time of the slowest rank against one process training the
/// same model in the same job (rank 0 alone, the others idle), and the traffic per epoch split into halo forward, halo
/// backward and all-reduce; the share of the epoch the exchanges took. Then a model: the halo growth with the number of
/// parts (METIS, measured on these graphs up to 64 parts) projects the per-epoch traffic and time of a 100 M-edge graph
/// to 16, 64 and 256 ranks for a stated network bandwidth. Measured and modelled figures are labelled as such.
/// </summary>
public static class DistributedSuite
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static int Run(string data, int repeats, int sbmNodes, FileInfo? outFile, string[] args)
    {
        using var cluster = MpiCluster.Start(ref args);
        return cluster.RunOrAbort(c => Body(c, data, Math.Max(3, repeats), sbmNodes, outFile));
    }

    private sealed record Workload(string Name, Func<NodeDataset> Load, int Hidden, int K);

    private static int Body(MpiCluster c, string data, int epochs, int sbmNodes, FileInfo? outFile)
    {
        bool lead = c.Rank == 0;
        var markdown = new Report();
        void Emit(string line)
        {
            if (lead) markdown.Line(line);
        }
        using var backend = ComputeBackend.Create(BackendKind.NativeCpu);
        Emit($"# Distributed GCN training over {c.Size} MPI rank(s) ({backend.Name} each, {Environment.ProcessorCount} cores on this machine, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC)");
        Emit("");
        Emit($"Epoch = forward, loss, backward, all-reduce, Adam and the evaluation forward; {epochs} epochs after one warm-up, median and [min–max] of the slowest rank's epoch. "
            + "'1 process' = the same model trained by rank 0 alone in the same job (the other ranks idle without spinning), its epochs alternated with the distributed ones; "
            + "'vs 1 process' = its epoch / the distributed epoch, median [min–max] of the pairs: above 1 the job is faster. "
            + "Traffic = bytes the ranks sent to other ranks per epoch, summed over ranks (the all-reduce counted as a ring's 2(p−1)/p of the gradients per rank). "
            + "'exchange share' = the slowest rank's time in halo exchanges and the all-reduce over its epoch.");
        Emit("");
        Emit("| graph | partition | activation | ranks | edge cut | halo rows | epoch ms | 1 process ms | vs 1 process | halo fwd MB | halo bwd MB | all-reduce MB | exchange share |");
        Emit("|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        var workloads = new[]
        {
            new Workload("soc-slashdot0902 (random features, labels)", () => EndToEndSuite.RandomTask(MatrixMarket.ReadCsr<float>(Path.Combine(data, "soc-slashdot0902", "adjacency.mtx")), "soc-slashdot0902"), 256, 32),
            // Hidden 32: an SBM has no locality, so a rank's halo is most of the graph, and at 1 M nodes × 64 the one-process
            // baseline beside the ranks' models does not fit in 24 GB.
            new Workload($"SBM {sbmNodes:N0} nodes, degree 10", () => NodeDataset.StochasticBlockModel(sbmNodes, classes: 8, degree: 10, seed: 3), 32, 4),
        };
        var growth = new List<(string Graph, long Edges, int Nodes, double[] HaloPerOwned, int Hidden, long Parameters, double OneProcessMs)>();
        var overlapRows = new List<string>();
        foreach (var w in workloads)
        {
            var dataset = w.Load();
            DistributedTraining.CheckSameData(c, dataset, w.Name);
            var propagation = GnnModel.Propagation(dataset, GnnArchitecture.Gcn);
            long parameters = 0;
            double oneProcessRelu = 0;
            foreach (var method in new[] { PartitionMethod.Contiguous, PartitionMethod.Metis })
            {
                var partition = GraphPartition.Shared(c, propagation, method);
                var report = partition.Report(propagation);
                foreach (var act in new[] { Nonlinearity.Relu, Nonlinearity.MaxK })
                {
                    // The one-process baseline lives on rank 0; its epochs alternate with the distributed ones.
                    using var single = lead ? new GnnModel(backend, dataset, Options(w, act)) : null;
                    var (model, graph) = DistributedTraining.CreateModel(c, backend, dataset, Options(w, act), partition, propagation);
                    using (model)
                    {
                        parameters = model.Parameters.Sum(p => p.Value.Length);
                        c.OnRankZeroAlone(() => Time(() => GnnTrainer.Train(single!, 1)));
                        DistributedTraining.Train(c, model, graph, 1);
                        var times = new double[epochs];
                        var ratios = new double[epochs];
                        var baseline = new double[epochs];
                        var epochsRun = new List<DistributedEpoch>();
                        double exchange = 0;
                        for (int i = 0; i < epochs; i++)
                        {
                            baseline[i] = c.OnRankZeroAlone(() => Time(() => GnnTrainer.Train(single!, 1)));
                            var run = DistributedTraining.Train(c, model, graph, 1);
                            epochsRun.Add(run.History[0]);
                            times[i] = run.History[0].SlowestRankMilliseconds;
                            ratios[i] = baseline[i] / times[i];
                            exchange += run.KernelTimes.Where(t => t.Operation is "halo exchange" or "all-reduce (gradients)").Sum(t => t.Milliseconds);
                        }
                        if (act == Nonlinearity.Relu) oneProcessRelu = Median(baseline);
                        double Sum(Func<DistributedEpoch, long> bytes) => c.Sum(epochsRun.Sum(e => bytes(e))) / (double)epochs / 1e6;
                        double forward = Sum(e => e.HaloForwardBytes), backward = Sum(e => e.HaloBackwardBytes), reduce = Sum(e => e.AllReduceBytes);
                        double share = c.Max(exchange / Math.Max(1e-9, epochsRun.Sum(e => e.RankMilliseconds)));
                        // Native buffers are managed arrays: collect them now, or four processes on one machine each grow
                        // toward the GC's default limit (75 % of memory) before collecting, together more than there is.
                        GC.Collect();
                        Emit(string.Create(Inv, $"| {w.Name} | {method} | {(act == Nonlinearity.MaxK ? $"MaxK k {w.K}" : "ReLU")} (hidden {w.Hidden}) | {c.Size} | {report.CutFraction:P1} | {report.TotalHalo:N0} | "
                            + $"{Median(times):F0} [{times.Min():F0}–{times.Max():F0}] | {Median(baseline):F0} | {Median(ratios):F2} [{ratios.Min():F2}–{ratios.Max():F2}] | {forward:F2} | {backward:F2} | {reduce:F2} | {share:P0} |"));
                    }
                }
            }
            if (c.Size > 1)
                foreach (var act in new[] { Nonlinearity.Relu, Nonlinearity.MaxK })
                    overlapRows.Add(Overlap(c, backend, dataset, w, act, GraphPartition.Shared(c, propagation, PartitionMethod.Metis), propagation, epochs));
            // The halo's growth with the number of parts (METIS), on rank 0: the input of the projection below.
            if (lead)
            {
                int[] parts = [2, 4, 8, 16, 32, 64];
                var ratios = parts.Select(p => p > dataset.Nodes ? double.NaN : GraphPartition.Metis(propagation, p).Report(propagation).TotalHalo / (double)dataset.Nodes).ToArray();
                growth.Add((w.Name, propagation.Nonzeros, dataset.Nodes, ratios, w.Hidden, parameters, oneProcessRelu));
            }
        }
        if (overlapRows.Count > 0)
        {
            Emit("");
            Emit("## Aggregation overlapped with the exchange (measured, METIS)");
            Emit("");
            Emit("'in turn' = gather, then aggregate; aggregate, then scatter. 'overlapped' = the interior rows aggregate while the halo arrives and the owned rows' "
                + "gradient is computed while the halo rows' gradient travels (HaloExchange overlap). Epochs of the two models alternate; "
                + "'gain' = in turn / overlapped per pair, median [min–max]: above 1 overlapping pays. Boundary rows = owned rows with a halo column, summed over ranks.");
            Emit("");
            Emit("| graph | activation | ranks | boundary rows | in turn ms | overlapped ms | gain |");
            Emit("|---|---|---:|---:|---:|---:|---:|");
            foreach (var row in overlapRows) Emit(row);
        }
        if (lead) Projection(Emit, growth);
        if (lead) markdown.Save(outFile);
        return 0;
    }

    /// <summary>The modelled table: per-epoch traffic and time of a 100 M-edge graph at 16, 64 and 256 ranks.</summary>
    private static void Projection(Action<string> Emit, List<(string Graph, long Edges, int Nodes, double[] HaloPerOwned, int Hidden, long Parameters, double OneProcessMs)> growth)
    {
        int[] parts = [2, 4, 8, 16, 32, 64];
        Emit("");
        Emit("## Halo growth (measured: METIS on this graph, halo rows summed over parts / nodes)");
        Emit("");
        Emit("| graph | " + string.Join(" | ", parts.Select(p => $"{p} parts")) + " |");
        Emit("|---|" + string.Concat(parts.Select(_ => "---:|")));
        foreach (var g in growth) Emit($"| {g.Graph} | " + string.Join(" | ", g.HaloPerOwned.Select(r => r.ToString("F3", Inv))) + " |");
        Emit("");
        const double edges = 100e6, bandwidth = 12.5e9; // 100 Gb/s per rank (InfiniBand HDR100 / 100 GbE)
        Emit("## Projection to a 100 M-edge graph (modelled)");
        Emit("");
        Emit("Model: the graph has the degree of the measured one; the halo fraction at p parts extrapolates the measured METIS growth "
            + "(a power law fitted to 8–64 parts); per epoch each rank sends its halo rows forward (hidden × 4 B, ReLU; MaxK: k × 6 B) and their gradients back "
            + "(hidden × 4 B; MaxK: k × 4 B), for the one hidden layer of a 2-layer GCN, and all-reduces the gradients (ring: 2(p−1)/p × parameters × 4 B); "
            + "compute scales the measured one-process epoch by edges / p (perfect scaling); network 100 Gb/s per rank, exchanges not overlapped. "
            + "Measured inputs: halo growth, parameters, one-process epoch time; modelled: everything else.");
        Emit("");
        Emit("The last two columns assume compute 50× faster than this 2-core CPU's (a GPU per rank; an assumption, not measured here: no GPU was lent), where the exchanges, not the kernels, set the epoch time.");
        Emit("");
        Emit("| like | ranks | halo rows / rank | ReLU MB / rank / epoch | MaxK MB / rank / epoch | all-reduce MB / rank | compute ms | ReLU comm ms | MaxK comm ms | ReLU comm share | ReLU comm share, compute / 50 | MaxK comm share, compute / 50 |");
        Emit("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var g in growth)
        {
            // Fit halo/N = a · p^b on 8..64 parts (log-log least squares).
            var points = parts.Select((p, i) => (X: Math.Log(p), Y: Math.Log(g.HaloPerOwned[i]))).Where((pt, i) => parts[i] >= 8 && double.IsFinite(pt.Y)).ToArray();
            double mx = points.Average(pt => pt.X), my = points.Average(pt => pt.Y);
            double b = points.Sum(pt => (pt.X - mx) * (pt.Y - my)) / points.Sum(pt => (pt.X - mx) * (pt.X - mx));
            double a = Math.Exp(my - b * mx);
            double degree = g.Edges / (double)g.Nodes, nodes = edges / degree;
            int k = g.Hidden / 8;
            foreach (int p in new[] { 16, 64, 256 })
            {
                // Halo rows summed over the parts may exceed the nodes (a node sits in several halos); one rank's halo
                // cannot exceed the nodes it does not own.
                double haloPerRank = Math.Min(nodes - nodes / p, a * Math.Pow(p, b) * nodes / p);
                double relu = haloPerRank * (g.Hidden * 4 + g.Hidden * 4) / 1e6, maxk = haloPerRank * (k * 6 + k * 4) / 1e6;
                double reduce = 2.0 * (p - 1) / p * g.Parameters * 4 / 1e6;
                double compute = g.OneProcessMs * (edges / g.Edges) / p;
                double reluMs = (relu + reduce) * 1e6 / bandwidth * 1e3, maxkMs = (maxk + reduce) * 1e6 / bandwidth * 1e3;
                Emit(string.Create(Inv, $"| {g.Graph} | {p} | {haloPerRank:N0} | {relu:F1} | {maxk:F1} | {reduce:F2} | {compute:F0} | {reluMs:F1} | {maxkMs:F1} | {reluMs / (reluMs + compute):P0} | {reluMs / (reluMs + compute / 50):P0} | {maxkMs / (maxkMs + compute / 50):P0} |"));
            }
        }
    }

    /// <summary>One row of the overlap table: the same distributed model with the exchange in turn and overlapped, epochs alternated.</summary>
    private static string Overlap(MpiCluster c, ComputeBackend backend, NodeDataset dataset, Workload w, Nonlinearity act, GraphPartition partition,
        CsrMatrix<float> propagation, int epochs)
    {
        var (inTurn, graph) = DistributedTraining.CreateModel(c, backend, dataset, Options(w, act), partition, propagation, ExchangeOverlap.Off);
        var (overlapped, _) = DistributedTraining.CreateModel(c, backend, dataset, Options(w, act), partition, propagation, ExchangeOverlap.On);
        using (inTurn)
        using (overlapped)
        {
            DistributedTraining.Train(c, inTurn, graph, 1);
            DistributedTraining.Train(c, overlapped, graph, 1);
            var a = new double[epochs];
            var b = new double[epochs];
            for (int i = 0; i < epochs; i++)
            {
                a[i] = DistributedTraining.Train(c, inTurn, graph, 1).History[0].SlowestRankMilliseconds;
                b[i] = DistributedTraining.Train(c, overlapped, graph, 1).History[0].SlowestRankMilliseconds;
            }
            var gains = a.Zip(b, (x, y) => x / y).ToArray();
            long boundary = c.Sum((long)HaloSplit.Of(graph.LocalRows(propagation, localColumns: true), graph.Owned).BoundaryRows.Count);
            GC.Collect();
            return string.Create(Inv, $"| {w.Name} | {(act == Nonlinearity.MaxK ? $"MaxK k {w.K}" : "ReLU")} (hidden {w.Hidden}) | {c.Size} | {boundary:N0} of {dataset.Nodes:N0} | "
                + $"{Median(a):F0} [{a.Min():F0}–{a.Max():F0}] | {Median(b):F0} [{b.Min():F0}–{b.Max():F0}] | {Median(gains):F2} [{gains.Min():F2}–{gains.Max():F2}] |");
        }
    }

    private static GnnOptions Options(Workload w, Nonlinearity act) => new(GnnArchitecture.Gcn, act, K: w.K, Hidden: w.Hidden, Seed: 1);

    private static double Time(Action action)
    {
        var watch = Stopwatch.StartNew();
        action();
        return watch.Elapsed.TotalMilliseconds;
    }

    private static double Median(double[] values)
    {
        var sorted = values.Order().ToArray();
        return sorted[sorted.Length / 2];
    }
}
