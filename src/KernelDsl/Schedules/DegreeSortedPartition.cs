using System.ComponentModel;
using System.Numerics;

namespace KernelDsl;

/// <summary>Parameters of a <see cref="DegreeSortedPartition"/> (Accel-GCN defaults: 12 warps per block, 32 edges per warp).</summary>
/// <param name="WarpsPerBlock">Logical warps per block (1..32).</param>
/// <param name="MaxEdgesPerWarp">Edges one logical warp reduces at most (1..1024).</param>
public readonly record struct PartitionOptions(int WarpsPerBlock = 12, int MaxEdgesPerWarp = 32)
{
    /// <summary>Edges one block covers at most; longer rows are cut into segments of this length.</summary>
    public int MaxEdgesPerBlock => WarpsPerBlock * MaxEdgesPerWarp;

    public void Validate()
    {
        if (WarpsPerBlock is < 1 or > 32)
            throw new ArgumentOutOfRangeException(nameof(WarpsPerBlock), WarpsPerBlock, "WarpsPerBlock must be in 1..32.");
        if (MaxEdgesPerWarp is < 1 or > 1024)
            throw new ArgumentOutOfRangeException(nameof(MaxEdgesPerWarp), MaxEdgesPerWarp, "MaxEdgesPerWarp must be in 1..1024.");
    }
}

/// <summary>
/// Accel-GCN's degree-sorted block partition of a CSR matrix's rows, built once per graph and reused
/// across layers and epochs. Rows are sorted by degree (stable, ascending); walking them, a block takes
/// consecutive rows of one degree d: with f = the smallest divisor of <c>WarpsPerBlock</c> such that
/// <c>f · MaxEdgesPerWarp ≥ d</c>, each row gets f logical warps of ⌈d/f⌉ edges and a block holds
/// <c>WarpsPerBlock / f</c> rows (d ≤ MaxEdgesPerBlock / 2); a row with d up to MaxEdgesPerBlock gets a block
/// of its own with ⌈d/MaxEdgesPerWarp⌉ warps; longer rows are cut into segments of MaxEdgesPerBlock edges,
/// one block each. Empty rows get no block (the kernel zeroes the output first). Only the work is sorted:
/// the CSR and the output keep the caller's row order (<see cref="Permutation"/> maps sorted → original).
/// </summary>
public sealed class DegreeSortedPartition
{
    private DegreeSortedPartition(PartitionOptions options, int rows, long nonzeros, ulong fingerprint, int[] permutation,
        int[] firstRow, int[] rowCount, int[] degree, int[] warpsPerRow, int[] edgesPerWarp, int[] segmentStart, int[] segmentLength)
    {
        Options = options;
        Rows = rows;
        Nonzeros = nonzeros;
        Fingerprint = fingerprint;
        PermutationArray = permutation;
        Permutation = System.Array.AsReadOnly(permutation);
        BlockFirstRowArray = firstRow;
        BlockFirstRow = System.Array.AsReadOnly(firstRow);
        BlockRowCountArray = rowCount;
        BlockRowCount = System.Array.AsReadOnly(rowCount);
        BlockDegreeArray = degree;
        BlockDegree = System.Array.AsReadOnly(degree);
        BlockWarpsPerRowArray = warpsPerRow;
        BlockWarpsPerRow = System.Array.AsReadOnly(warpsPerRow);
        BlockEdgesPerWarpArray = edgesPerWarp;
        BlockEdgesPerWarp = System.Array.AsReadOnly(edgesPerWarp);
        BlockSegmentStartArray = segmentStart;
        BlockSegmentStart = System.Array.AsReadOnly(segmentStart);
        BlockSegmentLengthArray = segmentLength;
        BlockSegmentLength = System.Array.AsReadOnly(segmentLength);
    }

    public PartitionOptions Options { get; }

    /// <summary>Rows of the matrix the plan was built for.</summary>
    public int Rows { get; }

    /// <summary>Stored entries of the matrix the plan was built for.</summary>
    public long Nonzeros { get; }

    /// <summary>A hash of the matrix's row offsets and column indices: a plan is refused for any other structure.</summary>
    public ulong Fingerprint { get; }

    /// <summary><c>Permutation[s]</c> = the original row at sorted position s (stable ascending degree).</summary>
    public IReadOnlyList<int> Permutation { get; }
    internal int[] PermutationArray { get; }

