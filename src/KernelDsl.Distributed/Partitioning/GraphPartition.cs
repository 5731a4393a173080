using System.Runtime.CompilerServices;
using KernelDsl.Distributed.Partitioning;

namespace KernelDsl.Distributed;

/// <summary>How a <see cref="GraphPartition"/> assigns nodes to parts.</summary>
public enum PartitionMethod
{
    /// <summary>Consecutive node ranges with about the same number of nonzeros each (the baseline and the fallback).</summary>
    Contiguous,

    /// <summary>METIS k-way on the symmetrised graph, nodes weighted by their nonzeros (minimises the edge cut).</summary>
    Metis,

    /// <summary>An assignment the caller gave.</summary>
    Explicit,
}

/// <summary>
/// Which part (rank) owns each node of one graph: a plan, like <see cref="DegreeSortedPartition"/> — inspectable
/// (<see cref="Owner"/>, <see cref="Report"/>), cached per graph and method, and refused for another graph
/// (<see cref="CheckFor"/> compares the graph's size and a hash of its structure).
/// </summary>
public sealed class GraphPartition
{
    private static readonly ConditionalWeakTable<CsrMatrix<float>, Dictionary<(PartitionMethod, int, int, bool Shared), GraphPartition>> Cache = new();
    private readonly int[] _owner;
    private readonly int _rows;
    private readonly long _nonzeros;
    private readonly ulong _fingerprint;

    private GraphPartition(CsrMatrix<float> graph, int[] owner, int parts, PartitionMethod method)
    {
        _owner = owner;
        _rows = graph.Rows;
        _nonzeros = graph.Nonzeros;
        _fingerprint = Fingerprint(graph);
        Parts = parts;
        Method = method;
    }

    /// <summary>The number of parts.</summary>
    public int Parts { get; }

    /// <summary>How the nodes were assigned.</summary>
    public PartitionMethod Method { get; }

    /// <summary>The owning part of each node.</summary>
    public IReadOnlyList<int> Owner => _owner;

    /// <summary>Contiguous node ranges balanced by nonzeros (each row weighs its nonzeros + 1); every part gets a node.</summary>
    public static GraphPartition Contiguous(CsrMatrix<float> graph, int parts)
    {
        Check(graph, parts);
        return Cached(graph, PartitionMethod.Contiguous, parts, 0, () =>
        {
            var owner = new int[graph.Rows];
            double total = graph.Nonzeros + (double)graph.Rows;
            int row = 0;
            double prefix = 0;
            for (int p = 0; p < parts; p++)
            {
                double target = total * (p + 1) / parts;
                int lastAllowed = graph.Rows - (parts - p - 1); // leave one node for every later part
                int start = row;
                while (row < lastAllowed && (row == start || prefix + Weight(graph, row) <= target || p == parts - 1))
                {
                    prefix += Weight(graph, row);
                    owner[row++] = p;
                }
            }
            return new GraphPartition(graph, owner, parts, PartitionMethod.Contiguous);
        });
    }

