using KernelDsl.IO;
using KernelDsl.Tests.Support;
using Xunit;

namespace KernelDsl.Tests.IO;

public sealed class MatrixMarketTests
{
    private static CsrMatrix<double> Csr(string text) => MatrixMarket.ReadCsr<double>(new StringReader(text), "test.mtx");

    [Fact]
    public void ReadsGeneralRealWithCommentsAndBlankLines()
    {
        var m = Csr("%%MatrixMarket matrix coordinate real general\n% comment\n\n3 4 3\n1 2 0.5\n3 4 -2e1\n1 1 1\n");
        Assert.Equal((3, 4, 3), (m.Rows, m.ColumnCount, m.Nonzeros));
        Assert.Equal([0, 2, 2, 3], m.RowOffsets);
        Assert.Equal([0, 1, 3], m.ColumnIndices);
        Assert.Equal([1.0, 0.5, -20.0], m.Values!);
    }

    [Fact]
    public void SymmetricAndSkewSymmetricExpand()
    {
        var s = Csr("%%MatrixMarket matrix coordinate integer symmetric\n2 2 2\n1 1 4\n2 1 3\n");
        Assert.Equal([4.0, 3.0, 3.0], s.Values!);
        var k = Csr("%%MatrixMarket matrix coordinate real skew-symmetric\n2 2 1\n2 1 3\n");
        Assert.Equal([1, 0], k.ColumnIndices);
        Assert.Equal([-3.0, 3.0], k.Values!);
        var p = Csr("%%MatrixMarket matrix coordinate pattern symmetric\n3 3 2\n2 1\n3 3\n");
        Assert.False(p.HasValues);
        Assert.Equal(3, p.Nonzeros);
    }

