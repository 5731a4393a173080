using KernelDsl;
using KernelDsl.Graphs;
using KernelDsl.IO;

namespace CircuitGnn;

/// <summary>One circuit to learn on: its graph (cell, net; cell → net, net → cell, cell → cell), a per-cell target and the cells that have one.</summary>
public sealed record CircuitTask(string Name, string TargetName, HeteroGraph Graph, string[] Relations, float[] Target, int[] Labelled)
{
    /// <summary>
    /// A placed CircuitNet design; target: local pin density — the pins of the placed cells whose centres lie
    /// within <paramref name="radius"/> g-cells of the cell's centre (itself included), per g-cell² (a routing-congestion proxy).
    /// </summary>
    public static CircuitTask FromCircuitNet(string folder, double radius = 3.0)
    {
        var (graph, cells, _) = CircuitNetDesign.Read(folder);
        var pins = graph.Features["cell"]; // column 0: pins of the cell
        var placed = Enumerable.Range(0, cells.Count).Where(c => cells[c].Center is not null).ToArray();
        // A uniform grid of radius-sized buckets makes the neighbourhood query linear.
        var buckets = new Dictionary<(int, int), List<int>>();
        foreach (int c in placed)
        {
            var (x, y) = cells[c].Center!.Value;
            var key = ((int)Math.Floor(x / radius), (int)Math.Floor(y / radius));
            if (!buckets.TryGetValue(key, out var list)) buckets[key] = list = [];
            list.Add(c);
        }
        var target = new float[cells.Count];
        double area = Math.PI * radius * radius;
        foreach (int c in placed)
        {
            var (x, y) = cells[c].Center!.Value;
            int bx = (int)Math.Floor(x / radius), by = (int)Math.Floor(y / radius);
            double count = 0;
            for (int dx = -1; dx <= 1; dx++)
                for (int dy = -1; dy <= 1; dy++)
                    if (buckets.TryGetValue((bx + dx, by + dy), out var list))
                        foreach (int o in list)
                        {
                            var (ox, oy) = cells[o].Center!.Value;
                            if ((ox - x) * (ox - x) + (oy - y) * (oy - y) <= radius * radius) count += pins[o, 0];
                        }
            target[c] = (float)(count / area);
        }
        return new CircuitTask("CircuitNet " + Path.GetFileName(folder), "pin density / g-cell²", graph, ["pins", "pinned", "near"], target, placed);
    }

    /// <summary>
    /// An ISCAS .bench circuit; target: each gate's signal probability P(output = 1) under uniformly random
    /// primary inputs (and flip-flop outputs). Exact — every input vector simulated — up to 20 inputs;
    /// otherwise estimated from 2^16 random vectors simulated 64 at a time (standard error ≤ 0.002).
    /// </summary>
    public static CircuitTask FromBench(string path, int seed)
    {
        var netlist = BenchNetlist.Read(path);
        var graph = CircuitGraph.FromBench(netlist);
        var target = CircuitSimulation.SignalProbability(netlist, seed, out bool exact);
        return new CircuitTask("ISCAS " + Path.GetFileNameWithoutExtension(path), exact ? "P(1), exact" : "P(1), 2^16 vectors",
            graph, ["drives", "feeds", "near"], target, Enumerable.Range(0, netlist.Gates.Count).ToArray());
    }
}
