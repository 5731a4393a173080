using System;
using System.Collections.Generic;
using System.Linq;
using KernelDsl.Generators.Diagnostics;
using KernelDsl.Generators.Emitting;
using KernelDsl.Generators.Emitting.Cpu;
using KernelDsl.Generators.Emitting.Ilgpu;
using KernelDsl.Generators.Model;
using KernelDsl.Generators.Parsing;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;

namespace KernelDsl.Generators;

/// <summary>
/// The KernelDsl incremental generator: [SpMM] declaration → <see cref="SpMMSpec"/> (Parsing) →
/// three files (Emitting): the checked dispatch body, the ILGPU kernel with its launcher and,
/// for buffer declarations, the native CPU implementation.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class KernelDslGenerator : IIncrementalGenerator
{
    /// <summary>Tracking name of the parse step (tests check that it stays cached).</summary>
    public const string ParseStep = "KernelDsl.SpMM.Parse";

    /// <summary>Tracking name of the MaxK-family parse steps.</summary>
    public const string CbsrParseStep = "KernelDsl.MaxK.Parse";

    /// <inheritdoc />
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var results = context.SyntaxProvider
            .ForAttributeWithMetadataName(KnownTypes.SpMMAttribute,
                static (node, _) => node is MethodDeclarationSyntax,
                static (ctx, ct) => SpMMParser.Parse(ctx, ct))
            .WithTrackingName(ParseStep);

        context.RegisterSourceOutput(results, static (spc, result) =>
        {
            ReportOwn(spc, result.Diagnostics);
            if (result.Spec is not { } spec) { EmitStub(spc, result.Stub); return; }
            AddFiles(spc, spec, () =>
            {
                string prefix = SourceFile.HintPrefix(spec);
                var files = new List<(string, string)>
                {
                    (prefix + ".SpMM.g.cs", SpMMEmitter.Emit(spec)),
                    (prefix + ".Ilgpu.g.cs", IlgpuSpMMEmitter.Emit(spec)),
                };
                if (spec.Form == OperandForm.Buffers) files.Add((prefix + ".Cpu.g.cs", NativeSpMMEmitter.Emit(spec)));
                if (spec.Backward)
                {
                    // [SpMM(Backward = true)]: the backward method and the files of its adjoint product.
                    var adjoint = SpMMBackwardEmitter.AdjointSpec(spec);
                    string adjointPrefix = SourceFile.HintPrefix(adjoint);
                    files.Add((prefix + ".Backward.g.cs", SpMMBackwardEmitter.Emit(spec)));
                    files.Add((adjointPrefix + ".SpMM.g.cs", SpMMEmitter.Emit(adjoint)));
                    files.Add((adjointPrefix + ".Ilgpu.g.cs", IlgpuSpMMEmitter.Emit(adjoint)));
                    files.Add((adjointPrefix + ".Cpu.g.cs", NativeSpMMEmitter.Emit(adjoint)));
                }
                return files;
            });
        });

        RegisterCbsr(context, KnownTypes.MaxKAttribute, CbsrKernelKind.MaxK);
        RegisterCbsr(context, KnownTypes.MaxKBackwardAttribute, CbsrKernelKind.MaxKBackward);
        RegisterCbsr(context, KnownTypes.SpGemmAttribute, CbsrKernelKind.SpGemm);
        RegisterCbsr(context, KnownTypes.SSpMMAttribute, CbsrKernelKind.SSpMM);
        RegisterCbsr(context, KnownTypes.DynamicReLUAttribute, CbsrKernelKind.DynamicReLU);
        RegisterCbsr(context, KnownTypes.DynamicReLUBackwardAttribute, CbsrKernelKind.DynamicReLUBackward);
        RegisterHetero(context);
    }

    /// <summary>
    /// Reports what only the generator can: its own failure (KDSL9001). Every other rule comes from
    /// <see cref="Analyzers.KernelDeclarationAnalyzer"/>, which runs the same parsers while the user types.
    /// </summary>
    private static void ReportOwn(SourceProductionContext spc, EquatableArray<DiagnosticInfo> diagnostics)
    {
        foreach (var diagnostic in diagnostics)
            if (diagnostic.Id == DiagnosticDescriptors.GeneratorException.Id) spc.ReportDiagnostic(diagnostic.ToDiagnostic());
    }

    /// <summary>The throwing body of a refused declaration, so that only the KDSL errors remain to fix.</summary>
    private static void EmitStub(SourceProductionContext spc, StubSpec? stub)
    {
        if (stub is null) return;
        AddFiles(spc, stub, () => new List<(string, string)> { (StubEmitter.HintName(stub), StubEmitter.Emit(stub)) });
    }

    /// <summary>Tracking name of the [HeteroLayer] parse step.</summary>
    public const string HeteroParseStep = "KernelDsl.Hetero.Parse";

    /// <summary>[HeteroLayer] → <see cref="HeteroLayerSpec"/> → the layer file and the files of its four kernels.</summary>
    private static void RegisterHetero(IncrementalGeneratorInitializationContext context)
    {
        var results = context.SyntaxProvider
            .ForAttributeWithMetadataName(KnownTypes.HeteroLayerAttribute,
                static (node, _) => node is MethodDeclarationSyntax,
                static (ctx, ct) => HeteroParser.Parse(ctx, ct))
            .WithTrackingName(HeteroParseStep);

        context.RegisterSourceOutput(results, static (spc, result) =>
        {
            ReportOwn(spc, result.Diagnostics);
            if (result.Spec is not { } spec) { EmitStub(spc, result.Stub); return; }
            AddFiles(spc, spec, () =>
            {
                var files = new List<(string, string)> { (HeteroEmitter.HintPrefix(spec) + ".HeteroLayer.g.cs", HeteroEmitter.Emit(spec)) };
                foreach (var kernel in HeteroEmitter.KernelSpecs(spec)) files.AddRange(CbsrFiles(kernel));
                return files;
            });
        });
    }

    /// <summary>The three files of a MaxK-family kernel: checked dispatch, ILGPU kernel, native implementation.</summary>
    private static IEnumerable<(string, string)> CbsrFiles(CbsrKernelSpec spec)
    {
        string prefix = SourceFile.HintPrefix(spec);
        yield return (prefix + "." + spec.Kind + ".g.cs", CbsrDispatchEmitter.Emit(spec));
        yield return (prefix + ".Ilgpu.g.cs", IlgpuCbsrEmitter.Emit(spec));
        yield return (prefix + ".Cpu.g.cs", NativeCbsrEmitter.Emit(spec));
    }

    /// <summary>
    /// Emits the files of one declaration. A failure of ours becomes KDSL9001 on this declaration instead of an exception
    /// that would drop every generated file of the compilation: in an emitter nothing of the declaration is added, in
    /// <c>AddSource</c> (hint names are unique by construction, see <see cref="SourceFile.HintPrefix(IDeclaration, string, string)"/>)
    /// the files after the failing one are not.
    /// </summary>
    private static void AddFiles(SourceProductionContext spc, IDeclaration spec, Func<List<(string Hint, string Text)>> emit)
    {
        List<(string Hint, string Text)> files;
        try
        {
            files = emit();
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            ReportFailure(spc, spec, ex);
            return;
        }
        foreach (var (hint, text) in files)
        {
            try
            {
                spc.AddSource(hint, SourceText.From(text, System.Text.Encoding.UTF8));
            }
            catch (ArgumentException ex)
            {
                ReportFailure(spc, spec, ex);
                return;
            }
        }
    }

    private static void ReportFailure(SourceProductionContext spc, IDeclaration spec, Exception ex) =>
        spc.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.GeneratorException, null, spec.DeclarationName, ex.GetType().Name + ": " + ex.Message));

    /// <summary>One MaxK-family attribute → <see cref="CbsrKernelSpec"/> → dispatch body, ILGPU kernel, native implementation.</summary>
    private static void RegisterCbsr(IncrementalGeneratorInitializationContext context, string attribute, CbsrKernelKind kind)
    {
        var results = context.SyntaxProvider
            .ForAttributeWithMetadataName(attribute,
                static (node, _) => node is MethodDeclarationSyntax,
                (ctx, ct) => CbsrParser.Parse(ctx, kind, ct))
            .WithTrackingName(CbsrParseStep);

        context.RegisterSourceOutput(results, static (spc, result) =>
        {
            ReportOwn(spc, result.Diagnostics);
            if (result.Spec is not { } spec) { EmitStub(spc, result.Stub); return; }
            AddFiles(spc, spec, () => CbsrFiles(spec).ToList());
        });
    }
}
