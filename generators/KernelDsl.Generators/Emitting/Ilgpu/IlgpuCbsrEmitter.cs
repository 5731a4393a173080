using KernelDsl.Generators.Model;

namespace KernelDsl.Generators.Emitting.Ilgpu;

/// <summary>
/// Emits the ILGPU kernels of the MaxK-GNN family and their launchers. Every kernel is correct for
/// any warp and group size: lanes stride by the warp size, warps never return before a barrier, and
/// shared-memory accumulation uses atomics (two lanes may hit one column in the same step).
/// </summary>
internal static class IlgpuCbsrEmitter
{
    private const string Ilgpu = "global::ILGPU";

    public static string Emit(CbsrKernelSpec spec)
    {
        string helper = SourceFile.HelperClass(spec);
        return SourceFile.Write(spec, "ILGPU kernel and launcher. " + CbsrDispatchEmitter.Describe(spec), w =>
        {
            w.Line(SourceFile.GeneratedCodeAttribute);
            using (w.Block("private static partial class " + helper))
            {
                switch (spec.Kind)
                {
                    case CbsrKernelKind.MaxK:
                    case CbsrKernelKind.DynamicReLU: MaxK(w, spec); break;
                    case CbsrKernelKind.DynamicReLUBackward: DynamicReLUBackward(w, spec); break;
                    case CbsrKernelKind.MaxKBackward: MaxKBackward(w, spec); break;
                    case CbsrKernelKind.SpGemm: SpGemm(w, spec); break;
                    default:
                        if (spec.Schedule == ScheduleKind.TransposeGather) SSpMM(w, spec);
                        else SSpMMOuterProduct(w, spec);
                        break;
                }
            }
        });
    }

    private static string Cbsr(CbsrKernelSpec s) => $"global::KernelDsl.CbsrView<{s.ElementType}, {s.IndexType}>";
    private static string Dense(CbsrKernelSpec s) => $"global::KernelDsl.DenseView<{s.ElementType}>";
    private static string Csr(CbsrKernelSpec s) => $"global::KernelDsl.CsrView<{s.ElementType}>";
    private static string Edge(CbsrKernelSpec s, string a) => s.Adjacency == AdjacencyKind.Weighted ? $"{a}.Values[e]" : "1f";

    private static void Attribute(CodeWriter w, CbsrKernelSpec spec, string grouping) =>
        w.Line($"[global::KernelDsl.GeneratedKernel(\"{spec.DeclarationName}\", global::KernelDsl.KernelGrouping.{grouping})]");

    /// <summary>The selection kernels' row: one per warp.</summary>
    private static void WarpRow(CodeWriter w)
    {
        w.Line($"int warpSize = {Ilgpu}.Warp.WarpSize;");
        w.Line($"int row = {Ilgpu}.Grid.IdxX * ({Ilgpu}.Group.DimX / warpSize) + {Ilgpu}.Warp.WarpIdx;");
    }

    /// <summary>The selection kernels' locals: the lane, the widths and where the row starts.</summary>
    private static void RowLocals(CodeWriter w)
    {
        w.Line($"int lane = {Ilgpu}.Warp.LaneIdx;");
        w.Line("int dim = x.Columns;");
        w.Line("int k = y.K;");
        w.Line("long input = (long)row * dim;");
    }

