using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using KernelDsl.Generators.Diagnostics;
using KernelDsl.Generators.Model;
using KernelDsl.Generators.Parsing;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;

namespace KernelDsl.Generators.Analyzers;

/// <summary>
/// Every KernelDsl rule, live in the IDE while typing: the declaration shape (<see cref="DeclarationShape.Problems"/>)
/// and everything the parsers check — operands, attribute arguments, schedules, messages, heterogeneous layers — by
/// running the very parsers the generator runs. The generator reports only KDSL9001 (its own failure), so each rule is
/// reported once.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class KernelDeclarationAnalyzer : DiagnosticAnalyzer
{
    private static readonly ImmutableDictionary<string, CbsrKernelKind?> KernelAttributes = new Dictionary<string, CbsrKernelKind?>
    {
        [KnownTypes.SpMMAttribute] = null,
        [KnownTypes.HeteroLayerAttribute] = null,
        [KnownTypes.MaxKAttribute] = CbsrKernelKind.MaxK,
        [KnownTypes.MaxKBackwardAttribute] = CbsrKernelKind.MaxKBackward,
        [KnownTypes.SpGemmAttribute] = CbsrKernelKind.SpGemm,
        [KnownTypes.SSpMMAttribute] = CbsrKernelKind.SSpMM,
        [KnownTypes.DynamicReLUAttribute] = CbsrKernelKind.DynamicReLU,
        [KnownTypes.DynamicReLUBackwardAttribute] = CbsrKernelKind.DynamicReLUBackward,
    }.ToImmutableDictionary();

    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
        DiagnosticDescriptors.All.Where(d => d.Id != DiagnosticDescriptors.GeneratorException.Id).ToImmutableArray();

    /// <inheritdoc />
    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterSyntaxNodeAction(Analyze, SyntaxKind.MethodDeclaration);
    }

    private static void Analyze(SyntaxNodeAnalysisContext context)
    {
        var syntax = (MethodDeclarationSyntax)context.Node;
        if (syntax.AttributeLists.Count == 0) return; // the cheap test first: most methods carry no attribute
        if (context.SemanticModel.GetDeclaredSymbol(syntax, context.CancellationToken) is not IMethodSymbol method) return;
        foreach (var attribute in method.GetAttributes())
        {
            // The declaring half of a partial method is the one whose attribute list holds the attribute.
            if (attribute.AttributeClass is not { } type || attribute.ApplicationSyntaxReference is not { } reference
                || reference.SyntaxTree != syntax.SyntaxTree || !syntax.Span.Contains(reference.Span)) continue;
            string name = OperandClassifier.MetadataName(type);
            if (!KernelAttributes.TryGetValue(name, out var kind)) continue;
            var declaration = new KernelDeclaration(syntax, method, attribute, context.Compilation);
            var problems = DeclarationShape.Problems(syntax, method, requireVoid: name != KnownTypes.HeteroLayerAttribute);
            var found = name == KnownTypes.SpMMAttribute ? SpMMParser.Parse(declaration, context.CancellationToken).Diagnostics
                : name == KnownTypes.HeteroLayerAttribute ? HeteroParser.Parse(declaration, context.CancellationToken).Diagnostics
                : CbsrParser.Parse(declaration, kind!.Value, context.CancellationToken).Diagnostics;
            // With two kernel attributes the intended kernel is unknown: KDSL1008 alone, not the first attribute's rules.
            bool ambiguous = problems.Any(p => p.Id == DiagnosticDescriptors.SeveralKernelAttributes.Id);
            foreach (var problem in problems.Concat(ambiguous ? [] : found.Where(d => d.Id != DiagnosticDescriptors.GeneratorException.Id)))
                context.ReportDiagnostic(problem.ToDiagnostic(context.Compilation));
            return;
        }
    }
}
