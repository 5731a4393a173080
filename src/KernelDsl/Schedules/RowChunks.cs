using System.ComponentModel;
using ILGPU;

namespace KernelDsl;

/// <summary>
/// A work list over a CSR matrix's rows: each chunk is up to <see cref="MaxEdges"/> consecutive
/// edges of one row, so long rows are split across warps. Every row has at least one chunk (an
/// empty row has one empty chunk, so its output is still written). <see cref="SoleChunk"/> is 1 when
/// the chunk is its row's only one: that chunk stores its result, split rows add theirs atomically.
/// </summary>
public sealed class RowChunks
{
    private RowChunks(int maxEdges, int[] rows, int[] starts, int[] ends, int[] sole, int splitRows)
    {
        MaxEdges = maxEdges;
        RowsArray = rows;
        StartsArray = starts;
        EndsArray = ends;
        SoleChunkArray = sole;
        Rows = System.Array.AsReadOnly(rows);
        Starts = System.Array.AsReadOnly(starts);
        Ends = System.Array.AsReadOnly(ends);
        SoleChunk = System.Array.AsReadOnly(sole);
        SplitRows = splitRows;
    }

    public int MaxEdges { get; }
    // Read-only: the device copies kernels index without bounds checks are made from the internal arrays.
    public IReadOnlyList<int> Rows { get; }
    public IReadOnlyList<int> Starts { get; }
    public IReadOnlyList<int> Ends { get; }
    public IReadOnlyList<int> SoleChunk { get; }
    internal int[] RowsArray { get; }
    internal int[] StartsArray { get; }
    internal int[] EndsArray { get; }
    internal int[] SoleChunkArray { get; }
    public int Count => RowsArray.Length;

    /// <summary>Rows that span more than one chunk.</summary>
    public int SplitRows { get; }

    public static RowChunks Build(ReadOnlySpan<int> rowOffsets, int maxEdges)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxEdges, 1);
        int rows = rowOffsets.Length - 1;
        var r = new List<int>(rows);
        var s = new List<int>(rows);
        var e = new List<int>(rows);
        var sole = new List<int>(rows);
        int split = 0;
        for (int row = 0; row < rows; row++)
        {
            int start = rowOffsets[row], end = rowOffsets[row + 1];
            int chunks = Math.Max(1, (end - start + maxEdges - 1) / maxEdges);
            if (chunks > 1) split++;
            for (int c = 0; c < chunks; c++)
            {
                r.Add(row);
                s.Add(start + c * maxEdges);
                e.Add(Math.Min(end, start + (c + 1) * maxEdges));
                sole.Add(chunks == 1 ? 1 : 0);
            }
        }
        return new RowChunks(maxEdges, r.ToArray(), s.ToArray(), e.ToArray(), sole.ToArray(), split);
    }
}
