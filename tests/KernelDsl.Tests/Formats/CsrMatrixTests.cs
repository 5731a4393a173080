using KernelDsl.Graphs;
using Xunit;

namespace KernelDsl.Tests.Formats;

public sealed class CsrMatrixTests
{
    /// <summary>
    /// One meaning per name across the public API: "Columns" is a count (DenseMatrix, DenseBuffer, views), so the CSR
    /// column-index arrays are ColumnIndices, and the old name is gone rather than aliased.
    /// </summary>
    [Fact]
    public void ColumnsIsACountEverywhereAndCsrIndicesAreColumnIndices()
    {
        var members = typeof(CsrMatrix<>).Assembly.GetExportedTypes()
            .SelectMany(t => t.GetMembers(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Instance))
            .Where(m => m.Name == "Columns")
            .Select(m => (m.DeclaringType!.Name, Type: m is System.Reflection.PropertyInfo p ? p.PropertyType : ((System.Reflection.FieldInfo)m).FieldType))
            .ToList();
        Assert.NotEmpty(members);
        Assert.All(members, m => Assert.True(m.Type == typeof(int), $"{m.Name}.Columns is a {m.Type.Name}, not a count"));
        Assert.NotNull(typeof(CsrMatrix<float>).GetProperty("ColumnIndices"));
        Assert.NotNull(typeof(CsrView<float>).GetField("ColumnIndices"));
    }

    [Fact]
    public void FromCooSortsRowsAndColumnsStably()
    {
        var m = CsrMatrix<float>.FromCoo(3, 4, [2, 0, 2, 0, 2], [1, 3, 0, 3, 1], [1f, 2f, 3f, 4f, 5f]);
        Assert.Equal([0, 2, 2, 5], m.RowOffsets);
        Assert.Equal([3, 3, 0, 1, 1], m.ColumnIndices);
        Assert.Equal([2f, 4f, 3f, 1f, 5f], m.Values!);
        m.Validate();
    }

    [Fact]
    public void DuplicatePoliciesSumKeepOrThrow()
    {
        int[] r = [0, 0, 1], c = [1, 1, 0];
        float[] v = [1f, 2f, 5f];
        var summed = CsrMatrix<float>.FromCoo(2, 2, r, c, v, DuplicatePolicy.Sum);
        Assert.Equal([0, 1, 2], summed.RowOffsets);
        Assert.Equal([3f, 5f], summed.Values!);
        Assert.Equal(3, CsrMatrix<float>.FromCoo(2, 2, r, c, v, DuplicatePolicy.Keep).Nonzeros);
        var ex = Assert.Throws<ArgumentException>(() => CsrMatrix<float>.FromCoo(2, 2, r, c, v, DuplicatePolicy.Throw));
        Assert.Contains("(0, 1)", ex.Message, StringComparison.Ordinal);
        var pattern = CsrMatrix<float>.FromCoo(2, 2, r, c, [], DuplicatePolicy.Sum);
        Assert.Equal(2, pattern.Nonzeros);
        Assert.False(pattern.HasValues);
    }

    [Fact]
    public void FromCooRejectsOutOfRangeAndMismatchedInput()
    {
        Assert.Contains("rowIndices", Assert.Throws<ArgumentOutOfRangeException>(() => CsrMatrix<float>.FromCoo(2, 2, [2], [0], [])).ParamName);
        Assert.Contains("columnIndices", Assert.Throws<ArgumentOutOfRangeException>(() => CsrMatrix<float>.FromCoo(2, 2, [0], [-1], [])).ParamName);
        Assert.Equal("values", Assert.Throws<ArgumentException>(() => CsrMatrix<float>.FromCoo(2, 2, [0], [0], [1f, 2f])).ParamName);
        Assert.Equal("columnIndices", Assert.Throws<ArgumentException>(() => CsrMatrix<float>.FromCoo(2, 2, [0, 1], [0], [])).ParamName);
    }

    [Fact]
    public void FromEdgesSymmetricAddsReverseEdgesAndSelfLoopsOnce()
    {
        var m = CsrMatrix<float>.FromEdges(3, [(0, 1), (2, 2)], symmetric: true);
        Assert.Equal([0, 1, 2, 3], m.RowOffsets);
        Assert.Equal([1, 0, 2], m.ColumnIndices);
    }

