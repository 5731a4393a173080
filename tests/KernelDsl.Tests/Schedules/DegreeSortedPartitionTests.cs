using KernelDsl.Runtime;
using KernelDsl.Tests.Support;
using Xunit;

namespace KernelDsl.Tests.Schedules;

public sealed class DegreeSortedPartitionTests
{
    /// <summary>Rows of every boundary degree of the Accel-GCN table (validate.py's list), 5 rows each, shuffled.</summary>
    public static CsrMatrix<float> BoundaryDegrees()
    {
        int[] degrees = [0, 1, 31, 32, 33, 63, 64, 65, 95, 96, 97, 127, 128, 129, 190, 191, 192, 193, 383, 384, 385, 767, 768, 769];
        var rng = new Random(4);
        var rowDegrees = degrees.SelectMany(d => Enumerable.Repeat(d, 5)).OrderBy(_ => rng.Next()).ToArray();
        int cols = 1000;
        var (r, c) = (new List<int>(), new List<int>());
        for (int i = 0; i < rowDegrees.Length; i++)
            for (int k = 0; k < rowDegrees[i]; k++) { r.Add(i); c.Add(rng.Next(cols)); }
        return TestGraphs.Weighted(CsrMatrix<float>.FromCoo(rowDegrees.Length, cols, r.ToArray(), c.ToArray(), []), rng);
    }

    /// <summary>Every edge is reduced by exactly one (block, row, warp); the permutation is a stable sort by degree.</summary>
    internal static void AssertInvariants(CsrMatrix<float> m, DegreeSortedPartition plan)
    {
        Assert.Equal(Enumerable.Range(0, m.Rows), plan.Permutation.Order());
        for (int s = 1; s < m.Rows; s++)
        {
            int a = plan.Permutation[s - 1], b = plan.Permutation[s];
            Assert.True(m.Degree(a) < m.Degree(b) || (m.Degree(a) == m.Degree(b) && a < b), "not a stable ascending degree sort");
        }
        var covered = new int[m.Nonzeros];
        for (int block = 0; block < plan.BlockCount; block++)
        {
            Assert.True(plan.BlockRowCount[block] * plan.BlockWarpsPerRow[block] <= plan.Options.WarpsPerBlock, "block needs more warps than it has");
            Assert.True(plan.BlockEdgesPerWarp[block] <= plan.Options.MaxEdgesPerWarp);
            for (int i = 0; i < plan.BlockRowCount[block]; i++)
            {
                int row = plan.Permutation[plan.BlockFirstRow[block] + i];
                Assert.Equal(plan.BlockDegree[block], m.Degree(row));
                int start = m.RowOffsets[row] + plan.BlockSegmentStart[block];
                int end = start + plan.BlockSegmentLength[block];
                for (int warp = 0; warp < plan.BlockWarpsPerRow[block]; warp++)
                    for (int e = start + warp * plan.BlockEdgesPerWarp[block]; e < Math.Min(end, start + (warp + 1) * plan.BlockEdgesPerWarp[block]); e++)
                        covered[e]++;
            }
        }
        Assert.All(covered, count => Assert.Equal(1, count));
        Assert.Equal(plan.BlockCount, plan.BlocksPerClass.Values.Sum());
    }

    [Theory]
    [InlineData(12, 32)]
    [InlineData(4, 8)]
    [InlineData(1, 1)]
    [InlineData(32, 16)]
    public void BoundaryDegreesAreCoveredExactlyOnce(int warps, int edges)
    {
        var m = BoundaryDegrees();
        var plan = DegreeSortedPartition.Build(m, new PartitionOptions(warps, edges));
        AssertInvariants(m, plan);
        Assert.True(plan.HasEmptyRows);
        Assert.True(plan.HasSplitRows);
    }

    [Fact]
    public void ClassesFollowTheAccelGcnTable()
    {
        var m = BoundaryDegrees();
        var plan = DegreeSortedPartition.Build(m, new PartitionOptions(12, 32));
        int Block(int degree) => Enumerable.Range(0, plan.BlockCount).First(b => plan.BlockDegree[b] == degree);
        Assert.Equal((1, 12 >= 5 ? 5 : 12), (plan.BlockWarpsPerRow[Block(32)], plan.BlockRowCount[Block(32)]));
        Assert.Equal((2, 17), (plan.BlockWarpsPerRow[Block(33)], plan.BlockEdgesPerWarp[Block(33)]));
        Assert.Equal((6, 32), (plan.BlockWarpsPerRow[Block(191)], plan.BlockEdgesPerWarp[Block(191)]));
        Assert.Equal((6, 1), (plan.BlockWarpsPerRow[Block(192)], plan.BlockRowCount[Block(192)]));
        Assert.Equal(12, plan.BlockWarpsPerRow[Block(384)]);
        Assert.Equal(3, Enumerable.Range(0, plan.BlockCount).Count(b => plan.BlockDegree[b] == 769 && plan.BlockFirstRow[b] == plan.BlockFirstRow[Block(769)]));
        Assert.Contains("segment", plan.BlocksPerClass.Keys);
    }

    [Theory]
    [MemberData(nameof(TestGraphs.RealGraphFiles), MemberType = typeof(TestGraphs))]
    public void EveryRealGraphWhole(string file)
    {
        var m = TestGraphs.RealGraph(file);
        AssertInvariants(m, DegreeSortedPartition.Build(m));
    }

    [Fact]
    public void ShapesIncludingEmptyGraph()
    {
        foreach (var shape in TestGraphs.ShapeNames)
            AssertInvariants(TestGraphs.Shape(shape), DegreeSortedPartition.Build(TestGraphs.Shape(shape), new PartitionOptions(4, 8)));
    }

    [Fact]
    public void APlanForAnotherGraphIsRefused()
    {
        using var backend = ComputeBackend.Create(BackendKind.NativeCpu);
        var graph = TestGraphs.Shape("power-law");
        using var a = backend.Upload(graph);
        var other = DegreeSortedPartition.Build(TestGraphs.Shape("uniform"));
        var size = Assert.Throws<ArgumentException>(() => a.UsePlan(other));
        Assert.Equal("plan", size.ParamName);
        Assert.Contains("rows", size.Message, StringComparison.Ordinal);

        // Same size, one column moved: a changed structure.
        var columns = (int[])graph.ColumnIndices.Clone();
        columns[0] = (columns[0] + 1) % graph.ColumnCount;
        var moved = DegreeSortedPartition.Build(new CsrMatrix<float>(graph.Rows, graph.ColumnCount, graph.RowOffsets, columns, graph.Values));
        Assert.Contains("different structure", Assert.Throws<ArgumentException>(() => a.UsePlan(moved)).Message, StringComparison.Ordinal);

        var own = DegreeSortedPartition.Build(graph, new PartitionOptions(6, 16));
        a.UsePlan(own);
        Assert.Same(own, a.DegreeSortedPlan(new PartitionOptions(6, 16)));
        Assert.Same(a.DegreeSortedPlan(new PartitionOptions(12, 32)), a.DegreeSortedPlan(new PartitionOptions(12, 32)));
    }

    [Fact]
    public void InvalidOptionsAreNamed()
    {
        var m = TestGraphs.Shape("uniform");
        Assert.Equal("WarpsPerBlock", Assert.Throws<ArgumentOutOfRangeException>(() => DegreeSortedPartition.Build(m, new PartitionOptions(0, 32))).ParamName);
        Assert.Equal("MaxEdgesPerWarp", Assert.Throws<ArgumentOutOfRangeException>(() => DegreeSortedPartition.Build(m, new PartitionOptions(12, 0))).ParamName);
    }
}
