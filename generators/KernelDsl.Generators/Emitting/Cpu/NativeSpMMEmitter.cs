using System.Linq;
using KernelDsl.Generators.Model;

namespace KernelDsl.Generators.Emitting.Cpu;

/// <summary>
/// Emits the native CPU implementation of an [SpMM] declaration: Parallel.For over row blocks
/// balanced by nonzeros, SIMD over the feature columns in register tiles with a scalar tail, the message
/// inlined, no allocation per row. A vectorizable message gets two row bodies, Vector512 (AVX-512) and
/// Vector&lt;T&gt;, chosen per call by <c>NativeSimd.Width</c>. A row body computes a range of output columns, so the
/// traversal — one sweep over all columns (row-wise) or one per column tile — is chosen per call by <c>ColumnTiles.Run</c>.
/// </summary>
internal static class NativeSpMMEmitter
{
    private const string Unsafe = "global::System.Runtime.CompilerServices.Unsafe";
    private const string Marshal = "global::System.Runtime.InteropServices.MemoryMarshal";

    public static string Emit(SpMMSpec spec)
    {
        string helper = SourceFile.HelperClass(spec);
        return SourceFile.Write(spec, "Native CPU implementation. " + SourceFile.Describe(spec), w =>
        {
            using (w.Block("private static partial class " + helper))
            {
                Run(w, spec);
                w.Line();
                if (MessageRenderer.IsVectorizable(spec))
                {
                    Row(w, spec, VectorApi.Wide, "NativeRowWide");
                    w.Line();
                }
                Row(w, spec, VectorApi.Preferred, "NativeRow");
            }
        });
    }

    private static bool Weighted(SpMMSpec spec) => spec.Adjacency == AdjacencyKind.Weighted;

    /// <summary>Sum or Mean of the default weighted message: the accumulation is a fused multiply-add.</summary>
    private static bool Fused(SpMMSpec spec) => spec.Reduce is ReduceKind.Sum or ReduceKind.Mean && spec.Message is null && Weighted(spec);

    private static void Run(CodeWriter w, SpMMSpec spec)
    {
        string t = spec.ElementType;
        w.Line("/// <summary>Runs on the calling thread and the thread pool; returns when the output is complete.</summary>");
        using (w.Block($"internal static void RunNative(global::KernelDsl.CsrBuffer<{t}> a, global::KernelDsl.DenseBuffer<{t}> x, global::KernelDsl.DenseBuffer<{t}> y, int parallelism)"))
        {
            w.Line($"global::KernelDsl.CsrMatrix<{t}> csr = a.DangerousGetHostArrays();");
            w.Line("int[] rowOffsets = csr.RowOffsets;");
            w.Line("int[] columns = csr.ColumnIndices;");
            if (Weighted(spec)) w.Line($"{t}[] values = csr.Values!;");
            w.Line($"global::System.Memory<{t}> source = x.HostMemory;");
            w.Line($"global::System.Memory<{t}> output = y.HostMemory;");
            w.Line("int dim = x.Columns;");
            w.Line("var options = new global::System.Threading.Tasks.ParallelOptions { MaxDegreeOfParallelism = parallelism };");
            string arguments = $"(row, rowOffsets, columns, {(Weighted(spec) ? "values, " : "")}ref x0, ref y0, dim, from, to);";
            string call = "NativeRow" + arguments;
            if (MessageRenderer.IsVectorizable(spec))
            {
                w.Line("// AVX-512 where the machine has it (a register tile of 8 × 512 bits): 25–40 % faster than 4 × 256 on the shared graphs.");
                w.Line("bool wide = global::KernelDsl.Native.NativeSimd.Width == global::KernelDsl.Native.SimdWidth.Vector512;");
                call = $"if (wide) NativeRowWide{arguments} else NativeRow{arguments}";
            }
            void Bases()
            {
                w.Line($"    ref {t} x0 = ref {Marshal}.GetReference(source.Span);");
                w.Line($"    ref {t} y0 = ref {Marshal}.GetReference(output.Span);");
            }
            void PlanOrder()
            {
                w.Line("// The degree-sorted plan schedules rows heaviest first, in runs of equal work.");
                w.Line($"var plan = a.DegreeSortedPlan(new global::KernelDsl.PartitionOptions({spec.WarpsPerBlock}, {spec.MaxEdgesPerWarp}));");
                w.Line("var (order, bounds) = plan.WorkOrder(parallelism * global::KernelDsl.Native.RowPartition.BlocksPerWorker);");
                w.Line("// Output columns [from, to) of every row.");
                using (w.Block("void Sweep(int from, int to)"))
                {
                    w.Line("global::System.Threading.Tasks.Parallel.For(0, bounds.Length - 1, options, run =>");
                    w.Line("{");
                    Bases();
                    w.Line("    for (int i = bounds[run]; i < bounds[run + 1]; i++)");
                    w.Line("    {");
                    w.Line("        int row = order[i];");
                    w.Line("        " + call);
                    w.Line("    }");
                    w.Line("});");
                }
            }
            void BalancedBlocks()
            {
                w.Line("int[] blocks = a.RowBlocks(parallelism * global::KernelDsl.Native.RowPartition.BlocksPerWorker);");
                w.Line("// Output columns [from, to) of every row.");
                using (w.Block("void Sweep(int from, int to)"))
                {
                    w.Line("global::System.Threading.Tasks.Parallel.For(0, blocks.Length - 1, options, block =>");
                    w.Line("{");
                    Bases();
                    w.Line("    for (int row = blocks[block]; row < blocks[block + 1]; row++)");
                    w.Line("    {");
                    w.Line("        " + call);
                    w.Line("    }");
                    w.Line("});");
                }
            }
            if (spec.Schedule == ScheduleKind.DegreeSortedBlocks) PlanOrder();
            else BalancedBlocks();
            w.Line("// Row-wise, or in column tiles where X outgrows the cache and tiles measured faster on this graph (the rule is ColumnTiles).");
            w.Line($"global::KernelDsl.Native.ColumnTiles.Run(a, x.Rows, dim, sizeof({t}), Sweep);");
        }
    }

