using KernelDsl.Generators.Diagnostics;
using KernelDsl.Generators.Parsing;
using KernelDsl.Generators.Tests.Support;
using Microsoft.CodeAnalysis;
using Xunit;

namespace KernelDsl.Generators.Tests.Diagnostics;

/// <summary>Every rule fires at the exact span of the mistake and only there; the fixed code is clean.</summary>
public sealed class DiagnosticTests
{
    public static IEnumerable<object[]> Cases => DiagnosticCases.All.Select(c => new object[] { c.Case });

    private static (string Case, string Id, string Bad, string Fixed) Get(string name) => DiagnosticCases.All.Single(c => c.Case == name);

    [Theory]
    [MemberData(nameof(Cases))]
    public void FiresAtTheMistake(string name)
    {
        var c = Get(name);
        var (source, span) = Markup.Parse(c.Bad);
        var (result, diagnostics) = GeneratorHarness.Diagnose(source);
        Assert.Null(result.Exception);
        var diagnostic = Assert.Single(diagnostics); // reported once, by the analyzer or by the generator
        Assert.Equal(c.Id, diagnostic.Id);
        Assert.Equal(span, diagnostic.Location.SourceSpan);
        Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
        // Nothing is generated but, where C# allows one, a throwing stub, so the build reports the KDSL error and not CS8795.
        Assert.All(result.GeneratedSources, g => Assert.EndsWith(".Stub.g.cs", g.HintName, StringComparison.Ordinal));
        var (_, compiled) = GeneratorHarness.Run(source);
        if (result.GeneratedSources.Length > 0) Assert.DoesNotContain(compiled, d => d.Id == "CS8795");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void FixedCodeIsCleanAndCompiles(string name)
    {
        var (result, compilation) = GeneratorHarness.Run(Get(name).Fixed);
        Assert.Empty(GeneratorHarness.Diagnose(Get(name).Fixed).Diagnostics);
        Assert.NotEmpty(result.GeneratedSources);
        var problems = compilation.Where(d => d.Severity >= DiagnosticSeverity.Warning).ToList();
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [Fact]
    public void EveryRuleHasACase()
    {
        var covered = DiagnosticCases.All.Select(c => c.Id).Append("KDSL9001").ToHashSet();
        Assert.Equal(DiagnosticDescriptors.All.Select(d => d.Id).Order(), covered.Order());
    }

    [Fact]
    public void NestedNonPartialTypesEachGetTheRule()
    {
        var source = Sources.Usings + "public class A { public class B { public static partial class K { [SpMM] public static partial void F(ComputeStream s, CsrBuffer<float> a, DenseBuffer<float> x, DenseBuffer<float> y); } } }";
        var (_, diagnostics) = GeneratorHarness.Diagnose(source);
        Assert.Equal(["A", "B"], diagnostics.Where(d => d.Id == "KDSL1002").Select(d => source.Substring(d.Location.SourceSpan.Start, d.Location.SourceSpan.Length)).Order());
    }

    [Fact]
    public void GeneratorExceptionBecomesKDSL9001AndOtherMethodsStillGenerate()
    {
        var source = Sources.Usings + """
            namespace Demo;
            public static partial class K
            {
                [SpMM] public static partial void Good(ComputeStream s, CsrBuffer<float> a, DenseBuffer<float> x, DenseBuffer<float> y);
                [SpMM] public static partial void Boom(ComputeStream s, CsrBuffer<float> a, DenseBuffer<float> x, DenseBuffer<float> y);
            }
            """;
        ParserFaults.Inject = name => name == "Boom" ? throw new InvalidOperationException("injected fault") : false;
        try
        {
            var (result, _) = GeneratorHarness.Run(source);
            var diagnostic = Assert.Single(result.Diagnostics);
            Assert.Equal("KDSL9001", diagnostic.Id);
            Assert.Contains("injected fault", diagnostic.GetMessage(), StringComparison.Ordinal);
            Assert.Equal("Boom", source.Substring(diagnostic.Location.SourceSpan.Start, diagnostic.Location.SourceSpan.Length));
            Assert.Null(result.Exception);
            Assert.Contains(result.GeneratedSources, s => s.HintName.Contains(".Good.", StringComparison.Ordinal));
            Assert.DoesNotContain(result.GeneratedSources, s => s.HintName.Contains(".Boom.", StringComparison.Ordinal));
        }
        finally
        {
            ParserFaults.Inject = null;
        }
    }

    [Fact]
    public void EveryMessageFormatsWithItsArguments()
    {
        foreach (var descriptor in DiagnosticDescriptors.All)
        {
            var message = Diagnostic.Create(descriptor, Location.None, "a1", "a2", "a3", "a4", "a5", "a6").GetMessage();
            Assert.DoesNotContain("{", message.Replace("{0}", ""), StringComparison.Ordinal);
        }
    }
}
