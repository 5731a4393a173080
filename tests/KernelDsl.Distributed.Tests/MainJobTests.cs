using Xunit;
using Xunit.Abstractions;

namespace KernelDsl.Distributed.Tests;

/// <summary>The main job under mpiexec, as the README runs it: tables per rank and in total, and the accuracy table.</summary>
[Collection("mpi")]
public sealed class MainJobTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("auto", "in turn with")] // one machine: the rule does not overlap
    [InlineData("on", "overlapped with")]
    public void GnnTrainRunsOverTwoRanksAndReportsTrafficAndAccuracy(string overlap, string order)
    {
        var folder = Directory.CreateTempSubdirectory("kerneldsl-gnntrain-mpi-");
        try
        {
            var (exit, text, elapsed) = MpiJob.RunProgram(MpiJob.Program("samples", "GnnTrain"), 2, TimeSpan.FromMinutes(4),
                "--data", MpiJob.Data("cora"), "--epochs", "20", "--hidden", "64", "--k", "16", "--partition", "metis", "--verify-every", "5",
                "--overlap", overlap, "--backend", "native", "--out", folder.FullName);
            output.WriteLine($"{elapsed.TotalSeconds:F1} s\n{text}");
            Assert.True(exit == 0, text);
            Assert.Contains("on 2 MPI ranks", text, StringComparison.Ordinal);
            Assert.Contains($"1 machine(s); aggregation {order} the halo exchange", text, StringComparison.Ordinal);
            Assert.Contains("Metis into 2: edge cut", text, StringComparison.Ordinal);
            Assert.Contains("ReLU: per rank, mean of 20 epochs", text, StringComparison.Ordinal);
            Assert.Contains("MaxK (k = 16): per rank, mean of 20 epochs", text, StringComparison.Ordinal);
            Assert.Contains("Accuracy (test at the epoch of best validation accuracy)", text, StringComparison.Ordinal);
            Assert.Single(System.Text.RegularExpressions.Regex.Matches(text, "Accuracy \\(test")); // rank 0 alone writes the tables
            Assert.True(File.Exists(Path.Combine(folder.FullName, "summary.md")));
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public void ANodeOrderIsRefusedUnderMpiexecByName()
    {
        var (exit, text, _) = MpiJob.RunProgram(MpiJob.Program("samples", "GnnTrain"), 2, TimeSpan.FromMinutes(2),
            "--data", MpiJob.Data("cora"), "--epochs", "2", "--order", "rcm", "--backend", "native");
        Assert.True(exit != 0, text);
        Assert.Contains("--order rcm: a distributed run keeps the ids as read", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Accuracy (test", text, StringComparison.Ordinal);
    }
}