    private static void Row(CodeWriter w, SpMMSpec spec, VectorApi api, string name)
    {
        string t = spec.ElementType;
        string vec = api.Type(t);
        bool simd = MessageRenderer.IsVectorizable(spec);
        w.Line("/// <summary>");
        w.Line("/// Output row <paramref name=\"row\"/>, columns [<paramref name=\"from\"/>, <paramref name=\"to\"/>): y[row, c] = " + ReduceText(spec) + " over the row's edges.");
        w.Line(simd
            ? $"/// Columns go in tiles of {string.Join(", then ", api.Tiles.Select(v => v == 1 ? "single vectors" : v + " vectors"))} ({api.DocName}), then scalars; a tile's accumulators stay in registers."
            : "/// The message has no SIMD form, so columns go one at a time.");
        if (Fused(spec)) w.Line("/// Each edge's a_ij · x[j, c] is added with one fused multiply-add (one rounding), in every body alike.");
        w.Line("/// </summary>");
        w.Line("[global::System.Runtime.CompilerServices.MethodImpl(global::System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]"); // hot: skip tier-0 code
        using (w.Block($"private static void {name}(int row, int[] rowOffsets, int[] columns, {(Weighted(spec) ? t + "[] values, " : "")}ref {t} source, ref {t} output, int dim, int from, int to)"))
        {
            w.Line("int start = rowOffsets[row];");
            w.Line("int end = rowOffsets[row + 1];");
            w.Line($"ref {t} y = ref {Unsafe}.Add(ref output, (nint)row * dim);");
            using (w.Block("if (start == end)"))
            {
                w.Line($"{Marshal}.CreateSpan(ref {Unsafe}.Add(ref y, from), to - from).Clear();");
                w.Line("return;");
            }
            if (spec.Reduce == ReduceKind.Mean) w.Line($"{t} scale = {(t == "float" ? "1f" : "1d")} / (end - start);");
            w.Line("int c = from;");
            if (simd)
                foreach (int vectors in api.Tiles)
                    Tile(w, spec, api, vectors, vectors == 1
                        ? $"for (; c <= to - {vec}.Count; c += {vec}.Count)"
                        : $"for (; c <= to - {vectors} * {vec}.Count; c += {vectors} * {vec}.Count)");
            Tile(w, spec, api, 0, "for (; c < to; c++)");
        }
    }

