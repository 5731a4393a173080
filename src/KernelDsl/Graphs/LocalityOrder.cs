using System.Collections.ObjectModel;
using System.Numerics;

namespace KernelDsl.Graphs;

/// <summary>
/// A renumbering of a graph's nodes that puts neighbours near each other — reverse Cuthill–McKee — built once per graph
/// and applied to everything indexed by node: the adjacency (P·A·Pᵀ), the feature rows, the labels and the node sets.
/// A row-wise SpMM then gathers neighbour rows that lie close in memory, so more of them are still in cache when the
/// next row needs them: on graphs whose ids carry no locality (shuffled, hashed, crawled) the native SpMM runs up to
/// about 1.8× faster at dim 256 (see the README's locality table, measured by <c>--suite locality</c>), for a build that
/// costs about as much as one to ten SpMM calls; <see cref="Auto{T}"/> decides by a documented rule whether it pays.
/// Results do not change beyond float rounding (each row sums the same neighbours, in the new ids' order); map them
/// back with <see cref="RestoreRows{T}"/>.
/// <para>
/// The order: components in turn, each started from its unvisited node of least degree; a breadth-first walk that
/// visits each node's unvisited neighbours by ascending degree (ties: lower id); the whole sequence reversed. Edges are
/// followed both ways (the walk is over A + Aᵀ, so a directed graph is ordered as the symmetric adjacency a GNN
/// aggregates over), degree counts both; every node is placed.
/// Deterministic: the same graph gives the same order.
/// </para>
/// </summary>
public sealed class LocalityOrder
{
    private readonly int[] _newToOld;
    private readonly int[] _oldToNew;

    private LocalityOrder(int[] newToOld, int[] oldToNew, long nonzeros, ulong fingerprint)
    {
        _newToOld = newToOld;
        _oldToNew = oldToNew;
        NewToOld = Array.AsReadOnly(newToOld);
        OldToNew = Array.AsReadOnly(oldToNew);
        Nonzeros = nonzeros;
        Fingerprint = fingerprint;
    }

    /// <summary>Nodes renumbered.</summary>
    public int Count => _newToOld.Length;

    /// <summary>For each new id, the node's id in the graph it was built from.</summary>
    public ReadOnlyCollection<int> NewToOld { get; }

    /// <summary>For each original id, the node's new id (the inverse of <see cref="NewToOld"/>).</summary>
    public ReadOnlyCollection<int> OldToNew { get; }

    /// <summary>Stored entries of the graph it was built from.</summary>
    public long Nonzeros { get; }

    /// <summary>Structure hash of the graph it was built from (the one <see cref="CsrBuffer{T}"/> plans use).</summary>
    public ulong Fingerprint { get; }

    /// <summary>The reverse Cuthill–McKee order of a square <paramref name="graph"/> (see the class summary).</summary>
    public static LocalityOrder ReverseCuthillMcKee<T>(CsrMatrix<T> graph) where T : unmanaged, INumber<T>
    {
        ArgumentNullException.ThrowIfNull(graph);
        if (graph.Rows != graph.ColumnCount)
            throw new ArgumentException($"the graph is {graph.Rows} x {graph.ColumnCount}; a node order needs a square adjacency (nodes x nodes).", nameof(graph));
        int n = graph.Rows;
        int[] offsets = graph.RowOffsets, columns = graph.ColumnIndices;
        foreach (int c in columns)
            if ((uint)c >= (uint)n)
                throw new ArgumentException($"column {c} is outside 0..{n - 1}; validate the graph first (CsrMatrix.Validate).", nameof(graph));
        // The walk follows edges both ways (A + Aᵀ): a directed graph (citations) is aggregated over its symmetric form.
        var inOffsets = new int[n + 1];
        foreach (int c in columns) inOffsets[c + 1]++;
        for (int i = 0; i < n; i++) inOffsets[i + 1] += inOffsets[i];
        var inRows = new int[columns.Length];
        var fill = (int[])inOffsets.Clone();
        for (int i = 0; i < n; i++)
            for (int e = offsets[i]; e < offsets[i + 1]; e++) inRows[fill[columns[e]]++] = i;
        var degree = new int[n];
        for (int i = 0; i < n; i++) degree[i] = offsets[i + 1] - offsets[i] + inOffsets[i + 1] - inOffsets[i];
        // Start nodes by ascending degree (ties: lower id): a stable sort of the ids.
        var starts = new int[n];
        for (int i = 0; i < n; i++) starts[i] = i;
        var startKeys = (int[])degree.Clone();
        Array.Sort(startKeys, starts); // introsort is not stable: fix ties by id below
        SortRunsById(startKeys, starts);

        var order = new int[n];
        var placed = new bool[n];
        var neighbourKeys = new List<long>();
        int head = 0, tail = 0;
        foreach (int start in starts)
        {
            if (placed[start]) continue;
            placed[start] = true;
            order[tail++] = start;
            while (head < tail)
            {
                int u = order[head++];
                neighbourKeys.Clear();
                for (int e = offsets[u]; e < offsets[u + 1]; e++) Visit(columns[e]);
                for (int e = inOffsets[u]; e < inOffsets[u + 1]; e++) Visit(inRows[e]);
                neighbourKeys.Sort();
                foreach (long key in neighbourKeys) order[tail++] = (int)(key & 0xFFFFFFFF);
            }
        }
        Array.Reverse(order);

        void Visit(int v)
        {
            if (placed[v]) return;
            placed[v] = true;
            neighbourKeys.Add(((long)degree[v] << 32) | (uint)v); // ascending degree, then id
        }

        var rank = new int[n];
        for (int i = 0; i < n; i++) rank[order[i]] = i;
        return new LocalityOrder(order, rank, graph.Nonzeros, DegreeSortedPartition.FingerprintOf(offsets, columns));
    }

