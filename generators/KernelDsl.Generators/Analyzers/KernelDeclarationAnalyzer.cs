using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using KernelDsl.Generators.Diagnostics;
using KernelDsl.Generators.Families;
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
/// running the very parsers the generator runs (<see cref="KernelFamily.Rules"/>). It stays silent in the command-line
/// compiler, where the generator reports the same rules (<see cref="ReportingHost"/>), so each rule is reported once.
/// The declaration's family comes from the registry the generator registers (<see cref="KernelFamilies"/>).
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class KernelDeclarationAnalyzer : DiagnosticAnalyzer
{
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
        // The cheap tests first: most methods carry no attribute; in the command-line compiler the generator reports.
        if (syntax.AttributeLists.Count == 0 || ReportingHost.GeneratorReports) return;
        if (context.SemanticModel.GetDeclaredSymbol(syntax, context.CancellationToken) is not IMethodSymbol method) return;
        foreach (var attribute in method.GetAttributes())
        {
            // The declaring half of a partial method is the one whose attribute list holds the attribute.
            if (attribute.AttributeClass is not { } type || attribute.ApplicationSyntaxReference is not { } reference
                || reference.SyntaxTree != syntax.SyntaxTree || !syntax.Span.Contains(reference.Span)) continue;
            if (KernelFamilies.ByAttribute(OperandClassifier.MetadataName(type)) is not { } family) continue;
            var declaration = new KernelDeclaration(syntax, method, attribute, context.Compilation);
            foreach (var problem in family.Diagnose(declaration, context.CancellationToken))
                context.ReportDiagnostic(problem.ToDiagnostic(context.Compilation));
            return;
        }
    }
}
