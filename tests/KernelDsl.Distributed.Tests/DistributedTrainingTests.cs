using System.Collections.Concurrent;
using System.Text.Json;
using KernelDsl.Gnn;
using KernelDsl.Runtime;
using Xunit;
using Xunit.Abstractions;

namespace KernelDsl.Distributed.Tests;

/// <summary>
/// Training on a graph split over 2 and 4 MPI ranks (METIS and contiguous partitions) gives one process's loss curve
/// and final parameters: the same model and kernels, only the rows each rank holds differ. Dropout is on (its mask
/// follows global node ids), so the comparison covers it too.
/// </summary>
[Collection("mpi")]
public sealed class DistributedTrainingTests(ITestOutputHelper output)
{
    private const int Epochs = 20;
    private const double Tolerance = 1e-4;
    private static readonly ConcurrentDictionary<string, (double[] Loss, float[][] Parameters)> References = new();

    public static IEnumerable<object[]> Cases()
    {
        foreach (var data in new[] { "cora", "sbm:600" })
            foreach (var arch in new[] { "gcn", "sage" })
                foreach (var act in new[] { "relu", "maxk" })
                    foreach (var (partition, ranks) in new[] { ("metis", 2), ("contiguous", 4), ("contiguous", 2), ("metis", 4) })
                        yield return [data, arch, act, partition, ranks];
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void MatchesOneProcess(string data, string arch, string act, string partition, int ranks) => Compare(data, arch, act, partition, ranks, "off");

    /// <summary>The aggregation overlapped with the exchange (interior rows during the gather, owned rows' gradient during the scatter).</summary>
    public static IEnumerable<object[]> OverlapCases()
    {
        foreach (var data in new[] { "cora", "sbm:600" })
            foreach (var act in new[] { "relu", "maxk" })
            {
                yield return [data, "gcn", act, "metis", 2];
                yield return [data, "sage", act, "contiguous", 4];
            }
    }

    [Theory]
    [MemberData(nameof(OverlapCases))]
    public void OverlappedWithTheExchangeMatchesOneProcess(string data, string arch, string act, string partition, int ranks) =>
        Compare(data, arch, act, partition, ranks, "on");

    [Theory]
    [InlineData("empty-last", 3)]
    [InlineData("no-train-last", 4)]
    public void ARankWithNoNodesOrNoTrainingNodesStillMatches(string partition, int ranks)
    {
        Compare("cora", "gcn", "relu", partition, ranks, "off");
        Compare("sbm:600", "sage", "maxk", partition, ranks, "on");
    }

    private void Compare(string data, string arch, string act, string partition, int ranks, string overlap)
    {
        string source = data.StartsWith("sbm:", StringComparison.Ordinal) ? data : MpiJob.Data(data);
        string file = Path.Combine(Path.GetTempPath(), $"kerneldsl-mpi-{Guid.NewGuid():N}.json");
        try
        {
            var (exit, text, elapsed) = MpiJob.Run(ranks, TimeSpan.FromMinutes(3), "train", $"data={source}", $"arch={arch}", $"act={act}",
                $"partition={partition}", $"epochs={Epochs}", $"overlap={overlap}", $"out={file}");
            output.WriteLine($"mpiexec -n {ranks}: {elapsed.TotalSeconds:F1} s\n{text}");
            Assert.True(exit == 0, text);
            using var json = JsonDocument.Parse(File.ReadAllText(file));
            double[] loss = json.RootElement.GetProperty("Loss").EnumerateArray().Select(e => e.GetDouble()).ToArray();
            float[][] parameters = json.RootElement.GetProperty("Parameters").EnumerateArray().Select(p => p.EnumerateArray().Select(v => v.GetSingle()).ToArray()).ToArray();
            var reference = References.GetOrAdd($"{source}|{arch}|{act}", _ => OneProcess(source, arch, act));
            Assert.Equal(reference.Loss.Length, loss.Length);
            double worstLoss = reference.Loss.Zip(loss, (a, b) => Math.Abs(a - b) / Math.Abs(a)).Max();
            double worstParameter = 0;
            Assert.Equal(reference.Parameters.Length, parameters.Length);
            for (int p = 0; p < parameters.Length; p++)
            {
                Assert.Equal(reference.Parameters[p].Length, parameters[p].Length);
                double scale = reference.Parameters[p].Max(v => Math.Abs(v));
                double diff = reference.Parameters[p].Zip(parameters[p], (a, b) => Math.Abs(a - b)).Max();
                worstParameter = Math.Max(worstParameter, scale == 0 ? diff : diff / scale);
            }
            output.WriteLine($"worst relative difference: loss {worstLoss:E2}, parameters {worstParameter:E2}; loss {reference.Loss[0]:F4} -> {reference.Loss[^1]:F4}");
            output.WriteLine("per epoch: " + string.Join(" ", reference.Loss.Zip(loss, (a, b) => (Math.Abs(a - b) / Math.Abs(a)).ToString("E1", System.Globalization.CultureInfo.InvariantCulture))));
            Assert.True(worstLoss <= Tolerance, $"loss curves differ by {worstLoss:E2} (relative)");
            // MaxK keeps each row's k largest entries: a step function. Two runs whose sums round differently (here the
            // all-reduced weight gradients) agree to rounding until an entry within rounding of a row's k-th value is kept
            // in one and dropped in the other; from that epoch on they are two nearby trajectories. Where that happens,
            // every epoch before it must agree to rounding, and the loss curve as above; else the parameters as for ReLU.
            int flip = Array.FindIndex(reference.Loss.Zip(loss, (a, b) => Math.Abs(a - b) / Math.Abs(a)).ToArray(), d => d > 1e-6);
            if (act == "maxk" && flip >= 0)
            {
                output.WriteLine($"a MaxK selection flipped at epoch {flip + 1}; the parameters are compared through the loss curve only");
                Assert.True(reference.Loss.Take(flip).Zip(loss, (a, b) => Math.Abs(a - b) / Math.Abs(a)).All(d => d <= 1e-7),
                    "the runs drifted apart before the selection flip, not by one discrete flip");
                return;
            }
            Assert.True(worstParameter <= Tolerance, $"final parameters differ by {worstParameter:E2} (relative to each parameter's largest value)");
        }
        finally
        {
            File.Delete(file);
        }
    }

    /// <summary>The same run in one process (the worker's settings: hidden 32, k 8, two layers, dropout 0.5).</summary>
    private static (double[] Loss, float[][] Parameters) OneProcess(string source, string arch, string act)
    {
        var data = source.StartsWith("sbm:", StringComparison.Ordinal)
            ? NodeDataset.StochasticBlockModel(int.Parse(source[4..], System.Globalization.CultureInfo.InvariantCulture), classes: 4, degree: 8, featureWords: 64, seed: 3)
            : NodeDataset.Read(source, 0);
        var options = new GnnOptions(arch == "sage" ? GnnArchitecture.Sage : GnnArchitecture.Gcn, act == "maxk" ? Nonlinearity.MaxK : Nonlinearity.Relu,
            K: 8, Hidden: 32, Layers: 2, Dropout: 0.5f);
        using var backend = ComputeBackend.Create(BackendKind.NativeCpu);
        using var model = new GnnModel(backend, data, options);
        var result = GnnTrainer.Train(model, Epochs);
        return (result.History.Select(e => e.Loss).ToArray(), model.Parameters.Select(p => p.Value.ToHost().Data).ToArray());
    }
}
