using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using KernelDsl.Generators.Model;

namespace KernelDsl.Generators.Emitting;

/// <summary>
/// Emits a [HeteroLayer] declaration: the method body (prepare the relations, return the layer), the
/// declarations of the four kernels the layer runs (generated like any [DynamicReLU], [DynamicReLUBackward],
/// [SpGemm] and [SSpMM] declaration, see <see cref="KernelSpecs"/>), and the layer class whose forward and
/// backward run in waves of independent work, one stream per item.
/// </summary>
internal static class HeteroEmitter
{
    private const string Hetero = "global::KernelDsl.Hetero";

    /// <summary>The kernels of a layer, as MaxK-family declarations of the same type (emitted by the usual emitters).</summary>
    public static CbsrKernelSpec[] KernelSpecs(HeteroLayerSpec spec)
    {
        CbsrKernelSpec Kernel(string suffix, CbsrKernelKind kind, ScheduleKind schedule, CbsrOperands operands) =>
            new(spec.Namespace, spec.ContainingTypes, KernelName(spec, suffix), "private", kind, schedule, operands,
                "float", spec.IndexType, AdjacencyKind.Weighted, spec.K, spec.Dim, spec.MaxEdgesPerWarp);
        return new[]
        {
            Kernel("Activate", CbsrKernelKind.DynamicReLU, ScheduleKind.RowProductSharedAccumulator, new("stream", DenseInput: "x", CbsrOutput: "y")),
            Kernel("ActivateBackward", CbsrKernelKind.DynamicReLUBackward, ScheduleKind.RowProductSharedAccumulator, new("stream", ForwardOutput: "y", CbsrInput: "dy", DenseOutput: "dx")),
            Kernel("Aggregate", CbsrKernelKind.SpGemm, ScheduleKind.RowProductSharedAccumulator, new("stream", Adjacency: "a", CbsrInput: "x", DenseOutput: "y")),
            Kernel("Gradient", CbsrKernelKind.SSpMM, ScheduleKind.OuterProduct, new("stream", Adjacency: "a", DenseInput: "dy", CbsrInput: "x", CbsrOutput: "dx")),
        };
    }

    /// <summary>
    /// Name of a member the layer adds to the user's type: the method name, with the relation count when [HeteroLayer]
    /// overloads share the name (see <see cref="HeteroLayerSpec.MemberStem"/>).
    /// </summary>
    private static string KernelName(HeteroLayerSpec spec, string suffix) => spec.MemberStem + "__" + suffix;

    /// <summary>Hint-name prefix; overloads differ in their relation count.</summary>
    public static string HintPrefix(HeteroLayerSpec spec) =>
        SourceFile.HintPrefix(spec, spec.Relations.Count.ToString(CultureInfo.InvariantCulture) + "relations");

    public static string Describe(HeteroLayerSpec spec) =>
        $"Heterogeneous layer: node types {string.Join(", ", spec.NodeTypes)}; relations {string.Join(", ", spec.Relations.Select(r => $"{r.Name} ({r.Source} → {r.Destination})"))}; " +
        $"Dynamic-ReLU k = {spec.K}, dim {spec.Dim}; combine {spec.Combine}; up to {spec.Streams} streams.";

