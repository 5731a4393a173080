using KernelDsl.CodeFixes;
using KernelDsl.Generators.Tests.Diagnostics;
using KernelDsl.Generators.Tests.Support;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Xunit;

namespace KernelDsl.Generators.Tests.Analyzers;

/// <summary>Each mechanical fix produces the expected code, and the diagnostic is gone afterwards.</summary>
public sealed class CodeFixTests
{
    /// <summary>Applies the first fix offered for the first <paramref name="id"/> diagnostic the analyzers report.</summary>
    private static async Task<string> Fix(string source, string id)
    {
        using var workspace = new AdhocWorkspace();
        var project = workspace.AddProject("Consumer", LanguageNames.CSharp)
            .WithMetadataReferences(GeneratorHarness.References)
            .WithParseOptions(GeneratorHarness.ParseOptions)
            .WithCompilationOptions(new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        var document = project.AddDocument("Source0.cs", source);
        var compilation = (await document.Project.GetCompilationAsync())!;
        var diagnostic = (await compilation.WithAnalyzers(GeneratorHarness.Analyzers).GetAnalyzerDiagnosticsAsync()).First(d => d.Id == id);
        var actions = new List<CodeAction>();
        foreach (var provider in Providers.Where(p => p.FixableDiagnosticIds.Contains(id)))
            await provider.RegisterCodeFixesAsync(new CodeFixContext(document, diagnostic, (action, _) => actions.Add(action), CancellationToken.None));
        var operation = Assert.Single((await Assert.Single(actions).GetOperationsAsync(CancellationToken.None)).OfType<ApplyChangesOperation>());
        return (await operation.ChangedSolution.GetDocument(document.Id)!.GetTextAsync()).ToString();
    }

    private static readonly CodeFixProvider[] Providers = [new DeclarationShapeCodeFix(), new BlockSizeCodeFix(), new MissingBackwardCodeFix(), new ScheduleCodeFix()];

    /// <summary>The diagnostic cases whose fix is mechanical; each must be turned into its fixed twin exactly.</summary>
    public static IEnumerable<object[]> FixableCases =>
        new[] { "not static", "has a body", "type not partial", "block size not a warp multiple", "training without backward",
            "SpMM with the SpGemm schedule", "degree-sorted Max", "degree-sorted views", "SpGemm with a dense schedule" }.Select(c => new object[] { c });

    [Fact]
    public async Task KDSL3004CasesThatNeedADecisionGetNoFix()
    {
        var (bad, _) = Markup.Parse(DiagnosticCases.All.Single(c => c.Case == "warps per block out of range").Bad);
        using var workspace = new AdhocWorkspace();
        var document = workspace.AddProject("Consumer", LanguageNames.CSharp).WithMetadataReferences(GeneratorHarness.References)
            .WithParseOptions(GeneratorHarness.ParseOptions).AddDocument("Source0.cs", bad);
        var compilation = (await document.Project.GetCompilationAsync())!;
        var diagnostic = (await compilation.WithAnalyzers(GeneratorHarness.Analyzers).GetAnalyzerDiagnosticsAsync()).Single(d => d.Id == "KDSL3004");
        var actions = new List<CodeAction>();
        await new BlockSizeCodeFix().RegisterCodeFixesAsync(new CodeFixContext(document, diagnostic, (action, _) => actions.Add(action), CancellationToken.None));
        Assert.Empty(actions);
    }

    [Theory]
    [MemberData(nameof(FixableCases))]
    public async Task TheFixTurnsEachCaseIntoItsFixedTwin(string name)
    {
        var c = DiagnosticCases.All.Single(k => k.Case == name);
        var (bad, _) = Markup.Parse(c.Bad);
        string fixedSource = await Fix(bad, c.Id);
        Assert.Equal(c.Fixed, fixedSource);
        Assert.Empty(GeneratorHarness.Diagnose(fixedSource).Diagnostics);
    }

    [Fact]
    public async Task AMethodWithoutModifiersGetsThemInFrontOfItsReturnType()
    {
        string source = Sources.Usings + "namespace Demo;\npublic static partial class K\n{\n    [SpMM]\n    void F(ComputeStream s, CsrBuffer<float> a, DenseBuffer<float> x, DenseBuffer<float> y) => throw null!;\n}\n";
        string fixedSource = await Fix(source, "KDSL1001");
        Assert.Contains("    [SpMM]\n    static partial void F(ComputeStream s, CsrBuffer<float> a, DenseBuffer<float> x, DenseBuffer<float> y);\n}", fixedSource, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AModifierlessContainingTypeBecomesPartialWithItsIndentationKept()
    {
        string source = Sources.Usings + "namespace Demo;\npublic partial class Outer\n{\n    class Inner\n    {\n        [SpMM] public static partial void F(ComputeStream s, CsrBuffer<float> a, DenseBuffer<float> x, DenseBuffer<float> y);\n    }\n}\n";
        string fixedSource = await Fix(source, "KDSL1002");
        Assert.Contains("\n    partial class Inner\n", fixedSource, StringComparison.Ordinal);
        Assert.Empty(GeneratorHarness.Diagnose(fixedSource).Diagnostics);
    }
}
