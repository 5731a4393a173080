using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace KernelDsl.CodeFixes;

/// <summary>
/// KDSL3003: an <c>[SpGemm(Training = true)]</c> without its backward gets the matching <c>[SSpMM]</c> declaration right
/// after it — <c>{Name}Backward(stream, a, dy, x, dx)</c> with the forward's own parameter types and names.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(MissingBackwardCodeFix)), Shared]
public sealed class MissingBackwardCodeFix : KernelDslCodeFix
{
    public const string MissingBackward = "KDSL3003";

    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(MissingBackward);

    protected override void Register(CodeFixContext context, SyntaxNode root, Diagnostic diagnostic)
    {
        var method = root.FindToken(diagnostic.Location.SourceSpan.Start).Parent?.AncestorsAndSelf().OfType<MethodDeclarationSyntax>().FirstOrDefault();
        if (method is null || method.ParameterList.Parameters.Count != 4) return;
        var p = method.ParameterList.Parameters;
        if (p.Any(parameter => parameter.Type is null)) return;
        string Type(int i) => p[i].Type!.ToString();
        string Name(int i) => p[i].Identifier.Text;
        string modifiers = string.Join(" ", method.Modifiers.Select(m => m.Text));
        string name = method.Identifier.Text + "Backward";
        string text = $"[SSpMM] {modifiers} void {name}({Type(0)} {Name(0)}, {Type(1)} {Name(1)}, {Type(3)} d{Name(3)}, {Type(2)} {Name(2)}, {Type(2)} d{Name(2)});";
        if (SyntaxFactory.ParseMemberDeclaration(text) is not MethodDeclarationSyntax backward) return;
        backward = backward.WithLeadingTrivia(method.GetLeadingTrivia().Where(t => t.IsKind(SyntaxKind.WhitespaceTrivia)))
            .WithTrailingTrivia(method.GetTrailingTrivia());
        context.RegisterCodeFix(CodeAction.Create($"Declare the backward '{name}' ([SSpMM])",
            _ => System.Threading.Tasks.Task.FromResult(context.Document.WithSyntaxRoot(root.InsertNodesAfter(method, new[] { backward }))), MissingBackward), diagnostic);
    }
}