    public static string Emit(HeteroLayerSpec spec)
    {
        var relations = spec.Relations.ToArray();
        var names = new Names(spec);
        string layer = "__KernelDsl_" + spec.MemberStem + "_Layer";
        string cbsr = $"global::KernelDsl.CbsrBuffer<float, {spec.IndexType}>", dense = "global::KernelDsl.DenseBuffer<float>",
            csr = "global::KernelDsl.CsrBuffer<float>", matrix = "global::KernelDsl.CsrMatrix<float>", stream = "global::KernelDsl.Runtime.ComputeStream";
        var sources = spec.NodeTypes.Where(t => relations.Any(r => r.Source == t)).ToArray();
        var destinations = spec.NodeTypes.Where(t => relations.Any(r => r.Destination == t)).ToArray();
        int Writers(string type) => relations.Count(r => r.Destination == type);
        bool Direct(HeteroRelationSpec r) => Writers(r.Destination) == 1;
        string Scale(string destination) => spec.Combine == CombineKind.Mean && Writers(destination) > 1
            ? "1f / " + Writers(destination).ToString(CultureInfo.InvariantCulture) : "1f";
        string Quote(string s) => SourceFile.StringLiteral(s);
        string combine = spec.Combine.ToString();

        return SourceFile.Write(spec, Describe(spec), w =>
        {
            string modifiers = Modifiers.OfImplementation(spec.Accessibility, spec.ExtraModifiers);
            string parameters = string.Join(", ", new[] { $"{Hetero}.HeteroExecution {spec.ExecutionParameter}" }
                .Concat(relations.Select(r => $"{matrix} {r.Parameter}")));
            w.Line("/// <summary>");
            w.Line("/// Generated body: checks the relations against the node types, uploads them and builds their work");
            w.Line("/// lists on the execution's host worker threads, and returns the prepared layer.");
            w.Line("/// </summary>");
            using (w.Block($"{modifiers}{Hetero}.HeteroLayer {spec.MethodName}({parameters})"))
            {
                w.Line($"global::System.ArgumentNullException.ThrowIfNull({spec.ExecutionParameter}, nameof({spec.ExecutionParameter}));");
                w.Line($"return new {layer}({string.Join(", ", new[] { spec.ExecutionParameter }.Concat(relations.Select(r => r.Parameter)))});");
            }
            w.Line();
            w.Line($"// The kernels the layer runs, generated like [DynamicReLU(K = {spec.K}, Dim = {spec.Dim})], [DynamicReLUBackward],");
            w.Line($"// [SpGemm(K = {spec.K}, Dim = {spec.Dim}, MaxEdgesPerWarp = {spec.MaxEdgesPerWarp})] and [SSpMM(MaxEdgesPerWarp = {spec.MaxEdgesPerWarp})] declarations.");
            w.Line($"private static partial void {KernelName(spec, "Activate")}({stream} stream, {dense} x, {cbsr} y);");
            w.Line($"private static partial void {KernelName(spec, "ActivateBackward")}({stream} stream, {cbsr} y, {cbsr} dy, {dense} dx);");
            w.Line($"private static partial void {KernelName(spec, "Aggregate")}({stream} stream, {csr} a, {cbsr} x, {dense} y);");
            w.Line($"private static partial void {KernelName(spec, "Gradient")}({stream} stream, {csr} a, {dense} dy, {cbsr} x, {cbsr} dx);");
            w.Line();
            w.Line("/// <summary>");
            w.Line($"/// The layer {spec.MethodName} declares. Forward: Dynamic-ReLU of each source type, one SpGEMM per");
            w.Line("/// relation, the per-destination combine. Backward: one SSpMM per relation (kept entries only), the");
            w.Line("/// per-source sum and the Dynamic-ReLU backward. Items of one wave are independent and run on separate streams.");
            w.Line("/// </summary>");
            w.Line(SourceFile.GeneratedCodeAttribute);
            using (w.Block($"private sealed class {layer} : {Hetero}.HeteroLayer"))
            {
                w.Line("// Dynamic-ReLU output of each source type: CBSR, k slots per row.");
                foreach (var t in sources) w.Line($"private readonly {cbsr} {names.Activation(t)};");
                w.Line("// Gradient of each relation at the kept entries of its source's activation (same pattern).");
                foreach (var r in relations) w.Line($"private readonly {cbsr} {names.Gradient(r)};");
                var staged = relations.Where(r => !Direct(r)).ToArray();
                if (staged.Length > 0)
                {
                    w.Line("// Output of each relation whose destination several relations write (combined in the last wave).");
                    foreach (var r in staged) w.Line($"private readonly {dense} {names.Output(r)};");
                }
                w.Line();
                string ctorParameters = string.Join(", ", new[] { $"{Hetero}.HeteroExecution execution" }.Concat(relations.Select(r => $"{matrix} {r.Parameter}")));
                w.Line($"public {layer}({ctorParameters})");
                using (new Indent(w))
                {
                    w.Line($": base(execution, {Quote(spec.DeclarationName)}, new[] {{ {string.Join(", ", spec.NodeTypes.Select(Quote))} }}, k: {spec.K}, dim: {spec.Dim},");
                    w.Line($"    global::KernelDsl.HeteroCombine.{combine}, streams: {spec.Streams}, maxEdgesPerWarp: {spec.MaxEdgesPerWarp}, new (string, string, string, string, {matrix}?)[]");
                    w.Line("    {");
                    foreach (var r in relations)
                        w.Line($"        ({Quote(r.Name)}, nameof({r.Parameter}), {Quote(r.Source)}, {Quote(r.Destination)}, {r.Parameter}),");
                    w.Line("    })");
                }
                w.Line("{");
                using (new Indent(w))
                {
                    foreach (var t in sources)
                        w.Line($"{names.Activation(t)} = Backend.AllocateCbsr<float, {spec.IndexType}>(NodeCount({Quote(t)}), {spec.Dim}, {spec.K});");
                    foreach (var r in relations)
                        w.Line($"{names.Gradient(r)} = Backend.AllocateCbsr<float, {spec.IndexType}>(NodeCount({Quote(r.Source)}), {spec.Dim}, {spec.K});");
                    foreach (var r in staged)
                        w.Line($"{names.Output(r)} = Backend.AllocateDense<float>(NodeCount({Quote(r.Destination)}), {spec.Dim});");
                }
                w.Line("}");
                w.Line();

                // Forward.
                w.Line("/// <inheritdoc />");
                using (w.Block($"protected override void ForwardCore({Hetero}.HeteroFeatures x, {Hetero}.HeteroFeatures y)"))
                {
                    w.Line("// Wave 1: Dynamic-ReLU of each source type (independent).");
                    Wave(w, sources.Select(t => ($"{KernelName(spec, "Activate")}(s, x[{Quote(t)}], {names.Activation(t)})", $"{t}: x → CBSR")).ToArray());
                    w.Line("// Wave 2: one SpGEMM per relation (independent: each writes its own output).");
                    Wave(w, relations.Select((r, i) => ($"{KernelName(spec, "Aggregate")}(s, Adjacency({i}), {names.Activation(r.Source)}, {(Direct(r) ? $"y[{Quote(r.Destination)}]" : names.Output(r))})",
                        $"{r.Name}: {r.Source} → {r.Destination}{(Direct(r) ? $", the only relation into {r.Destination}" : "")}")).ToArray());
                    var combined = destinations.Where(t => Writers(t) > 1).ToArray();
                    if (combined.Length > 0)
                    {
                        w.Line($"// Wave 3: combine per destination type ({combine}).");
                        Wave(w, combined.Select(t =>
                        {
                            var into = relations.Where(r => r.Destination == t).ToArray();
                            return ($"{Hetero}.Elementwise.Combine(s, y[{Quote(t)}], {Scale(t)}, {string.Join(", ", into.Select(names.Output))})",
                                $"{t} = {(spec.Combine == CombineKind.Mean ? "mean" : "sum")} of {string.Join(", ", into.Select(r => r.Name))}");
                        }).ToArray());
                    }
                }
                w.Line();

                // Backward.
                w.Line("/// <inheritdoc />");
                using (w.Block($"protected override void BackwardCore({Hetero}.HeteroFeatures dy, {Hetero}.HeteroFeatures dx)"))
                {
                    w.Line("// Wave 1: one SSpMM per relation, its gradient at the kept entries of its source's activation (independent).");
                    Wave(w, relations.Select((r, i) => ($"{KernelName(spec, "Gradient")}(s, Adjacency({i}), dy[{Quote(r.Destination)}], {names.Activation(r.Source)}, {names.Gradient(r)})",
                        $"{r.Name}: {r.Source} → {r.Destination}")).ToArray());
                    w.Line(spec.Combine == CombineKind.Mean
                        ? "// Wave 2: per source type, its relations' gradients summed (each scaled by 1 / the relations into its destination), then the Dynamic-ReLU backward."
                        : "// Wave 2: per source type, its relations' gradients summed, then the Dynamic-ReLU backward.");
                    Wave(w, sources.Select(t =>
                    {
                        var from = relations.Where(r => r.Source == t).ToArray();
                        string first = names.Gradient(from[0]);
                        string backward = $"{KernelName(spec, "ActivateBackward")}(s, {names.Activation(t)}, {first}, dx[{Quote(t)}])";
                        if (from.Length == 1 && Scale(from[0].Destination) == "1f") return (backward, $"{t}: {from[0].Name}");
                        string parts = string.Join(", ", from.Skip(1).Select(r => $"({names.Gradient(r)}, {Scale(r.Destination)})"));
                        string sum = $"{Hetero}.Elementwise.CombineCbsr(s, {first}, {Scale(from[0].Destination)}{(parts.Length > 0 ? ", " + parts : "")})";
                        return ("{ " + sum + "; " + backward + "; }", $"{t}: {string.Join(" + ", from.Select(r => r.Name))}");
                    }).ToArray());
                }
                w.Line();
                w.Line("/// <inheritdoc />");
                using (w.Block("protected override void DisposeBuffers()"))
                {
                    foreach (var t in sources) w.Line($"{names.Activation(t)}.Dispose();");
                    foreach (var r in relations) w.Line($"{names.Gradient(r)}.Dispose();");
                    foreach (var r in staged) w.Line($"{names.Output(r)}.Dispose();");
                }
            }
        });
    }

