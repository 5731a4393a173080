using KernelDsl.Generators.Model;

namespace KernelDsl.Generators.Emitting.Cpu;

/// <summary>
/// Emits the native CPU implementations of the MaxK-GNN family: Parallel.For over row blocks,
/// scratch allocated once per block (never per row), rows independent so no atomics.
/// </summary>
internal static class NativeCbsrEmitter
{
    private const string Unsafe = "global::System.Runtime.CompilerServices.Unsafe";
    private const string Marshal = "global::System.Runtime.InteropServices.MemoryMarshal";
    private const string Parallel = "global::System.Threading.Tasks.Parallel";

    public static string Emit(CbsrKernelSpec spec)
    {
        string helper = SourceFile.HelperClass(spec);
        return SourceFile.Write(spec, "Native CPU implementation. " + CbsrDispatchEmitter.Describe(spec), w =>
        {
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

    private static string Cbsr(CbsrKernelSpec s) => $"global::KernelDsl.CbsrBuffer<{s.ElementType}, {s.IndexType}>";
    private static string Dense(CbsrKernelSpec s) => $"global::KernelDsl.DenseBuffer<{s.ElementType}>";
    private static string Csr(CbsrKernelSpec s) => $"global::KernelDsl.CsrBuffer<{s.ElementType}>";
    private static bool Weighted(CbsrKernelSpec s) => s.Adjacency == AdjacencyKind.Weighted;

    /// <summary>Parallel.For over <paramref name="blocks"/> equal row ranges, with a per-block prologue.</summary>
    private static void EvenBlocks(CodeWriter w, string rows, string prologue, string rowCall)
    {
        w.Line($"int blocks = global::System.Math.Max(1, global::System.Math.Min({rows}, parallelism * global::KernelDsl.Native.RowPartition.BlocksPerWorker));");
        w.Line("var options = new global::System.Threading.Tasks.ParallelOptions { MaxDegreeOfParallelism = parallelism };");
        w.Line($"{Parallel}.For(0, blocks, options, block =>");
        w.Line("{");
        using (new Indent(w))
        {
            if (prologue.Length > 0) w.Line(prologue);
            w.Line($"int first = (int)((long){rows} * block / blocks);");
            w.Line($"int last = (int)((long){rows} * (block + 1) / blocks);");
            using (w.Block("for (int row = first; row < last; row++)")) w.Line(rowCall);
        }
        w.Line("});");
    }

    /// <summary>Parallel.For over the CSR buffer's nonzero-balanced row blocks.</summary>
    private static void CsrBlocks(CodeWriter w, string csr, string prologue, string rowCall)
    {
        w.Line($"int[] blocks = {csr}.RowBlocks(parallelism * global::KernelDsl.Native.RowPartition.BlocksPerWorker);");
        w.Line("var options = new global::System.Threading.Tasks.ParallelOptions { MaxDegreeOfParallelism = parallelism };");
        w.Line($"{Parallel}.For(0, blocks.Length - 1, options, block =>");
        w.Line("{");
        using (new Indent(w))
        {
            if (prologue.Length > 0) w.Line(prologue);
            using (w.Block("for (int row = blocks[block]; row < blocks[block + 1]; row++)")) w.Line(rowCall);
        }
        w.Line("});");
    }

    private static void MaxK(CodeWriter w, CbsrKernelSpec spec)
    {
        string t = spec.ElementType, i = spec.IndexType;
        w.Line("/// <summary>Runs on the calling thread and the thread pool; one key scratch row per block.</summary>");
        using (w.Block($"internal static void RunNative({Dense(spec)} x, {Cbsr(spec)} y, int parallelism)"))
        {
            w.Line($"global::System.Memory<{t}> source = x.HostMemory;");
            w.Line($"global::KernelDsl.CbsrMatrix<{t}, {i}> output = y.DangerousGetHostArrays();");
            w.Line("int dim = x.Columns;");
            w.Line("int k = y.K;");
            w.Line("// Each block's rows in one call: the row's top k by totalOrder (ties: lowest column), in column order. TopK estimates a");
            w.Line("// threshold from the row's mean and deviation, keeps the candidates at or above it with SIMD compares and cuts them to k.");
            w.Line($"int blocks = global::System.Math.Max(1, global::System.Math.Min(x.Rows, parallelism * global::KernelDsl.Native.RowPartition.BlocksPerWorker));");
            w.Line("var options = new global::System.Threading.Tasks.ParallelOptions { MaxDegreeOfParallelism = parallelism };");
            w.Line($"{Parallel}.For(0, blocks, options, block =>");
            w.Line("{");
            using (new Indent(w))
            {
                w.Line("uint[] scratch = new uint[global::KernelDsl.Native.TopK.ScratchLength(dim)];");
                w.Line("int first = (int)((long)x.Rows * block / blocks);");
                w.Line("int last = (int)((long)x.Rows * (block + 1) / blocks);");
                w.Line($"global::KernelDsl.Native.TopK.SelectRows(source.Span, dim, k, output.Values, output.Indices, first, last, scratch, relu: {(spec.Kind == CbsrKernelKind.DynamicReLU ? "true" : "false")});");
            }
            w.Line("});");
        }
    }

    private static void DynamicReLUBackward(CodeWriter w, CbsrKernelSpec spec)
    {
        string t = spec.ElementType, i = spec.IndexType;
        w.Line("/// <summary>Clears each dense gradient row and passes dy at the kept positive entries of y.</summary>");
        using (w.Block($"internal static void RunNative({Cbsr(spec)} y, {Cbsr(spec)} dy, {Dense(spec)} dx, int parallelism)"))
        {
            w.Line($"global::KernelDsl.CbsrMatrix<{t}, {i}> forward = y.DangerousGetHostArrays();");
            w.Line($"{t}[] gradient = dy.DangerousGetHostArrays().Values;");
            w.Line($"global::System.Memory<{t}> output = dx.HostMemory;");
            w.Line("int dim = dx.Columns;");
            w.Line("int k = y.K;");
            EvenBlocks(w, "dx.Rows", $"ref {t} y0 = ref {Marshal}.GetReference(output.Span);", "NativeRow(row, forward.Values, forward.Indices, gradient, ref y0, dim, k);");
        }
        w.Line();
        w.Line("[global::System.Runtime.CompilerServices.MethodImpl(global::System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]");
        using (w.Block($"private static void NativeRow(int row, {t}[] values, {i}[] indices, {t}[] gradient, ref {t} output, int dim, int k)"))
        {
            w.Line($"global::System.Span<{t}> dx = {Marshal}.CreateSpan(ref {Unsafe}.Add(ref output, (nint)row * dim), dim);");
            w.Line("dx.Clear();");
            w.Line("long input = (long)row * k;");
            using (w.Block("for (int t = 0; t < k; t++)"))
                using (w.Block("if (values[input + t] > 0f)")) w.Line("dx[indices[input + t]] = gradient[input + t];");
        }
    }

    private static void MaxKBackward(CodeWriter w, CbsrKernelSpec spec)
    {
        string t = spec.ElementType, i = spec.IndexType;
        w.Line("/// <summary>Clears each dense gradient row and scatters the k kept gradients into it.</summary>");
        using (w.Block($"internal static void RunNative({Cbsr(spec)} dy, {Dense(spec)} dx, int parallelism)"))
        {
            w.Line($"global::KernelDsl.CbsrMatrix<{t}, {i}> gradient = dy.DangerousGetHostArrays();");
            w.Line($"global::System.Memory<{t}> output = dx.HostMemory;");
            w.Line("int dim = dx.Columns;");
            w.Line("int k = dy.K;");
            EvenBlocks(w, "dx.Rows", $"ref {t} y0 = ref {Marshal}.GetReference(output.Span);", "NativeRow(row, gradient.Values, gradient.Indices, ref y0, dim, k);");
        }
        w.Line();
        w.Line("[global::System.Runtime.CompilerServices.MethodImpl(global::System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]"); // hot: skip tier-0 code
        using (w.Block($"private static void NativeRow(int row, {t}[] values, {i}[] indices, ref {t} output, int dim, int k)"))
        {
            w.Line($"global::System.Span<{t}> dx = {Marshal}.CreateSpan(ref {Unsafe}.Add(ref output, (nint)row * dim), dim);");
            w.Line("dx.Clear();");
            w.Line("long input = (long)row * k;");
            using (w.Block("for (int t = 0; t < k; t++)")) w.Line("dx[indices[input + t]] = values[input + t];");
        }
    }

    private static void SpGemm(CodeWriter w, CbsrKernelSpec spec)
    {
        string t = spec.ElementType, i = spec.IndexType;
        bool registers = t == "float"; // RowScatter's register path (float rows up to 64 wide, chosen at run time)
        w.Line("/// <summary>Rows in nonzero-balanced blocks; each output row is its own accumulator (cache-resident, no atomics).</summary>");
        using (w.Block($"internal static void RunNative({Csr(spec)} a, {Cbsr(spec)} x, {Dense(spec)} y, int parallelism)"))
        {
            w.Line($"global::KernelDsl.CsrMatrix<{t}> csr = a.DangerousGetHostArrays();");
            w.Line($"global::KernelDsl.CbsrMatrix<{t}, {i}> features = x.DangerousGetHostArrays();");
            w.Line($"global::System.Memory<{t}> output = y.HostMemory;");
            w.Line("int dim = y.Columns;");
            w.Line("int k = x.K;");
            if (registers)
            {
                using (w.Block($"if (global::KernelDsl.Native.RowScatter.Supports<{i}>(dim, k))"))
                {
                    w.Line("RunInRegisters(a, csr, features, output, dim, k, parallelism);");
                    w.Line("return;");
                }
            }
            CsrBlocks(w, "a", $"ref {t} y0 = ref {Marshal}.GetReference(output.Span);", $"NativeRow(row, csr.RowOffsets, csr.ColumnIndices, {(Weighted(spec) ? "csr.Values!, " : "")}features.Values, features.Indices, ref y0, dim, k);");
        }
        w.Line();
        if (registers)
        {
            w.Line("/// <summary>Narrow rows (AVX-512): each output row in registers, x's kept entries moved to their columns by a slot table.</summary>");
            using (w.Block($"private static void RunInRegisters({Csr(spec)} a, global::KernelDsl.CsrMatrix<{t}> csr, global::KernelDsl.CbsrMatrix<{t}, {i}> features, global::System.Memory<{t}> output, int dim, int k, int parallelism)"))
            {
                w.Line("byte[] slots = global::KernelDsl.Native.RowScatter.RentSlots(features.Indices, features.Rows, k, parallelism);");
                using (w.Block("try"))
                    CsrBlocks(w, "a", $"ref {t} y0 = ref {Marshal}.GetReference(output.Span);", $"global::KernelDsl.Native.RowScatter.Row(row, csr.RowOffsets, csr.ColumnIndices, {(Weighted(spec) ? "csr.Values" : "null")}, features.Values, slots, ref y0, dim, k);");
                using (w.Block("finally"))
                    w.Line("global::KernelDsl.Native.RowScatter.ReturnSlots(slots);");
            }
            w.Line();
        }
        w.Line("/// <summary>y[row, :] = Σ over the row's edges of a_ij · x[j, :], adding the k kept entries of x[j] at their columns.</summary>");
        w.Line("[global::System.Runtime.CompilerServices.MethodImpl(global::System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]"); // hot: skip tier-0 code
        using (w.Block($"private static void NativeRow(int row, int[] rowOffsets, int[] columns, {(Weighted(spec) ? t + "[] weights, " : "")}{t}[] values, {i}[] indices, ref {t} output, int dim, int k)"))
        {
            w.Line($"global::System.Span<{t}> y = {Marshal}.CreateSpan(ref {Unsafe}.Add(ref output, (nint)row * dim), dim);");
            w.Line("y.Clear();");
            w.Line("int end = rowOffsets[row + 1];");
            using (w.Block("for (int e = rowOffsets[row]; e < end; e++)"))
            {
                using (w.Block("if (e + global::KernelDsl.Native.Prefetch.Distance < end)"))
                {
                    w.Line("// The neighbour a few edges ahead: its k values and indices are a random access, every line of them.");
                    w.Line("nint ahead = (nint)columns[e + global::KernelDsl.Native.Prefetch.Distance] * k;");
                    w.Line($"global::KernelDsl.Native.Prefetch.ReadRange(ref {Unsafe}.Add(ref {Marshal}.GetArrayDataReference(values), ahead), k);");
                    w.Line($"global::KernelDsl.Native.Prefetch.ReadRange(ref {Unsafe}.Add(ref {Marshal}.GetArrayDataReference(indices), ahead), k);");
                }
                if (Weighted(spec)) w.Line($"{t} weight = weights[e];");
                w.Line("long source = (long)columns[e] * k;");
                w.Line($"ref {t} value = ref {Unsafe}.Add(ref {Marshal}.GetArrayDataReference(values), (nint)source);");
                w.Line($"ref {i} index = ref {Unsafe}.Add(ref {Marshal}.GetArrayDataReference(indices), (nint)source);");
                w.Line($"global::KernelDsl.Native.SparseRow.ScatterAxpy(ref {Marshal}.GetReference(y), ref value, ref index, k, {(Weighted(spec) ? "weight" : "1f")});");
            }
        }
    }

    private static void SSpMMOuterProduct(CodeWriter w, CbsrKernelSpec spec)
    {
        string t = spec.ElementType, i = spec.IndexType;
        w.Line("/// <summary>");
        w.Line("/// Rows i of A in partitions balanced by nonzeros; partition 0 accumulates straight into dX, the others");
        w.Line("/// into private pooled buffers, summed into dX in partition order afterwards (reproducible for a given");
        w.Line("/// thread count). Each dY row is read once; each edge touches only dX[j]'s k entries.");
        w.Line("/// </summary>");
        using (w.Block($"internal static void RunNative({Csr(spec)} a, {Dense(spec)} dy, {Cbsr(spec)} x, {Cbsr(spec)} dx, int parallelism)"))
        {
            w.Line($"global::KernelDsl.CsrMatrix<{t}> csr = a.DangerousGetHostArrays();");
            w.Line($"global::System.Memory<{t}> gradient = dy.HostMemory;");
            w.Line($"global::KernelDsl.CbsrMatrix<{t}, {i}> features = x.DangerousGetHostArrays();");
            w.Line($"global::KernelDsl.CbsrMatrix<{t}, {i}> output = dx.DangerousGetHostArrays();");
            w.Line("int dim = dy.Columns;");
            w.Line("int k = x.K;");
            w.Line("int size = features.Values.Length;");
            w.Line("int[] parts = a.RowBlocks(global::KernelDsl.Native.PrivateAccumulators.Partitions(parallelism, size, work: (long)csr.ColumnIndices.Length * k));");
            w.Line($"{t}[][] partial = new {t}[parts.Length - 1][];");
            w.Line("var options = new global::System.Threading.Tasks.ParallelOptions { MaxDegreeOfParallelism = parallelism };");
            w.Line($"{Parallel}.For(0, parts.Length - 1, options, part =>");
            w.Line("{");
            using (new Indent(w))
            {
                w.Line($"ref {t} dy0 = ref {Marshal}.GetReference(gradient.Span);");
                w.Line($"{t}[] acc = part == 0 ? output.Values : global::System.Buffers.ArrayPool<{t}>.Shared.Rent(size);");
                w.Line("global::System.Array.Clear(acc, 0, size);");
                using (w.Block("for (int row = parts[part]; row < parts[part + 1]; row++)"))
                    w.Line($"OuterRow(row, csr.RowOffsets, csr.ColumnIndices, {(Weighted(spec) ? "csr.Values!, " : "")}ref dy0, features.Indices, acc, dim, k);");
                w.Line("partial[part] = acc;");
            }
            w.Line("});");
            w.Line("global::KernelDsl.Native.PrivateAccumulators.SumInto(output.Values, partial, size, parallelism);");
            w.Line("global::System.Array.Copy(features.Indices, output.Indices, size);");
        }
        w.Line();
        w.Line("/// <summary>For each edge (row, j): acc[j, t] += a_ij · dY[row, idx[j, t]] over the k kept entries of j.</summary>");
        w.Line("[global::System.Runtime.CompilerServices.MethodImpl(global::System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]"); // hot: skip tier-0 code
        using (w.Block($"private static void OuterRow(int row, int[] rowOffsets, int[] columns, {(Weighted(spec) ? t + "[] weights, " : "")}ref {t} gradient, {i}[] indices, {t}[] acc, int dim, int k)"))
        {
            w.Line($"ref {t} dy = ref {Unsafe}.Add(ref gradient, (nint)row * dim);");
            using (w.Block($"if (global::KernelDsl.Native.RowGather.Supports<{i}>(dim))"))
            {
                w.Line("// dY's row in registers: 16 kept entries looked up per permute instead of 16 loads (same answer bit for bit).");
                w.Line($"global::KernelDsl.Native.RowGather.OuterRow(ref dy, dim, rowOffsets[row], rowOffsets[row + 1], columns, {(Weighted(spec) ? "weights" : "null")}, indices, acc, k);");
                w.Line("return;");
            }
            w.Line("int end = rowOffsets[row + 1];");
            using (w.Block("for (int e = rowOffsets[row]; e < end; e++)"))
            {
                using (w.Block("if (e + global::KernelDsl.Native.Prefetch.Distance < end)"))
                {
                    w.Line("// The neighbour a few edges ahead: its accumulator row and indices are a random access, every line of them.");
                    w.Line("nint ahead = (nint)columns[e + global::KernelDsl.Native.Prefetch.Distance] * k;");
                    w.Line($"global::KernelDsl.Native.Prefetch.ReadRange(ref {Unsafe}.Add(ref {Marshal}.GetArrayDataReference(acc), ahead), k);");
                    w.Line($"global::KernelDsl.Native.Prefetch.ReadRange(ref {Unsafe}.Add(ref {Marshal}.GetArrayDataReference(indices), ahead), k);");
                }
                if (Weighted(spec)) w.Line($"{t} weight = weights[e];");
                w.Line("nint slot = (nint)columns[e] * k;");
                w.Line($"ref {t} target = ref {Unsafe}.Add(ref {Marshal}.GetArrayDataReference(acc), slot);");
                w.Line($"ref {i} index = ref {Unsafe}.Add(ref {Marshal}.GetArrayDataReference(indices), slot);");
                w.Line($"global::KernelDsl.Native.SparseRow.GatherAxpy(ref target, ref dy, ref index, k, {(Weighted(spec) ? "weight" : "1f")});");
            }
        }
    }

    private static void SSpMM(CodeWriter w, CbsrKernelSpec spec)
    {
        string t = spec.ElementType, i = spec.IndexType;
        w.Line("/// <summary>Rows j of Aᵀ in nonzero-balanced blocks: each gradient row is gathered once, no atomics.</summary>");
        using (w.Block($"internal static void RunNative({Csr(spec)} at, {Dense(spec)} dy, {Cbsr(spec)} x, {Cbsr(spec)} dx, int parallelism)"))
        {
            w.Line($"global::KernelDsl.CsrMatrix<{t}> transposed = at.DangerousGetHostArrays();");
            w.Line($"global::System.Memory<{t}> gradient = dy.HostMemory;");
            w.Line($"global::KernelDsl.CbsrMatrix<{t}, {i}> features = x.DangerousGetHostArrays();");
            w.Line($"global::KernelDsl.CbsrMatrix<{t}, {i}> output = dx.DangerousGetHostArrays();");
            w.Line("int dim = dy.Columns;");
            w.Line("int k = x.K;");
            CsrBlocks(w, "at", $"ref {t} dy0 = ref {Marshal}.GetReference(gradient.Span);", $"NativeRow(row, transposed.RowOffsets, transposed.ColumnIndices, {(Weighted(spec) ? "transposed.Values!, " : "")}ref dy0, features.Indices, output.Values, output.Indices, dim, k);");
        }
        w.Line();
        w.Line("/// <summary>dX[j, t] = Σ over Aᵀ's row j of a_ij · dY[i, idx[j, t]]; the gradient keeps x's indices.</summary>");
        w.Line("[global::System.Runtime.CompilerServices.MethodImpl(global::System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]"); // hot: skip tier-0 code
        using (w.Block($"private static void NativeRow(int row, int[] rowOffsets, int[] columns, {(Weighted(spec) ? t + "[] weights, " : "")}ref {t} gradient, {i}[] indices, {t}[] values, {i}[] outputIndices, int dim, int k)"))
        {
            w.Line("long slot = (long)row * k;");
            w.Line($"global::System.Span<{t}> dx = global::System.MemoryExtensions.AsSpan(values, (int)slot, k);");
            w.Line($"global::System.ReadOnlySpan<{i}> kept = global::System.MemoryExtensions.AsSpan(indices, (int)slot, k);");
            w.Line("dx.Clear();");
            using (w.Block("for (int e = rowOffsets[row]; e < rowOffsets[row + 1]; e++)"))
            {
                if (Weighted(spec)) w.Line($"{t} weight = weights[e];");
                w.Line($"ref {t} dy = ref {Unsafe}.Add(ref gradient, (nint)columns[e] * dim);");
                using (w.Block("for (int t = 0; t < k; t++)"))
                    w.Line($"dx[t] += {(Weighted(spec) ? "weight * " : "")}{Unsafe}.Add(ref dy, kept[t]);");
            }
            w.Line("kept.CopyTo(global::System.MemoryExtensions.AsSpan(outputIndices, (int)slot, k));");
        }
    }
}
