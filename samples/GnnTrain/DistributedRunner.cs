using System.Globalization;
using KernelDsl.Distributed;
using KernelDsl.Gnn;
using KernelDsl.Runtime;
using Spectre.Console;

namespace GnnTrain;

/// <summary>
/// The main job over MPI (<c>mpiexec -n N dotnet GnnTrain.dll --distributed ...</c>): every rank reads the same data
/// (checked by checksum), the graph is partitioned (METIS or contiguous), each rank trains on its rows and halo with
/// the same generated kernels, and rank 0 prints the partition, the per-rank and total epoch time and traffic, and
/// the accuracy table and plot the one-process job writes.
/// </summary>
public static class DistributedRunner
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static int Run(RunSettings s, string partitionName, string overlapName, int verifyEvery, string[] args)
    {
        using var cluster = MpiCluster.Start(ref args);
        return cluster.RunOrAbort(c => Train(c, s, partitionName, overlapName, verifyEvery));
    }

    private static int Train(MpiCluster c, RunSettings s, string partitionName, string overlapName, int verifyEvery)
    {
        bool lead = c.Rank == 0;
        if (Console.IsOutputRedirected) AnsiConsole.Profile.Width = Math.Max(AnsiConsole.Profile.Width, 140);
        var method = partitionName.ToLowerInvariant() switch
        {
            "metis" => PartitionMethod.Metis,
            "contiguous" => PartitionMethod.Contiguous,
            _ => throw new ArgumentException($"--partition '{partitionName}' is not metis or contiguous."),
        };
        var overlap = overlapName.ToLowerInvariant() switch
        {
            "auto" => ExchangeOverlap.Auto,
            "on" => ExchangeOverlap.On,
            "off" => ExchangeOverlap.Off,
            _ => throw new ArgumentException($"--overlap '{overlapName}' is not auto, on or off."),
        };
        var architecture = Runner.Architecture(s);
        var activations = Runner.Activations(s);
        if (verifyEvery < 0) throw new ArgumentException($"--verify-every {verifyEvery}: give a number of epochs, or 0 for never.");
        if (s.Splits != 1) throw new ArgumentException("--splits: a distributed run trains one split; run the job once per seed.");
        if (s.Order != "none") throw new ArgumentException($"--order {s.Order}: a distributed run keeps the ids as read (the partition decides which rows a rank holds); leave --order out.");
        var data = s.Data is null ? NodeDataset.StochasticBlockModel(s.Nodes, s.Classes, s.Degree, seed: s.Seed) : NodeDataset.Read(s.Data, s.Seed);
        DistributedTraining.CheckSameData(c, data, s.Data ?? "generated graph");
        using var backend = ComputeBackend.Create(ComputeBackend.ParseKind(s.Backend));
        if (lead)
        {
            AnsiConsole.MarkupLine($"[bold]{Markup.Escape(data.Name)}[/]: {data.Nodes} nodes, {data.Adjacency.Nonzeros} edges, {data.Features.ColumnCount} features, {data.Classes} classes; " +
                $"split {data.Train.Length}/{data.Validation.Length}/{data.Test.Length}");
            AnsiConsole.MarkupLine($"[bold]{architecture.ToString().ToUpperInvariant()}[/], {s.Layers} layers, hidden {s.Hidden}, {s.Epochs} epochs on [green]{c.Size} MPI ranks[/] " +
                $"({Markup.Escape(backend.Name)} each, {c.Hosts} machine(s); aggregation {(ExchangeOverlapRule.Overlaps(overlap, c.Hosts) && backend.Kind == BackendKind.NativeCpu ? "overlapped with" : "in turn with")} the halo exchange)");
        }
        var propagation = GnnModel.Propagation(data, architecture);
        var partition = GraphPartition.Shared(c, propagation, method); // made on rank 0, sent to the others
        if (lead) AnsiConsole.MarkupLine(Markup.Escape(partition.Report(propagation).ToString()));
        var runs = new List<Run>();
        foreach (var activation in activations)
        {
            var options = new GnnOptions(architecture, activation, s.K, s.Hidden, s.Layers, s.Dropout, s.LearningRate, s.WeightDecay, s.Seed);
            options.Validate(data);
            var (model, graph) = DistributedTraining.CreateModel(c, backend, data, options, partition, propagation, overlap);
            using (model)
            {
                string label = Runner.Label(activation, s.K);
                var result = DistributedTraining.Train(c, model, graph, s.Epochs, epoch =>
                {
                    if (lead && (epoch.Result.Epoch % Math.Max(1, s.Epochs / 10) == 0 || epoch.Result.Epoch == s.Epochs))
                        Console.WriteLine(string.Create(Inv, $"{label} · epoch {epoch.Result.Epoch} · loss {epoch.Result.Loss:F4} · val {100 * epoch.Result.ValidationAccuracy:F1}% · {epoch.SlowestRankMilliseconds:F1} ms"));
                }, verifyEvery);
                PrintRanks(c, graph, result, label);
                runs.Add(new Run(activation, s.Seed, new TrainingResult(result.History.Select(e => e.Result with { Milliseconds = e.SlowestRankMilliseconds }).ToList(),
                    result.BestEpoch, result.BestValidationAccuracy, result.TestAccuracyAtBestValidation, result.KernelTimes, result.TotalMilliseconds)));
            }
        }
        if (lead) Report.Write(runs, s, architecture, data, backend);
        return 0;
    }

    /// <summary>Rank 0 prints each rank's rows, epoch time and traffic per epoch, and the totals.</summary>
    private static void PrintRanks(MpiCluster c, RankGraph graph, DistributedTrainingResult result, string label)
    {
        int epochs = result.History.Count;
        double ms = result.History.Average(e => e.RankMilliseconds);
        double forward = result.History.Average(e => (double)e.HaloForwardBytes), backward = result.History.Average(e => (double)e.HaloBackwardBytes);
        double reduce = result.History.Average(e => (double)e.AllReduceBytes);
        var owned = c.AllGather(graph.Owned);
        var halo = c.AllGather(graph.Halo);
        var times = c.AllGather(ms);
        var forwards = c.AllGather(forward);
        var backwards = c.AllGather(backward);
        var reduces = c.AllGather(reduce);
        if (c.Rank != 0) return;
        var table = new Table().Title($"{label}: per rank, mean of {epochs} epochs (bytes each rank sent)")
            .AddColumns("rank", "owned", "halo", "ms / epoch", "halo fwd MB", "halo bwd MB", "all-reduce MB");
        static string Mb(double bytes) => (bytes / 1e6).ToString("F2", Inv);
        for (int r = 0; r < c.Size; r++)
            table.AddRow(r.ToString(Inv), owned[r].ToString("N0", Inv), halo[r].ToString("N0", Inv), times[r].ToString("F1", Inv), Mb(forwards[r]), Mb(backwards[r]), Mb(reduces[r]));
        table.AddRow("[bold]total[/]", owned.Sum().ToString("N0", Inv), halo.Sum().ToString("N0", Inv), $"[bold]{times.Max().ToString("F1", Inv)}[/] (slowest)",
            Mb(forwards.Sum()), Mb(backwards.Sum()), Mb(reduces.Sum()));
        AnsiConsole.Write(table);
    }
}
