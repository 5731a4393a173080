namespace KernelDsl;

/// <summary>How the GPU kernel maps the work onto threads. The native CPU backend ignores it.</summary>
public enum Schedule
{
    /// <summary>
    /// One thread per output row, looping over the row's edges and over every feature column.
    /// The cuSPARSE-like baseline: no cooperation between threads, fine for narrow features
    /// (dim ≤ 4) and for very many short rows; uncoalesced feature reads make it slow for wide rows.
    /// </summary>
    RowPerThread = 0,

    /// <summary>
    /// One warp per output row; the warp's lanes split the feature columns (lane, lane + warp, …)
    /// and loop over the row's edges together, so every feature-row read is coalesced.
    /// The default: best for dim ≥ warp size and moderate degree skew.
    /// </summary>
    WarpPerRow = 1,
}