    [Theory]
    [InlineData("", 1, "empty")]
    [InlineData("%%MatrixMarket matrix coordinate complex general\n1 1 1\n1 1 1 0\n", 1, "complex")]
    [InlineData("%%MatrixMarket matrix coordinate real general\n2 2\n", 2, "size line")]
    [InlineData("%%MatrixMarket matrix coordinate real general\n2 2 2\n1 1 1\n", 3, "truncated")]
    [InlineData("%%MatrixMarket matrix coordinate real general\n2 2 1\n1 1 1\n2 2 2\n", 4, "more entries")]
    [InlineData("%%MatrixMarket matrix coordinate real general\n2 2 1\n3 1 1\n", 3, "row index 3 is outside 1..2")]
    [InlineData("%%MatrixMarket matrix coordinate real general\n2 2 1\n% c\n1 x 1\n", 4, "not an integer")]
    [InlineData("%%MatrixMarket matrix coordinate real general\n2 2 1\n1 1 abc\n", 3, "not a number")]
    [InlineData("%%MatrixMarket matrix coordinate real general\n2 2 1\n1 1\n", 3, "value is missing")]
    [InlineData("%%MatrixMarket matrix coordinate pattern symmetric\n2 3 1\n1 1\n", 2, "must be square")]
    [InlineData("%%MatrixMarket matrix array real general\n1 1\n1\n", 1, "array (dense) file")]
    [InlineData("%%MatrixMarket matrix coordinate real symmetric\n3 3 2\n2 1 1\n1 3 1\n", 4, "entry (1, 3) is above the diagonal")]
    [InlineData("%%MatrixMarket matrix coordinate pattern skew-symmetric\n3 3 1\n1 2\n", 3, "lower triangle only")]
    public void ErrorsCarryTheLineNumber(string text, int line, string problem)
    {
        var ex = Assert.Throws<MatrixMarketFormatException>(() => Csr(text));
        Assert.Equal(line, ex.LineNumber);
        Assert.Contains(problem, ex.Message, StringComparison.Ordinal);
        Assert.StartsWith($"test.mtx:{line}:", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ARepeatedEntryUnderThrowIsNamedWhereItRepeats()
    {
        const string text = "%%MatrixMarket matrix coordinate real general\n3 3 3\n1 2 1\n% a comment\n3 3 1\n1 2 5\n";
        var ex = Assert.Throws<MatrixMarketFormatException>(() => MatrixMarket.ReadCsr<float>(new StringReader(text), "test.mtx", DuplicatePolicy.Throw));
        Assert.Equal(6, ex.LineNumber);
        Assert.StartsWith("test.mtx:6:", ex.Message, StringComparison.Ordinal);
        Assert.Contains("entry (1, 2) appears again (first at line 3)", ex.Message, StringComparison.Ordinal);
        Assert.Equal(3, MatrixMarket.ReadCsr<float>(new StringReader(text), "test.mtx", DuplicatePolicy.Keep).Nonzeros);
    }

    [Fact]
    public void DenseArrayIsColumnMajorAndRoundTrips()
    {
        var d = MatrixMarket.ReadDense<float>(new StringReader("%%MatrixMarket matrix array real general\n2 3\n1\n2\n3\n4\n5\n6\n"), "d.mtx");
        Assert.Equal([1f, 3f, 5f, 2f, 4f, 6f], d.Data);
        var w = new StringWriter();
        MatrixMarket.Write(w, d);
        Assert.Equal(d.Data, MatrixMarket.ReadDense<float>(new StringReader(w.ToString()), "w.mtx").Data);
        var sym = MatrixMarket.ReadDense<double>(new StringReader("%%MatrixMarket matrix array real symmetric\n2 2\n1\n2\n3\n"), "s.mtx");
        Assert.Equal([1.0, 2.0, 2.0, 3.0], sym.Data);
    }

    [Fact]
    public void CoordinateFeaturesReadAsDense()
    {
        var d = MatrixMarket.ReadDense<float>(Path.Combine(RepoPaths.Data, "cora", "features.mtx"));
        Assert.Equal((2708, 1433), (d.Rows, d.Columns));
        Assert.True(d.Data.All(v => v is 0f or 1f));
        Assert.Equal(MatrixMarket.ReadHeader(Path.Combine(RepoPaths.Data, "cora", "features.mtx")).Entries, d.Data.Count(v => v == 1f));
    }

    [Fact]
    public void CsrWriteThenReadRoundTripsExactly()
    {
        var m = Graphs.RMatGenerator.Generate<double>(500, 4000, 9);
        var w = new StringWriter();
        MatrixMarket.Write(w, m);
        var back = MatrixMarket.ReadCsr<double>(new StringReader(w.ToString()), "rt.mtx");
        Assert.Equal(m.RowOffsets, back.RowOffsets);
        Assert.Equal(m.ColumnIndices, back.ColumnIndices);
        Assert.Equal(m.Values!, back.Values!);
        var pattern = m.AsPattern();
        w = new StringWriter();
        MatrixMarket.Write(w, pattern);
        Assert.StartsWith("%%MatrixMarket matrix coordinate pattern general", w.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(TestGraphs.RealGraphFiles), MemberType = typeof(TestGraphs))]
    public void ReadsEveryRealGraphAndItsStatedSize(string file)
    {
        var path = Path.Combine(RepoPaths.Data, file);
        var header = MatrixMarket.ReadHeader(path);
        var m = MatrixMarket.ReadCsr<float>(path);
        m.Validate();
        Assert.Equal((header.Rows, header.Columns), (m.Rows, m.ColumnCount));
        long diagonal = 0;
        for (int r = 0; r < Math.Min(m.Rows, m.ColumnCount); r++)
            for (int e = m.RowOffsets[r]; e < m.RowOffsets[r + 1]; e++) if (m.ColumnIndices[e] == r) diagonal++;
        long expected = header.Symmetry == MatrixMarketSymmetry.General ? header.Entries : 2 * header.Entries - diagonal;
        Assert.Equal(expected, m.Nonzeros);
    }

    [Fact]
    public void KnownCountsFromTheDataReadme()
    {
        Assert.Equal(10556, TestGraphs.RealGraph("planetoid-cora/adjacency.mtx").Nonzeros);
        Assert.Equal(393944, TestGraphs.RealGraph("ca-AstroPh/adjacency.mtx").Nonzeros);
        Assert.Equal(948464, TestGraphs.RealGraph("soc-slashdot0902/adjacency.mtx").Nonzeros);
    }

    [Fact]
    public void MissingFileNamesThePath()
    {
        var ex = Assert.Throws<FileNotFoundException>(() => MatrixMarket.ReadCsr<float>("/nonexistent/graph.mtx"));
        Assert.Contains("/nonexistent/graph.mtx", ex.Message, StringComparison.Ordinal);
    }
}
