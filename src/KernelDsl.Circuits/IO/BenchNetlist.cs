using System.Text.RegularExpressions;

namespace KernelDsl.IO;

/// <summary>A gate of a .bench netlist: <c>Output = Type(Inputs…)</c>, defined at <see cref="Line"/>.</summary>
public sealed record BenchGate(string Output, string Type, IReadOnlyList<string> Inputs, int Line);

/// <summary>A .bench netlist is malformed; <see cref="LineNumber"/> (1-based) says where.</summary>
public sealed class BenchFormatException(string source, int lineNumber, string problem)
    : FormatException($"{source}:{lineNumber}: {problem}")
{
    public int LineNumber { get; } = lineNumber;
    public string Problem { get; } = problem;
}

/// <summary>
/// An ISCAS-85/89 or ITC-99 <c>.bench</c> netlist: <c>INPUT(x)</c>, <c>OUTPUT(y)</c>,
/// <c>z = GATE(a, b, …)</c>, <c>#</c> comments; gate names are case-insensitive. A net is named by the
/// signal it carries. <see cref="Parse(TextReader, string)"/> checks that every gate type is known, that
/// every signal is defined once and every used signal is defined, and that the logic has no
/// combinational loop (a cycle must pass through a DFF); each error names the line. Logic levels:
/// primary inputs and DFF outputs are level 0, a combinational gate is one more than its deepest input.
/// </summary>
public sealed partial class BenchNetlist
{
    /// <summary>Gate types understood, upper case (BUFF is read as BUF).</summary>
    public static readonly IReadOnlyList<string> GateTypes = ["AND", "NAND", "OR", "NOR", "XOR", "XNOR", "NOT", "BUF", "DFF"];

    private BenchNetlist(string name, List<string> inputs, List<string> outputs, List<BenchGate> gates, int[] levels)
    {
        Name = name;
        Inputs = inputs;
        Outputs = outputs;
        Gates = gates;
        GateLevels = levels;
    }

    public string Name { get; }
    public IReadOnlyList<string> Inputs { get; }
    public IReadOnlyList<string> Outputs { get; }
    public IReadOnlyList<BenchGate> Gates { get; }

    /// <summary>Logic level of each gate (same order as <see cref="Gates"/>).</summary>
    public IReadOnlyList<int> GateLevels { get; }

