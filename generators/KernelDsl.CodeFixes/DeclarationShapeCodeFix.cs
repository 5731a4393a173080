using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace KernelDsl.CodeFixes;

/// <summary>
/// Mechanical fixes of the declaration-shape rules: KDSL1001 makes the method <c>static partial</c> and drops its
/// body (the generator writes it); KDSL1002 adds <c>partial</c> to the containing type.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(DeclarationShapeCodeFix)), Shared]
public sealed class DeclarationShapeCodeFix : KernelDslCodeFix
{
    public const string MethodMustBeStaticPartial = "KDSL1001";
    public const string ContainingTypeMustBePartial = "KDSL1002";

    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(MethodMustBeStaticPartial, ContainingTypeMustBePartial);

    protected override void Register(CodeFixContext context, SyntaxNode root, Diagnostic diagnostic)
    {
        var token = root.FindToken(diagnostic.Location.SourceSpan.Start);
        if (diagnostic.Id == MethodMustBeStaticPartial && token.Parent is MethodDeclarationSyntax method)
            context.RegisterCodeFix(CodeAction.Create("Make the kernel declaration 'static partial' without a body",
                _ => Replace(context.Document, root, method, StaticPartial(method)), MethodMustBeStaticPartial), diagnostic);
        else if (diagnostic.Id == ContainingTypeMustBePartial && token.Parent is TypeDeclarationSyntax type)
            context.RegisterCodeFix(CodeAction.Create($"Make '{type.Identifier.ValueText}' partial",
                _ => Replace(context.Document, root, type, AddModifier(type, SyntaxKind.PartialKeyword)), ContainingTypeMustBePartial), diagnostic);
    }

    /// <summary>Adds <c>static</c> and <c>partial</c> where missing (in C# order: ... static partial) and replaces a body with <c>;</c>.</summary>
    private static MethodDeclarationSyntax StaticPartial(MethodDeclarationSyntax method)
    {
        var modifiers = method.Modifiers;
        if (!modifiers.Any(SyntaxKind.StaticKeyword))
        {
            int at = modifiers.IndexOf(SyntaxKind.PartialKeyword);
            var keyword = SyntaxFactory.Token(SyntaxKind.StaticKeyword).WithTrailingTrivia(SyntaxFactory.Space);
            modifiers = at >= 0 ? modifiers.Insert(at, keyword) : modifiers.Add(keyword);
        }
        if (!modifiers.Any(SyntaxKind.PartialKeyword))
            modifiers = modifiers.Add(SyntaxFactory.Token(SyntaxKind.PartialKeyword).WithTrailingTrivia(SyntaxFactory.Space));
        var fixedMethod = WithModifiers(method, modifiers);
        if (fixedMethod.Body is not null || fixedMethod.ExpressionBody is not null)
        {
            var end = fixedMethod.Body?.GetTrailingTrivia() ?? fixedMethod.SemicolonToken.TrailingTrivia;
            fixedMethod = fixedMethod.WithBody(null).WithExpressionBody(null)
                .WithParameterList(fixedMethod.ParameterList.WithTrailingTrivia())
                .WithSemicolonToken(SyntaxFactory.Token(SyntaxKind.SemicolonToken).WithTrailingTrivia(end));
        }
        return fixedMethod;
    }

    private static MethodDeclarationSyntax WithModifiers(MethodDeclarationSyntax method, SyntaxTokenList modifiers)
    {
        if (method.Modifiers.Count > 0) return method.WithModifiers(modifiers);
        // No modifiers before: the return type carries the leading trivia (indentation); move it to the first modifier.
        var leading = method.ReturnType.GetLeadingTrivia();
        return method.WithReturnType(method.ReturnType.WithLeadingTrivia())
            .WithModifiers(modifiers.Replace(modifiers[0], modifiers[0].WithLeadingTrivia(leading)));
    }

    private static TypeDeclarationSyntax AddModifier(TypeDeclarationSyntax type, SyntaxKind kind)
    {
        var keyword = SyntaxFactory.Token(kind).WithTrailingTrivia(SyntaxFactory.Space);
        if (type.Modifiers.Count == 0)
            return type.WithKeyword(type.Keyword.WithLeadingTrivia()).WithModifiers(SyntaxFactory.TokenList(keyword.WithLeadingTrivia(type.Keyword.LeadingTrivia)));
        // 'partial' goes last, right before the type keyword (public static partial class).
        return type.WithModifiers(type.Modifiers.Add(keyword));
    }
}