    private static void MaxK(CodeWriter w, CbsrKernelSpec spec)
    {
        const string Key = "global::KernelDsl.Runtime.KernelMath.OrderedKey";
        const string Value = "global::KernelDsl.Runtime.KernelMath.FromOrderedKey";
        w.Line("/// <summary>");
        w.Line("/// One warp per row, its keys staged in shared memory: the row is read from global memory once (coalesced)");
        w.Line("/// and every pass of the selection reads the staged keys. Radix select on totalOrder keys finds the k-th");
        w.Line("/// largest key bit by bit: each pass counts, warp-wide, the keys at or above a candidate, and stops early once");
        w.Line("/// exactly k are. A last pass over tiles of one column per lane keeps, in column order, every key above the");
        w.Line("/// threshold and the lowest-column ties until k are kept (prefix sums place them); each kept value is its key");
        w.Line("/// turned back into the float (bit for bit, NaN payloads and -0 included).");
        w.Line("/// </summary>");
        Attribute(w, spec, "Explicit");
        using (w.Block($"internal static void MaxKStagedKernel({Dense(spec)} x, {Cbsr(spec)} y)"))
        {
            WarpRow(w);
            RowLocals(w);
            w.Line($"{Ilgpu}.ArrayView<uint> keys = {Ilgpu}.SharedMemory.GetDynamic<uint>().SubView((long){Ilgpu}.Warp.WarpIdx * dim, dim);");
            w.Line("// Every warp takes the barrier, then a warp past the last row leaves (the row is the same for the whole warp).");
            w.Line("bool active = row < x.Rows;");
            using (w.Block("if (active)"))
                using (w.Block("for (int c = lane; c < dim; c += warpSize)")) w.Line($"keys[c] = {Key}(x.Data[input + c]);");
            w.Line($"{Ilgpu}.Warp.Barrier();");
            using (w.Block("if (!active)")) w.Line("return;");
            Selection(w, spec, "keys[c]", $"{Value}(key)");
        }
        w.Line();
        w.Line("/// <summary>");
        w.Line("/// The same selection for rows too wide to stage (see <c>LaunchPlanner.StagedRowPerWarp</c>): each pass re-reads");
        w.Line("/// the row from global memory (the cache serves most of it) instead of shared memory.");
        w.Line("/// </summary>");
        Attribute(w, spec, "Explicit");
        using (w.Block($"internal static void MaxKKernel({Dense(spec)} x, {Cbsr(spec)} y)"))
        {
            WarpRow(w);
            w.Line("// The row is the same for the whole warp: the warp leaves together, before any shuffle.");
            using (w.Block("if (row >= x.Rows)")) w.Line("return;");
            RowLocals(w);
            Selection(w, spec, $"{Key}(x.Data[input + c])", "x.Data[input + c]");
        }
        w.Line();
        string types = $"{Dense(spec)}, {Cbsr(spec)}";
        string name = $"{spec.DeclarationName}({spec.Kind}, {spec.ElementType}, {spec.IndexType})";
        w.Line("/// <summary>Loads the kernel the row width calls for once per accelerator and launches it on <paramref name=\"stream\"/>.</summary>");
        using (w.Block($"internal static void Launch({Ilgpu}.Runtime.AcceleratorStream stream, {Dense(spec)} x, {Cbsr(spec)} y)"))
        {
            w.Line($"{Ilgpu}.Runtime.Accelerator accelerator = stream.Accelerator;");
            using (w.Block("if (global::KernelDsl.Runtime.LaunchPlanner.StagedRowPerWarp(accelerator, x.Rows, x.Columns) is { } staged)"))
            {
                w.Line($"var stagedKernel = global::KernelDsl.Runtime.KernelCache.GetOrLoad(accelerator, \"{name} staged\",");
                w.Line($"    static acc => {Ilgpu}.Runtime.KernelLoaders.LoadKernel<{types}>(acc, MaxKStagedKernel));");
                w.Line("stagedKernel(stream, staged, x, y);");
                w.Line("return;");
            }
            w.Line($"var kernel = global::KernelDsl.Runtime.KernelCache.GetOrLoad(accelerator, \"{name}\",");
            w.Line($"    static acc => {Ilgpu}.Runtime.KernelLoaders.LoadKernel<{types}>(acc, MaxKKernel));");
            w.Line("kernel(stream, global::KernelDsl.Runtime.LaunchPlanner.WarpPerRow(accelerator, x.Rows), x, y);");
        }
    }