    /// <summary>One <c>Execution.Wave(Streams, s =&gt; ..., ...)</c> call, an item per line with its comment.</summary>
    private static void Wave(CodeWriter w, (string Call, string Comment)[] items)
    {
        w.Line("Execution.Wave(Streams,");
        using (new Indent(w))
            for (int i = 0; i < items.Length; i++)
                w.Line($"s => {items[i].Call}{(i + 1 < items.Length ? "," : ");")} // {SourceFile.CommentText(items[i].Comment)}");
    }

    /// <summary>Field names: readable, valid identifiers, distinct.</summary>
    private sealed class Names
    {
        private readonly Dictionary<string, string> _map = new();
        private readonly HashSet<string> _used = new();

        public Names(HeteroLayerSpec spec)
        {
            foreach (var t in spec.NodeTypes) Add("a:" + t, "_activation_" + Identifier(t));
            foreach (var r in spec.Relations)
            {
                Add("g:" + r.Name, "_gradient_" + Identifier(r.Name));
                Add("o:" + r.Name, "_output_" + Identifier(r.Name));
            }
        }

        public string Activation(string type) => _map["a:" + type];
        public string Gradient(HeteroRelationSpec r) => _map["g:" + r.Name];
        public string Output(HeteroRelationSpec r) => _map["o:" + r.Name];

        private void Add(string key, string name)
        {
            string candidate = name;
            for (int i = 2; !_used.Add(candidate); i++) candidate = name + i.ToString(CultureInfo.InvariantCulture);
            _map[key] = candidate;
        }

        private static string Identifier(string text)
        {
            var sb = new StringBuilder();
            foreach (char c in text) sb.Append(char.IsLetterOrDigit(c) || c == '_' ? c : '_');
            return sb.ToString();
        }
    }
}
