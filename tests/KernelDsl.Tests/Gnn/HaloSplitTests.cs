using KernelDsl.Gnn;
using KernelDsl.Reference;
using KernelDsl.Runtime;
using KernelDsl.Tests.Support;
using Xunit;

namespace KernelDsl.Tests.Gnn;

/// <summary>
/// The cut of a process's local matrix that lets its aggregations overlap the halo exchange: the pieces hold every
/// entry once, in its row and place, and the model's kernels over the pieces give the whole matrix's result (forward
/// SpMM and SpGEMM by rows, backward Âᵀ·dY and SSpMM by columns).
/// </summary>
public sealed class HaloSplitTests
{
    /// <summary>A local matrix over [owned | halo]: owned rows with random columns (some all owned), halo rows empty, some empty owned rows.</summary>
    private static CsrMatrix<float> Local(int owned, int halo, int seed, int maxDegree = 9)
    {
        var rng = new Random(seed);
        int n = owned + halo;
        var rows = new List<int>();
        var cols = new List<int>();
        var values = new List<float>();
        for (int r = 0; r < owned; r++)
        {
            int degree = r % 7 == 3 ? 0 : rng.Next(1, maxDegree + 1);
            bool interior = r % 3 == 0;
            var used = new HashSet<int>();
            for (int e = 0; e < degree; e++)
            {
                int c = interior || halo == 0 ? rng.Next(owned) : rng.Next(n);
                if (!used.Add(c)) continue;
                rows.Add(r);
                cols.Add(c);
                values.Add((float)(rng.NextDouble() * 2 - 1));
            }
        }
        // FromCoo sorts by (row, column); shuffle each row's order as a process's matrix keeps the global order.
        var m = CsrMatrix<float>.FromCoo(n, n, rows.ToArray(), cols.ToArray(), values.ToArray());
        for (int r = 0; r < n; r++)
        {
            int from = m.RowOffsets[r], to = m.RowOffsets[r + 1];
            for (int i = to - 1; i > from; i--)
            {
                int j = rng.Next(from, i + 1);
                (m.ColumnIndices[i], m.ColumnIndices[j]) = (m.ColumnIndices[j], m.ColumnIndices[i]);
                (m.Values![i], m.Values[j]) = (m.Values[j], m.Values[i]);
            }
        }
        return m.Values is null ? m.WithValues(1f) : m; // an empty matrix comes back without values
    }

