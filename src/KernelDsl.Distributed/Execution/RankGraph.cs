namespace KernelDsl.Distributed;

/// <summary>
/// One rank's share of a partitioned graph: the nodes it owns (ascending global ids), its halo (the remote nodes its
/// rows reference, grouped by owning rank in rank order, ascending within a group), and for every other rank the owned
/// rows that rank needs, in that rank's halo order. Local row i stands for global node <see cref="GlobalIds"/>[i].
/// </summary>
public sealed class RankGraph
{
    private readonly int[] _globalIds;
    private readonly int[] _haloStart;
    private readonly int[][] _sendRows;

    private RankGraph(int nodes, int rank, int ranks, int owned, int[] globalIds, int[] haloStart, int[][] sendRows)
    {
        Nodes = nodes;
        Rank = rank;
        Ranks = ranks;
        Owned = owned;
        _globalIds = globalIds;
        _haloStart = haloStart;
        _sendRows = sendRows;
    }

    /// <summary>The nodes of the whole graph.</summary>
    public int Nodes { get; }

    public int Rank { get; }
    public int Ranks { get; }

    /// <summary>Owned rows: local rows 0 .. Owned − 1.</summary>
    public int Owned { get; }

    /// <summary>Halo rows: local rows Owned .. Rows − 1.</summary>
    public int Halo => _globalIds.Length - Owned;

    /// <summary>Owned + halo.</summary>
    public int Rows => _globalIds.Length;

    /// <summary>The global node of each local row.</summary>
    public IReadOnlyList<int> GlobalIds => _globalIds;

    /// <summary>Halo rows received from <paramref name="rank"/>: local rows Owned + start .. Owned + start + count − 1.</summary>
    public (int Start, int Count) HaloFrom(int rank) => (_haloStart[rank], _haloStart[rank + 1] - _haloStart[rank]);

    /// <summary>The owned local rows <paramref name="rank"/> receives from this one, in its halo order.</summary>
    public IReadOnlyList<int> SendTo(int rank) => _sendRows[rank];

    /// <summary>
    /// The share of <paramref name="rank"/> in <paramref name="partition"/> of the graph whose aggregation matrix is
    /// <paramref name="propagation"/> (its nonzero columns decide the halo).
    /// </summary>
    public static RankGraph Build(CsrMatrix<float> propagation, GraphPartition partition, int rank)
    {
        ArgumentNullException.ThrowIfNull(propagation);
        ArgumentNullException.ThrowIfNull(partition);
        partition.CheckFor(propagation, nameof(propagation));
        int ranks = partition.Parts;
        ArgumentOutOfRangeException.ThrowIfNegative(rank);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(rank, ranks);
        var owner = partition.Owner;
        var byPart = partition.NodesByPart();
        int[] owned = byPart[rank];
        // Halo: the remote columns of the owned rows, grouped by owner, ascending.
        var seen = new bool[propagation.Rows];
        var haloByRank = new List<int>[ranks];
        for (int q = 0; q < ranks; q++) haloByRank[q] = [];
        foreach (int r in owned)
            for (int e = propagation.RowOffsets[r]; e < propagation.RowOffsets[r + 1]; e++)
            {
                int c = propagation.ColumnIndices[e];
                if (owner[c] == rank || seen[c]) continue;
                seen[c] = true;
                haloByRank[owner[c]].Add(c);
            }
        var haloStart = new int[ranks + 1];
        var globalIds = new List<int>(owned);
        for (int q = 0; q < ranks; q++)
        {
            haloByRank[q].Sort();
            haloStart[q + 1] = haloStart[q] + haloByRank[q].Count;
            globalIds.AddRange(haloByRank[q]);
        }
        // What each other rank needs from here: the columns of its rows that this rank owns, ascending (its halo order).
        var localOfOwned = new int[propagation.Rows];
        for (int i = 0; i < owned.Length; i++) localOfOwned[owned[i]] = i;
        var sendRows = new int[ranks][];
        Array.Fill(seen, false);
        for (int q = 0; q < ranks; q++)
        {
            if (q == rank) { sendRows[q] = []; continue; }
            var needed = new List<int>();
            foreach (int r in byPart[q])
                for (int e = propagation.RowOffsets[r]; e < propagation.RowOffsets[r + 1]; e++)
                {
                    int c = propagation.ColumnIndices[e];
                    if (owner[c] != rank || seen[c]) continue;
                    seen[c] = true;
                    needed.Add(c);
                }
            foreach (int c in needed) seen[c] = false;
            needed.Sort();
            sendRows[q] = needed.Select(c => localOfOwned[c]).ToArray();
        }
        return new RankGraph(propagation.Rows, rank, ranks, owned.Length, globalIds.ToArray(), haloStart, sendRows);
    }

    /// <summary>
    /// The local rows of <paramref name="matrix"/> (one row per owned node, then per halo node an empty row, or its own
    /// row when <paramref name="haloRows"/>), with
    /// columns renumbered to local rows when <paramref name="localColumns"/> (a node × node matrix such as the
    /// propagation matrix: every column must be an owned or halo node) or kept (the feature matrix). Each row keeps its
    /// entries in the global order (so local column indices need not ascend), and so its sums round as one process's.
    /// </summary>
    public CsrMatrix<float> LocalRows(CsrMatrix<float> matrix, bool localColumns, bool haloRows = false)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        if (matrix.Rows != Nodes)
            throw new ArgumentException($"matrix has {matrix.Rows} rows but the partitioned graph has {Nodes} nodes; pass a matrix with one row per node.", nameof(matrix));
        if (localColumns && matrix.ColumnCount != Nodes)
            throw new ArgumentException($"matrix has {matrix.ColumnCount} columns; renumbering columns to local rows needs one column per node ({Nodes}).", nameof(matrix));
        int[]? localOf = null;
        if (localColumns)
        {
            localOf = new int[matrix.ColumnCount];
            Array.Fill(localOf, -1);
            for (int i = 0; i < _globalIds.Length; i++) localOf[_globalIds[i]] = i;
        }
        int filled = haloRows ? Rows : Owned;
        var offsets = new int[Rows + 1];
        for (int i = 0; i < filled; i++)
        {
            int g = _globalIds[i];
            offsets[i + 1] = offsets[i] + matrix.RowOffsets[g + 1] - matrix.RowOffsets[g];
        }
        for (int i = filled; i < Rows; i++) offsets[i + 1] = offsets[i];
        var columns = new int[offsets[Rows]];
        var values = new float[offsets[Rows]];
        for (int i = 0; i < filled; i++)
        {
            int g = _globalIds[i], w = offsets[i];
            int from = matrix.RowOffsets[g], to = matrix.RowOffsets[g + 1];
            var pairs = new List<(int Column, float Value)>(to - from);
            for (int e = from; e < to; e++)
            {
                int c = matrix.ColumnIndices[e];
                int local = localOf is null ? c : localOf[c];
                if (local < 0) throw new InvalidOperationException($"column {c} of row {g} is neither owned nor in the halo of rank {Rank}.");
                pairs.Add((local, matrix.Values is { } v ? v[e] : 1f));
            }
            // The entries keep the global matrix's order, so every row is summed in the order one process sums it.
            foreach (var (c, v) in pairs)
            {
                columns[w] = c;
                values[w++] = v;
            }
        }
        return new CsrMatrix<float>(Rows, localColumns ? Rows : matrix.ColumnCount, offsets, columns, values);
    }
}
