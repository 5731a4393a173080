using KernelDsl.Generators.Model;

namespace KernelDsl.Generators.Emitting;

/// <summary>
/// Emits the backward of an [SpMM(Backward = true)] declaration: <c>{Method}Backward(stream, a, dy, dx)</c>,
/// which checks its operands and runs the adjoint product — a weighted Sum over the CSR
/// <c>a.Adjoint(mean, weighted)</c> caches (Aᵀ, values scaled for Mean) — through a kernel generated from
/// <see cref="AdjointSpec"/> like any [SpMM].
/// </summary>
internal static class SpMMBackwardEmitter
{
    /// <summary>The adjoint product as an [SpMM] of its own: Sum, weighted, no message, same schedule.</summary>
    public static SpMMSpec AdjointSpec(SpMMSpec spec) => spec with
    {
        MethodName = AdjointName(spec),
        Accessibility = "private",
        StreamParameter = "stream",
        AdjacencyParameter = "a",
        InputParameter = "x",
        OutputParameter = "y",
        Reduce = ReduceKind.Sum,
        Adjacency = AdjacencyKind.Weighted,
        Message = null,
        Backward = false,
        ExtraModifiers = "",
    };

    private static string AdjointName(SpMMSpec spec) => spec.MethodName.TrimStart('@') + "__Adjoint";

    public static string BackwardName(SpMMSpec spec) => spec.MethodName.TrimStart('@') + "Backward";

    public static string Emit(SpMMSpec spec)
    {
        string t = spec.ElementType;
        string csr = $"global::KernelDsl.CsrBuffer<{t}>", dense = $"global::KernelDsl.DenseBuffer<{t}>", stream = "global::KernelDsl.Runtime.ComputeStream";
        string checks = "global::KernelDsl.Runtime.OperandChecks";
        bool mean = spec.Reduce == ReduceKind.Mean, weighted = spec.Adjacency == AdjacencyKind.Weighted;
        string what = (mean ? "dx[j,:] = Σ_i a_ij / deg(i) · dy[i,:]" : "dx[j,:] = Σ_i a_ij · dy[i,:]").Replace("a_ij", weighted ? "a_ij" : "1");
        return SourceFile.Write(spec, $"Backward of {spec.MethodName} with respect to its dense input: {what}.", w =>
        {
            string modifiers = (spec.Accessibility.Length > 0 ? spec.Accessibility + " " : "") + "static void ";
            w.Line("/// <summary>");
            // The cref names the parameter types: the forward may have overloads (other element types).
            string cref = $"{spec.MethodName}(global::KernelDsl.Runtime.ComputeStream, global::KernelDsl.CsrBuffer{{{t}}}, global::KernelDsl.DenseBuffer{{{t}}}, global::KernelDsl.DenseBuffer{{{t}}})";
            w.Line($"/// Gradient of <see cref=\"{cref}\"/> with respect to its input: {what.Replace("<", "&lt;").Replace(">", "&gt;")}");
            w.Line("/// (the adjoint CSR is built once and cached on <paramref name=\"a\"/>). Overwrites <paramref name=\"dx\"/>.");
            w.Line("/// </summary>");
            using (w.Block($"{modifiers}{BackwardName(spec)}({stream} stream, {csr} a, {dense} dy, {dense} dx)"))
            {
                w.Line($"{checks}.Stream(stream, nameof(stream));");
                w.Line("global::KernelDsl.Runtime.ComputeBackend backend = stream.Backend;");
                w.Line($"{checks}.Csr(a, backend, requiresValues: {(weighted ? "true" : "false")}, nameof(a));");
                w.Line($"{checks}.Dense(dy, backend, nameof(dy));");
                w.Line($"{checks}.Dense(dx, backend, nameof(dx));");
                w.Line($"{checks}.BackwardShapes(a, dy, dx, nameof(a), nameof(dy), nameof(dx));");
                w.Line($"{AdjointName(spec)}(stream, a.Adjoint(mean: {(mean ? "true" : "false")}, weighted: {(weighted ? "true" : "false")}), dy, dx);");
            }
            w.Line();
            w.Line("/// <summary>The adjoint product: a weighted Sum over <c>a.Adjoint(...)</c>, generated like any [SpMM].</summary>");
            w.Line($"private static partial void {AdjointName(spec)}({stream} stream, {csr} a, {dense} x, {dense} y);");
        });
    }
}