    /// <summary>The warp's selection of its row, the keys read through <paramref name="keyOfColumn"/> (of <c>c</c>).</summary>
    private static void Selection(CodeWriter w, CbsrKernelSpec spec, string keyOfColumn, string valueOfKey)
    {
        const string Warp = "global::KernelDsl.Runtime.WarpMath";
        w.Line("uint threshold = 0u;");
        using (w.Block("for (int bit = 31; bit >= 0; bit--)"))
        {
            w.Line("uint candidate = threshold | (1u << bit);");
            w.Line("int atLeast = 0;");
            using (w.Block("for (int c = lane; c < dim; c += warpSize)"))
                using (w.Block($"if ({keyOfColumn} >= candidate)")) w.Line("atLeast++;");
            w.Line($"atLeast = {Warp}.Sum(atLeast);");
            using (w.Block("if (atLeast >= k)"))
            {
                w.Line("threshold = candidate;");
                w.Line("// Exactly k keys at or above it: they are the top k, whatever the lower bits.");
                using (w.Block("if (atLeast == k)")) w.Line("break;");
            }
        }
        w.Line("int above = 0;");
        using (w.Block("for (int c = lane; c < dim; c += warpSize)"))
            using (w.Block($"if ({keyOfColumn} > threshold)")) w.Line("above++;");
        w.Line($"int ties = k - {Warp}.Sum(above); // ties at the threshold to keep, lowest columns first");
        w.Line("long output = (long)row * k;");
        w.Line("int kept = 0;");
        w.Line("int tiesSeen = 0;");
        using (w.Block("for (int tile = 0; tile < dim && kept < k; tile += warpSize)"))
        {
            w.Line("int c = tile + lane;");
            w.Line($"uint key = c < dim ? {keyOfColumn} : 0u;");
            w.Line("int isTie = c < dim && key == threshold ? 1 : 0;");
            w.Line($"int tieRank = tiesSeen + {Warp}.InclusiveSum(isTie) - isTie;");
            w.Line("int keep = c < dim && (key > threshold || (isTie == 1 && tieRank < ties)) ? 1 : 0;");
            w.Line($"int slot = kept + {Warp}.InclusiveSum(keep) - keep;");
            using (w.Block("if (keep == 1)"))
            {
                w.Line($"{spec.ElementType} value = {valueOfKey};");
                w.Line(spec.Kind == CbsrKernelKind.DynamicReLU
                    ? "y.Values[output + slot] = value > 0f ? value : 0f; // Dynamic-ReLU: a non-positive kept slot is padding"
                    : "y.Values[output + slot] = value;");
                w.Line($"y.Indices[output + slot] = ({spec.IndexType})c;");
            }
            w.Line($"kept += {Warp}.Sum(keep);");
            w.Line($"tiesSeen += {Warp}.Sum(isTie);");
        }
    }

    private static void DynamicReLUBackward(CodeWriter w, CbsrKernelSpec spec) => ScatterBackward(w, spec, onlyPositive: true);

    private static void MaxKBackward(CodeWriter w, CbsrKernelSpec spec) => ScatterBackward(w, spec, onlyPositive: false);

    /// <summary>
    /// The backward of MaxK (scatter every kept gradient) and of Dynamic-ReLU (only where the forward
    /// output y is positive): one thread per row, zero the dense gradient row, then scatter.
    /// </summary>
    private static void ScatterBackward(CodeWriter w, CbsrKernelSpec spec, bool onlyPositive)
    {
        string kernel = onlyPositive ? "DynamicReLUBackwardKernel" : "MaxKBackwardKernel";
        string kept = onlyPositive ? "y" : "dy"; // whose indices place the gradient
        string parameters = onlyPositive ? $"{Cbsr(spec)} y, {Cbsr(spec)} dy, {Dense(spec)} dx" : $"{Cbsr(spec)} dy, {Dense(spec)} dx";
        string types = onlyPositive ? $"{Cbsr(spec)}, {Cbsr(spec)}, {Dense(spec)}" : $"{Cbsr(spec)}, {Dense(spec)}";
        w.Line(onlyPositive
            ? "/// <summary>One thread per row: zero the dense gradient row, then pass dy at the kept positive entries of y.</summary>"
            : "/// <summary>One thread per row: zero the dense gradient row, then scatter the k kept gradients.</summary>");
        Attribute(w, spec, "Implicit");
        using (w.Block($"internal static void {kernel}({Ilgpu}.Index1D index, {parameters})"))
        {
            w.Line("int row = index.X;");
            using (w.Block("if (row >= dx.Rows)")) w.Line("return;");
            w.Line("int dim = dx.Columns;");
            w.Line("long output = (long)row * dim;");
            using (w.Block("for (int c = 0; c < dim; c++)")) w.Line("dx.Data[output + c] = 0f;");
            w.Line($"long input = (long)row * {kept}.K;");
            string scatter = $"dx.Data[output + {kept}.Indices[input + t]] = dy.Values[input + t];";
            using (w.Block($"for (int t = 0; t < {kept}.K; t++)"))
            {
                if (onlyPositive) using (w.Block("if (y.Values[input + t] > 0f)")) w.Line(scatter);
                else w.Line(scatter);
            }
        }
        w.Line();
        Launcher(w, spec, parameters,
            $"{Ilgpu}.Runtime.KernelLoaders.LoadAutoGroupedKernel<{Ilgpu}.Index1D, {types}>(acc, {kernel})",
            onlyPositive ? "kernel(stream, dx.Rows, y, dy, dx);" : "kernel(stream, dx.Rows, dy, dx);");
    }