    /// <summary>
    /// P·A·Pᵀ of the graph this order was built from: row i is old row NewToOld[i] with its columns renumbered and
    /// sorted. Another graph (other size or structure) is refused.
    /// </summary>
    public CsrMatrix<T> Apply<T>(CsrMatrix<T> graph) where T : unmanaged, INumber<T>
    {
        ArgumentNullException.ThrowIfNull(graph);
        if (graph.Rows != Count || graph.ColumnCount != Count || graph.Nonzeros != Nonzeros
            || DegreeSortedPartition.FingerprintOf(graph.RowOffsets, graph.ColumnIndices) != Fingerprint)
            throw new ArgumentException($"this order was built for another graph ({Count} nodes, {Nonzeros} entries, fingerprint {Fingerprint:x16}); "
                + $"the graph given is {graph.Rows} x {graph.ColumnCount} with {graph.Nonzeros} entries. Build the order from this graph (LocalityOrder.ReverseCuthillMcKee).", nameof(graph));
        return Renumber(graph, renumberColumns: true);
    }

    /// <summary>
    /// The rows of a node-indexed sparse matrix (e.g. the features, nodes × words) in the new order; the columns stay.
    /// </summary>
    public CsrMatrix<T> PermuteRows<T>(CsrMatrix<T> rows) where T : unmanaged, INumber<T>
    {
        ArgumentNullException.ThrowIfNull(rows);
        RequireCount(rows.Rows, nameof(rows));
        return Renumber(rows, renumberColumns: false);
    }

    /// <summary>Node-indexed rows of <paramref name="width"/> values (row-major) in the new order: result row i = old row NewToOld[i].</summary>
    public T[] PermuteRows<T>(ReadOnlySpan<T> rows, int width)
    {
        RequireShape(rows.Length, width, nameof(rows));
        var result = new T[rows.Length];
        for (int i = 0; i < Count; i++) rows.Slice(_newToOld[i] * width, width).CopyTo(result.AsSpan(i * width, width));
        return result;
    }

    /// <summary>The inverse of <see cref="PermuteRows{T}(ReadOnlySpan{T}, int)"/>: rows in the new order back in the caller's (result row NewToOld[i] = row i).</summary>
    public T[] RestoreRows<T>(ReadOnlySpan<T> rows, int width)
    {
        RequireShape(rows.Length, width, nameof(rows));
        var result = new T[rows.Length];
        for (int i = 0; i < Count; i++) rows.Slice(i * width, width).CopyTo(result.AsSpan(_newToOld[i] * width, width));
        return result;
    }

    /// <summary>Original node ids (a training set, a query) as new ids, in the same order.</summary>
    public int[] MapIds(ReadOnlySpan<int> originalIds)
    {
        var result = new int[originalIds.Length];
        for (int t = 0; t < originalIds.Length; t++)
        {
            int id = originalIds[t];
            if ((uint)id >= (uint)Count) throw new ArgumentOutOfRangeException(nameof(originalIds), $"node id {id} at position {t} is outside 0..{Count - 1}.");
            result[t] = _oldToNew[id];
        }
        return result;
    }

    /// <summary>The neighbourhood window of <see cref="Auto{T}"/>: rows whose 256-float feature rows fill 2 MB (about an L2).</summary>
    public const int AutoWindow = 2048;

    /// <summary>How many times more edges <see cref="Auto{T}"/> needs within the window after reordering before it reorders.</summary>
    public const double AutoGain = 1.5;

