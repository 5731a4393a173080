using System.Numerics;

namespace KernelDsl;

/// <summary>
/// A sparse matrix in compressed sparse row form on the host: <see cref="RowOffsets"/> (length
/// rows + 1), <see cref="ColumnIndices"/> and, unless it is a pattern matrix, <see cref="Values"/> (length nnz).
/// Row i's entries are <c>ColumnIndices[RowOffsets[i] .. RowOffsets[i+1]]</c>. For a graph, row i lists the
/// neighbours whose features node i aggregates.
/// </summary>
/// <typeparam name="T">Value type.</typeparam>
public sealed class CsrMatrix<T> where T : unmanaged, INumber<T>
{
    /// <summary>Wraps existing arrays without copying; call <see cref="Validate"/> to check them.</summary>
    public CsrMatrix(int rows, int columns, int[] rowOffsets, int[] columnIndices, T[]? values)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfNegative(columns);
        Rows = rows;
        ColumnCount = columns;
        RowOffsets = rowOffsets ?? throw new ArgumentNullException(nameof(rowOffsets));
        ColumnIndices = columnIndices ?? throw new ArgumentNullException(nameof(columnIndices));
        Values = values;
    }

    /// <summary>Number of rows.</summary>
    public int Rows { get; }

    /// <summary>Number of columns.</summary>
    public int ColumnCount { get; }

    /// <summary>Row offsets, length <see cref="Rows"/> + 1.</summary>
    public int[] RowOffsets { get; }

    /// <summary>Column index of each stored entry.</summary>
    public int[] ColumnIndices { get; }

    /// <summary>Value of each stored entry; null for a pattern matrix.</summary>
    public T[]? Values { get; }

    /// <summary>Number of stored entries.</summary>
    public int Nonzeros => ColumnIndices.Length;

    /// <summary>True when the matrix stores values.</summary>
    public bool HasValues => Values is not null;

    /// <summary>Number of stored entries in <paramref name="row"/>.</summary>
    public int Degree(int row) => RowOffsets[row + 1] - RowOffsets[row];

    /// <summary>Degree statistics of the rows.</summary>
    public DegreeStatistics DegreeStatistics() => KernelDsl.DegreeStatistics.FromRowOffsets(RowOffsets);

    /// <summary>
    /// Builds a CSR matrix from coordinate triples. Entries are sorted by (row, column), keeping
    /// the input order of equal coordinates; <paramref name="duplicates"/> says what happens to them.
    /// </summary>
    /// <param name="rows">Number of rows.</param>
    /// <param name="columns">Number of columns.</param>
    /// <param name="rowIndices">Row index of each entry (0-based).</param>
    /// <param name="columnIndices">Column index of each entry (0-based).</param>
    /// <param name="values">Value of each entry, or empty for a pattern matrix.</param>
    /// <param name="duplicates">Keep, sum or reject repeated coordinates.</param>
    public static CsrMatrix<T> FromCoo(int rows, int columns, ReadOnlySpan<int> rowIndices, ReadOnlySpan<int> columnIndices,
        ReadOnlySpan<T> values, DuplicatePolicy duplicates = DuplicatePolicy.Keep)
    {
        ArraySizes.CsrRows(rows, nameof(rows));
        ArgumentOutOfRangeException.ThrowIfNegative(columns);
        if (rowIndices.Length != columnIndices.Length)
            throw new ArgumentException($"rowIndices has {rowIndices.Length} entries but columnIndices has {columnIndices.Length}; give one row and one column per entry.", nameof(columnIndices));
        bool hasValues = !values.IsEmpty;
        if (hasValues && values.Length != rowIndices.Length)
            throw new ArgumentException($"values has {values.Length} entries but there are {rowIndices.Length} coordinates; pass one value per entry or none for a pattern matrix.", nameof(values));

        int n = rowIndices.Length;
        var offsets = new int[rows + 1];
        for (int e = 0; e < n; e++)
        {
            int r = rowIndices[e], c = columnIndices[e];
            if ((uint)r >= (uint)rows)
                throw new ArgumentOutOfRangeException(nameof(rowIndices), $"entry {e} has row {r}, outside [0, {rows}).");
            if ((uint)c >= (uint)columns)
                throw new ArgumentOutOfRangeException(nameof(columnIndices), $"entry {e} has column {c}, outside [0, {columns}).");
            offsets[r + 1]++;
        }
        for (int r = 0; r < rows; r++) offsets[r + 1] += offsets[r];

        // Counting sort by row (stable), then a stable sort by column inside each row.
        var cols = new int[n];
        var vals = hasValues ? new T[n] : null;
        var order = new int[n];
        var next = offsets.AsSpan(0, rows).ToArray();
        for (int e = 0; e < n; e++)
        {
            int slot = next[rowIndices[e]]++;
            cols[slot] = columnIndices[e];
            order[slot] = e;
        }
        for (int r = 0; r < rows; r++)
        {
            int s = offsets[r], len = offsets[r + 1] - s;
            if (len > 1)
            {
                // Sort by (column, input order) so that the sort is stable.
                var keys = new long[len];
                for (int i = 0; i < len; i++) keys[i] = ((long)cols[s + i] << 32) | (uint)order[s + i];
                Array.Sort(keys);
                for (int i = 0; i < len; i++)
                {
                    cols[s + i] = (int)(keys[i] >> 32);
                    order[s + i] = (int)(keys[i] & 0xffffffffL);
                }
            }
        }
        if (vals is not null)
            for (int i = 0; i < n; i++) vals[i] = values[order[i]];

        var matrix = new CsrMatrix<T>(rows, columns, offsets, cols, vals);
        return duplicates switch
        {
            DuplicatePolicy.Keep => matrix,
            DuplicatePolicy.Sum => matrix.MergeDuplicates(),
            DuplicatePolicy.Throw => matrix.ThrowOnDuplicates(),
            _ => throw new ArgumentOutOfRangeException(nameof(duplicates)),
        };
    }

    /// <summary>Builds a pattern (unweighted) adjacency from directed edges (source → row, target → column).</summary>
    /// <param name="nodes">Number of nodes.</param>
    /// <param name="edges">Edges (row, column).</param>
    /// <param name="symmetric">Also add every reversed edge (an undirected graph); a self loop is added once.</param>
    /// <param name="duplicates">What to do with repeated edges.</param>
    public static CsrMatrix<T> FromEdges(int nodes, IEnumerable<(int Row, int Column)> edges, bool symmetric = false,
        DuplicatePolicy duplicates = DuplicatePolicy.Keep)
    {
        ArgumentNullException.ThrowIfNull(edges);
        var r = new List<int>();
        var c = new List<int>();
        foreach (var (row, col) in edges)
        {
            r.Add(row); c.Add(col);
            if (symmetric && row != col) { r.Add(col); c.Add(row); }
        }
        return FromCoo(nodes, nodes, r.ToArray(), c.ToArray(), ReadOnlySpan<T>.Empty, duplicates);
    }

    /// <summary>Checks every CSR invariant and throws a <see cref="CsrFormatException"/> naming the first one broken.</summary>
    public void Validate(string? paramName = null)
    {
        if (RowOffsets.Length != Rows + 1)
            throw new CsrFormatException($"RowOffsets has {RowOffsets.Length} entries but a matrix of {Rows} rows needs {Rows + 1} (rows + 1).", paramName);
        if (RowOffsets[0] != 0)
            throw new CsrFormatException($"RowOffsets[0] is {RowOffsets[0]}; the first row offset must be 0.", paramName);
        for (int i = 0; i < Rows; i++)
            if (RowOffsets[i + 1] < RowOffsets[i])
                throw new CsrFormatException($"RowOffsets is not monotone: RowOffsets[{i + 1}] = {RowOffsets[i + 1]} < RowOffsets[{i}] = {RowOffsets[i]}.", paramName);
        if (RowOffsets[Rows] != ColumnIndices.Length)
            throw new CsrFormatException($"The last row offset is {RowOffsets[Rows]} but ColumnIndices has {ColumnIndices.Length} entries; RowOffsets[rows] must equal nnz.", paramName);
        if (Values is not null && Values.Length != ColumnIndices.Length)
            throw new CsrFormatException($"Values has {Values.Length} entries but ColumnIndices has {ColumnIndices.Length}; lengths must match (one value per stored entry).", paramName);
        for (int e = 0; e < ColumnIndices.Length; e++)
            if ((uint)ColumnIndices[e] >= (uint)ColumnCount)
                throw new CsrFormatException($"ColumnIndices[{e}] = {ColumnIndices[e]} is outside [0, {ColumnCount}) (column index out of range).", paramName);
    }

    /// <summary>The transpose (CSR of Aᵀ), with columns sorted within each row.</summary>
    public CsrMatrix<T> Transpose()
    {
        var offsets = new int[ColumnCount + 1];
        foreach (int c in ColumnIndices) offsets[c + 1]++;
        for (int c = 0; c < ColumnCount; c++) offsets[c + 1] += offsets[c];
        var next = offsets.AsSpan(0, ColumnCount).ToArray();
        var cols = new int[Nonzeros];
        var vals = Values is null ? null : new T[Nonzeros];
        for (int r = 0; r < Rows; r++)
            for (int e = RowOffsets[r]; e < RowOffsets[r + 1]; e++)
            {
                int slot = next[ColumnIndices[e]]++;
                cols[slot] = r;
                if (vals is not null) vals[slot] = Values![e];
            }
        return new CsrMatrix<T>(ColumnCount, Rows, offsets, cols, vals);
    }

    /// <summary>
    /// The subgraph induced by <paramref name="nodes"/> (a square matrix): row and column i of the
    /// result are node <c>nodes[i]</c>; entries to nodes outside the set are dropped.
    /// </summary>
    public CsrMatrix<T> InducedSubgraph(ReadOnlySpan<int> nodes)
    {
        if (Rows != ColumnCount)
            throw new InvalidOperationException($"An induced subgraph needs a square matrix; this one is {Rows} x {ColumnCount}.");
        var map = new Dictionary<int, int>(nodes.Length);
        for (int i = 0; i < nodes.Length; i++)
        {
            if ((uint)nodes[i] >= (uint)Rows) throw new ArgumentOutOfRangeException(nameof(nodes), $"node {nodes[i]} is outside [0, {Rows}).");
            if (!map.TryAdd(nodes[i], i)) throw new ArgumentException($"node {nodes[i]} is listed twice.", nameof(nodes));
        }
        var offsets = new int[nodes.Length + 1];
        var cols = new List<int>();
        var vals = Values is null ? null : new List<T>();
        for (int i = 0; i < nodes.Length; i++)
        {
            int r = nodes[i];
            for (int e = RowOffsets[r]; e < RowOffsets[r + 1]; e++)
                if (map.TryGetValue(ColumnIndices[e], out int c))
                {
                    cols.Add(c);
                    vals?.Add(Values![e]);
                }
            offsets[i + 1] = cols.Count;
        }
        return new CsrMatrix<T>(nodes.Length, nodes.Length, offsets, cols.ToArray(), vals?.ToArray());
    }

    /// <summary>A copy with values of another numeric type (pattern stays pattern).</summary>
    public CsrMatrix<TOther> Convert<TOther>() where TOther : unmanaged, INumber<TOther> =>
        new(Rows, ColumnCount, (int[])RowOffsets.Clone(), (int[])ColumnIndices.Clone(),
            Values is null ? null : Array.ConvertAll(Values, v => TOther.CreateChecked(v)));

    /// <summary>A copy that stores values: the existing ones, or <paramref name="fill"/> for a pattern matrix.</summary>
    public CsrMatrix<T> WithValues(T fill) =>
        new(Rows, ColumnCount, RowOffsets, ColumnIndices, Values ?? Enumerable.Repeat(fill, Nonzeros).ToArray());

    /// <summary>A copy without values (the pattern only).</summary>
    public CsrMatrix<T> AsPattern() => new(Rows, ColumnCount, RowOffsets, ColumnIndices, null);

    private CsrMatrix<T> MergeDuplicates()
    {
        var offsets = new int[Rows + 1];
        var cols = new List<int>(Nonzeros);
        var vals = Values is null ? null : new List<T>(Nonzeros);
        for (int r = 0; r < Rows; r++)
        {
            int rowStart = cols.Count;
            for (int e = RowOffsets[r]; e < RowOffsets[r + 1]; e++)
            {
                if (cols.Count > rowStart && cols[^1] == ColumnIndices[e])
                {
                    if (vals is not null) vals[^1] += Values![e];
                    continue;
                }
                cols.Add(ColumnIndices[e]);
                vals?.Add(Values![e]);
            }
            offsets[r + 1] = cols.Count;
        }
        return new CsrMatrix<T>(Rows, ColumnCount, offsets, cols.ToArray(), vals?.ToArray());
    }

    private CsrMatrix<T> ThrowOnDuplicates()
    {
        for (int r = 0; r < Rows; r++)
            for (int e = RowOffsets[r] + 1; e < RowOffsets[r + 1]; e++)
                if (ColumnIndices[e] == ColumnIndices[e - 1])
                    throw new ArgumentException($"entry ({r}, {ColumnIndices[e]}) appears more than once; use DuplicatePolicy.Sum or Keep to accept repeated coordinates.");
        return this;
    }
}
