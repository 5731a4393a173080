using KernelDsl.Graphs;
using KernelDsl.IO;
using KernelDsl.Tests.Support;
using Xunit;

namespace KernelDsl.Tests.Circuits;

public sealed class BenchNetlistTests
{
    public static IEnumerable<object[]> BenchFiles => Directory
        .EnumerateFiles(RepoPaths.Data, "*.bench", SearchOption.AllDirectories)
        .Select(p => Path.GetRelativePath(RepoPaths.Data, p)).Order(StringComparer.Ordinal).Select(p => new object[] { p });

    private static BenchNetlist Parse(string text) => BenchNetlist.Parse(new StringReader(text), "t.bench");

    /// <summary>Counts from ../shared/data/README.md (inputs, outputs, DFFs, all gate lines, gate inputs).</summary>
    [Theory]
    [InlineData("iscas85/c17.bench", 5, 2, 0, 6, 12)]
    [InlineData("iscas85/c432.bench", 36, 7, 0, 160, 336)]
    [InlineData("iscas85/c7552.bench", 207, 108, 0, 3512, 6144)]
    [InlineData("iscas89/s27.bench", 4, 1, 3, 13, 21)]
    [InlineData("iscas89/s9234.bench", 36, 39, 211, 5808, 8182)]
    [InlineData("itc99/b14.bench", 32, 54, 245, 10012, 19162)]
    public void CountsMatchTheDataReadme(string file, int inputs, int outputs, int dffs, int gates, int pins)
    {
        var netlist = BenchNetlist.Read(Path.Combine(RepoPaths.Data, file));
        Assert.Equal((inputs, outputs, dffs, gates, pins),
            (netlist.Inputs.Count, netlist.Outputs.Count, netlist.Gates.Count(g => g.Type == "DFF"), netlist.Gates.Count, netlist.Gates.Sum(g => g.Inputs.Count)));
    }

    [Theory]
    [MemberData(nameof(BenchFiles))]
    public void EveryNetlistBuildsAConsistentCircuitGraph(string file)
    {
        var netlist = BenchNetlist.Read(Path.Combine(RepoPaths.Data, file));
        var graph = CircuitGraph.FromBench(netlist);
        Assert.Equal(netlist.Gates.Count, graph.NodeTypes["cell"]);
        Assert.Equal(netlist.Inputs.Count + netlist.Gates.Count, graph.NodeTypes["net"]);
        var drives = graph["drives"].Adjacency;
        for (int n = 0; n < drives.Rows; n++) Assert.Equal(n < netlist.Inputs.Count ? 0 : 1, drives.Degree(n));
        Assert.Equal(netlist.Gates.Sum(g => g.Inputs.Count), graph["feeds"].Adjacency.Nonzeros);
        var near = graph["near"].Adjacency;
        var transposed = near.Transpose();
        Assert.Equal(near.RowOffsets, transposed.RowOffsets);
        Assert.Equal(near.ColumnIndices, transposed.ColumnIndices);
        for (int c = 0; c < near.Rows; c++)
            for (int e = near.RowOffsets[c]; e < near.RowOffsets[c + 1]; e++) Assert.NotEqual(c, near.ColumnIndices[e]);
        // Levels: a combinational gate is one deeper than its deepest non-DFF driver.
        var level = netlist.Gates.Select((g, i) => (g.Output, Level: netlist.GateLevels[i], g.Type)).ToDictionary(x => x.Output);
        for (int i = 0; i < netlist.Gates.Count; i++)
        {
            var gate = netlist.Gates[i];
            if (gate.Type == "DFF") { Assert.Equal(0, netlist.GateLevels[i]); continue; }
            int deepest = gate.Inputs.Select(s => level.TryGetValue(s, out var d) && d.Type != "DFF" ? d.Level : 0).Max();
            Assert.Equal(deepest + 1, netlist.GateLevels[i]);
        }
        Assert.Equal(graph.NodeTypes["cell"], graph.Features["cell"].Rows);
    }

    [Theory]
    [InlineData("INPUT(a)\nb = FOO(a)\n", 2, "unknown gate 'FOO'")]
    [InlineData("INPUT(a)\nb = AND(a, c)\nOUTPUT(b)\n", 2, "signal 'c'")]
    [InlineData("INPUT(a)\nOUTPUT(z)\nb = NOT(a)\n", 2, "output 'z' is never defined")]
    [InlineData("INPUT(a)\n# comment\nb = NOT(a)\nb = BUF(a)\n", 4, "defined twice (first at line 3)")]
    [InlineData("INPUT(a)\nINPUT(a)\n", 2, "defined twice")]
    [InlineData("INPUT(a)\nx = AND(a, z)\ny = NOT(x)\nz = OR(y, a)\n", 2, "combinational loop")]
    [InlineData("INPUT(a)\nb = NOT(a, a)\n", 2, "NOT takes one input")]
    [InlineData("INPUT(a)\nthis is not bench\n", 2, "is not INPUT(x)")]
    public void MalformedNetlistsNameTheLine(string text, int line, string problem)
    {
        var ex = Assert.Throws<BenchFormatException>(() => Parse(text));
        Assert.Equal(line, ex.LineNumber);
        Assert.Contains(problem, ex.Message, StringComparison.Ordinal);
        Assert.StartsWith($"t.bench:{line}:", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ALoopThroughADffIsSequentialNotCombinational()
    {
        var netlist = Parse("INPUT(a)\nq = DFF(d)\nd = AND(a, q)\nOUTPUT(d)\n");
        Assert.Equal([0, 1], netlist.GateLevels);
        var graph = CircuitGraph.FromBench(netlist);
        Assert.Equal(3, graph.NodeTypes["net"]);
    }

    [Fact]
    public void HeteroGraphRefusesRelationsThatDisagreeWithTheirNodeTypes()
    {
        var graph = new HeteroGraph().AddNodeType("cell", 3).AddNodeType("net", 2);
        var wrong = CsrMatrix<float>.FromCoo(3, 3, [0], [1], [1f]);
        var ex = Assert.Throws<ArgumentException>(() => graph.AddRelation("drives", "cell", "net", wrong));
        Assert.Contains("needs a 2 x 3 adjacency", ex.Message, StringComparison.Ordinal);
        Assert.Equal("source", Assert.Throws<ArgumentException>(() => graph.AddRelation("x", "gate", "net", wrong)).ParamName);
        graph.AddRelation("near", "cell", "cell", wrong);
        Assert.Throws<ArgumentException>(() => graph.AddRelation("near", "cell", "cell", wrong));
        Assert.Throws<ArgumentException>(() => graph.AddNodeType("cell", 1));
        Assert.Throws<KeyNotFoundException>(() => graph["pins"]);
    }
}
