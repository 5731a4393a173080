using System.Collections.Generic;
using System.Linq;
using KernelDsl.Generators.Diagnostics;
using KernelDsl.Generators.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace KernelDsl.Generators.Parsing;

/// <summary>
/// The declaration-shape rules every kernel attribute shares (KDSL1001, 1002, 1005, 1006, 1007, 1008) and where the
/// method lives.
/// </summary>
internal static class DeclarationShape
{
    /// <summary>
    /// The shape rules (KDSL1001 static partial without a body, KDSL1002 partial containing types, KDSL1005 void
    /// return when <paramref name="requireVoid"/>, KDSL1006 not generic, KDSL1007 a file-local type, __arglist or a
    /// reserved member name, KDSL1008 one kernel attribute), reported with the parser's findings by
    /// <see cref="Families.KernelFamily.Rules"/>; the parsers only use them to refuse to generate.
    /// </summary>
    public static List<DiagnosticInfo> Problems(MethodDeclarationSyntax syntax, IMethodSymbol method, bool requireVoid)
    {
        var problems = new List<DiagnosticInfo>();
        string name = syntax.Identifier.ValueText;
        bool isStatic = syntax.Modifiers.Any(SyntaxKind.StaticKeyword);
        bool isPartial = syntax.Modifiers.Any(SyntaxKind.PartialKeyword);
        // 'extern' makes the declaration an implementation of its own: nothing is left to generate.
        bool hasBody = syntax.Body is not null || syntax.ExpressionBody is not null || syntax.Modifiers.Any(SyntaxKind.ExternKeyword);
        string accessibility = Accessibility(syntax);
        if (!isStatic || !isPartial || hasBody)
            problems.Add(DiagnosticInfo.Create(DiagnosticDescriptors.MethodMustBeStaticPartial, LocationInfo.From(syntax.Identifier), name,
                accessibility.Length > 0 ? accessibility : "public"));
        foreach (var type in syntax.Ancestors().OfType<TypeDeclarationSyntax>())
        {
            if (!type.Modifiers.Any(SyntaxKind.PartialKeyword))
                problems.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ContainingTypeMustBePartial, LocationInfo.From(type.Identifier),
                    type.Identifier.ValueText, name));
        }
        for (var type = method.ContainingType; type is not null; type = type.ContainingType)
            if (FileModifier(type) is { } file)
            {
                problems.Add(DiagnosticInfo.Create(DiagnosticDescriptors.CannotImplementHere, LocationInfo.From(file), name,
                    $"its containing type '{type.Name}' is file-local, and the generated half of a partial type lives in another file; declare '{type.Name}' internal instead of 'file'"));
                break;
            }
        if (requireVoid && !method.ReturnsVoid)
            problems.Add(DiagnosticInfo.Create(DiagnosticDescriptors.MustReturnVoid, LocationInfo.From(syntax.ReturnType), name,
                method.ReturnType.ToDisplayString()));
        if (syntax.TypeParameterList is not null)
            problems.Add(DiagnosticInfo.Create(DiagnosticDescriptors.GenericMethodNotSupported, LocationInfo.From(syntax.TypeParameterList), name));
        var arglist = syntax.ParameterList.Parameters.FirstOrDefault(p => p.Identifier.IsKind(SyntaxKind.ArgListKeyword));
        if (method.IsVararg || arglist is not null)
            problems.Add(DiagnosticInfo.Create(DiagnosticDescriptors.CannotImplementHere, LocationInfo.From((SyntaxNode?)arglist ?? syntax.ParameterList), name,
                "__arglist is not an operand; remove it"));
        var kernelAttributes = KernelAttributes(method).ToList();
        if (kernelAttributes.Count > 1)
            problems.Add(DiagnosticInfo.Create(DiagnosticDescriptors.SeveralKernelAttributes,
                LocationInfo.From(kernelAttributes[1].ApplicationSyntaxReference?.GetSyntax()), name,
                ShortName(kernelAttributes[0]), ShortName(kernelAttributes[1])));
        foreach (var member in method.ContainingType.GetMembers())
            if (member.Name.StartsWith(ReservedPrefix, System.StringComparison.Ordinal) && DeclaredByUser(member))
            {
                problems.Add(DiagnosticInfo.Create(DiagnosticDescriptors.CannotImplementHere, LocationInfo.From(syntax.Identifier), name,
                    $"names beginning with '{ReservedPrefix}' are reserved for the code KernelDsl generates in '{method.ContainingType.Name}'; rename '{member.Name}'"));
                break;
            }
        return problems;
    }

    /// <summary>
    /// A nullable-annotated operand ('DenseBuffer&lt;float&gt;?'): the generated body refuses null at run time, and its
    /// signature could not match the declaration's annotations, so the annotation is refused (KDSL1004).
    /// </summary>
    public static bool IsNullableAnnotated(IParameterSymbol parameter) =>
        parameter.Type.NullableAnnotation == NullableAnnotation.Annotated && parameter.Type.IsReferenceType;

    public const string NullableOperandFix = "operands are never null (a null operand throws ArgumentNullException when the kernel is called); remove the '?'";

    /// <summary>
    /// True for the second (and later) of methods with one name and one parameter list in a type: C# reports that
    /// (CS0111 or CS0756) and KernelDsl generates, and writes a stub, for the first only, so no two outputs collide.
    /// </summary>
    public static bool IsRepeatedDeclaration(IMethodSymbol method)
    {
        var here = method.Locations.FirstOrDefault();
        foreach (var other in method.ContainingType.GetMembers(method.Name).OfType<IMethodSymbol>())
        {
            if (SymbolEqualityComparer.Default.Equals(other, method) || other.Parameters.Length != method.Parameters.Length) continue;
            bool same = true;
            for (int i = 0; i < other.Parameters.Length && same; i++)
                same = SymbolEqualityComparer.Default.Equals(other.Parameters[i].Type, method.Parameters[i].Type);
            if (!same || other.Locations.FirstOrDefault() is not { } there || here is null) continue;
            int order = string.CompareOrdinal(there.SourceTree?.FilePath, here.SourceTree?.FilePath);
            if (order < 0 || (order == 0 && there.SourceSpan.Start < here.SourceSpan.Start)) return true;
        }
        return false;
    }

    /// <summary>The 'file' modifier of a file-local type, on whichever of its partial declarations carries it; else null.</summary>
    public static SyntaxToken? FileModifier(INamedTypeSymbol type)
    {
        foreach (var reference in type.DeclaringSyntaxReferences)
            if (reference.GetSyntax() is TypeDeclarationSyntax declaration)
                foreach (var modifier in declaration.Modifiers)
                    if (modifier.IsKind(SyntaxKind.FileKeyword)) return modifier;
        return null;
    }

    /// <summary>Prefix of the members KernelDsl generates into a user's type.</summary>
    public const string ReservedPrefix = "__KernelDsl_";

    /// <summary>The kernel attributes on a method, in source order.</summary>
    public static IEnumerable<AttributeData> KernelAttributes(IMethodSymbol method) =>
        method.GetAttributes().Where(a => a.AttributeClass is { } c && KnownTypes.KernelAttributes.Contains(OperandClassifier.MetadataName(c)))
            .OrderBy(a => a.ApplicationSyntaxReference?.Span.Start ?? 0);

    private static string ShortName(AttributeData attribute) =>
        attribute.AttributeClass!.Name.EndsWith("Attribute", System.StringComparison.Ordinal)
            ? attribute.AttributeClass.Name.Substring(0, attribute.AttributeClass.Name.Length - "Attribute".Length) : attribute.AttributeClass.Name;

    /// <summary>True when a member comes from the user's source (the analyzer also sees what KernelDsl generated).</summary>
    public static bool DeclaredByUser(ISymbol member) =>
        member.DeclaringSyntaxReferences.Length == 0
        || member.DeclaringSyntaxReferences.Any(r => !r.SyntaxTree.FilePath.Contains(GeneratedPathMarker));

    /// <summary>Generated trees sit under a folder named after the generator type.</summary>
    private const string GeneratedPathMarker = "KernelDsl.Generators.KernelDslGenerator";

    /// <summary>
    /// Null when <paramref name="name"/> is free for a member KernelDsl adds to the method's type; else what holds it —
    /// a member of the type from the user's source, or an inherited one (the generated member would hide it).
    /// </summary>
    public static string? NameTaken(IMethodSymbol method, string name)
    {
        foreach (var member in method.ContainingType.GetMembers(name))
            if (DeclaredByUser(member)) return $"'{member.ToDisplayString()}'";
        for (var type = method.ContainingType.BaseType; type is not null; type = type.BaseType)
            foreach (var member in type.GetMembers(name))
                if (member.DeclaredAccessibility != Microsoft.CodeAnalysis.Accessibility.Private) return $"the inherited '{member.ToDisplayString()}'";
        return null;
    }

    /// <summary>The accessibility modifiers as written.</summary>
    public static string Accessibility(MethodDeclarationSyntax syntax) => string.Join(" ", syntax.Modifiers
        .Where(m => m.IsKind(SyntaxKind.PublicKeyword) || m.IsKind(SyntaxKind.InternalKeyword) || m.IsKind(SyntaxKind.PrivateKeyword) || m.IsKind(SyntaxKind.ProtectedKeyword))
        .Select(m => m.Text));

    /// <summary>
    /// The modifiers that are neither accessibility nor 'static'/'partial' (e.g. 'unsafe', 'new'), as written: the
    /// implementing half the generator writes must repeat them.
    /// </summary>
    public static string ExtraModifiers(MethodDeclarationSyntax syntax) => string.Join(" ", syntax.Modifiers
        .Where(m => !(m.IsKind(SyntaxKind.PublicKeyword) || m.IsKind(SyntaxKind.InternalKeyword) || m.IsKind(SyntaxKind.PrivateKeyword)
            || m.IsKind(SyntaxKind.ProtectedKeyword) || m.IsKind(SyntaxKind.StaticKeyword) || m.IsKind(SyntaxKind.PartialKeyword)))
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
            ParserFaults.Inject?.Invoke(syntax.Identifier.ValueText);
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
        var ns = method.ContainingType.ContainingNamespace is { IsGlobalNamespace: false } n ? n.ToDisplayString(NamespaceFormat) : "";
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
        type.TypeParameters.Length == 0 ? Identifier(type.Name) : Identifier(type.Name) + "<" + string.Join(", ", type.TypeParameters.Select(t => Identifier(t.Name))) + ">";

    /// <summary>An identifier as C# source: '@' before a keyword or contextual keyword (a type may be named @event).</summary>
    public static string Identifier(string name) =>
        SyntaxFacts.GetKeywordKind(name) != SyntaxKind.None || SyntaxFacts.GetContextualKeywordKind(name) != SyntaxKind.None ? "@" + name : name;

    private static readonly SymbolDisplayFormat NamespaceFormat = SymbolDisplayFormat.CSharpErrorMessageFormat
        .AddMiscellaneousOptions(SymbolDisplayMiscellaneousOptions.EscapeKeywordIdentifiers);
}
