using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace KernelDsl.Generators.Parsing;

/// <summary>
/// What a parser reads of one declaration — the same whether the generator (from its attribute pipeline) or the
/// analyzer (from a syntax node action) asks.
/// </summary>
internal readonly struct KernelDeclaration
{
    public KernelDeclaration(MethodDeclarationSyntax syntax, IMethodSymbol method, AttributeData attribute, Compilation compilation)
    {
        Syntax = syntax;
        Method = method;
        Attribute = attribute;
        Compilation = compilation;
    }

    public MethodDeclarationSyntax Syntax { get; }
    public IMethodSymbol Method { get; }
    public AttributeData Attribute { get; }
    public Compilation Compilation { get; }

    public static KernelDeclaration From(GeneratorAttributeSyntaxContext context) =>
        new((MethodDeclarationSyntax)context.TargetNode, (IMethodSymbol)context.TargetSymbol, context.Attributes[0], context.SemanticModel.Compilation);
}
