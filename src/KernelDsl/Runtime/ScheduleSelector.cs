namespace KernelDsl.Runtime;

/// <summary>The rule behind <see cref="Schedule.Auto"/>.</summary>
public static class ScheduleSelector
{
    /// <summary>Below this many nonzeros a plan does not pay for itself: WarpPerRow.</summary>
    public const long MinNonzerosForPlan = 10_000;

    /// <summary>
    /// The schedule <see cref="Schedule.Auto"/> runs, in this order:
    /// <list type="number">
    /// <item>dim ≤ warp / 8 (4 at warp 32): <see cref="Schedule.RowPerThread"/>: a warp per row would leave most lanes idle.</item>
    /// <item>degrees skewed (coefficient of variation σ/mean ≥ 1, or max degree ≥ 16 × mean) on a graph of
    /// at least <see cref="MinNonzerosForPlan"/> nonzeros, when the declaration allows it (Sum/Mean over buffers):
    /// <see cref="Schedule.DegreeSortedBlocks"/>: one warp per row would leave long rows to a single warp while
    /// short rows waste most of theirs.</item>
    /// <item>otherwise <see cref="Schedule.WarpPerRow"/>.</item>
    /// </list>
    /// </summary>
    public static Schedule Choose(DegreeStatistics statistics, int dim, int warpSize, bool degreeSortedAllowed)
    {
        if (dim <= Math.Max(1, warpSize / 8)) return Schedule.RowPerThread;
        bool skewed = statistics.Skew >= 1.0 || (statistics.Mean > 0 && statistics.Max >= 16 * statistics.Mean);
        if (degreeSortedAllowed && skewed && statistics.Nonzeros >= MinNonzerosForPlan) return Schedule.DegreeSortedBlocks;
        return Schedule.WarpPerRow;
    }
}
