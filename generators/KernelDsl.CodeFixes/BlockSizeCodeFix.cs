using System;
using System.Collections.Immutable;
using System.Composition;
using System.Globalization;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace KernelDsl.CodeFixes;

/// <summary>
/// KDSL3004 on <c>BlockSize</c>: rounds the literal up to the next multiple of the warp size 32 (at least 32, at most
/// 1024), keeping at least the threads asked for. Other KDSL3004 cases (warps per block, edges per warp, a parameter on
/// another schedule) need a decision, so they get no fix.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(BlockSizeCodeFix)), Shared]
public sealed class BlockSizeCodeFix : KernelDslCodeFix
{
    public const string InvalidScheduleParameter = "KDSL3004";
    private const int WarpSize = 32;

    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(InvalidScheduleParameter);

    protected override void Register(CodeFixContext context, SyntaxNode root, Diagnostic diagnostic)
    {
        if (root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true) is not LiteralExpressionSyntax literal
            || literal.Parent is not AttributeArgumentSyntax { NameEquals.Name.Identifier.ValueText: "BlockSize" }
            || literal.Token.Value is not int size) return;
        int rounded = Math.Min(1024, Math.Max(WarpSize, (size + WarpSize - 1) / WarpSize * WarpSize));
        if (rounded == size) return;
        var replacement = SyntaxFactory.LiteralExpression(SyntaxKind.NumericLiteralExpression, SyntaxFactory.Literal(rounded)).WithTriviaFrom(literal);
        context.RegisterCodeFix(CodeAction.Create($"Use BlockSize = {rounded.ToString(CultureInfo.InvariantCulture)} (a multiple of the warp size)",
            _ => Replace(context.Document, root, literal, replacement), InvalidScheduleParameter), diagnostic);
    }
}