    public static BenchNetlist Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($".bench file '{path}' does not exist.", path);
        using var reader = new StreamReader(path);
        return Parse(reader, path);
    }

    public static BenchNetlist Parse(TextReader reader, string sourceName)
    {
        var inputs = new List<string>();
        var outputs = new List<(string Signal, int Line)>();
        var gates = new List<BenchGate>();
        var definedAt = new Dictionary<string, int>(StringComparer.Ordinal);
        int lineNumber = 0;
        while (reader.ReadLine() is { } raw)
        {
            lineNumber++;
            int hash = raw.IndexOf('#');
            string line = (hash >= 0 ? raw[..hash] : raw).Trim();
            if (line.Length == 0) continue;
            if (Port().Match(line) is { Success: true } port)
            {
                string signal = port.Groups[2].Value.Trim();
                if (port.Groups[1].Value.Equals("INPUT", StringComparison.OrdinalIgnoreCase))
                {
                    Define(signal, lineNumber);
                    inputs.Add(signal);
                }
                else outputs.Add((signal, lineNumber));
                continue;
            }
            if (Assignment().Match(line) is not { Success: true } gate)
                throw new BenchFormatException(sourceName, lineNumber, $"'{line}' is not INPUT(x), OUTPUT(y) or y = GATE(a, b, ...).");
            string output = gate.Groups[1].Value.Trim();
            string type = gate.Groups[2].Value.Trim().ToUpperInvariant();
            if (type == "BUFF") type = "BUF";
            if (!GateTypes.Contains(type))
                throw new BenchFormatException(sourceName, lineNumber, $"unknown gate '{gate.Groups[2].Value.Trim()}'; known gates are {string.Join(", ", GateTypes)}.");
            var operands = gate.Groups[3].Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            if (operands.Length == 0)
                throw new BenchFormatException(sourceName, lineNumber, $"gate {type} driving '{output}' has no inputs.");
            if (type is "NOT" or "BUF" or "DFF" && operands.Length != 1)
                throw new BenchFormatException(sourceName, lineNumber, $"{type} takes one input, '{output}' gives {operands.Length}.");
            Define(output, lineNumber);
            gates.Add(new BenchGate(output, type, operands, lineNumber));
        }

        foreach (var gate in gates)
            foreach (var input in gate.Inputs)
                if (!definedAt.ContainsKey(input))
                    throw new BenchFormatException(sourceName, gate.Line, $"signal '{input}' (an input of '{gate.Output}') is never defined; add INPUT({input}) or a gate driving it.");
        foreach (var (signal, line) in outputs)
            if (!definedAt.ContainsKey(signal))
                throw new BenchFormatException(sourceName, line, $"output '{signal}' is never defined; add a gate driving it.");

        var levels = Levels(gates, sourceName);
        return new BenchNetlist(Path.GetFileNameWithoutExtension(sourceName), inputs, outputs.Select(o => o.Signal).ToList(), gates, levels);

        void Define(string signal, int line)
        {
            if (definedAt.TryGetValue(signal, out int first))
                throw new BenchFormatException(sourceName, line, $"signal '{signal}' is defined twice (first at line {first}); rename one of them.");
            definedAt[signal] = line;
        }
    }

    /// <summary>Topological levels over combinational edges; a leftover gate lies on or behind a combinational loop.</summary>
    private static int[] Levels(List<BenchGate> gates, string sourceName)
    {
        var driver = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int g = 0; g < gates.Count; g++) driver[gates[g].Output] = g;
        var level = new int[gates.Count];
        var state = new byte[gates.Count]; // 0 new, 1 on the stack, 2 done
        for (int root = 0; root < gates.Count; root++)
        {
            if (state[root] != 0) continue;
            // Iterative DFS: frame = (gate, next input index).
            var stack = new Stack<(int Gate, int Next)>();
            stack.Push((root, 0));
            state[root] = 1;
            while (stack.Count > 0)
            {
                var (g, next) = stack.Pop();
                var gate = gates[g];
                if (gate.Type == "DFF") { level[g] = 0; state[g] = 2; continue; }
                if (next < gate.Inputs.Count)
                {
                    stack.Push((g, next + 1));
                    if (driver.TryGetValue(gate.Inputs[next], out int d))
                    {
                        if (state[d] == 1)
                        {
                            var cycle = stack.Select(f => gates[f.Gate].Output).TakeWhile(o => o != gates[d].Output).Reverse().Prepend(gates[d].Output).ToList();
                            var first = cycle.Select(o => gates[driver[o]]).OrderBy(x => x.Line).First();
                            throw new BenchFormatException(sourceName, first.Line,
                                $"combinational loop through {string.Join(" -> ", cycle)} -> {gates[d].Output}; a cycle must pass through a DFF.");
                        }
                        if (state[d] == 0)
                        {
                            state[d] = 1;
                            stack.Push((d, 0));
                        }
                    }
                    continue;
                }
                int deepest = 0;
                foreach (var input in gate.Inputs)
                    if (driver.TryGetValue(input, out int d)) deepest = Math.Max(deepest, gates[d].Type == "DFF" ? 0 : level[d]);
                level[g] = deepest + 1;
                state[g] = 2;
            }
        }
        return level;
    }

    [GeneratedRegex(@"^(INPUT|OUTPUT)\s*\(\s*([^()\s]+)\s*\)$", RegexOptions.IgnoreCase)]
    private static partial Regex Port();

    [GeneratedRegex(@"^([^=\s]+)\s*=\s*([A-Za-z]+)\s*\(([^()]*)\)$")]
    private static partial Regex Assignment();
}
