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

    internal static PartitionReport Of(CsrMatrix<float> graph, int[] owner, int parts, PartitionMethod method)
    {
        var nodes = new int[parts];
        var nonzeros = new long[parts];
        var halo = new int[parts];
        long cut = 0;
        var lastSeenBy = new int[graph.Rows]; // the part + 1 that last counted this node as halo
        for (int r = 0; r < graph.Rows; r++)
        {
            int p = owner[r];
            nodes[p]++;
            nonzeros[p] += graph.RowOffsets[r + 1] - graph.RowOffsets[r];
        }
        // Halo per part: walk each part's rows together so a remote node is counted once per part.
        var rowsByPart = new List<int>[parts];
        for (int p = 0; p < parts; p++) rowsByPart[p] = [];
        for (int r = 0; r < graph.Rows; r++) rowsByPart[owner[r]].Add(r);
        for (int p = 0; p < parts; p++)
            foreach (int r in rowsByPart[p])
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
        return new PartitionReport(method, parts, graph.Nonzeros, cut, nodes, nonzeros, halo);
    }

    /// <summary>One line: method, cut, halo and balance.</summary>
    public override string ToString() =>
        $"{Method} into {Parts}: edge cut {EdgeCut:N0} of {Nonzeros:N0} nonzeros ({CutFraction:P1}), halo {TotalHalo:N0} rows (per part {string.Join(" / ", HaloPerPart.Select(h => h.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)))}), imbalance {Imbalance:F2}";
}
