using System.Globalization;
using System.Text;
using KernelDsl.IO;

namespace KernelDsl.Graphs;

/// <summary>
/// Random combinational netlists of any size, for tests and benchmarks beyond the ISCAS circuits
/// (which stop at 3.5 k gates). The netlist is written as .bench text and read back with
/// <see cref="BenchNetlist.Parse"/>, so it passes the same checks as a real file.
/// <para>
/// Shape, chosen to resemble synthesised logic: primary inputs = max(4, gates / 16); gate types drawn
/// AND/NAND/OR/NOR 70 %, XOR/XNOR 10 %, NOT/BUF 20 %; two-to-four inputs (one for NOT/BUF), each taken
/// with probability 0.85 from the 64 most recent signals (local logic, deep cones) and otherwise from any
/// earlier signal (long wires, high-fanout nets); outputs: every signal nobody reads, plus 2 % of gates.
/// Deterministic for a seed.
/// </para>
/// </summary>
public static class CircuitGenerator
{
    private static readonly string[] TwoInput = ["AND", "NAND", "OR", "NOR"];

    /// <summary>A random netlist of <paramref name="gates"/> gates.</summary>
    public static BenchNetlist RandomNetlist(int gates, int seed = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(gates, 1);
        var rng = new Random(seed);
        int inputs = Math.Max(4, gates / 16);
        int signals = inputs + gates;
        var read = new bool[signals];
        var text = new StringBuilder(gates * 32);
        for (int i = 0; i < inputs; i++) text.Append("INPUT(s").Append(i).Append(")\n");
        var body = new StringBuilder(gates * 32);
        var operands = new List<int>(4);
        for (int g = 0; g < gates; g++)
        {
            int output = inputs + g;
            double draw = rng.NextDouble();
            string type = draw < 0.7 ? TwoInput[rng.Next(4)] : draw < 0.8 ? (rng.Next(2) == 0 ? "XOR" : "XNOR") : (rng.Next(2) == 0 ? "NOT" : "BUF");
            int fanIn = type is "NOT" or "BUF" ? 1 : 2 + (rng.NextDouble() < 0.3 ? rng.Next(3) : 0);
            operands.Clear();
            for (int attempt = 0; operands.Count < fanIn && attempt < 16; attempt++)
            {
                int source = rng.NextDouble() < 0.85 ? Math.Max(0, output - 1 - rng.Next(Math.Min(64, output))) : rng.Next(output);
                if (!operands.Contains(source)) operands.Add(source);
            }
            if (operands.Count < fanIn && fanIn > 1 && operands.Count == 1) type = "BUF";
            body.Append('s').Append(output).Append(" = ").Append(type).Append('(');
            for (int i = 0; i < operands.Count; i++)
            {
                if (i > 0) body.Append(", ");
                body.Append('s').Append(operands[i]);
                read[operands[i]] = true;
            }
            body.Append(")\n");
        }
        for (int g = 0; g < gates; g++)
            if (!read[inputs + g] || rng.NextDouble() < 0.02)
                text.Append("OUTPUT(s").Append((inputs + g).ToString(CultureInfo.InvariantCulture)).Append(")\n");
        text.Append(body);
        return BenchNetlist.Parse(new StringReader(text.ToString()), $"random-{gates}-{seed}.bench");
    }
}
