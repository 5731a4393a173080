using System.Linq;
using KernelDsl.Generators.Model;

namespace KernelDsl.Generators.Emitting;

/// <summary>Emits the checked body of a MaxK-family declaration: validate every operand, then run natively or launch.</summary>
internal static class CbsrDispatchEmitter
{
    public static string Describe(CbsrKernelSpec spec) => spec.Kind switch
    {
        CbsrKernelKind.MaxK => "MaxK: keep the k largest entries of each row as CBSR (ties: lowest column).",
        CbsrKernelKind.MaxKBackward => "MaxK backward: scatter the CBSR gradient into a dense gradient (zeros elsewhere).",
        CbsrKernelKind.DynamicReLU => "Dynamic-ReLU: ReLU restricted to each row's k largest entries, as CBSR (non-positive kept slots are 0).",
        CbsrKernelKind.DynamicReLUBackward => "Dynamic-ReLU backward: the CBSR gradient scattered into a dense gradient at the kept positive entries only.",
        CbsrKernelKind.SpGemm => $"SpGEMM Y = A · X, A CSR ({spec.Adjacency.ToString().ToLowerInvariant()}), X CBSR; schedule RowProductSharedAccumulator.",
        _ => $"SSpMM dX[j,t] = Σ_i A[i,j] · dY[i, idx[j,t]] at X's kept entries, A ({spec.Adjacency.ToString().ToLowerInvariant()}); schedule {spec.Schedule}.",
    } + $" {spec.ElementType} values, {spec.IndexType} indices.";