    private static void SpGemm(CodeWriter w, CbsrKernelSpec spec)
    {
        string chunks = "global::KernelDsl.RowChunkView";
        w.Line("/// <summary>");
        w.Line("/// RowProductSharedAccumulator: one warp per row chunk (at most " + spec.MaxEdgesPerWarp + " edges). The warp zeroes its dim-wide");
        w.Line("/// accumulator in shared memory, its lanes walk the chunk's (neighbour, t) pairs (k values and indices");
        w.Line("/// read contiguously; k &lt; warp packs several neighbours per step) and add a_ij · x[j,t] at column");
        w.Line("/// idx[j,t] with shared atomics, then the warp writes the row: a store when the chunk is the row's");
        w.Line("/// only one, an atomic add into the pre-zeroed output when the row was split.");
        w.Line("/// </summary>");
        Attribute(w, spec, "Explicit");
        using (w.Block($"internal static void SpGemmKernel({Csr(spec)} a, {Cbsr(spec)} x, {Dense(spec)} y, {chunks} chunks)"))
        {
            ChunkWarpPrologue(w, spec, "y.Columns", "accumulator");
            using (w.Block("for (int c = lane; c < dim; c += warpSize)")) w.Line("accumulator[c] = 0f;");
            w.Line($"{Ilgpu}.Warp.Barrier();");
            using (w.Block("if (active)"))
            {
                w.Line("int start = chunks.Starts[chunk];");
                w.Line("int pairs = (chunks.Ends[chunk] - start) * k;");
                using (w.Block("for (int q = lane; q < pairs; q += warpSize)"))
                {
                    w.Line("int neighbour = q / k;");
                    w.Line("int e = start + neighbour;");
                    w.Line("long source = (long)a.ColumnIndices[e] * k + (q - neighbour * k);");
                    w.Line($"{Ilgpu}.Atomic.Add(ref accumulator[(int)x.Indices[source]], {Edge(spec, "a")} * x.Values[source]);");
                }
            }
            w.Line($"{Ilgpu}.Warp.Barrier();");
            using (w.Block("if (active)"))
            {
                w.Line("long output = (long)chunks.Rows[chunk] * dim;");
                w.Line("bool sole = chunks.SoleChunk[chunk] != 0;");
                using (w.Block("for (int c = lane; c < dim; c += warpSize)"))
                {
                    using (w.Block("if (sole)")) w.Line("y.Data[output + c] = accumulator[c];");
                    using (w.Block("else if (accumulator[c] != 0f)")) w.Line($"{Ilgpu}.Atomic.Add(ref y.Data[output + c], accumulator[c]);");
                }
            }
        }
        w.Line();
        string types = $"{Csr(spec)}, {Cbsr(spec)}, {Dense(spec)}, {chunks}";
        w.Line("/// <summary>Loads the kernel once per accelerator; zeroes the output first when some row spans several chunks.</summary>");
        using (w.Block($"internal static void Launch({Ilgpu}.Runtime.AcceleratorStream stream, {Csr(spec)} a, {Cbsr(spec)} x, {Dense(spec)} y, {chunks} chunks, bool splitRows)"))
        {
            w.Line($"{Ilgpu}.Runtime.Accelerator accelerator = stream.Accelerator;");
            w.Line($"var kernel = global::KernelDsl.Runtime.KernelCache.GetOrLoad(accelerator, \"{spec.DeclarationName}({spec.Kind}, {spec.ElementType}, {spec.IndexType})\",");
            w.Line($"    static acc => {Ilgpu}.Runtime.KernelLoaders.LoadKernel<{types}>(acc, SpGemmKernel));");
            using (w.Block("if (splitRows)")) w.Line($"{Ilgpu}.Runtime.ArrayViewExtensions.MemSetToZero(y.Data, stream);");
            w.Line("kernel(stream, global::KernelDsl.Runtime.LaunchPlanner.RowProductSharedAccumulator(accelerator, chunks.Count, y.Columns), a, x, y, chunks);");
        }
    }

