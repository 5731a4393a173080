namespace KernelDsl.Distributed;

/// <summary>
/// What a partition costs on one graph: the edge cut (nonzeros whose column another part owns), each part's nodes,
/// nonzeros and halo (the distinct remote nodes its rows reference: the rows it receives before each aggregation),
/// and the load balance (the largest part's nonzeros over the mean).
/// </summary>
public sealed record PartitionReport(PartitionMethod Method, int Parts, long Nonzeros, long EdgeCut, int[] NodesPerPart, long[] NonzerosPerPart, int[] HaloPerPart)
{
    /// <summary>The share of nonzeros that cross parts.</summary>
    public double CutFraction => Nonzeros == 0 ? 0 : (double)EdgeCut / Nonzeros;

    /// <summary>The largest part's nonzeros over the mean (1 = perfect balance).</summary>
    public double Imbalance => NonzerosPerPart.Length == 0 || NonzerosPerPart.Sum() == 0 ? 1 : NonzerosPerPart.Max() / NonzerosPerPart.Average();

    /// <summary>Halo rows summed over the parts.</summary>
    public long TotalHalo => HaloPerPart.Sum(h => (long)h);

    internal static PartitionReport Of(CsrMatrix<float> graph, GraphPartition partition)
    {
        var owner = partition.Owner;
        var byPart = partition.NodesByPart();
        var nonzeros = new long[partition.Parts];
        var halo = new int[partition.Parts];
        long cut = 0;
        var lastSeenBy = new int[graph.Rows]; // the part + 1 that last counted this node as halo: a remote node counts once per part
        for (int p = 0; p < byPart.Length; p++)
            foreach (int r in byPart[p])
            {
                nonzeros[p] += graph.RowOffsets[r + 1] - graph.RowOffsets[r];
                for (int e = graph.RowOffsets[r]; e < graph.RowOffsets[r + 1]; e++)
                {
                    int c = graph.ColumnIndices[e];
                    if (owner[c] == p) continue;
                    cut++;
                    if (lastSeenBy[c] != p + 1)
                    {
                        lastSeenBy[c] = p + 1;
                        halo[p]++;
                    }
                }
            }
        return new PartitionReport(partition.Method, partition.Parts, graph.Nonzeros, cut, byPart.Select(nodes => nodes.Length).ToArray(), nonzeros, halo);
    }

    /// <summary>One line: method, cut, halo and balance.</summary>
    public override string ToString() =>
        $"{Method} into {Parts}: edge cut {EdgeCut:N0} of {Nonzeros:N0} nonzeros ({CutFraction:P1}), halo {TotalHalo:N0} rows (per part {string.Join(" / ", HaloPerPart.Select(h => h.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)))}), imbalance {Imbalance:F2}";
}