    /// <summary>
    /// One column tile: <paramref name="vectors"/> vector accumulators (0 = one scalar), reduced
    /// over the row's edges, then stored (scaled for Mean).
    /// </summary>
    private static void Tile(CodeWriter w, SpMMSpec spec, VectorApi api, int vectors, string loop)
    {
        string t = spec.ElementType;
        string vec = api.Type(t);
        bool scalar = vectors == 0;
        int count = scalar ? 1 : vectors;
        bool extremum = spec.Reduce is ReduceKind.Max or ReduceKind.Min;
        string edgeValue = Weighted(spec) ? "values[e]" : (t == "float" ? "1f" : "1d");
        string Load(int i) => i == 0
            ? $"{api.Statics}.LoadUnsafe(ref xTile)"
            : $"{api.Statics}.LoadUnsafe(ref xTile, (nuint)({i} * {vec}.Count))";
        string Message(int i) => scalar ? MessageRenderer.Scalar(spec, "edge", "xTile") : MessageRenderer.Vector(spec, api, "edgeV", Load(i));
        bool usesEdge = scalar ? MessageRenderer.Uses(Message(0), "edge") : MessageRenderer.Uses(Message(0), "edgeV");
        string fn = spec.Reduce == ReduceKind.Max ? "Max" : "Min";
        string Combine(string acc, string m) => extremum
            ? (scalar ? $"global::System.Math.{fn}({acc}, {m})" : $"{api.Statics}.{fn}({acc}, {m})")
            : $"{acc} + {m}";
        string Scaled(string acc) => spec.Reduce == ReduceKind.Mean ? $"{acc} * scale" : acc;
        // The default weighted message summed: one fused multiply-add per element (one rounding, not two), the same in
        // every body so the widths stay bit-identical; 1.05–1.17× on the shared graphs (benchmark suite rowbody).
        bool fused = Fused(spec);
        string Update(int i) => !fused
            ? Combine($"acc{i}", Message(i))
            : scalar
                ? $"global::System.{(t == "float" ? "MathF" : "Math")}.FusedMultiplyAdd(edge, xTile, acc{i})"
                : $"{api.Statics}.FusedMultiplyAdd(edgeV, {Load(i)}, acc{i})";

        void EdgeLocals()
        {
            if (usesEdge) w.Line(scalar ? $"{t} edge = {edgeValue};" : $"var edgeV = {api.Splat(t, edgeValue)};");
            w.Line($"ref {t} xTile = ref {Unsafe}.Add(ref source, (nint)columns[e] * dim + c);");
        }

        using (w.Block(loop))
        {
            // Max/Min start from the first edge's message, Sum/Mean from zero.
            if (extremum)
            {
                for (int i = 0; i < count; i++) w.Line($"{(scalar ? t : vec)} acc{i};");
                using (w.Block("// The first edge initializes the accumulators."))
                {
                    w.Line("int e = start;");
                    EdgeLocals();
                    for (int i = 0; i < count; i++) w.Line($"acc{i} = {Message(i)};");
                }
                w.Line("for (int e = start + 1; e < end; e++)");
            }
            else
            {
                for (int i = 0; i < count; i++) w.Line($"{(scalar ? t : vec)} acc{i} = {(scalar ? (t == "float" ? "0f" : "0d") : vec + ".Zero")};");
                w.Line("for (int e = start; e < end; e++)");
            }
            w.Line("{");
            using (new Indent(w))
            {
                EdgeLocals();
                for (int i = 0; i < count; i++) w.Line($"acc{i} = {Update(i)};");
            }
            w.Line("}");
            if (scalar) w.Line($"{Unsafe}.Add(ref y, c) = {Scaled("acc0")};");
            else
                for (int i = 0; i < count; i++)
                    w.Line(i == 0
                        ? $"{api.Statics}.StoreUnsafe({Scaled("acc0")}, ref y, (nuint)c);"
                        : $"{api.Statics}.StoreUnsafe({Scaled($"acc{i}")}, ref y, (nuint)(c + {i} * {vec}.Count));");
        }
    }

    private static string ReduceText(SpMMSpec spec) => spec.Reduce switch
    {
        ReduceKind.Sum => "the sum of the messages",
        ReduceKind.Mean => "the mean of the messages",
        ReduceKind.Max => "the element-wise maximum of the messages",
        _ => "the element-wise minimum of the messages",
    };
}
