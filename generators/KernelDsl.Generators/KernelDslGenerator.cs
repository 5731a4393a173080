using System;
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
            string dispatch, kernel, native;
            try
            {
                dispatch = SpMMEmitter.Emit(spec);
                kernel = IlgpuSpMMEmitter.Emit(spec);
                native = spec.Form == OperandForm.Buffers ? NativeSpMMEmitter.Emit(spec) : "";
            }
            catch (Exception ex)
            {
                spc.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.GeneratorException, null, spec.DeclarationName, ex.GetType().Name + ": " + ex.Message));
                return;
            }
            string prefix = SourceFile.HintPrefix(spec);
            spc.AddSource(prefix + ".SpMM.g.cs", SourceText.From(dispatch, System.Text.Encoding.UTF8));
            spc.AddSource(prefix + ".Ilgpu.g.cs", SourceText.From(kernel, System.Text.Encoding.UTF8));
            if (native.Length > 0) spc.AddSource(prefix + ".Cpu.g.cs", SourceText.From(native, System.Text.Encoding.UTF8));
            if (spec.Backward) EmitBackward(spc, spec);
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
        spc.AddSource(StubEmitter.HintName(stub), SourceText.From(StubEmitter.Emit(stub), System.Text.Encoding.UTF8));
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
            var files = new System.Collections.Generic.List<(string Hint, string Text)>();
            try
            {
                files.Add((HeteroEmitter.HintPrefix(spec) + ".HeteroLayer.g.cs", HeteroEmitter.Emit(spec)));
                foreach (var kernel in HeteroEmitter.KernelSpecs(spec))
                {
                    string prefix = SourceFile.HintPrefix(kernel);
                    files.Add((prefix + "." + kernel.Kind + ".g.cs", CbsrDispatchEmitter.Emit(kernel)));
                    files.Add((prefix + ".Ilgpu.g.cs", IlgpuCbsrEmitter.Emit(kernel)));
                    files.Add((prefix + ".Cpu.g.cs", NativeCbsrEmitter.Emit(kernel)));
                }
            }
            catch (Exception ex)
            {
                spc.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.GeneratorException, null, spec.DeclarationName, ex.GetType().Name + ": " + ex.Message));
                return;
            }
            foreach (var (hint, text) in files) spc.AddSource(hint, SourceText.From(text, System.Text.Encoding.UTF8));
        });
    }

    /// <summary>[SpMM(Backward = true)]: the backward method and the files of its adjoint product.</summary>
    private static void EmitBackward(SourceProductionContext spc, SpMMSpec spec)
    {
        var adjoint = SpMMBackwardEmitter.AdjointSpec(spec);
        string backward, dispatch, kernel, native;
        try
        {
            backward = SpMMBackwardEmitter.Emit(spec);
            dispatch = SpMMEmitter.Emit(adjoint);
            kernel = IlgpuSpMMEmitter.Emit(adjoint);
            native = NativeSpMMEmitter.Emit(adjoint);
        }
        catch (Exception ex)
        {
            spc.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.GeneratorException, null, spec.DeclarationName, ex.GetType().Name + ": " + ex.Message));
            return;
        }
        string prefix = SourceFile.HintPrefix(spec);
        spc.AddSource(prefix + ".Backward.g.cs", SourceText.From(backward, System.Text.Encoding.UTF8));
        string adjointPrefix = SourceFile.HintPrefix(adjoint);
        spc.AddSource(adjointPrefix + ".SpMM.g.cs", SourceText.From(dispatch, System.Text.Encoding.UTF8));
        spc.AddSource(adjointPrefix + ".Ilgpu.g.cs", SourceText.From(kernel, System.Text.Encoding.UTF8));
        spc.AddSource(adjointPrefix + ".Cpu.g.cs", SourceText.From(native, System.Text.Encoding.UTF8));
    }

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
            string dispatch, kernel, native;
            try
            {
                dispatch = CbsrDispatchEmitter.Emit(spec);
                kernel = IlgpuCbsrEmitter.Emit(spec);
                native = NativeCbsrEmitter.Emit(spec);
            }
            catch (Exception ex)
            {
                spc.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.GeneratorException, null, spec.DeclarationName, ex.GetType().Name + ": " + ex.Message));
                return;
            }
            string prefix = SourceFile.HintPrefix(spec);
            spc.AddSource(prefix + "." + spec.Kind + ".g.cs", SourceText.From(dispatch, System.Text.Encoding.UTF8));
            spc.AddSource(prefix + ".Ilgpu.g.cs", SourceText.From(kernel, System.Text.Encoding.UTF8));
            spc.AddSource(prefix + ".Cpu.g.cs", SourceText.From(native, System.Text.Encoding.UTF8));
        });
    }
}