    [Theory]
    [InlineData("offsets length", "rows + 1")]
    [InlineData("first offset", "first row offset must be 0")]
    [InlineData("not monotone", "not monotone")]
    [InlineData("last offset", "must equal nnz")]
    [InlineData("column range", "column index out of range")]
    [InlineData("values length", "lengths must match")]
    public void ValidateNamesTheBrokenInvariant(string broken, string expected)
    {
        var m = broken switch
        {
            "offsets length" => new CsrMatrix<float>(3, 3, [0, 1, 2], [0, 1], null),
            "first offset" => new CsrMatrix<float>(2, 3, [1, 1, 2], [0, 1], null),
            "not monotone" => new CsrMatrix<float>(3, 3, [0, 2, 1, 2], [0, 1], null),
            "last offset" => new CsrMatrix<float>(2, 3, [0, 1, 3], [0, 1], null),
            "column range" => new CsrMatrix<float>(2, 3, [0, 1, 2], [0, 3], null),
            _ => new CsrMatrix<float>(2, 3, [0, 1, 2], [0, 1], [1f]),
        };
        var ex = Assert.Throws<CsrFormatException>(() => m.Validate("adjacency"));
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
        Assert.Equal("adjacency", ex.ParamName);
    }

    [Fact]
    public void TransposeTwiceIsIdentityAndMovesEntries()
    {
        var m = RMatGenerator.Generate<double>(300, 2500, 11);
        var t = m.Transpose();
        t.Validate();
        Assert.Equal(m.Rows, t.ColumnCount);
        for (int r = 0; r < m.Rows; r++)
            for (int e = m.RowOffsets[r]; e < m.RowOffsets[r + 1]; e++)
            {
                int c = m.ColumnIndices[e];
                var span = t.ColumnIndices.AsSpan(t.RowOffsets[c], t.Degree(c));
                Assert.Contains(r, span.ToArray());
            }
        var tt = t.Transpose();
        Assert.Equal(m.RowOffsets, tt.RowOffsets);
        Assert.Equal(m.ColumnIndices, tt.ColumnIndices);
        Assert.Equal(m.Values!, tt.Values!);
    }

    [Fact]
    public void DegreeStatisticsOfAKnownGraph()
    {
        // Degrees 0, 1, 2, 5.
        var m = CsrMatrix<float>.FromCoo(4, 4, [1, 2, 2, 3, 3, 3, 3, 3], [0, 0, 1, 0, 1, 2, 3, 3], []);
        var s = m.DegreeStatistics();
        Assert.Equal((4, 8L, 0, 5, 2.0, 1), (s.Rows, s.Nonzeros, s.Min, s.Max, s.Mean, s.EmptyRows));
        Assert.Equal(Math.Sqrt((4 + 1 + 0 + 9) / 4.0), s.StandardDeviation, 12);
    }

    [Fact]
    public void InducedSubgraphKeepsOnlyInternalEdges()
    {
        var m = CsrMatrix<float>.FromCoo(4, 4, [0, 0, 1, 3], [1, 3, 0, 0], [1f, 2f, 3f, 4f]);
        var sub = m.InducedSubgraph([3, 0]);
        Assert.Equal([0, 1, 2], sub.RowOffsets);
        Assert.Equal([1, 0], sub.ColumnIndices);
        Assert.Equal([4f, 2f], sub.Values!);
    }

    [Fact]
    public void RMatIsDeterministicAndSkewed()
    {
        var a = RMatGenerator.Generate<float>(4096, 40000, 1);
        var b = RMatGenerator.Generate<float>(4096, 40000, 1);
        Assert.Equal(a.ColumnIndices, b.ColumnIndices);
        var skewed = a.DegreeStatistics();
        var uniform = RMatGenerator.Generate<float>(4096, 40000, 1, 0.25, 0.25, 0.25).DegreeStatistics();
        Assert.True(skewed.Max > 4 * uniform.Max, $"R-MAT max degree {skewed.Max} vs uniform {uniform.Max}");
    }
}
