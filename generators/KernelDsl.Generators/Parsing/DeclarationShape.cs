using System.Collections.Generic;
using System.Linq;
using KernelDsl.Generators.Diagnostics;
using KernelDsl.Generators.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace KernelDsl.Generators.Parsing;

/// <summary>The declaration-shape rules every kernel attribute shares (KDSL1001, 1002, 1005, 1006) and where the method lives.</summary>
internal static class DeclarationShape
{
    /// <summary>
    /// The shape rules (KDSL1001 static partial without a body, KDSL1002 partial containing types, KDSL1005 void
    /// return when <paramref name="requireVoid"/>, KDSL1006 not generic). <see cref="Analyzers.KernelDeclarationAnalyzer"/>
    /// reports them live in the IDE; the parsers only use them to refuse to generate, so no rule is reported twice.
    /// </summary>
    public static List<DiagnosticInfo> Problems(MethodDeclarationSyntax syntax, IMethodSymbol method, bool requireVoid)
    {
        var problems = new List<DiagnosticInfo>();
        string name = syntax.Identifier.ValueText;
        bool isStatic = syntax.Modifiers.Any(SyntaxKind.StaticKeyword);
        bool isPartial = syntax.Modifiers.Any(SyntaxKind.PartialKeyword);
        bool hasBody = syntax.Body is not null || syntax.ExpressionBody is not null;
        string accessibility = Accessibility(syntax);
        if (!isStatic || !isPartial || hasBody)
            problems.Add(DiagnosticInfo.Create(DiagnosticDescriptors.MethodMustBeStaticPartial, LocationInfo.From(syntax.Identifier), name,
                accessibility.Length > 0 ? accessibility : "public"));
        foreach (var type in syntax.Ancestors().OfType<TypeDeclarationSyntax>())
            if (!type.Modifiers.Any(SyntaxKind.PartialKeyword))
                problems.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ContainingTypeMustBePartial, LocationInfo.From(type.Identifier),
                    type.Identifier.ValueText, name));
        if (requireVoid && !method.ReturnsVoid)
            problems.Add(DiagnosticInfo.Create(DiagnosticDescriptors.MustReturnVoid, LocationInfo.From(syntax.ReturnType), name,
                method.ReturnType.ToDisplayString()));
        if (syntax.TypeParameterList is not null)
            problems.Add(DiagnosticInfo.Create(DiagnosticDescriptors.GenericMethodNotSupported, LocationInfo.From(syntax.TypeParameterList), name));
        return problems;
    }

    /// <summary>The accessibility modifiers as written.</summary>
    public static string Accessibility(MethodDeclarationSyntax syntax) => string.Join(" ", syntax.Modifiers
        .Where(m => m.IsKind(SyntaxKind.PublicKeyword) || m.IsKind(SyntaxKind.InternalKeyword) || m.IsKind(SyntaxKind.PrivateKeyword) || m.IsKind(SyntaxKind.ProtectedKeyword))
        .Select(m => m.Text));

    /// <summary>
    /// For the parsers: true when the declaration has a shape problem (the analyzer reports it; nothing is generated).
    /// Returns the accessibility modifiers as written.
    /// </summary>
    public static string Check(MethodDeclarationSyntax syntax, IMethodSymbol method, out bool malformed, bool requireVoid = true)
    {
        malformed = Problems(syntax, method, requireVoid).Count > 0;
        return Accessibility(syntax);
    }

    /// <summary>
    /// Runs a parser so that a bug of ours becomes KDSL9001 on this method (nothing generated for it) instead
    /// of an exception that would stop the generator for the whole compilation.
    /// </summary>
    public static TResult Guarded<TResult>(MethodDeclarationSyntax syntax, System.Func<TResult> parse, System.Func<EquatableArray<DiagnosticInfo>, TResult> failed)
    {
        try
        {
            SpMMParser.FaultInjection?.Invoke(syntax.Identifier.ValueText);
            return parse();
        }
        catch (System.Exception ex) when (ex is not System.OperationCanceledException)
        {
            var info = DiagnosticInfo.Create(DiagnosticDescriptors.GeneratorException, LocationInfo.From(syntax.Identifier),
                syntax.Identifier.ValueText, ex.GetType().Name + ": " + ex.Message);
            return failed(new EquatableArray<DiagnosticInfo>(new[] { info }));
        }
    }

    /// <summary>The namespace and the chain of containing types, outermost first.</summary>
    public static (string Namespace, EquatableArray<ContainingType> Types) Location(IMethodSymbol method)
    {
        var containing = new List<ContainingType>();
        for (var type = method.ContainingType; type is not null; type = type.ContainingType)
            containing.Insert(0, new ContainingType(TypeKeyword(type), NameWithTypeParameters(type), type.IsStatic));
        var ns = method.ContainingType.ContainingNamespace is { IsGlobalNamespace: false } n ? n.ToDisplayString() : "";
        return (ns, new EquatableArray<ContainingType>(containing));
    }

    private static string TypeKeyword(INamedTypeSymbol type) => type switch
    {
        { IsRecord: true, TypeKind: TypeKind.Struct } => "record struct",
        { IsRecord: true } => "record",
        { TypeKind: TypeKind.Struct } => "struct",
        { TypeKind: TypeKind.Interface } => "interface",
        _ => "class",
    };

    private static string NameWithTypeParameters(INamedTypeSymbol type) =>
        type.TypeParameters.Length == 0 ? type.Name : type.Name + "<" + string.Join(", ", type.TypeParameters.Select(t => t.Name)) + ">";
}
