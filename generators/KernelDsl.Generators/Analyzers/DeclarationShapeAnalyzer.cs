using System.Collections.Immutable;
using System.Linq;
using KernelDsl.Generators.Diagnostics;
using KernelDsl.Generators.Parsing;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;

namespace KernelDsl.Generators.Analyzers;

/// <summary>
/// The declaration-shape rules of every kernel attribute, live in the IDE while typing: KDSL1001 (static partial
/// without a body), KDSL1002 (partial containing types), KDSL1005 (void, except [HeteroLayer]) and KDSL1006 (not
/// generic). The generator checks the same rules (<see cref="DeclarationShape.Problems"/>) only to refuse to
/// generate, so each is reported once.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class DeclarationShapeAnalyzer : DiagnosticAnalyzer
{
    private static readonly ImmutableHashSet<string> KernelAttributes = ImmutableHashSet.Create(
        KnownTypes.SpMMAttribute, KnownTypes.MaxKAttribute, KnownTypes.MaxKBackwardAttribute, KnownTypes.SpGemmAttribute,
        KnownTypes.SSpMMAttribute, KnownTypes.DynamicReLUAttribute, KnownTypes.DynamicReLUBackwardAttribute, KnownTypes.HeteroLayerAttribute);

    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(
        DiagnosticDescriptors.MethodMustBeStaticPartial, DiagnosticDescriptors.ContainingTypeMustBePartial,
        DiagnosticDescriptors.MustReturnVoid, DiagnosticDescriptors.GenericMethodNotSupported);

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
        // A partial method's implementing half (e.g. the generated body) has no attributes of its own.
        var kernel = method.GetAttributes().FirstOrDefault(a => a.AttributeClass is { } c && KernelAttributes.Contains(OperandClassifier.MetadataName(c)));
        // The declaring half of a partial method is the one whose attribute list holds the attribute.
        if (kernel?.ApplicationSyntaxReference is not { } reference || reference.SyntaxTree != syntax.SyntaxTree || !syntax.Span.Contains(reference.Span)) return;
        bool requireVoid = OperandClassifier.MetadataName(kernel!.AttributeClass!) != KnownTypes.HeteroLayerAttribute;
        foreach (var problem in DeclarationShape.Problems(syntax, method, requireVoid))
            context.ReportDiagnostic(problem.ToDiagnostic(syntax.SyntaxTree));
    }
}
