using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using KernelDsl.Generators.Emitting;
using KernelDsl.Generators.Emitting.Cpu;
using KernelDsl.Generators.Emitting.Ilgpu;
using KernelDsl.Generators.Model;
using KernelDsl.Generators.Parsing;

namespace KernelDsl.Generators.Families;

/// <summary>
/// The registry: one line per kernel family (attribute, parser, files). A new family is a parser, a spec, its emitters
/// and one line here; the generator and the analyzer pick it up from <see cref="All"/>.
/// </summary>
internal static class KernelFamilies
{
    public static readonly KernelFamily SpMM = new KernelFamily<SpMMSpec>("SpMM", KnownTypes.SpMMAttribute, returnsVoid: true, SpMMParser.Parse, SpMMFiles);
    public static readonly KernelFamily HeteroLayer = new KernelFamily<HeteroLayerSpec>("HeteroLayer", KnownTypes.HeteroLayerAttribute, returnsVoid: false, HeteroParser.Parse, HeteroFiles);
    public static readonly KernelFamily MaxK = Cbsr(KnownTypes.MaxKAttribute, CbsrKernelKind.MaxK);
    public static readonly KernelFamily MaxKBackward = Cbsr(KnownTypes.MaxKBackwardAttribute, CbsrKernelKind.MaxKBackward);
    public static readonly KernelFamily SpGemm = Cbsr(KnownTypes.SpGemmAttribute, CbsrKernelKind.SpGemm);
    public static readonly KernelFamily SSpMM = Cbsr(KnownTypes.SSpMMAttribute, CbsrKernelKind.SSpMM);
    public static readonly KernelFamily DynamicReLU = Cbsr(KnownTypes.DynamicReLUAttribute, CbsrKernelKind.DynamicReLU);
    public static readonly KernelFamily DynamicReLUBackward = Cbsr(KnownTypes.DynamicReLUBackwardAttribute, CbsrKernelKind.DynamicReLUBackward);

    /// <summary>Every family, in the order the generator registers them.</summary>
    public static readonly ImmutableArray<KernelFamily> All = ImmutableArray.Create(SpMM, HeteroLayer, MaxK, MaxKBackward, SpGemm, SSpMM, DynamicReLU, DynamicReLUBackward);

    private static readonly ImmutableDictionary<string, KernelFamily> ByAttributeName = All.ToImmutableDictionary(f => f.Attribute);

    /// <summary>The family the attribute with metadata name <paramref name="attribute"/> declares, or null when it declares none.</summary>
    public static KernelFamily? ByAttribute(string attribute) => ByAttributeName.TryGetValue(attribute, out var family) ? family : null;

    private static KernelFamily Cbsr(string attribute, CbsrKernelKind kind) =>
        new KernelFamily<CbsrKernelSpec>(kind.ToString(), attribute, returnsVoid: true, (declaration, ct) => CbsrParser.Parse(declaration, kind, ct), CbsrFiles);

    /// <summary>
    /// [SpMM]: the checked dispatch body, the ILGPU kernel with its launcher, for buffer declarations the native
    /// implementation, and with <c>Backward = true</c> the backward method and the files of its adjoint product.
    /// </summary>
    private static IEnumerable<(string, string)> SpMMFiles(SpMMSpec spec)
    {
        string prefix = SourceFile.HintPrefix(spec);
        yield return (prefix + ".SpMM.g.cs", SpMMEmitter.Emit(spec));
        yield return (prefix + ".Ilgpu.g.cs", IlgpuSpMMEmitter.Emit(spec));
        if (spec.Form == OperandForm.Buffers) yield return (prefix + ".Cpu.g.cs", NativeSpMMEmitter.Emit(spec));
        if (!spec.Backward) yield break;
        var adjoint = SpMMBackwardEmitter.AdjointSpec(spec);
        string adjointPrefix = SourceFile.HintPrefix(adjoint);
        yield return (prefix + ".Backward.g.cs", SpMMBackwardEmitter.Emit(spec));
        yield return (adjointPrefix + ".SpMM.g.cs", SpMMEmitter.Emit(adjoint));
        yield return (adjointPrefix + ".Ilgpu.g.cs", IlgpuSpMMEmitter.Emit(adjoint));
        yield return (adjointPrefix + ".Cpu.g.cs", NativeSpMMEmitter.Emit(adjoint));
    }

    /// <summary>A MaxK-family kernel: checked dispatch, ILGPU kernel, native implementation.</summary>
    private static IEnumerable<(string, string)> CbsrFiles(CbsrKernelSpec spec)
    {
        string prefix = SourceFile.HintPrefix(spec);
        yield return (prefix + "." + spec.Kind + ".g.cs", CbsrDispatchEmitter.Emit(spec));
        yield return (prefix + ".Ilgpu.g.cs", IlgpuCbsrEmitter.Emit(spec));
        yield return (prefix + ".Cpu.g.cs", NativeCbsrEmitter.Emit(spec));
    }

    /// <summary>[HeteroLayer]: the layer class and the files of its four kernels.</summary>
    private static IEnumerable<(string, string)> HeteroFiles(HeteroLayerSpec spec) =>
        new[] { (HeteroEmitter.HintPrefix(spec) + ".HeteroLayer.g.cs", HeteroEmitter.Emit(spec)) }
            .Concat(HeteroEmitter.KernelSpecs(spec).SelectMany(CbsrFiles));
}
