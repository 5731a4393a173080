using KernelDsl.Generators.Model;

namespace KernelDsl.Generators.Emitting.Cpu;

/// <summary>
/// Emits the native CPU implementation of an [SpMM] declaration: Parallel.For over row blocks
/// balanced by nonzeros, Vector&lt;T&gt; over the feature columns with a scalar tail, the message
/// inlined, no allocation per row.
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
                Row(w, spec);
            }
        });
    }

    private static bool Weighted(SpMMSpec spec) => spec.Adjacency == AdjacencyKind.Weighted;

    private static void Run(CodeWriter w, SpMMSpec spec)
    {
        string t = spec.ElementType;
        w.Line("/// <summary>Runs on the calling thread and the thread pool; returns when the output is complete.</summary>");
        using (w.Block($"internal static void RunNative(global::KernelDsl.CsrBuffer<{t}> a, global::KernelDsl.DenseBuffer<{t}> x, global::KernelDsl.DenseBuffer<{t}> y, int parallelism)"))
        {
            w.Line($"global::KernelDsl.CsrMatrix<{t}> csr = a.HostArrays;");
            w.Line("int[] rowOffsets = csr.RowOffsets;");
            w.Line("int[] columns = csr.Columns;");
            if (Weighted(spec)) w.Line($"{t}[] values = csr.Values!;");
            w.Line($"{t}[] source = x.HostArray;");
            w.Line($"{t}[] output = y.HostArray;");
            w.Line("int dim = x.Columns;");
            w.Line("int[] blocks = a.RowBlocks(parallelism * global::KernelDsl.Native.RowPartition.BlocksPerWorker);");
            w.Line("var options = new global::System.Threading.Tasks.ParallelOptions { MaxDegreeOfParallelism = parallelism };");
            w.Line("global::System.Threading.Tasks.Parallel.For(0, blocks.Length - 1, options, block =>");
            w.Line("{");
            w.Line("    for (int row = blocks[block]; row < blocks[block + 1]; row++)");
            w.Line("    {");
            w.Line($"        NativeRow(row, rowOffsets, columns, {(Weighted(spec) ? "values, " : "")}source, output, dim);");
            w.Line("    }");
            w.Line("});");
        }
    }

    private static void Row(CodeWriter w, SpMMSpec spec)
    {
        string t = spec.ElementType;
        string vec = $"global::System.Numerics.Vector<{t}>";
        bool simd = MessageRenderer.IsVectorizable(spec);
        string one = t == "float" ? "1f" : "1d";
        w.Line("/// <summary>Output row <paramref name=\"row\"/>: y[row, :] = " + ReduceText(spec) + " over the row's edges.</summary>");
        using (w.Block($"private static void NativeRow(int row, int[] rowOffsets, int[] columns, {(Weighted(spec) ? t + "[] values, " : "")}{t}[] source, {t}[] output, int dim)"))
        {
            w.Line("int start = rowOffsets[row];");
            w.Line("int end = rowOffsets[row + 1];");
            w.Line($"ref {t} y = ref {Unsafe}.Add(ref {Marshal}.GetArrayDataReference(output), (nint)row * dim);");
            w.Line($"ref {t} xBase = ref {Marshal}.GetArrayDataReference(source);");
            bool extremum = spec.Reduce is ReduceKind.Max or ReduceKind.Min;
            if (extremum)
            {
                // The first edge initializes the row; an empty row is 0.
                using (w.Block("if (start == end)"))
                {
                    w.Line($"{Marshal}.CreateSpan(ref y, dim).Clear();");
                    w.Line("return;");
                }
            }
            else
            {
                w.Line($"{Marshal}.CreateSpan(ref y, dim).Clear();");
            }
            using (w.Block("for (int e = start; e < end; e++)"))
            {
                if (MessageRenderer.Uses(MessageRenderer.Scalar(spec, "edge", "source"), "edge"))
                    w.Line($"{t} edge = {(Weighted(spec) ? "values[e]" : one)};");
                w.Line($"ref {t} xRow = ref {Unsafe}.Add(ref xBase, (nint)columns[e] * dim);");
                w.Line("int c = 0;");
                if (simd)
                {
                    if (NeedsEdgeVector(spec)) w.Line($"var edgeV = new {vec}(edge);");
                    using (w.Block($"for (; c <= dim - {vec}.Count; c += {vec}.Count)"))
                    {
                        w.Line($"{vec} sourceV = global::System.Numerics.Vector.LoadUnsafe(ref xRow, (nuint)c);");
                        w.Line($"{vec} m = {MessageRenderer.Vector(spec, "edgeV", "sourceV")};");
                        Combine(w, spec, "m", $"global::System.Numerics.Vector.LoadUnsafe(ref y, (nuint)c)",
                            v => $"global::System.Numerics.Vector.StoreUnsafe({v}, ref y, (nuint)c);", vector: true);
                    }
                }
                using (w.Block("for (; c < dim; c++)"))
                {
                    w.Line($"{t} m = {MessageRenderer.Scalar(spec, "edge", $"{Unsafe}.Add(ref xRow, c)")};");
                    Combine(w, spec, "m", $"{Unsafe}.Add(ref y, c)", v => $"{Unsafe}.Add(ref y, c) = {v};", vector: false);
                }
            }
            if (spec.Reduce == ReduceKind.Mean)
            {
                using (w.Block("if (start == end)")) w.Line("return;");
                w.Line($"{t} scale = {one} / (end - start);");
                w.Line("int k = 0;");
                using (w.Block($"for (; k <= dim - {vec}.Count; k += {vec}.Count)"))
                    w.Line($"global::System.Numerics.Vector.StoreUnsafe(global::System.Numerics.Vector.LoadUnsafe(ref y, (nuint)k) * scale, ref y, (nuint)k);");
                using (w.Block("for (; k < dim; k++)"))
                    w.Line($"{Unsafe}.Add(ref y, k) *= scale;");
            }
        }
    }

    private static bool NeedsEdgeVector(SpMMSpec spec) =>
        MessageRenderer.Uses(MessageRenderer.Vector(spec, "edgeV", "sourceV"), "edgeV");

    /// <summary>Folds message <paramref name="m"/> into the accumulator held in y.</summary>
    private static void Combine(CodeWriter w, SpMMSpec spec, string m, string current, System.Func<string, string> store, bool vector)
    {
        string fn = spec.Reduce == ReduceKind.Max ? "Max" : "Min";
        string math = vector ? "global::System.Numerics.Vector." + fn : "global::System.Math." + fn;
        switch (spec.Reduce)
        {
            case ReduceKind.Sum:
            case ReduceKind.Mean:
                w.Line(store($"{current} + {m}"));
                break;
            default:
                w.Line(store($"e == start ? {m} : {math}({current}, {m})"));
                break;
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