    /// <summary>
    /// METIS k-way (Debian's libmetis5) on the symmetrised graph without self loops, each node weighted by its nonzeros
    /// + 1 so parts balance the SpMM work; deterministic for a <paramref name="seed"/>. A graph without edges, or one
    /// part, needs no METIS and gets <see cref="Contiguous"/>.
    /// </summary>
    public static GraphPartition Metis(CsrMatrix<float> graph, int parts, int seed = 1)
    {
        Check(graph, parts);
        return Cached(graph, PartitionMethod.Metis, parts, seed, () =>
        {
            var (xadj, adjncy) = SymmetricWithoutLoops(graph);
            if (parts == 1 || adjncy.Length == 0) return Contiguous(graph, parts);
            if (!MetisNative.Available)
                throw new DllNotFoundException("METIS (libmetis.so.5) was not found; install it with 'apt-get install -y libmetis5' or use PartitionMethod.Contiguous.");
            var weights = new int[graph.Rows];
            for (int r = 0; r < graph.Rows; r++) weights[r] = graph.RowOffsets[r + 1] - graph.RowOffsets[r] + 1;
            var options = new int[MetisNative.OptionCount];
            MetisNative.SetDefaultOptions(options);
            options[MetisNative.OptionSeed] = seed;
            options[MetisNative.OptionNumbering] = 0;
            int n = graph.Rows, constraints = 1, k = parts;
            var owner = new int[n];
            int status = MetisNative.PartGraphKway(ref n, ref constraints, xadj, adjncy, weights, null, null, ref k, null, null, options, out _, owner);
            if (status != MetisNative.Ok) throw new InvalidOperationException($"METIS_PartGraphKway returned {status} for {graph.Rows} nodes in {parts} parts.");
            foreach (int o in owner)
                if ((uint)o >= (uint)parts) throw new InvalidOperationException($"METIS returned part {o} outside 0..{parts - 1}; is libmetis5 built with 64-bit indices?");
            return new GraphPartition(graph, owner, parts, PartitionMethod.Metis);
        });
    }

