using KernelDsl.IO;
using KernelDsl.Tests.Support;
using Xunit;

namespace KernelDsl.Tests.Circuits;

public sealed class CircuitNetDesignTests
{
    /// <summary>Counts from ../shared/data/README.md: cells, nets, cell_net entries, placed cells.</summary>
    [Theory]
    [InlineData("zero-riscy-b-1-c2", 20954, 22612, 81912, 19193)]
    [InlineData("RISCY-b-1-c2", 31165, 33568, 123628, 28781)]
    public void ReadsTheDesignsWithTheirStatedSizes(string design, int cells, int nets, int entries, int placed)
    {
        var (graph, cellList, _) = CircuitNetDesign.Read(Path.Combine(RepoPaths.Data, "circuitnet", design));
        Assert.Equal((cells, nets), (graph.NodeTypes["cell"], graph.NodeTypes["net"]));
        Assert.Equal(entries, graph["pinned"].Adjacency.Nonzeros);
        Assert.Equal(entries, graph["pins"].Adjacency.Nonzeros);
        Assert.Equal(placed, cellList.Count(c => c.Box is not null));

        // near: only placed cells, within the radius, at most the neighbour limit, never the cell itself.
        var near = graph["near"].Adjacency;
        for (int c = 0; c < near.Rows; c++)
        {
            Assert.True(near.Degree(c) <= CircuitNetDesign.NearNeighbours);
            if (cellList[c].Center is not { } p) { Assert.Equal(0, near.Degree(c)); continue; }
            for (int e = near.RowOffsets[c]; e < near.RowOffsets[c + 1]; e++)
            {
                Assert.NotEqual(c, near.ColumnIndices[e]);
                var q = cellList[near.ColumnIndices[e]].Center!.Value;
                Assert.True(Math.Sqrt((p.X - q.X) * (p.X - q.X) + (p.Y - q.Y) * (p.Y - q.Y)) <= CircuitNetDesign.NearRadius);
            }
        }
        Assert.True(near.Nonzeros > placed, "placed cells should mostly have neighbours");
        Assert.Equal(cells, graph.Features["cell"].Rows);
        Assert.Equal(nets, graph.Features["net"].Rows);
    }

    [Fact]
    public void FilesFromDifferentDesignsAreRefused()
    {
        var dir = Directory.CreateTempSubdirectory("kerneldsl-cnet");
        try
        {
            var source = Path.Combine(RepoPaths.Data, "circuitnet", "zero-riscy-b-1-c2");
            File.Copy(Path.Combine(source, "cells.tsv"), Path.Combine(dir.FullName, "cells.tsv"));
            File.Copy(Path.Combine(source, "cell_net.mtx"), Path.Combine(dir.FullName, "cell_net.mtx"));
            File.WriteAllLines(Path.Combine(dir.FullName, "nets.txt"), ["only", "three", "nets"]);
            var ex = Assert.Throws<FormatException>(() => CircuitNetDesign.Read(dir.FullName));
            Assert.Contains("different designs", ex.Message, StringComparison.Ordinal);
            File.WriteAllText(Path.Combine(dir.FullName, "cells.tsv"), "# header\n0\tname\tTYPE\t1\t2\t3\n");
            Assert.Contains("cells.tsv:2:", Assert.Throws<FormatException>(() => CircuitNetDesign.Read(dir.FullName)).Message, StringComparison.Ordinal);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
