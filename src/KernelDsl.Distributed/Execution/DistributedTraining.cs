using System.Diagnostics;
using KernelDsl.Gnn;
using KernelDsl.Runtime;
using KernelDsl.Training;

namespace KernelDsl.Distributed;

/// <summary>One epoch on one rank: the (global) losses and accuracies, this rank's time, and what it sent.</summary>
public sealed record DistributedEpoch(EpochResult Result, double RankMilliseconds, double SlowestRankMilliseconds,
    long HaloForwardBytes, long HaloBackwardBytes, long AllReduceBytes);

/// <summary>A finished distributed run on one rank (the history is the same on every rank).</summary>
public sealed record DistributedTrainingResult(IReadOnlyList<DistributedEpoch> History, int BestEpoch, double BestValidationAccuracy,
    double TestAccuracyAtBestValidation, IReadOnlyList<(string Operation, Phase Phase, double Milliseconds, int Calls)> KernelTimes, double TotalMilliseconds);

/// <summary>
/// Full-batch GNN training on a graph split over the ranks of an MPI job: the one-process model (<see cref="GnnModel"/>),
/// the same generated kernels, each rank holding its partition's rows of the features, the propagation matrix and the
/// labels plus a halo (<see cref="HaloExchange"/>). The loss is the one-process loss (each rank's share over the global
/// training count, summed), weight gradients are all-reduced and every rank takes the same Adam step, so the
/// parameters stay identical on every rank and equal to one process's, up to the order of float additions.
/// </summary>
public static class DistributedTraining
{
    /// <summary>A 64-bit hash of everything a rank reads of a dataset: graph, features, labels and splits.</summary>
    public static ulong Checksum(NodeDataset data)
    {
        ArgumentNullException.ThrowIfNull(data);
        var h = Hash64.Start();
        h.Add(GraphPartition.Fingerprint(data.Adjacency));
        h.Add(GraphPartition.Fingerprint(data.Features));
        if (data.Features.Values is { } values) h.Add(values);
        if (data.Adjacency.Values is { } weights) h.Add(weights);
        h.Add(data.Labels);
        h.Add((ulong)data.Classes);
        foreach (var split in new[] { data.Train, data.Validation, data.Test })
        {
            h.Add((ulong)split.Length);
            h.Add(split);
        }
        return h.Value;
    }

