using System.Linq;
using KernelDsl.Generators.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace KernelDsl.Generators.Parsing;

/// <summary>Builds the <see cref="StubSpec"/> of a refused declaration, when C# allows an implementing half at all.</summary>
internal static class StubFactory
{
    private static readonly SymbolDisplayFormat Format = SymbolDisplayFormat.FullyQualifiedFormat
        .AddMiscellaneousOptions(SymbolDisplayMiscellaneousOptions.IncludeNullableReferenceTypeModifier);

    /// <summary>
    /// Null when the method is not a body-less partial method inside partial, non-file-local types (then C# itself
    /// reports the problem), when it takes __arglist, or when <paramref name="attribute"/> is not the method's first
    /// kernel attribute (the first one writes the only stub).
    /// </summary>
    public static StubSpec? For(MethodDeclarationSyntax syntax, IMethodSymbol method, AttributeData attribute)
    {
        if (!syntax.Modifiers.Any(SyntaxKind.PartialKeyword) || syntax.Modifiers.Any(SyntaxKind.ExternKeyword)
            || syntax.Body is not null || syntax.ExpressionBody is not null) return null;
        if (syntax.Ancestors().OfType<TypeDeclarationSyntax>().Any(t => !t.Modifiers.Any(SyntaxKind.PartialKeyword))) return null;
        for (var type = method.ContainingType; type is not null; type = type.ContainingType)
            if (DeclarationShape.FileModifier(type) is not null) return null;
        if (method.IsVararg || syntax.ParameterList.Parameters.Any(p => p.Identifier.IsKind(SyntaxKind.ArgListKeyword))) return null;
        var first = DeclarationShape.KernelAttributes(method).FirstOrDefault();
        if (first is not null && first.ApplicationSyntaxReference?.Span != attribute.ApplicationSyntaxReference?.Span) return null;
        if (syntax.ConstraintClauses.Count > 0 || method.Parameters.Any(p => p.Type.TypeKind == TypeKind.Error) || method.ReturnType.TypeKind == TypeKind.Error) return null;
        var (ns, containing) = DeclarationShape.Location(method);
        string modifiers = string.Join(" ", syntax.Modifiers.Select(m => m.Text));
        var parameters = method.Parameters.Select(p =>
            (p.RefKind switch { RefKind.Ref => "ref ", RefKind.Out => "out ", RefKind.In => "in ", _ => "" }) + (p.IsParams ? "params " : "")
            + p.Type.ToDisplayString(Format) + " " + SyntaxFacts.GetKeywordKind(p.Name) switch { SyntaxKind.None => p.Name, _ => "@" + p.Name });
        string typeParameters = method.TypeParameters.Length == 0 ? "" : "<" + string.Join(", ", method.TypeParameters.Select(t => t.Name)) + ">";
        return new StubSpec(ns, containing, syntax.Identifier.Text, modifiers, method.ReturnType.ToDisplayString(Format), typeParameters,
            new EquatableArray<string>(parameters.ToArray()));
    }
}
