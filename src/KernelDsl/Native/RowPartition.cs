namespace KernelDsl.Native;

/// <summary>
/// Splits rows into contiguous blocks of about equal work for the native backend's
/// <c>Parallel.For</c>. A row costs its nonzeros plus one (the output write), so blocks of
/// power-law graphs hold few heavy rows or many light ones.
/// </summary>
public static class RowPartition
{
    /// <summary>Blocks per worker: enough to even out the tail without scheduling overhead.</summary>
    public const int BlocksPerWorker = 8;

    /// <summary>
    /// Runs <paramref name="body"/>(first, last) over <paramref name="rows"/> rows in contiguous blocks of equal count,
    /// <see cref="BlocksPerWorker"/> a worker (as the generated row kernels split them), on the calling thread and the pool.
    /// </summary>
    public static void ForBlocks(int rows, int parallelism, Action<int, int> body)
    {
        ArgumentNullException.ThrowIfNull(body);
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfLessThan(parallelism, 1);
        int blocks = Math.Max(1, Math.Min(rows, parallelism * BlocksPerWorker));
        if (blocks == 1)
        {
            body(0, rows);
            return;
        }
        Parallel.For(0, blocks, new ParallelOptions { MaxDegreeOfParallelism = parallelism },
            block => body((int)((long)rows * block / blocks), (int)((long)rows * (block + 1) / blocks)));
    }

    /// <summary>
    /// Block boundaries: block b covers rows <c>[result[b], result[b + 1])</c>. Blocks are never
    /// empty; there are at most <paramref name="blocks"/> of them.
    /// </summary>
    public static int[] BalanceByNonzeros(ReadOnlySpan<int> rowOffsets, int blocks)
    {
        int rows = rowOffsets.Length - 1;
        if (rows <= 0) return [0];
        blocks = Math.Clamp(blocks, 1, rows);
        long total = (long)rowOffsets[rows] - rowOffsets[0] + rows;
        var bounds = new List<int>(blocks + 1) { 0 };
        for (int b = 1; b < blocks; b++)
        {
            long target = total * b / blocks;
            // First row r whose cumulative work (nnz before r + r) reaches the target.
            int lo = bounds[^1] + 1, hi = rows;
            while (lo < hi)
            {
                int mid = (int)(((long)lo + hi) / 2);
                long work = (long)rowOffsets[mid] - rowOffsets[0] + mid;
                if (work < target) lo = mid + 1; else hi = mid;
            }
            if (lo < rows && lo > bounds[^1]) bounds.Add(lo);
        }
        bounds.Add(rows);
        return bounds.ToArray();
    }
}
