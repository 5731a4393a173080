namespace KernelDsl.Gnn;

/// <summary>
/// A process's local propagation matrix (rows and columns [owned | halo], halo rows empty) cut so its aggregations can
/// run while the halo travels. Forward: the <see cref="Interior"/> rows read owned rows only, so they need no halo and
/// run during the gather; the <see cref="Boundary"/> rows (those with a halo column) run after it. Backward (Âᵀ·dY):
/// the gradient of the halo rows comes from the entries in <see cref="HaloColumns"/> and is sent first; the owned rows'
/// gradient comes from <see cref="OwnedColumns"/> and is computed while it travels. Every entry keeps its row and its
/// place within the row, so each output row sums the same terms as the whole matrix does.
/// </summary>
public sealed class HaloSplit
{
    private HaloSplit(CsrMatrix<float> interior, CsrMatrix<float> boundary, int[] boundaryRows, CsrMatrix<float> ownedColumns, CsrMatrix<float> haloColumns)
    {
        Interior = interior;
        Boundary = boundary;
        BoundaryRows = boundaryRows;
        OwnedColumns = ownedColumns;
        HaloColumns = haloColumns;
    }

    /// <summary>The whole matrix with its boundary rows emptied (rows × columns as the whole).</summary>
    public CsrMatrix<float> Interior { get; }

    /// <summary>The boundary rows alone, one row per entry of <see cref="BoundaryRows"/> (columns as the whole).</summary>
    public CsrMatrix<float> Boundary { get; }

    /// <summary>The owned rows with at least one halo column, ascending.</summary>
    public IReadOnlyList<int> BoundaryRows { get; }

    /// <summary>The entries whose column is an owned row (the shape of the whole).</summary>
    public CsrMatrix<float> OwnedColumns { get; }

    /// <summary>The entries whose column is a halo row (the shape of the whole).</summary>
    public CsrMatrix<float> HaloColumns { get; }

    /// <summary>Splits <paramref name="local"/>, a square matrix over [owned | halo] whose first <paramref name="owned"/> rows are owned.</summary>
    public static HaloSplit Of(CsrMatrix<float> local, int owned)
    {
        ArgumentNullException.ThrowIfNull(local);
        if (local.Rows != local.ColumnCount)
            throw new ArgumentException($"local is {local.Rows} x {local.ColumnCount}; the matrix over [owned | halo] rows is square.", nameof(local));
        ArgumentOutOfRangeException.ThrowIfNegative(owned);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(owned, local.Rows);
        int n = local.Rows;
        var offsets = local.RowOffsets;
        var columns = local.ColumnIndices;
        var values = local.Values ?? Enumerable.Repeat(1f, local.Nonzeros).ToArray();
        for (int r = owned; r < n; r++)
            if (offsets[r + 1] > offsets[r])
                throw new ArgumentException($"halo row {r} has entries; a process's matrix holds rows for its {owned} owned nodes only.", nameof(local));
        var boundaryRows = new List<int>();
        for (int r = 0; r < owned; r++)
            for (int e = offsets[r]; e < offsets[r + 1]; e++)
                if (columns[e] >= owned)
                {
                    boundaryRows.Add(r);
                    break;
                }
        var isBoundary = new bool[n];
        foreach (int r in boundaryRows) isBoundary[r] = true;
        return new HaloSplit(
            Filter(n, offsets, columns, values, (r, _) => !isBoundary[r], n),
            Compact(offsets, columns, values, boundaryRows, n),
            boundaryRows.ToArray(),
            Filter(n, offsets, columns, values, (_, c) => c < owned, n),
            Filter(n, offsets, columns, values, (_, c) => c >= owned, n));
    }

    private static CsrMatrix<float> Filter(int n, int[] offsets, int[] columns, float[] values, Func<int, int, bool> keep, int columnCount)
    {
        var rowOffsets = new int[n + 1];
        var kept = new List<int>(columns.Length);
        for (int r = 0; r < n; r++)
        {
            for (int e = offsets[r]; e < offsets[r + 1]; e++)
                if (keep(r, columns[e])) kept.Add(e);
            rowOffsets[r + 1] = kept.Count;
        }
        return new CsrMatrix<float>(n, columnCount, rowOffsets, kept.Select(e => columns[e]).ToArray(), kept.Select(e => values[e]).ToArray());
    }

    private static CsrMatrix<float> Compact(int[] offsets, int[] columns, float[] values, List<int> rows, int columnCount)
    {
        var rowOffsets = new int[rows.Count + 1];
        for (int i = 0; i < rows.Count; i++) rowOffsets[i + 1] = rowOffsets[i] + offsets[rows[i] + 1] - offsets[rows[i]];
        var c = new int[rowOffsets[rows.Count]];
        var v = new float[c.Length];
        for (int i = 0; i < rows.Count; i++)
        {
            int from = offsets[rows[i]], count = offsets[rows[i] + 1] - from;
            Array.Copy(columns, from, c, rowOffsets[i], count);
            Array.Copy(values, from, v, rowOffsets[i], count);
        }
        return new CsrMatrix<float>(rows.Count, columnCount, rowOffsets, c, v);
    }
}