    public static string Emit(CbsrKernelSpec spec)
    {
        string helper = SourceFile.HelperClass(spec);
        string t = spec.ElementType, i = spec.IndexType;
        string cbsr = $"global::KernelDsl.CbsrBuffer<{t}, {i}>", dense = $"global::KernelDsl.DenseBuffer<{t}>", csr = $"global::KernelDsl.CsrBuffer<{t}>";
        var p = spec.Parameters.ToArray();
        string checks = "global::KernelDsl.Runtime.OperandChecks";
        string weighted = spec.Adjacency == AdjacencyKind.Weighted ? "true" : "false";
        string attribute = spec.Kind.ToString();
        return SourceFile.Write(spec, "Input checks and dispatch. " + Describe(spec), w =>
        {
            string modifiers = Modifiers.OfImplementation(spec.Accessibility, spec.ExtraModifiers) + "void ";
            string signature = spec.Kind switch
            {
                CbsrKernelKind.MaxK or CbsrKernelKind.DynamicReLU => $"{dense} {p[1]}, {cbsr} {p[2]}",
                CbsrKernelKind.DynamicReLUBackward => $"{cbsr} {p[1]}, {cbsr} {p[2]}, {dense} {p[3]}",
                CbsrKernelKind.MaxKBackward => $"{cbsr} {p[1]}, {dense} {p[2]}",
                CbsrKernelKind.SpGemm => $"{csr} {p[1]}, {cbsr} {p[2]}, {dense} {p[3]}",
                _ => $"{csr} {p[1]}, {dense} {p[2]}, {cbsr} {p[3]}, {cbsr} {p[4]}",
            };
            w.Line("/// <summary>");
            w.Line("/// Generated body: checks the operands (null, disposed, other backend, shapes, declared k/dim)");
            w.Line("/// before anything runs, then runs the native CPU implementation or launches the ILGPU kernel.");
            w.Line("/// </summary>");
            using (w.Block($"{modifiers}{spec.MethodName}(global::KernelDsl.Runtime.ComputeStream {p[0]}, {signature})"))
            {
                w.Line($"{checks}.Stream({p[0]}, nameof({p[0]}));");
                w.Line($"global::KernelDsl.Runtime.ComputeBackend backend = {p[0]}.Backend;");
                switch (spec.Kind)
                {
                    case CbsrKernelKind.DynamicReLUBackward:
                        w.Line($"{checks}.Cbsr({p[1]}, backend, nameof({p[1]}));");
                        w.Line($"{checks}.Cbsr({p[2]}, backend, nameof({p[2]}));");
                        w.Line($"{checks}.Dense({p[3]}, backend, nameof({p[3]}));");
                        w.Line($"{checks}.DynamicReLUBackwardShapes({p[1]}, {p[2]}, {p[3]}, nameof({p[1]}), nameof({p[2]}), nameof({p[3]}));");
                        using (w.Block($"if ({p[3]}.Rows == 0 || {p[3]}.Columns == 0)")) w.Line("return;");
                        Dispatch(w, helper, $"{p[1]}, {p[2]}, {p[3]}", $"{p[0]}.AcceleratorStream!, {p[1]}.View, {p[2]}.View, {p[3]}.View");
                        break;
                    case CbsrKernelKind.MaxK:
                    case CbsrKernelKind.DynamicReLU:
                        w.Line($"{checks}.Dense({p[1]}, backend, nameof({p[1]}));");
                        w.Line($"{checks}.Cbsr({p[2]}, backend, nameof({p[2]}));");
                        w.Line($"{checks}.MaxKShapes({p[1]}, {p[2]}, nameof({p[1]}), nameof({p[2]}));");
                        Declared(w, spec, p[2], p[2], attribute);
                        using (w.Block($"if ({p[1]}.Rows == 0)")) w.Line("return;");
                        Dispatch(w, helper, $"{p[1]}, {p[2]}", $"{p[0]}.AcceleratorStream!, {p[1]}.View, {p[2]}.View");
                        break;
                    case CbsrKernelKind.MaxKBackward:
                        w.Line($"{checks}.Cbsr({p[1]}, backend, nameof({p[1]}));");
                        w.Line($"{checks}.Dense({p[2]}, backend, nameof({p[2]}));");
                        w.Line($"{checks}.MaxKBackwardShapes({p[1]}, {p[2]}, nameof({p[1]}), nameof({p[2]}));");
                        using (w.Block($"if ({p[2]}.Rows == 0 || {p[2]}.Columns == 0)")) w.Line("return;");
                        Dispatch(w, helper, $"{p[1]}, {p[2]}", $"{p[0]}.AcceleratorStream!, {p[1]}.View, {p[2]}.View");
                        break;
                    case CbsrKernelKind.SpGemm:
                        w.Line($"{checks}.Csr({p[1]}, backend, requiresValues: {weighted}, nameof({p[1]}));");
                        w.Line($"{checks}.Cbsr({p[2]}, backend, nameof({p[2]}));");
                        w.Line($"{checks}.Dense({p[3]}, backend, nameof({p[3]}));");
                        w.Line($"{checks}.SpGemmShapes({p[1]}, {p[2]}, {p[3]}, nameof({p[1]}), nameof({p[2]}), nameof({p[3]}));");
                        Declared(w, spec, p[2], p[2], attribute);
                        using (w.Block($"if ({p[1]}.Rows == 0 || {p[3]}.Columns == 0)")) w.Line("return;");
                        Dispatch(w, helper, $"{p[1]}, {p[2]}, {p[3]}",
                            $"{p[0]}.AcceleratorStream!, {p[1]}.View, {p[2]}.View, {p[3]}.View, {p[1]}.ChunkView({spec.MaxEdgesPerWarp}), {p[1]}.Chunks({spec.MaxEdgesPerWarp}).SplitRows > 0");
                        break;
                    default:
                        w.Line($"{checks}.Csr({p[1]}, backend, requiresValues: {weighted}, nameof({p[1]}));");
                        w.Line($"{checks}.Dense({p[2]}, backend, nameof({p[2]}));");
                        w.Line($"{checks}.Cbsr({p[3]}, backend, nameof({p[3]}));");
                        w.Line($"{checks}.Cbsr({p[4]}, backend, nameof({p[4]}));");
                        w.Line($"{checks}.SSpMMShapes({p[1]}, {p[2]}, {p[3]}, {p[4]}, nameof({p[1]}), nameof({p[2]}), nameof({p[3]}), nameof({p[4]}));");
                        using (w.Block($"if ({p[3]}.Rows == 0)")) w.Line("return;");
                        if (spec.Schedule == ScheduleKind.TransposeGather)
                        {
                            w.Line($"// Evaluated as a gather over Aᵀ (built once, cached on {p[1]}).");
                            w.Line($"global::KernelDsl.CsrBuffer<{t}> transposed = {p[1]}.Transposed();");
                            Dispatch(w, helper, $"transposed, {p[2]}, {p[3]}, {p[4]}",
                                $"{p[0]}.AcceleratorStream!, transposed.View, {p[2]}.View, {p[3]}.View, {p[4]}.View");
                        }
                        else
                        {
                            Dispatch(w, helper, $"{p[1]}, {p[2]}, {p[3]}, {p[4]}",
                                $"{p[0]}.AcceleratorStream!, {p[1]}.View, {p[2]}.View, {p[3]}.View, {p[4]}.View, {p[1]}.ChunkView({spec.MaxEdgesPerWarp})");
                        }
                        break;
                }
            }
        });
    }

    private static void Declared(CodeWriter w, CbsrKernelSpec spec, string kOperand, string dimOperand, string attribute)
    {
        if (spec.DeclaredK != 0)
            w.Line($"global::KernelDsl.Runtime.OperandChecks.Declared({spec.DeclaredK}, {kOperand}.K, \"k\", \"{attribute}\", nameof({kOperand}));");
        if (spec.DeclaredDim != 0)
            w.Line($"global::KernelDsl.Runtime.OperandChecks.Declared({spec.DeclaredDim}, {dimOperand}.Dim, \"dim\", \"{attribute}\", nameof({dimOperand}));");
    }

    private static void Dispatch(CodeWriter w, string helper, string nativeArguments, string launchArguments)
    {
        using (w.Block("if (backend.Kind == global::KernelDsl.Runtime.BackendKind.NativeCpu)"))
        {
            w.Line($"{helper}.RunNative({nativeArguments}, backend.Parallelism);");
            w.Line("return;");
        }
        w.Line($"{helper}.Launch({launchArguments});");
    }
}
