using KernelDsl.Generators.Model;

namespace KernelDsl.Generators.Emitting.Ilgpu;

/// <summary>
/// Emits the ILGPU kernel of an [SpMM] declaration, specialized to its reduce, message, adjacency
/// and schedule, and its launcher (kernel cache + launch dimensions). No System.Numerics vector
/// types appear here: they crash ILGPU's compiler on .NET 8+.
/// </summary>
internal static class IlgpuSpMMEmitter
{
    public static string Emit(SpMMSpec spec)
    {
        string helper = SourceFile.HelperClass(spec);
        return SourceFile.Write(spec, "ILGPU kernel (" + spec.Schedule + ") and launcher. " + SourceFile.Describe(spec), w =>
        {
            w.Line(SourceFile.GeneratedCodeAttribute);
            using (w.Block("private static partial class " + helper))
            {
                bool first = true;
                foreach (var schedule in Schedules(spec))
                {
                    if (!first) w.Line();
                    first = false;
                    if (schedule == ScheduleKind.WarpPerRow) WarpPerRowKernel(w, spec);
                    else if (schedule == ScheduleKind.DegreeSortedBlocks) DegreeSortedBlocksKernel(w, spec);
                    else RowPerThreadKernel(w, spec);
                    w.Line();
                    Launcher(w, spec, schedule);
                }
            }
        });
    }

    /// <summary>The kernels a declaration gets: its schedule, or for Auto every schedule it may pick.</summary>
    public static ScheduleKind[] Schedules(SpMMSpec spec) => spec.Schedule != ScheduleKind.Auto
        ? new[] { spec.Schedule }
        : AutoAllowsDegreeSorted(spec)
            ? new[] { ScheduleKind.RowPerThread, ScheduleKind.WarpPerRow, ScheduleKind.DegreeSortedBlocks }
            : new[] { ScheduleKind.RowPerThread, ScheduleKind.WarpPerRow };

    /// <summary>Auto may pick DegreeSortedBlocks for Sum/Mean over buffers (the plan lives on the CsrBuffer).</summary>
    public static bool AutoAllowsDegreeSorted(SpMMSpec spec) =>
        spec.Form == OperandForm.Buffers && spec.Reduce is ReduceKind.Sum or ReduceKind.Mean;

    /// <summary>Launcher name: Launch, or Launch{Schedule} when Auto generates several.</summary>
    public static string LauncherName(SpMMSpec spec, ScheduleKind schedule) =>
        spec.Schedule == ScheduleKind.Auto ? "Launch" + schedule : "Launch";

    private static string T(SpMMSpec spec) => spec.ElementType;

    private static string Views(SpMMSpec spec) =>
        $"global::KernelDsl.CsrView<{T(spec)}> a, global::KernelDsl.DenseView<{T(spec)}> x, global::KernelDsl.DenseView<{T(spec)}> y";

    private static string Zero(SpMMSpec spec) => spec.ElementType == "float" ? "0f" : "0d";

    private static void WarpPerRowKernel(CodeWriter w, SpMMSpec spec)
    {
        w.Line("/// <summary>");
        w.Line("/// One warp per output row: lane l computes columns l, l + warp, … and walks the row's edges,");
        w.Line("/// so the warp reads each neighbour's feature row contiguously (coalesced). Correct for any");
        w.Line("/// warp and group size; groups hold whole warps.");
        w.Line("/// </summary>");
        w.Line($"[global::KernelDsl.GeneratedKernel(\"{spec.DeclarationName}\", global::KernelDsl.KernelGrouping.Explicit)]");
        using (w.Block($"internal static void WarpPerRowKernel({Views(spec)})"))
        {
            w.Line("int warpSize = global::ILGPU.Warp.WarpSize;");
            w.Line("int row = global::ILGPU.Grid.IdxX * (global::ILGPU.Group.DimX / warpSize) + global::ILGPU.Warp.WarpIdx;");
            RowBody(w, spec, "for (int c = global::ILGPU.Warp.LaneIdx; c < dim; c += warpSize)");
        }
    }

    private static void RowPerThreadKernel(CodeWriter w, SpMMSpec spec)
    {
        w.Line("/// <summary>");
        w.Line("/// One thread per output row, looping over every feature column and the row's edges");
        w.Line("/// (the cuSPARSE-like baseline schedule).");
        w.Line("/// </summary>");
        w.Line($"[global::KernelDsl.GeneratedKernel(\"{spec.DeclarationName}\", global::KernelDsl.KernelGrouping.Implicit)]");
        using (w.Block($"internal static void RowPerThreadKernel(global::ILGPU.Index1D index, {Views(spec)})"))
        {
            w.Line("int row = index.X;");
            RowBody(w, spec, "for (int c = 0; c < dim; c++)");
        }
    }

