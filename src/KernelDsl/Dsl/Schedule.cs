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

    /// <summary>
    /// MaxK-GNN forward SpGEMM (<see cref="SpGemmAttribute"/>): rows are cut into chunks of at most
    /// <see cref="SpGemmAttribute.MaxEdgesPerWarp"/> edges; each warp owns a dim-wide accumulator in
    /// shared memory for its chunk, reads each neighbour's k values and indices contiguously (lanes
    /// over (neighbour, t) pairs, so k smaller than the warp packs several neighbours per step),
    /// adds into the accumulator with shared-memory atomics, and writes the row out (atomically
    /// only when the row was split over several chunks).
    /// </summary>
    RowProductSharedAccumulator = 2,

    /// <summary>
    /// MaxK-GNN backward SSpMM (<see cref="SSpMMAttribute"/>): the product evaluated as a gather over
    /// Aᵀ's rows (built once and cached): one warp per row j of Aᵀ, lanes over the k kept entries.
    /// No atomics and no zeroing, so results are deterministic; but each edge reads k scattered
    /// columns of a dY row, which costs about as much memory traffic as the dense row when the kept
    /// columns are spread out. Prefer <see cref="OuterProduct"/> unless bit-reproducibility on the GPU matters.
    /// </summary>
    TransposeGather = 3,

    /// <summary>
    /// MaxK-GNN backward SSpMM (<see cref="SSpMMAttribute"/>), the default: the outer product over A's
    /// rows, as in the paper. Each row i's dY row is read once (staged in shared memory on the GPU)
    /// and each edge (i, j) adds a_ij · dY[i, idx[j, t]] into dX[j, t] for the k kept entries, so
    /// feature traffic per edge is k-wide instead of dim-wide. GPU: one warp per row chunk, global
    /// float atomics (order-dependent rounding). Native CPU: one private accumulator per row
    /// partition, summed in a fixed order, so results are reproducible for a given thread count.
    /// </summary>
    OuterProduct = 4,

    /// <summary>
    /// Accel-GCN (ICCAD'23) for [SpMM] Sum/Mean over <c>CsrBuffer</c> operands: rows are sorted by degree
    /// into blocks of bounded work (<see cref="DegreeSortedPartition"/>, built once per graph and cached);
    /// a block's logical warps take several short rows, or split one long row, and each warp's lanes
    /// stride over the feature columns (coalesced, any dim). Split rows are combined with atomic adds
    /// into an output zeroed first. For skewed (power-law) degrees. The native backend uses the same plan
    /// to schedule rows heaviest-first in equal-work chunks.
    /// </summary>
    DegreeSortedBlocks = 5,

    /// <summary>
    /// Choose RowPerThread, WarpPerRow or DegreeSortedBlocks at run time from the adjacency's degree
    /// statistics and the feature width (<see cref="Runtime.ScheduleSelector.Choose"/> states the rule).
    /// All three kernels are generated; DegreeSortedBlocks only for Sum/Mean. On the native backend the rows go in
    /// nonzero-balanced blocks, and the traversal — row-wise or in column tiles — is chosen per graph by
    /// <see cref="Native.ColumnTiles"/> (as for every schedule there).
    /// </summary>
    Auto = 6,
}
