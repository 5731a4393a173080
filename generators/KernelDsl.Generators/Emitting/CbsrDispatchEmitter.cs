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
        var o = spec.Operands;
        string stream = o.Stream;
        string checks = "global::KernelDsl.Runtime.OperandChecks";
        string weighted = spec.Adjacency == AdjacencyKind.Weighted ? "true" : "false";
        string attribute = spec.Kind.ToString();
        return SourceFile.Write(spec, "Input checks and dispatch. " + Describe(spec), w =>
        {
            string modifiers = Modifiers.OfImplementation(spec.Accessibility, spec.ExtraModifiers) + "void ";
            string signature = spec.Kind switch
            {
                CbsrKernelKind.MaxK or CbsrKernelKind.DynamicReLU => $"{dense} {o.DenseInput}, {cbsr} {o.CbsrOutput}",
                CbsrKernelKind.DynamicReLUBackward => $"{cbsr} {o.ForwardOutput}, {cbsr} {o.CbsrInput}, {dense} {o.DenseOutput}",
                CbsrKernelKind.MaxKBackward => $"{cbsr} {o.CbsrInput}, {dense} {o.DenseOutput}",
                CbsrKernelKind.SpGemm => $"{csr} {o.Adjacency}, {cbsr} {o.CbsrInput}, {dense} {o.DenseOutput}",
                _ => $"{csr} {o.Adjacency}, {dense} {o.DenseInput}, {cbsr} {o.CbsrInput}, {cbsr} {o.CbsrOutput}",
            };
            w.Line("/// <summary>");
            w.Line("/// Generated body: checks the operands (null, disposed, other backend, shapes, declared k/dim)");
            w.Line("/// before anything runs, then runs the native CPU implementation or launches the ILGPU kernel.");
            w.Line("/// </summary>");
            using (w.Block($"{modifiers}{spec.MethodName}(global::KernelDsl.Runtime.ComputeStream {stream}, {signature})"))
            {
                w.Line($"{checks}.Stream({stream}, nameof({stream}));");
                w.Line($"global::KernelDsl.Runtime.ComputeBackend backend = {stream}.Backend;");
                switch (spec.Kind)
                {
                    case CbsrKernelKind.DynamicReLUBackward:
                        w.Line($"{checks}.Cbsr({o.ForwardOutput!}, backend, nameof({o.ForwardOutput!}));");
                        w.Line($"{checks}.Cbsr({o.CbsrInput!}, backend, nameof({o.CbsrInput!}));");
                        w.Line($"{checks}.Dense({o.DenseOutput!}, backend, nameof({o.DenseOutput!}));");
                        w.Line($"{checks}.DynamicReLUBackwardShapes({o.ForwardOutput!}, {o.CbsrInput!}, {o.DenseOutput!}, nameof({o.ForwardOutput!}), nameof({o.CbsrInput!}), nameof({o.DenseOutput!}));");
                        using (w.Block($"if ({o.DenseOutput!}.Rows == 0 || {o.DenseOutput!}.Columns == 0)")) w.Line("return;");
                        Dispatch(w, helper, $"{o.ForwardOutput!}, {o.CbsrInput!}, {o.DenseOutput!}", $"{stream}.AcceleratorStream!, {o.ForwardOutput!}.View, {o.CbsrInput!}.View, {o.DenseOutput!}.View");
                        break;
                    case CbsrKernelKind.MaxK:
                    case CbsrKernelKind.DynamicReLU:
                        w.Line($"{checks}.Dense({o.DenseInput!}, backend, nameof({o.DenseInput!}));");
                        w.Line($"{checks}.Cbsr({o.CbsrOutput!}, backend, nameof({o.CbsrOutput!}));");
                        w.Line($"{checks}.MaxKShapes({o.DenseInput!}, {o.CbsrOutput!}, nameof({o.DenseInput!}), nameof({o.CbsrOutput!}));");
                        Declared(w, spec, o.CbsrOutput!, o.CbsrOutput!, attribute);
                        using (w.Block($"if ({o.DenseInput!}.Rows == 0)")) w.Line("return;");
                        Dispatch(w, helper, $"{o.DenseInput!}, {o.CbsrOutput!}", $"{stream}.AcceleratorStream!, {o.DenseInput!}.View, {o.CbsrOutput!}.View");
                        break;
                    case CbsrKernelKind.MaxKBackward:
                        w.Line($"{checks}.Cbsr({o.CbsrInput!}, backend, nameof({o.CbsrInput!}));");
                        w.Line($"{checks}.Dense({o.DenseOutput!}, backend, nameof({o.DenseOutput!}));");
                        w.Line($"{checks}.MaxKBackwardShapes({o.CbsrInput!}, {o.DenseOutput!}, nameof({o.CbsrInput!}), nameof({o.DenseOutput!}));");
                        using (w.Block($"if ({o.DenseOutput!}.Rows == 0 || {o.DenseOutput!}.Columns == 0)")) w.Line("return;");
                        Dispatch(w, helper, $"{o.CbsrInput!}, {o.DenseOutput!}", $"{stream}.AcceleratorStream!, {o.CbsrInput!}.View, {o.DenseOutput!}.View");
                        break;
                    case CbsrKernelKind.SpGemm:
                        w.Line($"{checks}.Csr({o.Adjacency!}, backend, requiresValues: {weighted}, nameof({o.Adjacency!}));");
                        w.Line($"{checks}.Cbsr({o.CbsrInput!}, backend, nameof({o.CbsrInput!}));");
                        w.Line($"{checks}.Dense({o.DenseOutput!}, backend, nameof({o.DenseOutput!}));");
                        w.Line($"{checks}.SpGemmShapes({o.Adjacency!}, {o.CbsrInput!}, {o.DenseOutput!}, nameof({o.Adjacency!}), nameof({o.CbsrInput!}), nameof({o.DenseOutput!}));");
                        Declared(w, spec, o.CbsrInput!, o.CbsrInput!, attribute);
                        using (w.Block($"if ({o.Adjacency!}.Rows == 0 || {o.DenseOutput!}.Columns == 0)")) w.Line("return;");
                        Dispatch(w, helper, $"{o.Adjacency!}, {o.CbsrInput!}, {o.DenseOutput!}",
                            $"{stream}.AcceleratorStream!, {o.Adjacency!}.View, {o.CbsrInput!}.View, {o.DenseOutput!}.View, {o.Adjacency!}.ChunkView({spec.MaxEdgesPerWarp}), {o.Adjacency!}.Chunks({spec.MaxEdgesPerWarp}).SplitRows > 0");
                        break;
                    default:
                        w.Line($"{checks}.Csr({o.Adjacency!}, backend, requiresValues: {weighted}, nameof({o.Adjacency!}));");
                        w.Line($"{checks}.Dense({o.DenseInput!}, backend, nameof({o.DenseInput!}));");
                        w.Line($"{checks}.Cbsr({o.CbsrInput!}, backend, nameof({o.CbsrInput!}));");
                        w.Line($"{checks}.Cbsr({o.CbsrOutput!}, backend, nameof({o.CbsrOutput!}));");
                        w.Line($"{checks}.SSpMMShapes({o.Adjacency!}, {o.DenseInput!}, {o.CbsrInput!}, {o.CbsrOutput!}, nameof({o.Adjacency!}), nameof({o.DenseInput!}), nameof({o.CbsrInput!}), nameof({o.CbsrOutput!}));");
                        using (w.Block($"if ({o.CbsrInput!}.Rows == 0)")) w.Line("return;");
                        if (spec.Schedule == ScheduleKind.TransposeGather)
                        {
                            w.Line($"// Evaluated as a gather over Aᵀ (built once, cached on {o.Adjacency!}).");
                            w.Line($"global::KernelDsl.CsrBuffer<{t}> transposed = {o.Adjacency!}.Transposed();");
                            Dispatch(w, helper, $"transposed, {o.DenseInput!}, {o.CbsrInput!}, {o.CbsrOutput!}",
                                $"{stream}.AcceleratorStream!, transposed.View, {o.DenseInput!}.View, {o.CbsrInput!}.View, {o.CbsrOutput!}.View");
                        }
                        else
                        {
                            Dispatch(w, helper, $"{o.Adjacency!}, {o.DenseInput!}, {o.CbsrInput!}, {o.CbsrOutput!}",
                                $"{stream}.AcceleratorStream!, {o.Adjacency!}.View, {o.DenseInput!}.View, {o.CbsrInput!}.View, {o.CbsrOutput!}.View, {o.Adjacency!}.ChunkView({spec.MaxEdgesPerWarp})");
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