    /// <summary>Both schedules after <c>row</c> is known: bounds check, the row's edge range, the column loop.</summary>
    private static void RowBody(CodeWriter w, SpMMSpec spec, string columnLoop)
    {
        using (w.Block("if (row >= a.Rows)")) w.Line("return;");
        w.Line("int dim = x.Columns;");
        w.Line("int start = a.RowOffsets[row];");
        w.Line("int end = a.RowOffsets[row + 1];");
        w.Line("long outputRow = (long)row * dim;");
        using (w.Block(columnLoop))
        {
            ReduceColumn(w, spec);
            w.Line("y.Data[outputRow + c] = acc;");
        }
    }

    private static void DegreeSortedBlocksKernel(CodeWriter w, SpMMSpec spec)
    {
        w.Line("/// <summary>");
        w.Line("/// Accel-GCN: one group per block of the degree-sorted plan (" + spec.WarpsPerBlock + " logical warps, at most " + spec.MaxEdgesPerWarp + " edges each).");
        w.Line("/// Logical warp l serves row l / warpsPerRow of the block and its edge slice l % warpsPerRow; the group's");
        w.Line("/// hardware warps take the logical warps in turn, lanes stride over the feature columns. A row served by");
        w.Line("/// one warp is stored; a split row is added atomically into the output, zeroed first. Edge indices and");
        w.Line("/// values are broadcast loads (every lane reads the same one), so no shared-memory staging.");
        w.Line("/// </summary>");
        w.Line($"[global::KernelDsl.GeneratedKernel(\"{spec.DeclarationName}\", global::KernelDsl.KernelGrouping.Explicit)]");
        using (w.Block($"internal static void DegreeSortedBlocksKernel({Views(spec)}, global::KernelDsl.PartitionView plan)"))
        {
            w.Line("int block = global::ILGPU.Grid.IdxX;");
            w.Line("// No barriers in this kernel: a group without a block may leave at once.");
            using (w.Block("if (block >= plan.Blocks)")) w.Line("return;");
            w.Line("int warpSize = global::ILGPU.Warp.WarpSize;");
            w.Line("int hardwareWarps = global::ILGPU.Group.DimX / warpSize;");
            w.Line("int dim = x.Columns;");
            w.Line("int parts = plan.WarpsPerRow[block];");
            w.Line("int perWarp = plan.EdgesPerWarp[block];");
            w.Line("int segmentStart = plan.SegmentStart[block];");
            w.Line("int segmentLength = plan.SegmentLength[block];");
            w.Line("int first = plan.FirstRow[block];");
            w.Line("int logicalWarps = plan.RowCount[block] * parts;");
            using (w.Block("for (int logical = global::ILGPU.Warp.WarpIdx; logical < logicalWarps; logical += hardwareWarps)"))
            {
                w.Line("int slot = logical / parts;");
                w.Line("int part = logical - slot * parts;");
                w.Line("int row = plan.Permutation[first + slot];");
                w.Line("int rowStart = a.RowOffsets[row];");
                w.Line("int degree = a.RowOffsets[row + 1] - rowStart;");
                w.Line("int start = rowStart + segmentStart + part * perWarp;");
                w.Line("int end = global::System.Math.Min(rowStart + segmentStart + segmentLength, start + perWarp);");
                w.Line("bool sole = parts == 1 && segmentLength == degree;");
                w.Line("long outputRow = (long)row * dim;");
                using (w.Block("for (int c = global::ILGPU.Warp.LaneIdx; c < dim; c += warpSize)"))
                {
                    ReduceColumn(w, spec, "degree");
                    using (w.Block("if (sole)")) w.Line("y.Data[outputRow + c] = acc;");
                    using (w.Block("else")) w.Line("global::ILGPU.Atomic.Add(ref y.Data[outputRow + c], acc);");
                }
            }
        }
    }

    /// <summary>Computes <c>acc</c> = the reduction over edges [start, end) of column c.</summary>
    private static void ReduceColumn(CodeWriter w, SpMMSpec spec) => ReduceColumn(w, spec, "(end - start)");

