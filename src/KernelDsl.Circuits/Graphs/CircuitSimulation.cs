using KernelDsl.IO;

namespace KernelDsl.Graphs;

/// <summary>
/// Logic simulation of a <see cref="BenchNetlist"/>, 64 input vectors per machine word, gates in level
/// order. Primary inputs and flip-flop outputs are free variables, uniformly random.
/// </summary>
public static class CircuitSimulation
{
    /// <summary>The most free variables simulated exhaustively (2^20 vectors).</summary>
    public const int ExhaustiveLimit = 20;

    /// <summary>Vectors simulated when a circuit has more free variables than <see cref="ExhaustiveLimit"/>.</summary>
    public const int SampledVectors = 1 << 16;

    /// <summary>
    /// P(output = 1) of every gate (in <see cref="BenchNetlist.Gates"/> order) under uniformly random free
    /// variables: exact — every vector simulated — up to <paramref name="exhaustiveLimit"/> free variables
    /// (<paramref name="exact"/> true), otherwise the share of <see cref="SampledVectors"/> random vectors
    /// drawn with <paramref name="seed"/> (standard error ≤ 0.002). DFF gates report the probability of
    /// their (free) output, 1/2 exactly or sampled.
    /// </summary>
    public static float[] SignalProbability(BenchNetlist netlist, int seed, out bool exact, int exhaustiveLimit = ExhaustiveLimit)
    {
        ArgumentNullException.ThrowIfNull(netlist);
        var gates = netlist.Gates;
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var input in netlist.Inputs) index[input] = index.Count;
        int firstGate = index.Count;
        foreach (var gate in gates) index[gate.Output] = index.Count;
        var free = netlist.Inputs.Select(i => index[i]).Concat(gates.Select((g, i) => (g, i)).Where(p => p.g.Type == "DFF").Select(p => firstGate + p.i)).ToArray();
        exact = free.Length <= exhaustiveLimit;
        long vectors = exact ? 1L << free.Length : SampledVectors;
        int words = (int)Math.Max(1, (vectors + 63) / 64);
        var order = Enumerable.Range(0, gates.Count).Where(g => gates[g].Type != "DFF").OrderBy(g => netlist.GateLevels[g]).ToArray();
        var operands = gates.Select(g => g.Inputs.Select(i => index[i]).ToArray()).ToArray();
        var ones = new long[gates.Count];
        var value = new ulong[index.Count];
        var rng = new Random(seed);
        for (int w = 0; w < words; w++)
        {
            int live = (int)Math.Min(64, vectors - 64L * w);
            ulong mask = live == 64 ? ulong.MaxValue : (1UL << live) - 1;
            for (int f = 0; f < free.Length; f++)
            {
                if (!exact) { value[free[f]] = (ulong)rng.NextInt64() ^ ((ulong)rng.Next() << 63); continue; }
                // Vector v = 64·w + bit; input f takes bit f of v.
                ulong word = 0;
                for (int bit = 0; bit < live; bit++) if ((((64L * w + bit) >> f) & 1) != 0) word |= 1UL << bit;
                value[free[f]] = word;
            }
            foreach (int g in order)
            {
                var ins = operands[g];
                ulong v = gates[g].Type switch
                {
                    "AND" or "NAND" => ins.Aggregate(ulong.MaxValue, (a, i) => a & value[i]),
                    "OR" or "NOR" => ins.Aggregate(0UL, (a, i) => a | value[i]),
                    "XOR" or "XNOR" => ins.Aggregate(0UL, (a, i) => a ^ value[i]),
                    _ => value[ins[0]], // NOT, BUF
                };
                if (gates[g].Type is "NAND" or "NOR" or "XNOR" or "NOT") v = ~v;
                value[firstGate + g] = v;
            }
            for (int g = 0; g < gates.Count; g++) ones[g] += System.Numerics.BitOperations.PopCount(value[firstGate + g] & mask);
        }
        return ones.Select(o => (float)((double)o / vectors)).ToArray();
    }
}
