using System.Collections.Immutable;
using KernelDsl.Generators.Tests.Support;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;

namespace KernelDsl.Generators.Tests.Fuzz;

/// <summary>What one source file did to the generator and the analyzer, and which properties it broke.</summary>
public sealed record FuzzVerdict(string Source, IReadOnlyList<string> Failures, bool UserCodeCompiles, bool Refused, IReadOnlyList<string> Rules)
{
    public bool Passed => Failures.Count == 0;
}

/// <summary>
/// The properties every source file must keep, whatever it declares:
/// <list type="number">
/// <item>no exception escapes the generator (CS8784/CS8785) or the analyzer (AD0001), and the generator never
/// reports its own failure (KDSL9001);</item>
/// <item>where the user's code compiles by itself (every diagnostic but "partial method has no implementation"), an
/// accepted file — no KDSL error — compiles with the generated code without a new error or warning;</item>
/// <item>a refused file adds no C# error or warning of its own: only the KDSL errors remain to fix (a partial method
/// that C# gives no implementing half at all, CS8795, is allowed there);</item>
/// <item>no user string reaches code position: <see cref="DeclarationFuzzer.InjectedIdentifier"/> never appears in a
/// generated file as an identifier of its own (outside a literal or comment; a field name derived from a user string
/// keeps only letters, digits and underscores);</item>
/// <item>generation is deterministic: a second run gives the same files.</item>
/// </list>
/// </summary>
public static class FuzzOracle
{
    private const string NoImplementation = "CS8795";

    public static FuzzVerdict Check(string source, bool checkDeterminism = false)
    {
        var failures = new List<string>();
        var compilation = GeneratorHarness.Compilation(source);
        var baseline = compilation.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning && d.Id != NoImplementation).ToList();
        bool userCodeCompiles = baseline.All(d => d.Severity != DiagnosticSeverity.Error);

        var driver = GeneratorHarness.Driver().RunGeneratorsAndUpdateCompilation(compilation, out var output, out var generatorDiagnostics);
        var run = driver.GetRunResult().Results.Single();
        if (run.Exception is { } exception) failures.Add("generator threw: " + exception.GetType().Name + ": " + exception.Message);
        foreach (var d in generatorDiagnostics.Where(d => d.Id is "CS8784" or "CS8785" or "KDSL9001"))
            failures.Add("generator: " + d);

        var analyzerExceptions = new List<string>();
        var options = new CompilationWithAnalyzersOptions(new AnalyzerOptions(ImmutableArray<AdditionalText>.Empty),
            (ex, analyzer, _) => analyzerExceptions.Add(ex.GetType().Name + ": " + ex.Message), concurrentAnalysis: false, logAnalyzerExecutionTime: false);
        var analyzerDiagnostics = output.WithAnalyzers(GeneratorHarness.Analyzers, options).GetAnalyzerDiagnosticsAsync().GetAwaiter().GetResult();
        failures.AddRange(analyzerExceptions.Select(e => "analyzer threw: " + e));
        failures.AddRange(analyzerDiagnostics.Where(d => d.Id == "AD0001").Select(d => "analyzer: " + d));
        bool refused = analyzerDiagnostics.Any(d => d.Id.StartsWith("KDSL", StringComparison.Ordinal) && d.Severity == DiagnosticSeverity.Error);

        var generatedTrees = output.SyntaxTrees.Skip(compilation.SyntaxTrees.Count()).ToList();
        foreach (var tree in generatedTrees)
            foreach (var token in tree.GetRoot().DescendantTokens())
                if (token.IsKind(SyntaxKind.IdentifierToken) && token.ValueText == DeclarationFuzzer.InjectedIdentifier)
                    failures.Add($"a user string reached code position in {Path.GetFileName(tree.FilePath)}: {token.Parent}");

        if (userCodeCompiles)
        {
            var before = new HashSet<string>(baseline.Select(Key));
            foreach (var d in output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning))
            {
                if (before.Contains(Key(d))) continue;
                if (d.Id == NoImplementation && refused) continue;
                failures.Add((refused ? "refused" : "accepted") + " file, new diagnostic: " + d);
            }
        }

        if (checkDeterminism)
        {
            GeneratorHarness.Driver().RunGeneratorsAndUpdateCompilation(compilation, out var again, out _);
            var first = generatedTrees.Select(t => t.FilePath + "\n" + t.GetText()).ToList();
            var second = again.SyntaxTrees.Skip(compilation.SyntaxTrees.Count()).Select(t => t.FilePath + "\n" + t.GetText()).ToList();
            if (!first.SequenceEqual(second)) failures.Add("generation is not deterministic");
        }
        return new FuzzVerdict(source, failures.Distinct().Take(12).ToList(), userCodeCompiles, refused,
            analyzerDiagnostics.Where(d => d.Id.StartsWith("KDSL", StringComparison.Ordinal)).Select(d => d.Id).ToList());
    }

    private static string Key(Diagnostic d) => d.Id + "@" + d.Location.SourceTree?.FilePath + ":" + d.Location.SourceSpan;
}