    /// <summary>Per block: sorted position of its first row (rows are consecutive in sorted order).</summary>
    public IReadOnlyList<int> BlockFirstRow { get; }
    internal int[] BlockFirstRowArray { get; }
    /// <summary>Per block: rows in the block (one for a segment of a long row).</summary>
    public IReadOnlyList<int> BlockRowCount { get; }
    internal int[] BlockRowCountArray { get; }
    /// <summary>Per block: the degree of its rows.</summary>
    public IReadOnlyList<int> BlockDegree { get; }
    internal int[] BlockDegreeArray { get; }
    /// <summary>Per block: logical warps per row (1 means the row is reduced by one warp and stored, else added atomically).</summary>
    public IReadOnlyList<int> BlockWarpsPerRow { get; }
    internal int[] BlockWarpsPerRowArray { get; }
    /// <summary>Per block: edges per logical warp.</summary>
    public IReadOnlyList<int> BlockEdgesPerWarp { get; }
    internal int[] BlockEdgesPerWarpArray { get; }
    /// <summary>Per block: first edge of the row the block covers (0 unless the row is cut into segments).</summary>
    public IReadOnlyList<int> BlockSegmentStart { get; }
    internal int[] BlockSegmentStartArray { get; }
    /// <summary>Per block: edges of each row the block covers (the degree, or a segment's length).</summary>
    public IReadOnlyList<int> BlockSegmentLength { get; }
    internal int[] BlockSegmentLengthArray { get; }

    public int BlockCount => BlockFirstRowArray.Length;

    /// <summary>True when some row is reduced by several warps or blocks (the output is then zeroed and added into).</summary>
    public bool HasSplitRows { get; private set; }

    /// <summary>True when some row has no edge (it gets no block; the output is zeroed first).</summary>
    public bool HasEmptyRows { get; private set; }

    /// <summary>Blocks per class: "1 warp/row", "2 warps/row", …, "segment" (rows longer than a block).</summary>
    public IReadOnlyDictionary<string, int> BlocksPerClass { get; private set; } = new Dictionary<string, int>();

    /// <summary>Builds the plan for <paramref name="matrix"/>.</summary>
    public static DegreeSortedPartition Build<T>(CsrMatrix<T> matrix, PartitionOptions options = default) where T : unmanaged, INumber<T>
    {
        ArgumentNullException.ThrowIfNull(matrix);
        if (options == default) options = new PartitionOptions(12, 32);
        options.Validate();
        return Build(matrix.RowOffsets, matrix.Rows, options, FingerprintOf(matrix.RowOffsets, matrix.ColumnIndices));
    }

    internal static DegreeSortedPartition Build(int[] rowOffsets, int rows, PartitionOptions options, ulong fingerprint)
    {
        int w = options.WarpsPerBlock, e = options.MaxEdgesPerWarp, perBlock = options.MaxEdgesPerBlock;
        var degrees = new int[rows];
        for (int r = 0; r < rows; r++) degrees[r] = rowOffsets[r + 1] - rowOffsets[r];
        // Stable counting sort by degree.
        int maxDegree = rows == 0 ? 0 : degrees.Max();
        var counts = new int[maxDegree + 2];
        foreach (int d in degrees) counts[d + 1]++;
        for (int d = 0; d <= maxDegree; d++) counts[d + 1] += counts[d];
        var permutation = new int[rows];
        for (int r = 0; r < rows; r++) permutation[counts[degrees[r]]++] = r;

        var divisors = Enumerable.Range(1, w).Where(f => w % f == 0).ToArray();
        var firstRow = new List<int>(); var rowCount = new List<int>(); var degree = new List<int>();
        var warpsPerRow = new List<int>(); var edgesPerWarp = new List<int>(); var segStart = new List<int>(); var segLength = new List<int>();
        var classes = new SortedDictionary<string, int>(StringComparer.Ordinal);
        bool split = false, empty = false;
        int s = 0;
        while (s < rows)
        {
            int d = degrees[permutation[s]];
            int run = s;
            while (run < rows && degrees[permutation[run]] == d) run++;
            if (d == 0) { empty = true; s = run; continue; }
            if (2 * d < perBlock)
            {
                int f = divisors.First(x => x * e >= d);
                int wnz = (d + f - 1) / f;
                int rowsPerBlock = w / f;
                for (int b = s; b < run; b += rowsPerBlock)
                {
                    firstRow.Add(b); rowCount.Add(Math.Min(rowsPerBlock, run - b)); degree.Add(d);
                    warpsPerRow.Add(f); edgesPerWarp.Add(wnz); segStart.Add(0); segLength.Add(d);
                    string key = f == 1 ? "1 warp/row" : $"{f} warps/row";
                    classes[key] = classes.GetValueOrDefault(key) + 1;
                }
                split |= f > 1;
            }
            else
            {
                for (int r = s; r < run; r++)
                    for (int start = 0; start < d; start += perBlock)
                    {
                        int len = Math.Min(perBlock, d - start);
                        firstRow.Add(r); rowCount.Add(1); degree.Add(d);
                        warpsPerRow.Add((len + e - 1) / e); edgesPerWarp.Add(e); segStart.Add(start); segLength.Add(len);
                        string key = d > perBlock ? "segment" : "1 row/block";
                        classes[key] = classes.GetValueOrDefault(key) + 1;
                        split |= (len + e - 1) / e > 1 || d > perBlock;
                    }
            }
            s = run;
        }
        return new DegreeSortedPartition(options, rows, rowOffsets.Length > 0 ? rowOffsets[rows] : 0, fingerprint, permutation,
            firstRow.ToArray(), rowCount.ToArray(), degree.ToArray(), warpsPerRow.ToArray(), edgesPerWarp.ToArray(), segStart.ToArray(), segLength.ToArray())
        {
            HasSplitRows = split,
            HasEmptyRows = empty,
            BlocksPerClass = classes,
        };
    }