    /// <summary>As above; Mean divides by <paramref name="meanDivisor"/> (the whole row's degree when the row is split).</summary>
    private static void ReduceColumn(CodeWriter w, SpMMSpec spec, string meanDivisor)
    {
        string t = T(spec);
        string edge = spec.Adjacency == AdjacencyKind.Weighted ? "a.Values[e]" : (t == "float" ? "1f" : "1d");
        void Message(string target)
        {
            string message = MessageRenderer.Scalar(spec, "edge", "source");
            if (MessageRenderer.Uses(message, "edge")) w.Line($"{t} edge = {edge};");
            w.Line($"{t} source = x.Data[(long)a.ColumnIndices[e] * dim + c];");
            w.Line(target + message + ";");
        }
        w.Line($"{t} acc = {Zero(spec)};");
        switch (spec.Reduce)
        {
            case ReduceKind.Sum:
            case ReduceKind.Mean:
                using (w.Block("for (int e = start; e < end; e++)")) Message("acc += ");
                if (spec.Reduce == ReduceKind.Mean)
                    using (w.Block("if (end > start)")) w.Line($"acc /= ({t}){meanDivisor};");
                break;
            case ReduceKind.Max:
            case ReduceKind.Min:
                string fn = spec.Reduce == ReduceKind.Max ? "Max" : "Min";
                using (w.Block("for (int e = start; e < end; e++)"))
                {
                    Message($"{t} m = ");
                    w.Line($"acc = e == start ? m : global::System.Math.{fn}(acc, m);");
                }
                break;
        }
    }

    private static void Launcher(CodeWriter w, SpMMSpec spec, ScheduleKind schedule)
    {
        string t = T(spec);
        string viewTypes = $"global::KernelDsl.CsrView<{t}>, global::KernelDsl.DenseView<{t}>, global::KernelDsl.DenseView<{t}>";
        string key = spec.DeclarationName + "(" + t + (spec.Form == OperandForm.Views ? ", views" : "") + (spec.Schedule == ScheduleKind.Auto ? ", " + schedule : "") + ")";
        w.Line("/// <summary>Loads the kernel once per accelerator and launches it on <paramref name=\"stream\"/>.</summary>");
        string planParameters = schedule == ScheduleKind.DegreeSortedBlocks ? ", global::KernelDsl.PartitionView plan, bool zeroFirst" : "";
        using (w.Block($"internal static void {LauncherName(spec, schedule)}(global::ILGPU.Runtime.AcceleratorStream stream, {Views(spec)}{planParameters})"))
        {
            w.Line("global::ILGPU.Runtime.Accelerator accelerator = stream.Accelerator;");
            if (schedule == ScheduleKind.DegreeSortedBlocks)
            {
                w.Line("var kernel = global::KernelDsl.Runtime.KernelCache.GetOrLoad(accelerator, \"" + key + "\",");
                w.Line($"    static acc => global::ILGPU.Runtime.KernelLoaders.LoadKernel<{viewTypes}, global::KernelDsl.PartitionView>(acc, DegreeSortedBlocksKernel));");
                using (w.Block("if (zeroFirst)")) w.Line("global::ILGPU.Runtime.ArrayViewExtensions.MemSetToZero(y.Data, stream);");
                using (w.Block("if (plan.Blocks == 0)")) w.Line("return;");
                w.Line("kernel(stream, global::KernelDsl.Runtime.LaunchPlanner.DegreeSortedBlocks(accelerator, plan.Blocks, plan.WarpsPerBlock), a, x, y, plan);");
            }
            else if (schedule == ScheduleKind.WarpPerRow)
            {
                w.Line("var kernel = global::KernelDsl.Runtime.KernelCache.GetOrLoad(accelerator, \"" + key + "\",");
                w.Line($"    static acc => global::ILGPU.Runtime.KernelLoaders.LoadKernel<{viewTypes}>(acc, WarpPerRowKernel));");
                w.Line("kernel(stream, global::KernelDsl.Runtime.LaunchPlanner.WarpPerRow(accelerator, a.Rows), a, x, y);");
            }
            else
            {
                w.Line("var kernel = global::KernelDsl.Runtime.KernelCache.GetOrLoad(accelerator, \"" + key + "\",");
                w.Line($"    static acc => global::ILGPU.Runtime.KernelLoaders.LoadAutoGroupedKernel<global::ILGPU.Index1D, {viewTypes}>(acc, RowPerThreadKernel));");
                w.Line("kernel(stream, a.Rows, a, x, y);");
            }
        }
    }
}
