using KernelDsl.IO;

namespace KernelDsl.Graphs;

/// <summary>
/// Builds the heterogeneous circuit graph circuit GNNs use from a <see cref="BenchNetlist"/>:
/// node types <c>cell</c> (one per gate, DFFs included, in file order) and <c>net</c> (one per signal:
/// the primary inputs, then each gate's output), and relations
/// <list type="bullet">
/// <item><c>drives</c> (cell → net): a net aggregates from the cell driving it (primary inputs have none);</item>
/// <item><c>feeds</c> (net → cell): a cell aggregates from its input nets (a net used twice counts twice);</item>
/// <item><c>near</c> (cell → cell): a geometric relation. A .bench file has no placement, so cells get the
/// deterministic position (logic level, rank of the cell within its level in file order), and two distinct
/// cells are near when their levels differ by at most 1 and their ranks by at most 2. This is a stand-in
/// for placement proximity, documented as such.</item>
/// </list>
/// Cell features: one-hot gate type (<see cref="BenchNetlist.GateTypes"/>), fan-in, fan-out, level / max level,
/// rank / level size. Net features: fan-out, is primary input, is primary output, driver level / max level.
/// All adjacencies carry value 1 per edge.
/// </summary>
public static class CircuitGraph
{
    public static HeteroGraph FromBench(BenchNetlist netlist)
    {
        ArgumentNullException.ThrowIfNull(netlist);
        int cells = netlist.Gates.Count;
        var netIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var input in netlist.Inputs) netIndex[input] = netIndex.Count;
        foreach (var gate in netlist.Gates) netIndex[gate.Output] = netIndex.Count;
        int nets = netIndex.Count;

        // drives: row = net, column = its driving cell.
        var drivesRows = new int[cells];
        var drivesCols = new int[cells];
        for (int c = 0; c < cells; c++) { drivesRows[c] = netIndex[netlist.Gates[c].Output]; drivesCols[c] = c; }
        var drives = CsrMatrix<float>.FromCoo(nets, cells, drivesRows, drivesCols, Ones(cells));

        // feeds: row = cell, columns = its input nets.
        var feedsRows = new List<int>();
        var feedsCols = new List<int>();
        var fanout = new int[nets];
        for (int c = 0; c < cells; c++)
            foreach (var input in netlist.Gates[c].Inputs)
            {
                feedsRows.Add(c);
                feedsCols.Add(netIndex[input]);
                fanout[netIndex[input]]++;
            }
        var feeds = CsrMatrix<float>.FromCoo(cells, nets, feedsRows.ToArray(), feedsCols.ToArray(), Ones(feedsRows.Count));

        // near: positions (level, rank within level in file order).
        var levels = netlist.GateLevels;
        int maxLevel = cells == 0 ? 0 : levels.Max();
        var byLevel = Enumerable.Range(0, maxLevel + 1).Select(_ => new List<int>()).ToArray();
        var rank = new int[cells];
        for (int c = 0; c < cells; c++) { rank[c] = byLevel[levels[c]].Count; byLevel[levels[c]].Add(c); }
        var nearRows = new List<int>();
        var nearCols = new List<int>();
        for (int c = 0; c < cells; c++)
            for (int l = Math.Max(0, levels[c] - 1); l <= Math.Min(maxLevel, levels[c] + 1); l++)
                for (int r = Math.Max(0, rank[c] - 2); r <= Math.Min(byLevel[l].Count - 1, rank[c] + 2); r++)
                {
                    int other = byLevel[l][r];
                    if (other == c) continue;
                    nearRows.Add(c);
                    nearCols.Add(other);
                }
        var near = CsrMatrix<float>.FromCoo(cells, cells, nearRows.ToArray(), nearCols.ToArray(), Ones(nearRows.Count));

        // Features.
        var types = BenchNetlist.GateTypes;
        var cellFeatures = new DenseMatrix<float>(cells, types.Count + 4);
        for (int c = 0; c < cells; c++)
        {
            var gate = netlist.Gates[c];
            cellFeatures[c, IndexOf(types, gate.Type)] = 1f;
            cellFeatures[c, types.Count] = gate.Inputs.Count;
            cellFeatures[c, types.Count + 1] = fanout[netIndex[gate.Output]];
            cellFeatures[c, types.Count + 2] = maxLevel == 0 ? 0f : (float)levels[c] / maxLevel;
            cellFeatures[c, types.Count + 3] = byLevel[levels[c]].Count <= 1 ? 0f : (float)rank[c] / (byLevel[levels[c]].Count - 1);
        }
        var outputs = new HashSet<string>(netlist.Outputs, StringComparer.Ordinal);
        var netFeatures = new DenseMatrix<float>(nets, 4);
        foreach (var (name, n) in netIndex)
        {
            netFeatures[n, 0] = fanout[n];
            netFeatures[n, 1] = n < netlist.Inputs.Count ? 1f : 0f;
            netFeatures[n, 2] = outputs.Contains(name) ? 1f : 0f;
            netFeatures[n, 3] = n < netlist.Inputs.Count || maxLevel == 0 ? 0f : (float)levels[n - netlist.Inputs.Count] / maxLevel;
        }

        return new HeteroGraph()
            .AddNodeType("cell", cells)
            .AddNodeType("net", nets)
            .AddRelation("drives", "cell", "net", drives)
            .AddRelation("feeds", "net", "cell", feeds)
            .AddRelation("near", "cell", "cell", near)
            .SetFeatures("cell", cellFeatures)
            .SetFeatures("net", netFeatures);
    }

    private static float[] Ones(int n) => Enumerable.Repeat(1f, n).ToArray();

    private static int IndexOf(IReadOnlyList<string> list, string value)
    {
        for (int i = 0; i < list.Count; i++) if (list[i] == value) return i;
        return -1;
    }
}