    private static void SSpMM(CodeWriter w, CbsrKernelSpec spec)
    {
        w.Line("/// <summary>");
        w.Line("/// TransposeGather: one warp per row j of Aᵀ; lane l computes the kept entries t = l, l + warp, …:");
        w.Line("/// dX[j,t] = Σ over Aᵀ's row j of a_ij · dY[i, idx[j,t]]. Each output is written once: no atomics,");
        w.Line("/// deterministic. The gradient keeps x's indices.");
        w.Line("/// </summary>");
        Attribute(w, spec, "Explicit");
        using (w.Block($"internal static void SSpMMKernel({Csr(spec)} at, {Dense(spec)} dy, {Cbsr(spec)} x, {Cbsr(spec)} dx)"))
        {
            w.Line($"int warpSize = {Ilgpu}.Warp.WarpSize;");
            w.Line($"int row = {Ilgpu}.Grid.IdxX * ({Ilgpu}.Group.DimX / warpSize) + {Ilgpu}.Warp.WarpIdx;");
            using (w.Block("if (row >= at.Rows)")) w.Line("return;");
            w.Line("int dim = dy.Columns;");
            w.Line("int k = x.K;");
            w.Line("int start = at.RowOffsets[row];");
            w.Line("int end = at.RowOffsets[row + 1];");
            using (w.Block($"for (int t = {Ilgpu}.Warp.LaneIdx; t < k; t += warpSize)"))
            {
                w.Line("long slot = (long)row * k + t;");
                w.Line($"{spec.IndexType} column = x.Indices[slot];");
                w.Line($"{spec.ElementType} acc = 0f;");
                using (w.Block("for (int e = start; e < end; e++)"))
                    w.Line($"acc += {Edge(spec, "at")} * dy.Data[(long)at.ColumnIndices[e] * dim + column];");
                w.Line("dx.Values[slot] = acc;");
                w.Line("dx.Indices[slot] = column;");
            }
        }
        w.Line();
        Launcher(w, spec, $"{Csr(spec)} at, {Dense(spec)} dy, {Cbsr(spec)} x, {Cbsr(spec)} dx",
            $"{Ilgpu}.Runtime.KernelLoaders.LoadKernel<{Csr(spec)}, {Dense(spec)}, {Cbsr(spec)}, {Cbsr(spec)}>(acc, SSpMMKernel)",
            "kernel(stream, global::KernelDsl.Runtime.LaunchPlanner.WarpPerRow(accelerator, at.Rows), at, dy, x, dx);");
    }