    /// <summary>A partition the caller chose: <paramref name="owner"/>[node] in 0 .. <paramref name="parts"/> − 1 (parts may be empty).</summary>
    public static GraphPartition FromOwners(CsrMatrix<float> graph, int[] owner, int parts)
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentNullException.ThrowIfNull(owner);
        ArgumentOutOfRangeException.ThrowIfLessThan(parts, 1);
        if (owner.Length != graph.Rows) throw new ArgumentException($"owner has {owner.Length} entries but the graph has {graph.Rows} nodes.", nameof(owner));
        for (int i = 0; i < owner.Length; i++)
            if ((uint)owner[i] >= (uint)parts) throw new ArgumentException($"owner[{i}] = {owner[i]} is outside 0..{parts - 1}.", nameof(owner));
        return new GraphPartition(graph, (int[])owner.Clone(), parts, PartitionMethod.Explicit);
    }

    /// <summary>
    /// The same partition on every rank of <paramref name="cluster"/>: rank 0 makes it (METIS or contiguous) and sends
    /// the assignment to the others, so METIS runs once, not once per rank (it needs memory and time per run).
    /// </summary>
    public static GraphPartition Shared(MpiCluster cluster, CsrMatrix<float> graph, PartitionMethod method, int seed = 1)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        Check(graph, cluster.Size);
        if (method is not (PartitionMethod.Metis or PartitionMethod.Contiguous))
            throw new ArgumentOutOfRangeException(nameof(method), method, "choose Metis or Contiguous, or pass an explicit partition.");
        return Cached(graph, method, cluster.Size, seed, () =>
        {
            int[]? owner = null;
            if (cluster.Rank == 0)
                owner = (method == PartitionMethod.Metis ? Metis(graph, cluster.Size, seed) : Contiguous(graph, cluster.Size))._owner;
            return new GraphPartition(graph, cluster.Broadcast(owner), cluster.Size, method);
        }, shared: true);
    }

    /// <summary>Throws unless this partition was made for <paramref name="graph"/> (same size and structure).</summary>
    public void CheckFor(CsrMatrix<float> graph, string paramName)
    {
        ArgumentNullException.ThrowIfNull(graph);
        if (graph.Rows != _rows || graph.Nonzeros != _nonzeros || Fingerprint(graph) != _fingerprint)
            throw new ArgumentException(
                $"this {Method} partition was made for a graph of {_rows:N0} nodes and {_nonzeros:N0} nonzeros (structure hash {_fingerprint:x16}), not this one of {graph.Rows:N0} and {graph.Nonzeros:N0} ({Fingerprint(graph):x16}); partition this graph.",
                paramName);
    }

    /// <summary>Edge cut, halo per part and balance of this partition on <paramref name="graph"/>.</summary>
    public PartitionReport Report(CsrMatrix<float> graph)
    {
        CheckFor(graph, nameof(graph));
        return PartitionReport.Of(graph, this);
    }

    /// <summary>The nodes each part owns, ascending.</summary>
    public int[][] NodesByPart()
    {
        var counts = new int[Parts];
        foreach (int o in _owner) counts[o]++;
        var result = counts.Select(c => new int[c]).ToArray();
        Array.Clear(counts);
        for (int node = 0; node < _owner.Length; node++) result[_owner[node]][counts[_owner[node]]++] = node;
        return result;
    }

    private static void Check(CsrMatrix<float> graph, int parts)
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentOutOfRangeException.ThrowIfLessThan(parts, 1);
        if (graph.Rows != graph.ColumnCount) throw new ArgumentException($"the graph is {graph.Rows} x {graph.ColumnCount}; a node partition needs a square adjacency.", nameof(graph));
        if (parts > graph.Rows)
            throw new ArgumentOutOfRangeException(nameof(parts), parts, $"{parts} parts (ranks) for a graph of {graph.Rows} nodes: every rank must own a node; run with at most {graph.Rows} ranks.");
    }

    /// <summary>
    /// The cached partition of <paramref name="graph"/>, made once. Shared ones (every rank takes part in making them)
    /// are kept apart from local ones, so a rank that made a local one earlier still joins the collective.
    /// </summary>
    private static GraphPartition Cached(CsrMatrix<float> graph, PartitionMethod method, int parts, int seed, Func<GraphPartition> make, bool shared = false)
    {
        var byKey = Cache.GetOrCreateValue(graph);
        lock (byKey)
        {
            if (!byKey.TryGetValue((method, parts, seed, shared), out var partition)) byKey[(method, parts, seed, shared)] = partition = make();
            return partition;
        }
    }

    private static double Weight(CsrMatrix<float> graph, int row) => graph.RowOffsets[row + 1] - graph.RowOffsets[row] + 1;

    /// <summary>The graph's structure with every edge in both directions and no self loops, as METIS wants it.</summary>
    private static (int[] Xadj, int[] Adjncy) SymmetricWithoutLoops(CsrMatrix<float> graph)
    {
        int n = graph.Rows;
        var degree = new int[n];
        for (int r = 0; r < n; r++)
            for (int e = graph.RowOffsets[r]; e < graph.RowOffsets[r + 1]; e++)
            {
                int c = graph.ColumnIndices[e];
                if (c == r) continue;
                degree[r]++;
                degree[c]++;
            }
        var start = new int[n + 1];
        for (int r = 0; r < n; r++) start[r + 1] = start[r] + degree[r];
        var both = new int[start[n]];
        var fill = (int[])start.Clone();
        for (int r = 0; r < n; r++)
            for (int e = graph.RowOffsets[r]; e < graph.RowOffsets[r + 1]; e++)
            {
                int c = graph.ColumnIndices[e];
                if (c == r) continue;
                both[fill[r]++] = c;
                both[fill[c]++] = r;
            }
        // Sort each row and drop repeats (an edge stored both ways appears twice).
        var xadj = new int[n + 1];
        int w = 0;
        for (int r = 0; r < n; r++)
        {
            Array.Sort(both, start[r], start[r + 1] - start[r]);
            int rowStart = w;
            for (int e = start[r]; e < start[r + 1]; e++)
                if (w == rowStart || both[w - 1] != both[e]) both[w++] = both[e];
            xadj[r + 1] = w;
        }
        return (xadj, both[..w]);
    }

    /// <summary>A 64-bit hash of the graph's shape and structure (row offsets and column indices).</summary>
    internal static ulong Fingerprint(CsrMatrix<float> graph)
    {
        var h = Hash64.Start();
        h.Add((ulong)graph.Rows);
        h.Add((ulong)graph.ColumnCount);
        h.Add(graph.RowOffsets);
        h.Add(graph.ColumnIndices);
        return h.Value;
    }
}