    /// <summary>Throws unless this plan was built for a matrix of exactly this structure.</summary>
    public void EnsureBuiltFor(int rows, long nonzeros, ulong fingerprint, string paramName)
    {
        if (rows != Rows || nonzeros != Nonzeros)
            throw new ArgumentException($"{paramName} was built for a graph of {Rows} rows and {Nonzeros} nonzeros, but this one has {rows} rows and {nonzeros}; build the plan for this graph (DegreeSortedPartition.Build).", paramName);
        if (fingerprint != Fingerprint)
            throw new ArgumentException($"{paramName} was built for a graph with the same size but a different structure (row offsets or columns changed); build the plan for this graph.", paramName);
    }

    /// <summary>FNV-1a over the row offsets and column indices.</summary>
    [EditorBrowsable(EditorBrowsableState.Advanced)]
    public static ulong FingerprintOf(ReadOnlySpan<int> rowOffsets, ReadOnlySpan<int> columns)
    {
        ulong hash = 14695981039346656037UL;
        foreach (int v in rowOffsets) hash = (hash ^ (uint)v) * 1099511628211UL;
        hash = (hash ^ 0xFFFFFFFFUL) * 1099511628211UL;
        foreach (int v in columns) hash = (hash ^ (uint)v) * 1099511628211UL;
        return hash;
    }

    private readonly object _orderLock = new();
    private (int Chunks, int[] Order, int[] Bounds)? _workOrder;

    /// <summary>
    /// The native backend's schedule from this plan: rows heaviest first (descending degree) cut into
    /// about <paramref name="chunks"/> runs of equal work (nonzeros + 1 per row); run c is
    /// <c>Order[Bounds[c] .. Bounds[c+1]]</c>. Cached per chunk count; the caller gets copies, so the plan cannot be changed.
    /// </summary>
    [EditorBrowsable(EditorBrowsableState.Advanced)]
    public (int[] Order, int[] Bounds) WorkOrder(int chunks)
    {
        lock (_orderLock)
        {
            if (_workOrder is { } cached && cached.Chunks == chunks) return ((int[])cached.Order.Clone(), (int[])cached.Bounds.Clone());
            var order = new int[Rows];
            for (int i = 0; i < Rows; i++) order[i] = PermutationArray[Rows - 1 - i];
            var degreeOf = new int[Rows];
            for (int b = 0; b < BlockCount; b++)
                for (int i = 0; i < BlockRowCountArray[b]; i++) degreeOf[BlockFirstRowArray[b] + i] = BlockDegreeArray[b];
            var prefix = new long[Rows + 1];
            for (int i = 0; i < Rows; i++) prefix[i + 1] = prefix[i] + degreeOf[Rows - 1 - i] + 1;
            var bounds = new List<int> { 0 };
            int count = Math.Clamp(chunks, 1, Math.Max(1, Rows));
            for (int c = 1; c < count; c++)
            {
                long target = prefix[Rows] * c / count;
                int at = Array.BinarySearch(prefix, target);
                if (at < 0) at = ~at;
                at = Math.Min(at, Rows);
                if (at > bounds[^1] && at < Rows) bounds.Add(at);
            }
            bounds.Add(Rows);
            _workOrder = (chunks, order, bounds.ToArray());
            return ((int[])order.Clone(), (int[])_workOrder.Value.Bounds.Clone());
        }
    }

    /// <inheritdoc />
    public override string ToString() =>
        $"{BlockCount} blocks over {Rows} rows ({string.Join(", ", BlocksPerClass.Select(p => $"{p.Key}: {p.Value}"))})";
}