    private static void SSpMMOuterProduct(CodeWriter w, CbsrKernelSpec spec)
    {
        string chunks = "global::KernelDsl.RowChunkView";
        w.Line("/// <summary>");
        w.Line("/// OuterProduct: one warp per chunk of row i of A (at most " + spec.MaxEdgesPerWarp + " edges). The warp stages dY[i, :] in");
        w.Line("/// shared memory, then its lanes walk the chunk's (edge, t) pairs and add a_ij · dY[i, idx[j,t]] into");
        w.Line("/// dX[j, t] with global atomics (k contiguous floats per edge: coalesced). dX is zeroed first.");
        w.Line("/// </summary>");
        Attribute(w, spec, "Explicit");
        using (w.Block($"internal static void SSpMMKernel({Csr(spec)} a, {Dense(spec)} dy, {Cbsr(spec)} x, {Cbsr(spec)} dx, {chunks} chunks)"))
        {
            ChunkWarpPrologue(w, spec, "dy.Columns", "staged");
            using (w.Block("if (active)"))
            {
                w.Line("long input = (long)chunks.Rows[chunk] * dim;");
                using (w.Block("for (int c = lane; c < dim; c += warpSize)")) w.Line("staged[c] = dy.Data[input + c];");
            }
            w.Line($"{Ilgpu}.Warp.Barrier();");
            using (w.Block("if (active)"))
            {
                w.Line("int start = chunks.Starts[chunk];");
                w.Line("int pairs = (chunks.Ends[chunk] - start) * k;");
                using (w.Block("for (int q = lane; q < pairs; q += warpSize)"))
                {
                    w.Line("int neighbour = q / k;");
                    w.Line("int e = start + neighbour;");
                    w.Line("long slot = (long)a.ColumnIndices[e] * k + (q - neighbour * k);");
                    w.Line($"{Ilgpu}.Atomic.Add(ref dx.Values[slot], {Edge(spec, "a")} * staged[(int)x.Indices[slot]]);");
                }
            }
        }
        w.Line();
        string types = $"{Csr(spec)}, {Dense(spec)}, {Cbsr(spec)}, {Cbsr(spec)}, {chunks}";
        w.Line("/// <summary>Zeroes dX's values, copies x's indices into it, loads the kernel once per accelerator and launches it.</summary>");
        using (w.Block($"internal static void Launch({Ilgpu}.Runtime.AcceleratorStream stream, {Csr(spec)} a, {Dense(spec)} dy, {Cbsr(spec)} x, {Cbsr(spec)} dx, {chunks} chunks)"))
        {
            w.Line($"{Ilgpu}.Runtime.Accelerator accelerator = stream.Accelerator;");
            w.Line($"var kernel = global::KernelDsl.Runtime.KernelCache.GetOrLoad(accelerator, \"{spec.DeclarationName}({spec.Kind}, {spec.ElementType}, {spec.IndexType})\",");
            w.Line($"    static acc => {Ilgpu}.Runtime.KernelLoaders.LoadKernel<{types}>(acc, SSpMMKernel));");
            w.Line($"{Ilgpu}.Runtime.ArrayViewExtensions.MemSetToZero(dx.Values, stream);");
            w.Line($"{Ilgpu}.Runtime.ArrayViewExtensions.CopyTo(x.Indices, stream, dx.Indices);");
            w.Line("kernel(stream, global::KernelDsl.Runtime.LaunchPlanner.RowProductSharedAccumulator(accelerator, chunks.Count, dy.Columns), a, dy, x, dx, chunks);");
        }
    }

    /// <summary>
    /// Warp-per-chunk kernels: the warp's chunk and lane, dim and k, the warp's dim-wide slice of dynamic
    /// shared memory, and whether the warp has a chunk (warps never return early: barriers follow).
    /// </summary>
    private static void ChunkWarpPrologue(CodeWriter w, CbsrKernelSpec spec, string dim, string slice)
    {
        w.Line($"int warpSize = {Ilgpu}.Warp.WarpSize;");
        w.Line($"int chunk = {Ilgpu}.Grid.IdxX * ({Ilgpu}.Group.DimX / warpSize) + {Ilgpu}.Warp.WarpIdx;");
        w.Line($"int lane = {Ilgpu}.Warp.LaneIdx;");
        w.Line($"int dim = {dim};");
        w.Line("int k = x.K;");
        w.Line($"{Ilgpu}.ArrayView<{spec.ElementType}> {slice} = {Ilgpu}.SharedMemory.GetDynamic<{spec.ElementType}>().SubView((long){Ilgpu}.Warp.WarpIdx * dim, dim);");
        w.Line("// Whole warps take the barriers below: no early return.");
        w.Line("bool active = chunk < chunks.Count;");
    }

    private static void Launcher(CodeWriter w, CbsrKernelSpec spec, string parameters, string loader, string launch)
    {
        w.Line("/// <summary>Loads the kernel once per accelerator and launches it on <paramref name=\"stream\"/>.</summary>");
        using (w.Block($"internal static void Launch({Ilgpu}.Runtime.AcceleratorStream stream, {parameters})"))
        {
            w.Line($"{Ilgpu}.Runtime.Accelerator accelerator = stream.Accelerator;");
            w.Line($"var kernel = global::KernelDsl.Runtime.KernelCache.GetOrLoad(accelerator, \"{spec.DeclarationName}({spec.Kind}, {spec.ElementType}, {spec.IndexType})\",");
            w.Line($"    static acc => {loader});");
            w.Line(launch);
        }
    }
}
