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
/// KDSL3001 / KDSL3002 at a <c>Schedule = ...</c> argument: replaces the schedule the attribute cannot use with the
/// attribute's default — <c>WarpPerRow</c> for [SpMM], <c>RowProductSharedAccumulator</c> for [SpGemm],
/// <c>OuterProduct</c> for [SSpMM]. (A CBSR operand on an [SpMM] needs a different attribute, not a schedule: no fix.)
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(ScheduleCodeFix)), Shared]
public sealed class ScheduleCodeFix : KernelDslCodeFix
{
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create("KDSL3001", "KDSL3002");

    protected override void Register(CodeFixContext context, SyntaxNode root, Diagnostic diagnostic)
    {
        var node = root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true);
        var argument = node.AncestorsAndSelf().OfType<AttributeArgumentSyntax>().FirstOrDefault();
        if (argument is not { NameEquals.Name.Identifier.ValueText: "Schedule" } || argument.Parent?.Parent is not AttributeSyntax attribute) return;
        string? schedule = AttributeName(attribute) switch
        {
            "SpMM" => "WarpPerRow",
            "SpGemm" => "RowProductSharedAccumulator",
            "SSpMM" => "OuterProduct",
            _ => null,
        };
        if (schedule is null) return;
        var replacement = SyntaxFactory.ParseExpression("Schedule." + schedule).WithTriviaFrom(argument.Expression);
        context.RegisterCodeFix(CodeAction.Create($"Use Schedule.{schedule}",
            _ => Replace(context.Document, root, argument.Expression, replacement), "KDSL-schedule-" + schedule), diagnostic);
    }

    private static string AttributeName(AttributeSyntax attribute)
    {
        string name = attribute.Name switch
        {
            QualifiedNameSyntax q => q.Right.Identifier.ValueText,
            SimpleNameSyntax s => s.Identifier.ValueText,
            _ => attribute.Name.ToString(),
        };
        return name.EndsWith("Attribute", System.StringComparison.Ordinal) ? name.Substring(0, name.Length - "Attribute".Length) : name;
    }
}