    public static IEnumerable<object[]> Shapes => new[]
    {
        new object[] { 50, 20, 1 }, [200, 0, 2], [1, 5, 3], [0, 0, 4], [120, 300, 5], [64, 64, 6],
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void ThePiecesHoldEveryEntryOnceInItsRowAndPlace(int owned, int halo, int seed)
    {
        var local = Local(owned, halo, seed);
        var split = HaloSplit.Of(local, owned);
        int n = local.Rows, b = 0;
        for (int r = 0; r < n; r++)
        {
            var entries = Row(local, r);
            bool boundary = entries.Any(e => e.Column >= owned);
            Assert.Equal(boundary, split.BoundaryRows.Contains(r));
            if (boundary)
            {
                Assert.Equal(r, split.BoundaryRows[b]);
                Assert.Equal(entries, Row(split.Boundary, b++));
                Assert.Empty(Row(split.Interior, r));
            }
            else Assert.Equal(entries, Row(split.Interior, r));
            Assert.Equal(entries.Where(e => e.Column < owned), Row(split.OwnedColumns, r));
            Assert.Equal(entries.Where(e => e.Column >= owned), Row(split.HaloColumns, r));
        }
        Assert.Equal(b, split.Boundary.Rows);
        foreach (var piece in new[] { split.Interior, split.OwnedColumns, split.HaloColumns })
            Assert.Equal((n, n), (piece.Rows, piece.ColumnCount));
        Assert.Equal(n, split.Boundary.ColumnCount);
    }

    /// <summary>
    /// The model's kernels over the pieces (forward by rows: interior rows, then boundary rows copied into place; backward
    /// by columns: halo rows from the halo columns, owned rows from the owned columns) against the float64 reference of the
    /// whole matrix, within the kernels' own bound (2 · degree · 2⁻²⁴ of Σ|terms|). The kernels' schedule is chosen per
    /// matrix, so the pieces may round differently from the whole; the distributed tests show the model's curves agree.
    /// </summary>
    [Theory]
    [MemberData(nameof(Shapes))]
    public void TheKernelsOverThePiecesGiveTheWholeMatricesResult(int owned, int halo, int seed)
    {
        using var backend = ComputeBackend.Create(BackendKind.NativeCpu);
        var s = backend.DefaultStream;
        const int maxDegree = 40;
        var local = Local(owned, halo, seed, maxDegree);
        var split = HaloSplit.Of(local, owned);
        int n = local.Rows;
        double tolerance = KernelChecker.FloatTolerance(maxDegree);
        using var interior = backend.Upload(split.Interior);
        using var boundary = backend.Upload(split.Boundary);
        using var ownedColumns = backend.Upload(split.OwnedColumns);
        using var haloColumns = backend.Upload(split.HaloColumns);
        foreach (int dim in new[] { 1, 16, 33, 256 })
        {
            var zHost = DenseMatrix<float>.Random(n, dim, seed + dim);
            var dyHost = DenseMatrix<float>.Random(n, dim, seed + 2 * dim);
            using var z = backend.Upload(zHost);
            using var dy = backend.Upload(dyHost);
            int k = Math.Max(1, dim / 4);
            using var zc = backend.AllocateCbsr<float, ushort>(n, dim, k);
            GnnKernels.TopK(s, z, zc);
            var kept = zc.ToHost();

            using var actual = backend.AllocateDense<float>(n, dim);
            using var boundaryOut = backend.AllocateDense<float>(split.Boundary.Rows, dim);
            foreach (bool sparse in new[] { false, true })
            {
                actual.CopyFrom(Enumerable.Repeat(float.NaN, n * dim).ToArray());
                if (sparse)
                {
                    GnnKernels.PropagateSparse(s, interior, zc, actual);
                    GnnKernels.PropagateSparse(s, boundary, zc, boundaryOut);
                }
                else
                {
                    GnnKernels.Propagate(s, interior, z, actual);
                    GnnKernels.Propagate(s, boundary, z, boundaryOut);
                }
                for (int i = 0; i < split.BoundaryRows.Count; i++)
                    boundaryOut.HostSpan.Slice(i * dim, dim).CopyTo(actual.HostSpan.Slice(split.BoundaryRows[i] * dim, dim));
                var (expected, magnitude) = ReferenceSpMM.ComputeWithMagnitude(local, sparse ? kept.ToDense() : zHost, Reduce.Sum);
                Close(expected, magnitude, actual.HostSpan.ToArray(), tolerance, $"{(sparse ? "SpGEMM" : "SpMM")} dim {dim}");
            }

            // Backward, by columns.
            var (transposed, transposedMagnitude) = ReferenceSpMM.ComputeWithMagnitude(local.Transpose(), dyHost, Reduce.Sum);
            using var ownedPart = backend.AllocateDense<float>(n, dim);
            GnnKernels.PropagateBackward(s, haloColumns, dy, actual);
            Assert.All(actual.HostSpan[..(owned * dim)].ToArray(), v => Assert.Equal(0f, v));
            GnnKernels.PropagateBackward(s, ownedColumns, dy, ownedPart);
            Assert.All(ownedPart.HostSpan[(owned * dim)..].ToArray(), v => Assert.Equal(0f, v)); // the halo rows the scatter zeroes
            ownedPart.HostSpan[..(owned * dim)].CopyTo(actual.HostSpan);
            Close(transposed, transposedMagnitude, actual.HostSpan.ToArray(), tolerance, $"Âᵀ·dY dim {dim}");

            using var dzHalo = backend.AllocateCbsr<float, ushort>(n, dim, k);
            using var dzOwned = backend.AllocateCbsr<float, ushort>(n, dim, k);
            GnnKernels.PropagateSparseBackward(s, haloColumns, dy, zc, dzHalo);
            GnnKernels.PropagateSparseBackward(s, ownedColumns, dy, zc, dzOwned);
            var values = dzHalo.DangerousGetHostArrays().Values;
            Array.Copy(dzOwned.DangerousGetHostArrays().Values, values, (long)owned * k);
            var indices = kept.Indices;
            Close(Enumerable.Range(0, n * k).Select(i => transposed[(long)(i / k) * dim + indices[i]]).ToArray(),
                Enumerable.Range(0, n * k).Select(i => transposedMagnitude[(long)(i / k) * dim + indices[i]]).ToArray(), values, tolerance, $"SSpMM dim {dim}");
        }
    }

    private static void Close(double[] expected, double[] magnitude, float[] actual, double tolerance, string context)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(actual[i] - expected[i]) <= tolerance * magnitude[i] + 1e-30,
                $"{context}: element {i} is {actual[i]}, expected {expected[i]} (Σ|terms| {magnitude[i]})");
    }

    [Fact]
    public void RefusesWhatIsNotAProcesssLocalMatrix()
    {
        var rectangular = new CsrMatrix<float>(2, 3, [0, 1, 1], [2], [1f]);
        Assert.Contains("square", Assert.Throws<ArgumentException>(() => HaloSplit.Of(rectangular, 1)).Message);
        var haloWithEntries = new CsrMatrix<float>(3, 3, [0, 1, 1, 2], [2, 0], [1f, 1f]);
        var ex = Assert.Throws<ArgumentException>(() => HaloSplit.Of(haloWithEntries, 2));
        Assert.Equal("local", ex.ParamName);
        Assert.Contains("halo row 2", ex.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => HaloSplit.Of(Local(3, 2, 1), 6));
        Assert.Throws<ArgumentOutOfRangeException>(() => HaloSplit.Of(Local(3, 2, 1), -1));
    }

    private static List<(int Column, float Value)> Row(CsrMatrix<float> m, int r) =>
        Enumerable.Range(m.RowOffsets[r], m.RowOffsets[r + 1] - m.RowOffsets[r]).Select(e => (m.ColumnIndices[e], m.Values![e])).ToList();
}
