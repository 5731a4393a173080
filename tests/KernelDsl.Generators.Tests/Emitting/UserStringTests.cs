using KernelDsl.Generators.Tests.Support;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Xunit;

namespace KernelDsl.Generators.Tests.Emitting;

/// <summary>
/// Issue 11, point 4: user strings ([HeteroLayer] node types, [Relation] names) reach generated code in three contexts,
/// each escaped for its own: as string literals (the runtime must see exactly the user's string), in '//' comments
/// (no line terminator may end the comment early) and in identifiers (letters, digits and '_' only).
/// </summary>
public sealed class UserStringTests
{
    private static readonly string[] Hostile =
    [
        "ce\nll", "n\r\net", "a\u2028b", "c\u2029d", "e\u0085f", "*/ KDSL_INJECTED(); /*", "\"); KDSL_INJECTED(); //", "back\\slash", "tab\tnul\0", "ünï€ødé", "lone\uD800", "pair\uD83D\uDE00",
    ];

    private static string Literal(string s) => SymbolDisplay.FormatLiteral(s, quote: true);

    private static (GeneratorRunResult Result, IReadOnlyList<Diagnostic> Problems) Generate()
    {
        string types = string.Join(", ", Hostile.Select(Literal));
        var relations = Hostile.Select((t, i) => $"[Relation({Literal(t)}, {Literal(Hostile[(i + 1) % Hostile.Length])}, Name = {Literal(Hostile[(i + 3) % Hostile.Length] + i)})] CsrMatrix<float> r{i}");
        string source = Sources.Usings + "using KernelDsl.Hetero;\nnamespace Demo;\npublic static partial class Circuits\n{\n"
            + $"    [HeteroLayer({types}, K = 4, Dim = 16)]\n    public static partial HeteroLayer Conv(HeteroExecution e, {string.Join(", ", relations)});\n}}\n";
        var (result, diagnostics) = GeneratorHarness.Run(source);
        return (result, diagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning).ToList());
    }

    [Fact]
    public void EveryContextKeepsTheUserStringInert()
    {
        var (result, problems) = Generate();
        Assert.True(problems.Count == 0, string.Join("\n", problems));
        var layer = result.GeneratedSources.Single(s => s.HintName.EndsWith(".HeteroLayer.g.cs", StringComparison.Ordinal));
        var root = CSharpSyntaxTree.ParseText(layer.SourceText, GeneratorHarness.ParseOptions).GetRoot();

        // Literals: every node type and relation name arrives as exactly the user's string.
        var literals = root.DescendantTokens().Where(t => t.IsKind(SyntaxKind.StringLiteralToken)).Select(t => t.ValueText).ToHashSet();
        foreach (var name in Hostile) Assert.Contains(name, literals);
        for (int i = 0; i < Hostile.Length; i++) Assert.Contains(Hostile[(i + 3) % Hostile.Length] + i, literals);

        // Comments: single-line comments hold no line terminator, and no injected code follows one.
        foreach (var comment in root.DescendantTrivia().Where(t => t.IsKind(SyntaxKind.SingleLineCommentTrivia)))
            Assert.DoesNotContain(comment.ToString(), c => c is '\r' or '\n' or '\u0085' or '\u2028' or '\u2029');

        // Code: the injected call exists nowhere as code, and every identifier is plain.
        Assert.DoesNotContain(root.DescendantNodes().OfType<IdentifierNameSyntax>(), n => n.Identifier.ValueText == "KDSL_INJECTED");
        foreach (var field in root.DescendantNodes().OfType<VariableDeclaratorSyntax>())
            Assert.Matches("^[\\p{L}\\p{Nd}_]+$", field.Identifier.ValueText);
    }

    [Fact]
    public void HeaderCommentsOfEveryFileStayComments()
    {
        var (result, _) = Generate();
        foreach (var file in result.GeneratedSources)
        {
            var root = CSharpSyntaxTree.ParseText(file.SourceText, GeneratorHarness.ParseOptions).GetRoot();
            Assert.Empty(root.GetDiagnostics());
            Assert.DoesNotContain(root.DescendantNodes().OfType<IdentifierNameSyntax>(), n => n.Identifier.ValueText == "KDSL_INJECTED");
        }
    }
}
