using Xunit;
using Xunit.Abstractions;

namespace KernelDsl.Distributed.Tests;

/// <summary>The halo exchange on its own, and what a job does when something is wrong: it ends, with the reason.</summary>
[Collection("mpi")]
public sealed class HaloAndFaultTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromMinutes(2);

    [Theory]
    [InlineData("cora", "metis", 2)]
    [InlineData("cora", "contiguous", 4)]
    [InlineData("sbm:600", "metis", 4)]
    [InlineData("sbm:600", "empty-last", 3)]
    public void EveryRanksGatheredHaloEqualsTheGlobalRows(string data, string partition, int ranks)
    {
        string source = data.StartsWith("sbm:", StringComparison.Ordinal) ? data : MpiJob.Data(data);
        var (exit, text, _) = MpiJob.Run(ranks, Deadline, "halo", $"data={source}", $"partition={partition}");
        output.WriteLine(text);
        Assert.True(exit == 0, text);
        for (int r = 0; r < ranks; r++) Assert.Contains($"rank {r}: owned", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(2, 1)]
    [InlineData(4, 2)]
    public void ARankThatThrowsStopsEveryRankWithItsError(int ranks, int failing)
    {
        var (exit, text, elapsed) = MpiJob.Run(ranks, Deadline, "throw", $"rank={failing}");
        output.WriteLine($"{elapsed.TotalSeconds:F1} s\n{text}");
        Assert.NotEqual(0, exit);
        Assert.Contains($"rank {failing} of {ranks} failed: InvalidOperationException: injected failure on this rank", text, StringComparison.Ordinal);
    }

    [Fact]
    public void RanksThatReadDifferentDataAreRefused()
    {
        var (exit, text, _) = MpiJob.Run(2, Deadline, "mismatch", $"data={MpiJob.Data("cora")}");
        output.WriteLine(text);
        Assert.NotEqual(0, exit);
        Assert.Contains("the ranks read different data", text, StringComparison.Ordinal);
        Assert.Contains("every rank must read the same files", text, StringComparison.Ordinal);
    }

    [Fact]
    public void MoreRanksThanNodesAreRefused()
    {
        var (exit, text, _) = MpiJob.Run(4, Deadline, "too-many");
        output.WriteLine(text);
        Assert.NotEqual(0, exit);
        Assert.Contains("4 parts (ranks) for a graph of 3 nodes", text, StringComparison.Ordinal);
    }
}
