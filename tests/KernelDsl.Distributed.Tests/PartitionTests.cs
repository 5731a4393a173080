using KernelDsl.Gnn;
using Xunit;

namespace KernelDsl.Distributed.Tests;

/// <summary>Partitions and a rank's share, in one process (no MPI): checked against brute force on real and generated graphs.</summary>
public sealed class PartitionTests
{
    private static CsrMatrix<float> Cora() => GnnModel.Propagation(NodeDataset.Read(MpiJob.Data("cora"), 0), GnnArchitecture.Gcn);

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(8)]
    public void ContiguousRangesAreBalancedByNonzerosAndNeverEmpty(int parts)
    {
        var graph = Cora();
        var partition = GraphPartition.Contiguous(graph, parts);
        Assert.Equal(PartitionMethod.Contiguous, partition.Method);
        for (int i = 1; i < graph.Rows; i++) Assert.True(partition.Owner[i] >= partition.Owner[i - 1], "contiguous ranges ascend");
        var report = partition.Report(graph);
        Assert.All(report.NodesPerPart, n => Assert.True(n > 0));
        Assert.True(report.Imbalance < 1.1, $"imbalance {report.Imbalance:F2}");
        Assert.Same(partition, GraphPartition.Contiguous(graph, parts)); // cached per graph
    }

    [Theory]
    [InlineData(2)]
    [InlineData(4)]
    [InlineData(16)]
    public void MetisCutsFewerEdgesThanContiguousRangesAndItsReportIsExact(int parts)
    {
        var graph = Cora();
        var metis = GraphPartition.Metis(graph, parts);
        var report = metis.Report(graph);
        Assert.True(report.EdgeCut < GraphPartition.Contiguous(graph, parts).Report(graph).EdgeCut);
        Assert.True(report.Imbalance < 1.2, $"imbalance {report.Imbalance:F2}");
        // Brute force: cut = nonzeros whose column another part owns; halo = distinct such columns per part.
        long cut = 0;
        var halo = Enumerable.Range(0, parts).Select(_ => new HashSet<int>()).ToArray();
        for (int r = 0; r < graph.Rows; r++)
            for (int e = graph.RowOffsets[r]; e < graph.RowOffsets[r + 1]; e++)
            {
                int c = graph.ColumnIndices[e];
                if (metis.Owner[c] == metis.Owner[r]) continue;
                cut++;
                halo[metis.Owner[r]].Add(c);
            }
        Assert.Equal(cut, report.EdgeCut);
        Assert.Equal(halo.Select(h => h.Count), report.HaloPerPart);
        Assert.Equal(graph.Rows, report.NodesPerPart.Sum());
    }

    [Fact]
    public void APartitionIsRefusedForAnotherGraphAndTooManyParts()
    {
        var graph = Cora();
        var partition = GraphPartition.Metis(graph, 4);
        var other = GnnModel.Propagation(NodeDataset.StochasticBlockModel(300, seed: 2), GnnArchitecture.Gcn);
        var ex = Assert.Throws<ArgumentException>(() => partition.Report(other));
        Assert.Contains("partition this graph", ex.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => RankGraph.Build(other, partition, 0));
        var share = RankGraph.Build(graph, partition, 1);
        Assert.Equal("matrix", Assert.Throws<ArgumentException>(() => share.LocalRows(other, localColumns: true)).ParamName);
        var tiny = new CsrMatrix<float>(3, 3, [0, 1, 2, 3], [1, 2, 0], [1f, 1f, 1f]);
        Assert.Equal("parts", Assert.Throws<ArgumentOutOfRangeException>(() => GraphPartition.Metis(tiny, 4)).ParamName);
    }

    [Theory]
    [InlineData("metis", 4)]
    [InlineData("contiguous", 3)]
    public void ARanksShareHoldsItsRowsAndExactlyTheHaloTheyReference(string method, int parts)
    {
        var graph = Cora();
        var partition = method == "metis" ? GraphPartition.Metis(graph, parts) : GraphPartition.Contiguous(graph, parts);
        var shares = Enumerable.Range(0, parts).Select(r => RankGraph.Build(graph, partition, r)).ToArray();
        Assert.Equal(graph.Rows, shares.Sum(s => s.Owned));
        foreach (var share in shares)
        {
            var owned = share.GlobalIds.Take(share.Owned).ToArray();
            Assert.All(owned, g => Assert.Equal(share.Rank, partition.Owner[g]));
            var referenced = owned.SelectMany(g => Enumerable.Range(graph.RowOffsets[g], graph.RowOffsets[g + 1] - graph.RowOffsets[g]).Select(e => graph.ColumnIndices[e]))
                .Where(c => partition.Owner[c] != share.Rank).ToHashSet();
            Assert.Equal(referenced.Order(), share.GlobalIds.Skip(share.Owned).Order());
            // What rank q sends here is, in order, the halo this rank receives from q.
            for (int q = 0; q < parts; q++)
            {
                var (start, count) = share.HaloFrom(q);
                var sent = shares[q].SendTo(share.Rank).Select(local => shares[q].GlobalIds[local]);
                Assert.Equal(share.GlobalIds.Skip(share.Owned + start).Take(count), sent);
            }
            // The local propagation matrix reproduces the global rows, entry for entry, in the global order.
            var local = share.LocalRows(graph, localColumns: true);
            for (int i = 0; i < share.Owned; i++)
            {
                int g = share.GlobalIds[i];
                var want = Enumerable.Range(graph.RowOffsets[g], graph.RowOffsets[g + 1] - graph.RowOffsets[g]).Select(e => (graph.ColumnIndices[e], graph.Values![e]));
                var got = Enumerable.Range(local.RowOffsets[i], local.RowOffsets[i + 1] - local.RowOffsets[i]).Select(e => (share.GlobalIds[local.ColumnIndices[e]], local.Values![e]));
                Assert.Equal(want, got);
            }
            for (int i = share.Owned; i < share.Rows; i++) Assert.Equal(local.RowOffsets[i], local.RowOffsets[i + 1]);
        }
    }
}
