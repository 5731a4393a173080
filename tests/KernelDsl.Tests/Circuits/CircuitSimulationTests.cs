using KernelDsl.Graphs;
using KernelDsl.IO;
using KernelDsl.Tests.Support;
using Xunit;

namespace KernelDsl.Tests.Circuits;

/// <summary>Signal probabilities from the bit-parallel simulator against a one-vector-at-a-time evaluation.</summary>
public sealed class CircuitSimulationTests
{
    /// <summary>P(1) per gate by evaluating every input vector one at a time, gates in level order.</summary>
    private static double[] Exhaustive(BenchNetlist netlist)
    {
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var input in netlist.Inputs) index[input] = index.Count;
        foreach (var gate in netlist.Gates) index[gate.Output] = index.Count;
        var order = Enumerable.Range(0, netlist.Gates.Count).OrderBy(g => netlist.GateLevels[g]).ToArray();
        var operands = netlist.Gates.Select(g => g.Inputs.Select(i => index[i]).ToArray()).ToArray();
        var types = netlist.Gates.Select(g => g.Type).ToArray();
        int n = netlist.Inputs.Count, first = n;
        var value = new bool[index.Count];
        var ones = new long[netlist.Gates.Count];
        for (long v = 0; v < 1L << n; v++)
        {
            for (int i = 0; i < n; i++) value[i] = ((v >> i) & 1) != 0;
            foreach (int g in order)
            {
                var ins = operands[g];
                int high = 0;
                foreach (int i in ins) if (value[i]) high++;
                bool o = types[g] switch
                {
                    "AND" => high == ins.Length,
                    "NAND" => high != ins.Length,
                    "OR" => high > 0,
                    "NOR" => high == 0,
                    "XOR" => high % 2 == 1,
                    "XNOR" => high % 2 == 0,
                    "NOT" => high == 0,
                    _ => high == 1, // BUF
                };
                value[first + g] = o;
                if (o) ones[g]++;
            }
        }
        return ones.Select(o => (double)o / (1L << n)).ToArray();
    }

    [Fact]
    public void C17IsExactAndMatchesTheTruthTable()
    {
        var netlist = BenchNetlist.Read(Path.Combine(RepoPaths.Data, "iscas85", "c17.bench"));
        var p = CircuitSimulation.SignalProbability(netlist, seed: 1, out bool exact);
        Assert.True(exact);
        Assert.Equal(Exhaustive(netlist), p.Select(v => (double)v));
        // c17 is six NANDs; the first level NANDs of two free inputs are 1 with probability 3/4.
        Assert.Contains(0.75f, p);
    }

    [Fact]
    public void GeneratedCircuitsWithFewInputsAreExact()
    {
        var netlist = CircuitGenerator.RandomNetlist(150, seed: 3); // 9 inputs
        var p = CircuitSimulation.SignalProbability(netlist, seed: 1, out bool exact);
        Assert.True(exact);
        Assert.Equal(Exhaustive(netlist), p.Select(v => (double)v));
    }

    [Fact]
    public void CircuitsWithManyInputsAreSampledWithinTheirStandardError()
    {
        var netlist = CircuitGenerator.RandomNetlist(14 * 16, seed: 5); // 14 inputs, sampled below a limit of 12, yet enumerable here
        Assert.Equal(14, netlist.Inputs.Count);
        var p = CircuitSimulation.SignalProbability(netlist, seed: 2, out bool exact, exhaustiveLimit: 12);
        Assert.False(exact);
        var truth = Exhaustive(netlist);
        // 2^16 Bernoulli samples: σ ≤ 0.5 / 256 ≈ 0.002; allow 5σ.
        Assert.All(Enumerable.Range(0, truth.Length), g => Assert.InRange(p[g], truth[g] - 0.01, truth[g] + 0.01));
    }
}
