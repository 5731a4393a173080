using ILGPU;
using ILGPU.Runtime;

namespace KernelDsl.Runtime;

/// <summary>Launch dimensions for the generated kernels, from the accelerator's warp and group limits.</summary>
public static class LaunchPlanner
{
    /// <summary>Threads per group the warp-cooperative schedules aim for (capped by the device).</summary>
    public const int PreferredGroupSize = 256;

    /// <summary>Warps per group for warp-per-row kernels on <paramref name="accelerator"/>.</summary>
    public static int WarpsPerGroup(Accelerator accelerator)
    {
        ArgumentNullException.ThrowIfNull(accelerator);
        int warp = Math.Max(1, accelerator.WarpSize);
        int maxThreads = Math.Min(accelerator.MaxNumThreadsPerGroup, PreferredGroupSize);
        return Math.Max(1, maxThreads / warp);
    }

    /// <summary>One warp per row: groups of whole warps, enough groups to cover <paramref name="rows"/>.</summary>
    public static KernelConfig WarpPerRow(Accelerator accelerator, int rows)
    {
        int warpsPerGroup = WarpsPerGroup(accelerator);
        int groups = (int)(((long)rows + warpsPerGroup - 1) / warpsPerGroup);
        if (groups > accelerator.MaxGridSize.X)
            throw new NotSupportedException($"{rows} rows need {groups} groups, more than the accelerator's grid limit {accelerator.MaxGridSize.X}.");
        return new KernelConfig(Math.Max(1, groups), warpsPerGroup * Math.Max(1, accelerator.WarpSize));
    }

    /// <summary>
    /// RowProductSharedAccumulator: one warp per row chunk, each warp with a dim-wide float
    /// accumulator in dynamic shared memory; as many warps per group as the group's shared memory holds.
    /// </summary>
    public static KernelConfig RowProductSharedAccumulator(Accelerator accelerator, int chunks, int dim)
    {
        int warp = Math.Max(1, accelerator.WarpSize);
        long bytesPerWarp = (long)Math.Max(1, dim) * sizeof(float);
        int warps = (int)Math.Min(WarpsPerGroup(accelerator), accelerator.MaxSharedMemoryPerGroup / bytesPerWarp);
        if (warps < 1)
            throw new NotSupportedException($"dim = {dim} needs {bytesPerWarp} bytes of shared memory per warp, more than the {accelerator.MaxSharedMemoryPerGroup} bytes a group of {accelerator.Name} has; reduce the feature width.");
        int groups = (int)(((long)chunks + warps - 1) / warps);
        return new KernelConfig(Math.Max(1, groups), warps * warp, SharedMemoryConfig.RequestDynamic<float>(warps * Math.Max(1, dim)));
    }

    /// <summary>
    /// The widest row (in bytes of keys) the MaxK / Dynamic-ReLU selection stages in shared memory: 4096 columns. A
    /// staged row costs its group that much shared memory per warp; past this a group holds so few warps (three at
    /// 16 KB each in a 48 KB group) that re-reading the row through the cache costs less than the lost occupancy.
    /// </summary>
    public const int MaxStagedRowBytes = 16 * 1024;

    /// <summary>
    /// The rule between the two MaxK / Dynamic-ReLU kernels: when a row's keys (<paramref name="dim"/> × 4 bytes) fit in
    /// <see cref="MaxStagedRowBytes"/> and in a group's shared memory, one warp per row with the row staged in dynamic
    /// shared memory (as many warps per group as it holds, up to <see cref="WarpsPerGroup"/>); otherwise null, and the
    /// launcher runs the kernel that re-reads the row from global memory on each pass (<see cref="WarpPerRow"/>).
    /// </summary>
    public static KernelConfig? StagedRowPerWarp(Accelerator accelerator, int rows, int dim)
    {
        ArgumentNullException.ThrowIfNull(accelerator);
        long bytesPerWarp = (long)Math.Max(1, dim) * sizeof(uint);
        if (bytesPerWarp > Math.Min(MaxStagedRowBytes, accelerator.MaxSharedMemoryPerGroup)) return null;
        int warp = Math.Max(1, accelerator.WarpSize);
        int warps = (int)Math.Max(1, Math.Min(WarpsPerGroup(accelerator), accelerator.MaxSharedMemoryPerGroup / bytesPerWarp));
        int groups = (int)(((long)rows + warps - 1) / warps);
        if (groups > accelerator.MaxGridSize.X)
            throw new NotSupportedException($"{rows} rows need {groups} groups, more than the accelerator's grid limit {accelerator.MaxGridSize.X}.");
        return new KernelConfig(Math.Max(1, groups), warps * warp, SharedMemoryConfig.RequestDynamic<uint>(warps * Math.Max(1, dim)));
    }

    /// <summary>DegreeSortedBlocks: one group per plan block, up to the plan's warps per block (the kernel loops over the rest).</summary>
    public static KernelConfig DegreeSortedBlocks(Accelerator accelerator, int blocks, int warpsPerBlock)
    {
        int warp = Math.Max(1, accelerator.WarpSize);
        int warps = Math.Max(1, Math.Min(warpsPerBlock, accelerator.MaxNumThreadsPerGroup / warp));
        if (blocks > accelerator.MaxGridSize.X)
            throw new NotSupportedException($"{blocks} blocks exceed the accelerator's grid limit {accelerator.MaxGridSize.X}.");
        return new KernelConfig(Math.Max(1, blocks), warps * warp);
    }
}
