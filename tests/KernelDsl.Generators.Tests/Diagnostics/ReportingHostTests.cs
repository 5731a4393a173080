using System.Collections.Immutable;
using KernelDsl.Generators.Diagnostics;
using KernelDsl.Generators.Tests.Support;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Xunit;

namespace KernelDsl.Generators.Tests.Diagnostics;

/// <summary>
/// Each rule reaches the user from one reporter at a time (<see cref="ReportingHost"/>): in the command-line compiler
/// the generator reports it — analyzer diagnostics are dropped there as soon as any C# error exists — and the analyzer
/// stays silent; in an IDE the analyzer reports it live and the generator stays silent. Same id, same span, once.
/// The real command-line build is checked by the packaging test, the real language server by LanguageServerTests.
/// </summary>
public sealed class ReportingHostTests
{
    public static IEnumerable<object[]> Cases => DiagnosticTests.Cases;

    private static (ImmutableArray<Diagnostic> Generator, ImmutableArray<Diagnostic> Analyzer) Report(string source, bool commandLine)
    {
        using var _ = ReportingHost.Simulate(commandLine);
        var compilation = GeneratorHarness.Compilation(source);
        var result = GeneratorHarness.Driver().RunGenerators(compilation).GetRunResult().Results.Single();
        var analyzed = compilation.WithAnalyzers(GeneratorHarness.Analyzers).GetAnalyzerDiagnosticsAsync().GetAwaiter().GetResult();
        return (result.Diagnostics, analyzed);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void TheCommandLineCompilerGetsEachRuleFromTheGeneratorAlone(string name)
    {
        var c = DiagnosticCases.All.Single(k => k.Case == name);
        var (source, span) = Markup.Parse(c.Bad);
        var (generator, analyzer) = Report(source, commandLine: true);
        Assert.Empty(analyzer);
        var diagnostic = Assert.Single(generator);
        Assert.Equal(c.Id, diagnostic.Id);
        Assert.Equal(span, diagnostic.Location.SourceSpan);
        Assert.Equal(GeneratorHarness.Compilation(source).SyntaxTrees.Single().FilePath, diagnostic.Location.GetLineSpan().Path);
        Assert.Empty(Report(DiagnosticCases.All.Single(k => k.Case == name).Fixed, commandLine: true).Generator);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void AnIdeGetsEachRuleFromTheAnalyzerAlone(string name)
    {
        var c = DiagnosticCases.All.Single(k => k.Case == name);
        var (source, span) = Markup.Parse(c.Bad);
        var (generator, analyzer) = Report(source, commandLine: false);
        Assert.Empty(generator);
        var diagnostic = Assert.Single(analyzer);
        Assert.Equal(c.Id, diagnostic.Id);
        Assert.Equal(span, diagnostic.Location.SourceSpan);
        Assert.True(diagnostic.Location.IsInSource, "an IDE underlines only in-source locations");
    }

    [Fact]
    public void MistakesInSeveralDeclarationsAreAllReportedByTheGenerator()
    {
        // The case: a kernel in a non-partial type (C# adds CS0751, so analyzers would be skipped), another with a
        // wrong operand type, and a third with two kernel attributes: each one's rule, once, from the generator.
        var source = Sources.Usings + """
            namespace Demo;
            public static class NotPartial
            {
                [SpMM] public static partial void A(ComputeStream s, CsrBuffer<float> a, DenseBuffer<float> x, DenseBuffer<float> y);
            }
            public static partial class K
            {
                [SpMM] public static partial void B(ComputeStream s, CsrBuffer<float> a, float[] x, DenseBuffer<float> y);
                [SpMM, SpGemm] public static partial void C(ComputeStream s, CsrBuffer<float> a, DenseBuffer<float> x, DenseBuffer<float> y);
            }
            """;
        var (generator, analyzer) = Report(source, commandLine: true);
        Assert.Empty(analyzer);
        Assert.Equal(["KDSL1002", "KDSL1004", "KDSL1008"], generator.Select(d => d.Id).Order());
        var (ide, live) = Report(source, commandLine: false);
        Assert.Empty(ide);
        Assert.Equal(generator.Select(d => (d.Id, d.Location.SourceSpan)).Order(), live.Select(d => (d.Id, d.Location.SourceSpan)).Order());
    }
}