    /// <summary>
    /// The order where it pays, else null — the rule: build the reverse Cuthill–McKee order and reorder when it puts at
    /// least <see cref="AutoGain"/> times as many of the graph's edges within <see cref="AutoWindow"/> rows of their row
    /// (<see cref="NearShare{T}"/>) as the graph's own ids do. Measured with <c>--suite locality</c> on the shared graphs
    /// (native SpMM on Â, 2 cores, two runs): what it picks (ca-AstroPh as given; soc-brightkite, soc-slashdot0902 and
    /// proteins-full with shuffled ids) ran 1.06–1.82× faster at dim 256 in both runs; what it declines (soc-brightkite,
    /// soc-slashdot0902, pubmed-maxk and proteins-full as given, pubmed-maxk shuffled) moved 0.85–1.29× between runs, a
    /// loss in some (soc-slashdot0902 at 256: 0.85–0.99×). The build costs 3–40 ms on them.
    /// </summary>
    public static LocalityOrder? Auto<T>(CsrMatrix<T> graph) where T : unmanaged, INumber<T>
    {
        var order = ReverseCuthillMcKee(graph);
        double given = NearShare(graph, AutoWindow);
        double reordered = NearShareRenamed(graph, AutoWindow, order._oldToNew);
        return reordered >= AutoGain * given && reordered > 0 ? order : null;
    }

    /// <summary>The share of stored entries (i, j) with |i − j| ≤ <paramref name="window"/>: how many neighbour rows lie near their row in memory.</summary>
    public static double NearShare<T>(CsrMatrix<T> graph, int window) where T : unmanaged, INumber<T>
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentOutOfRangeException.ThrowIfNegative(window);
        return NearShareRenamed(graph, window, rank: null);
    }

    /// <summary><see cref="NearShare{T}(CsrMatrix{T}, int)"/> with node i renamed <paramref name="rank"/>[i] (null: as given), without building the renamed graph.</summary>
    private static double NearShareRenamed<T>(CsrMatrix<T> graph, int window, int[]? rank) where T : unmanaged, INumber<T>
    {
        long near = 0;
        for (int i = 0; i < graph.Rows; i++)
        {
            long row = rank is null ? i : rank[i];
            for (int e = graph.RowOffsets[i]; e < graph.RowOffsets[i + 1]; e++)
            {
                int c = graph.ColumnIndices[e];
                if (Math.Abs((rank is null ? c : rank[c]) - row) <= window) near++;
            }
        }
        return graph.Nonzeros == 0 ? 1.0 : (double)near / graph.Nonzeros;
    }

    /// <summary>The largest |i − j| over the stored entries (i, j): how far apart in memory a row's neighbours can lie.</summary>
    public static int Bandwidth<T>(CsrMatrix<T> graph) where T : unmanaged, INumber<T>
    {
        ArgumentNullException.ThrowIfNull(graph);
        int widest = 0;
        for (int i = 0; i < graph.Rows; i++)
            for (int e = graph.RowOffsets[i]; e < graph.RowOffsets[i + 1]; e++) widest = Math.Max(widest, Math.Abs(i - graph.ColumnIndices[e]));
        return widest;
    }

    private CsrMatrix<T> Renumber<T>(CsrMatrix<T> matrix, bool renumberColumns) where T : unmanaged, INumber<T>
    {
        int n = Count;
        var offsets = new int[n + 1];
        for (int i = 0; i < n; i++) offsets[i + 1] = offsets[i] + matrix.Degree(_newToOld[i]);
        var columns = new int[matrix.Nonzeros];
        T[]? values = matrix.Values is null ? null : new T[matrix.Nonzeros];
        for (int i = 0; i < n; i++)
        {
            int from = matrix.RowOffsets[_newToOld[i]], length = offsets[i + 1] - offsets[i], to = offsets[i];
            for (int t = 0; t < length; t++)
            {
                int c = matrix.ColumnIndices[from + t];
                columns[to + t] = renumberColumns ? _oldToNew[c] : c;
            }
            if (values is not null) Array.Copy(matrix.Values!, from, values, to, length);
            if (renumberColumns)
            {
                if (values is not null) Array.Sort(columns, values, to, length);
                else Array.Sort(columns, to, length);
            }
        }
        return new CsrMatrix<T>(n, matrix.ColumnCount, offsets, columns, values);
    }

    private void RequireCount(int rows, string parameter)
    {
        if (rows != Count) throw new ArgumentException($"{rows} rows, but this order renumbers {Count} nodes: pass one row per node of the graph it was built from.", parameter);
    }

    private void RequireShape(int length, int width, string parameter)
    {
        if (width < 1) throw new ArgumentOutOfRangeException(nameof(width), width, "a row holds at least one value.");
        if ((long)Count * width != length)
            throw new ArgumentException($"{length} values are not {Count} rows of {width}: pass one row of {width} per node of the graph this order was built from.", parameter);
    }

    /// <summary>Within each run of equal keys, ids ascending (Array.Sort is not stable).</summary>
    private static void SortRunsById(int[] keys, int[] ids)
    {
        for (int start = 0; start < keys.Length;)
        {
            int end = start + 1;
            while (end < keys.Length && keys[end] == keys[start]) end++;
            if (end - start > 1) Array.Sort(ids, start, end - start);
            start = end;
        }
    }
}
