using System.Text.RegularExpressions;
using KernelDsl.Generators.Tests.Support;
using Microsoft.CodeAnalysis;
using Xunit;

namespace KernelDsl.Generators.Tests.Documentation;

/// <summary>
/// Every C# block of README.md is code a reader can paste: the runnable example (its marker) is built and run against
/// the packed package by the packaging test; every other block must compile with the generator — every kernel it
/// declares generated, no error and no warning.
/// </summary>
public sealed class ReadmeCodeTests
{
    private const string RunnableMarker = "<!-- readme-example: runs in tests/KernelDsl.Tests/Packaging/PackageTests.cs -->";

    private static string Readme([System.Runtime.CompilerServices.CallerFilePath] string thisFile = "") =>
        File.ReadAllText(Path.GetFullPath(Path.Combine(Path.GetDirectoryName(thisFile)!, "..", "..", "..", "README.md")));

    /// <summary>The README's C# blocks, each with the line it starts on and whether the runnable marker precedes it.</summary>
    private static IEnumerable<(int Line, string Code, bool Runnable)> Blocks()
    {
        string readme = Readme().Replace("\r\n", "\n");
        foreach (Match m in Regex.Matches(readme, "(?<marker>" + Regex.Escape(RunnableMarker) + "\n)?```csharp\n(?<code>.*?)\n```", RegexOptions.Singleline))
            yield return (readme[..m.Index].Count(c => c == '\n') + 1, m.Groups["code"].Value, m.Groups["marker"].Success);
    }

    public static IEnumerable<object[]> CompiledBlocks => Blocks().Where(b => !b.Runnable).Select(b => new object[] { b.Line });

    [Fact]
    public void TheReadmeHasOneRunnableExampleAndOtherBlocks()
    {
        Assert.Single(Blocks(), b => b.Runnable);
        Assert.True(Blocks().Count(b => !b.Runnable) >= 2, "README.md lost its C# examples");
    }

    [Theory]
    [MemberData(nameof(CompiledBlocks))]
    public void EveryOtherBlockCompilesWithTheGenerator(int line)
    {
        string code = Blocks().Single(b => b.Line == line).Code;
        if (!code.Contains("using KernelDsl;", StringComparison.Ordinal)) code = "using KernelDsl;\nusing KernelDsl.Runtime;\n" + code;
        var compilation = GeneratorHarness.Compilation(code).AddReferences(
            MetadataReference.CreateFromFile(typeof(KernelDsl.HeteroGraph).Assembly.Location));
        var driver = GeneratorHarness.Driver().RunGeneratorsAndUpdateCompilation(compilation, out var output, out var generatorDiagnostics);
        Assert.Empty(generatorDiagnostics);
        var problems = output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning).ToList();
        Assert.True(problems.Count == 0, $"README.md line {line}:\n" + string.Join("\n", problems));
        int declared = Regex.Matches(code, @"\[(SpMM|SpGemm|SSpMM|MaxK|MaxKBackward|DynamicReLU|DynamicReLUBackward|HeteroLayer)\b").Count;
        Assert.True(declared > 0, $"README.md line {line} declares no kernel");
        Assert.DoesNotContain(driver.GetRunResult().GeneratedTrees, t => t.FilePath.EndsWith(".Stub.g.cs", StringComparison.Ordinal));
    }
}