    /// <summary>
    /// Refuses to go on when the ranks did not read the same dataset (each compares the checksums of all), naming every
    /// rank's checksum and <paramref name="source"/>.
    /// </summary>
    public static void CheckSameData(MpiCluster cluster, NodeDataset data, string source)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        ulong mine = Checksum(data);
        var all = cluster.AllGather(mine);
        if (all.Distinct().Count() > 1)
            throw new InvalidDataException(
                $"the ranks read different data for '{source}': checksums {string.Join(", ", all.Select((c, r) => $"rank {r} {c:x16}"))}; every rank must read the same files (same path and contents, same split seed).");
    }

    /// <summary>
    /// This rank's model for <paramref name="partition"/> of the propagation matrix (<see cref="GraphPartition.Shared"/>
    /// makes one on rank 0 for every rank; an explicit one may leave parts empty): the rank's rows and halo, and a
    /// <see cref="GnnModel"/> over them whose parameters start as one process's. <paramref name="overlap"/> says whether the
    /// aggregations that need no halo run while it travels (native backend; <see cref="ExchangeOverlapRule"/> decides Auto).
    /// </summary>
    public static (GnnModel Model, RankGraph Graph) CreateModel(MpiCluster cluster, ComputeBackend backend, NodeDataset data, GnnOptions options,
        GraphPartition partition, CsrMatrix<float>? propagation = null, ExchangeOverlap overlap = ExchangeOverlap.Auto)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(partition);
        propagation ??= GnnModel.Propagation(data, options.Architecture);
        if (partition.Parts != cluster.Size)
            throw new ArgumentException($"the partition has {partition.Parts} parts but the job has {cluster.Size} ranks; partition into {cluster.Size}.", nameof(partition));
        var graph = RankGraph.Build(propagation, partition, cluster.Rank);
        var exchange = new HaloExchange(cluster, graph, ExchangeOverlapRule.Overlaps(overlap, cluster.Hosts));
        // The halo rows' input features are replicated (they never change): every rank computes X·W₀ for its halo rows
        // itself, so the first aggregation needs no exchange, forward or backward (see GnnModel).
        var model = new GnnModel(backend, data, options, graph.LocalRows(GnnModel.Features(data), localColumns: false, haloRows: true),
            graph.LocalRows(propagation, localColumns: true), exchange);
        return (model, graph);
    }

    /// <summary>
    /// Trains for <paramref name="epochs"/> epochs as <see cref="GnnTrainer.Train"/> does (same dropout seeds, same
    /// loss), reporting each epoch to <paramref name="progress"/> on every rank. With <paramref name="verifyEvery"/> &gt; 0
    /// the ranks compare a hash of their parameters every that many epochs and stop if they differ.
    /// </summary>
    public static DistributedTrainingResult Train(MpiCluster cluster, GnnModel model, RankGraph graph, int epochs,
        Action<DistributedEpoch>? progress = null, int verifyEvery = 0)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentOutOfRangeException.ThrowIfLessThan(epochs, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(verifyEvery);
        if (model.Exchange is null || model.Rows != graph.Rows)
            throw new ArgumentException("the model was not made for this rank's graph; make both with DistributedTraining.CreateModel.", nameof(model));
        var data = model.Data;
        var labels = new int[graph.Rows];
        for (int i = 0; i < graph.Owned; i++) labels[i] = data.Labels[graph.GlobalIds[i]];
        var (train, validation, test) = (Local(data.Train), Local(data.Validation), Local(data.Test));
        var gradient = new float[graph.Rows * data.Classes];
        var history = new List<DistributedEpoch>(epochs);
        var total = Stopwatch.StartNew();
        model.Timer.Reset();
        int best = 0;
        double bestValidation = -1, testAtBest = 0;
        for (int epoch = 1; epoch <= epochs; epoch++)
        {
            var before = cluster.Traffic.Snapshot();
            var watch = Stopwatch.StartNew();
            model.Timer.Enabled = true;
            model.Forward(training: true, dropoutSeed: (uint)(model.Options.Seed * 7919 + epoch));
            double localLoss = 0;
            model.Timer.Time(model.Logits.Backend.DefaultStream, "loss (host)", Phase.Forward, () =>
            {
                var logits = model.Logits.ToHost().Data;
                localLoss = Losses.SoftmaxCrossEntropy(logits, data.Classes, labels, train, gradient, data.Train.Length);
                model.SetLogitsGradient(gradient);
            });
            model.Backward();
            model.Step();
            model.Timer.Enabled = false;
            double loss = cluster.Sum(localLoss);
            var (trainAccuracy, validationAccuracy, testAccuracy) = Evaluate(cluster, model, labels, train, validation, test);
            double ms = watch.Elapsed.TotalMilliseconds;
            var after = cluster.Traffic.Snapshot();
            var result = new EpochResult(epoch, loss, trainAccuracy, validationAccuracy, testAccuracy, ms);
            var record = new DistributedEpoch(result, ms, cluster.Max(ms), after.HaloForward - before.HaloForward,
                after.HaloBackward - before.HaloBackward, after.AllReduce - before.AllReduce);
            history.Add(record);
            if (validationAccuracy > bestValidation)
            {
                bestValidation = validationAccuracy;
                testAtBest = testAccuracy;
                best = epoch;
            }
            if (verifyEvery > 0 && epoch % verifyEvery == 0) VerifyParameters(cluster, model, epoch);
            progress?.Invoke(record);
        }
        return new DistributedTrainingResult(history, best, bestValidation, testAtBest, model.Timer.Totals, total.Elapsed.TotalMilliseconds);

        List<int> Local(int[] globalRows)
        {
            var set = new HashSet<int>(globalRows);
            var rows = new List<int>();
            for (int i = 0; i < graph.Owned; i++) if (set.Contains(graph.GlobalIds[i])) rows.Add(i);
            return rows;
        }
    }

    /// <summary>Train, validation and test accuracy over all ranks, from a forward without dropout.</summary>
    private static (double Train, double Validation, double Test) Evaluate(MpiCluster cluster, GnnModel model, int[] labels,
        List<int> train, List<int> validation, List<int> test)
    {
        model.Forward(training: false);
        var logits = model.Logits.ToHost().Data;
        int classes = model.Data.Classes;
        double Global(List<int> rows, int globalCount)
        {
            long correct = (long)Math.Round(Losses.Accuracy(logits, classes, labels, rows) * rows.Count);
            return globalCount == 0 ? 0 : (double)cluster.Sum(correct) / globalCount;
        }
        var d = model.Data;
        return (Global(train, d.Train.Length), Global(validation, d.Validation.Length), Global(test, d.Test.Length));
    }

    /// <summary>A hash of the parameters' values, bit for bit.</summary>
    public static ulong ParameterChecksum(GnnModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var h = Hash64.Start();
        foreach (var p in model.Parameters) h.Add(p.Value.ToHost().Data);
        return h.Value;
    }

    private static void VerifyParameters(MpiCluster cluster, GnnModel model, int epoch)
    {
        var all = cluster.AllGather(ParameterChecksum(model));
        if (all.Distinct().Count() > 1)
            throw new InvalidOperationException(
                $"after epoch {epoch} the ranks' parameters differ ({string.Join(", ", all.Select((c, r) => $"rank {r} {c:x16}"))}): the all-reduce or the optimizer step is not the same on every rank.");
    }
}
