using KernelDsl.Generators.Model;

namespace KernelDsl.Generators.Emitting;

/// <summary>Emits the body of the user's partial method: validate every input, then dispatch to the backend.</summary>
internal static class SpMMEmitter
{
    public static string Emit(SpMMSpec spec)
    {
        string helper = SourceFile.HelperClass(spec);
        string t = spec.ElementType;
        string s = spec.StreamParameter, a = spec.AdjacencyParameter, x = spec.InputParameter, y = spec.OutputParameter;
        bool weighted = spec.Adjacency == AdjacencyKind.Weighted;
        string weightedText = weighted ? "true" : "false";
        return SourceFile.Write(spec, "Input checks and dispatch. " + SourceFile.Describe(spec), w =>
        {
            string modifiers = Modifiers.OfImplementation(spec.Accessibility, spec.ExtraModifiers) + "void ";
            if (spec.Form == OperandForm.Buffers)
            {
                w.Line("/// <summary>");
                w.Line("/// Generated body: checks the operands (null, disposed, other backend, shapes, overlap) before");
                w.Line("/// anything runs, then runs the native CPU implementation or launches the ILGPU kernel on the stream.");
                w.Line("/// </summary>");
                using (w.Block($"{modifiers}{spec.MethodName}(global::KernelDsl.Runtime.ComputeStream {s}, global::KernelDsl.CsrBuffer<{t}> {a}, global::KernelDsl.DenseBuffer<{t}> {x}, global::KernelDsl.DenseBuffer<{t}> {y})"))
                {
                    w.Line($"global::KernelDsl.Runtime.OperandChecks.Stream({s}, nameof({s}));");
                    w.Line($"global::KernelDsl.Runtime.ComputeBackend backend = {s}.Backend;");
                    w.Line($"global::KernelDsl.Runtime.OperandChecks.Csr({a}, backend, requiresValues: {weightedText}, nameof({a}));");
                    w.Line($"global::KernelDsl.Runtime.OperandChecks.Dense({x}, backend, nameof({x}));");
                    w.Line($"global::KernelDsl.Runtime.OperandChecks.Dense({y}, backend, nameof({y}));");
                    w.Line($"global::KernelDsl.Runtime.OperandChecks.SpMMShapes({a}, {x}, {y}, nameof({a}), nameof({x}), nameof({y}));");
                    using (w.Block($"if ({a}.Rows == 0 || {x}.Columns == 0)")) w.Line("return;");
                    if (spec.Schedule == ScheduleKind.Auto)
                    {
                        string allowed = Ilgpu.IlgpuSpMMEmitter.AutoAllowsDegreeSorted(spec) ? "true" : "false";
                        w.Line("// Schedule.Auto: the rule is ScheduleSelector.Choose (degree statistics and feature width).");
                        using (w.Block("if (backend.Kind == global::KernelDsl.Runtime.BackendKind.NativeCpu)"))
                        {
                            w.Line("// Natively, nonzero-balanced contiguous row blocks beat the plan's heaviest-first order (locality).");
                            w.Line($"{helper}.RunNative({a}, {x}, {y}, backend.Parallelism);");
                            w.Line("return;");
                        }
                        w.Line($"global::KernelDsl.Schedule schedule = global::KernelDsl.Runtime.ScheduleSelector.Choose({a}.Statistics, {x}.Columns, backend.Accelerator!.WarpSize, degreeSortedAllowed: {allowed});");
                        using (w.Block("switch (schedule)"))
                        {
                            w.Line("case global::KernelDsl.Schedule.RowPerThread:");
                            w.Line($"    {helper}.LaunchRowPerThread({s}.AcceleratorStream!, {a}.View, {x}.View, {y}.View);");
                            w.Line("    break;");
                            if (Ilgpu.IlgpuSpMMEmitter.AutoAllowsDegreeSorted(spec))
                            {
                                w.Line("case global::KernelDsl.Schedule.DegreeSortedBlocks:");
                                w.Line("{");
                                w.Line($"    var planOptions = new global::KernelDsl.PartitionOptions({spec.WarpsPerBlock}, {spec.MaxEdgesPerWarp});");
                                w.Line($"    global::KernelDsl.DegreeSortedPartition plan = {a}.DegreeSortedPlan(planOptions);");
                                w.Line($"    {helper}.LaunchDegreeSortedBlocks({s}.AcceleratorStream!, {a}.View, {x}.View, {y}.View, {a}.PlanView(planOptions), plan.HasSplitRows || plan.HasEmptyRows);");
                                w.Line("    break;");
                                w.Line("}");
                            }
                            w.Line("default:");
                            w.Line($"    {helper}.LaunchWarpPerRow({s}.AcceleratorStream!, {a}.View, {x}.View, {y}.View);");
                            w.Line("    break;");
                        }
                        return;
                    }
                    using (w.Block("if (backend.Kind == global::KernelDsl.Runtime.BackendKind.NativeCpu)"))
                    {
                        w.Line($"{helper}.RunNative({a}, {x}, {y}, backend.Parallelism);");
                        w.Line("return;");
                    }
                    if (spec.Schedule == ScheduleKind.DegreeSortedBlocks)
                    {
                        w.Line($"var planOptions = new global::KernelDsl.PartitionOptions({spec.WarpsPerBlock}, {spec.MaxEdgesPerWarp});");
                        w.Line($"global::KernelDsl.DegreeSortedPartition plan = {a}.DegreeSortedPlan(planOptions);");
                        w.Line($"{helper}.Launch({s}.AcceleratorStream!, {a}.View, {x}.View, {y}.View, {a}.PlanView(planOptions), plan.HasSplitRows || plan.HasEmptyRows);");
                    }
                    else
                    {
                        w.Line($"{helper}.Launch({s}.AcceleratorStream!, {a}.View, {x}.View, {y}.View);");
                    }
                }
            }
            else
            {
                w.Line("/// <summary>");
                w.Line("/// Generated body: checks the views (validity, lengths, accelerator, shapes, overlap), then");
                w.Line("/// launches the ILGPU kernel on the stream (asynchronously).");
                w.Line("/// </summary>");
                using (w.Block($"{modifiers}{spec.MethodName}(global::ILGPU.Runtime.AcceleratorStream {s}, global::KernelDsl.CsrView<{t}> {a}, global::KernelDsl.DenseView<{t}> {x}, global::KernelDsl.DenseView<{t}> {y})"))
                {
                    w.Line($"global::KernelDsl.Runtime.OperandChecks.Stream({s}, nameof({s}));");
                    w.Line($"global::KernelDsl.Runtime.OperandChecks.CsrView({a}, {s}.Accelerator, requiresValues: {weightedText}, nameof({a}));");
                    w.Line($"global::KernelDsl.Runtime.OperandChecks.DenseView({x}, {s}.Accelerator, nameof({x}));");
                    w.Line($"global::KernelDsl.Runtime.OperandChecks.DenseView({y}, {s}.Accelerator, nameof({y}));");
                    w.Line($"global::KernelDsl.Runtime.OperandChecks.SpMMViewShapes({a}, {x}, {y}, nameof({a}), nameof({x}), nameof({y}));");
                    using (w.Block($"if ({a}.Rows == 0 || {x}.Columns == 0)")) w.Line("return;");
                    if (spec.Schedule == ScheduleKind.Auto)
                    {
                        w.Line("// Schedule.Auto over views: RowPerThread or WarpPerRow (no plan without a CsrBuffer).");
                        using (w.Block($"if (global::KernelDsl.Runtime.ScheduleSelector.Choose(default, {x}.Columns, {s}.Accelerator.WarpSize, degreeSortedAllowed: false) == global::KernelDsl.Schedule.RowPerThread)"))
                            w.Line($"{helper}.LaunchRowPerThread({s}, {a}, {x}, {y});");
                        using (w.Block("else"))
                            w.Line($"{helper}.LaunchWarpPerRow({s}, {a}, {x}, {y});");
                    }
                    else
                    {
                        w.Line($"{helper}.Launch({s}, {a}, {x}, {y});");
                    }
                }
            }
        });
    }
}
