using KernelDsl.Native;
using Xunit;

namespace KernelDsl.Tests.MaxK;

/// <summary>
/// How many private accumulators the native SSpMM splits its rows into (<see cref="PrivateAccumulators.Partitions"/>):
/// one per worker, one for a product too small to pay for a second accumulator, fewer when the extra accumulators would
/// pass the memory budget; and the partial sums added back in partition order.
/// </summary>
public sealed class PrivateAccumulatorsTests
{
    [Fact]
    public void SmallProductsRunInOnePartitionLargeOnesOnePerWorker()
    {
        const long work = PrivateAccumulators.MinimumParallelWork;
        Assert.Equal(1, PrivateAccumulators.Partitions(parallelism: 2, size: 86_656, work: 425_000)); // Cora at k 32
        Assert.Equal(1, PrivateAccumulators.Partitions(2, 1000, work - 1));
        Assert.Equal(2, PrivateAccumulators.Partitions(2, 1000, work));
        Assert.Equal(8, PrivateAccumulators.Partitions(8, 630_000, 3_500_000)); // pubmed-maxk at k 32
        Assert.Equal(1, PrivateAccumulators.Partitions(1, 1000, 1L << 40));
        Assert.Equal(1, PrivateAccumulators.Partitions(0, 1000, 1L << 40)); // no workers: still one partition
        // Accumulators of 1 GB each: the 512 MB budget allows none beyond dX itself.
        Assert.Equal(1, PrivateAccumulators.Partitions(8, 1 << 28, 1L << 40));
        // 100 MB each: five fit in the budget, so six partitions (dX and five private ones) of eight workers.
        Assert.Equal(6, PrivateAccumulators.Partitions(8, 25 << 20, 1L << 40));
    }

    [Fact]
    public void PartialSumsAreAddedIntoTheTargetInPartitionOrder()
    {
        var target = Enumerable.Range(0, 10_001).Select(i => (float)i).ToArray();
        var partial = new float[3][];
        partial[0] = target;
        for (int p = 1; p < 3; p++)
        {
            partial[p] = System.Buffers.ArrayPool<float>.Shared.Rent(target.Length);
            for (int i = 0; i < target.Length; i++) partial[p][i] = p * 0.5f;
        }
        PrivateAccumulators.SumInto(target, partial, target.Length, parallelism: 2);
        for (int i = 0; i < target.Length; i++) Assert.Equal(i + 0.5f + 1f, target[i]);
    }
}
