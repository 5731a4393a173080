using System.Diagnostics;
using System.Globalization;
using System.Text;
using Xunit;
using Xunit.Abstractions;

namespace KernelDsl.Generators.Tests.Fuzz;

/// <summary>
/// Random declarations (<see cref="DeclarationFuzzer"/>) through the generator and the analyzer, checked against the
/// properties of <see cref="FuzzOracle"/>. CI runs <see cref="DefaultCases"/> files from a fixed seed;
/// <c>KERNELDSL_FUZZ_CASES=N</c> runs more and <c>KERNELDSL_FUZZ_SEED=S</c> starts elsewhere (a failure prints its seed
/// and source). Every failure the fuzzer ever found is kept in <see cref="FuzzRegressions"/> as a named case.
/// </summary>
public sealed class GeneratorFuzzTests(ITestOutputHelper output)
{
    public const int DefaultCases = 1000;

    [Fact]
    public void RandomDeclarationsKeepEveryProperty()
    {
        int cases = int.TryParse(Environment.GetEnvironmentVariable("KERNELDSL_FUZZ_CASES"), CultureInfo.InvariantCulture, out int n) ? n : DefaultCases;
        int seed = int.TryParse(Environment.GetEnvironmentVariable("KERNELDSL_FUZZ_SEED"), CultureInfo.InvariantCulture, out int s) ? s : 20261202;
        var watch = Stopwatch.StartNew();
        var failures = new StringBuilder();
        int failed = 0, compiling = 0, refused = 0, declarations = 0, compiledClean = 0;
        var rules = new SortedDictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < cases; i++)
        {
            string source = new DeclarationFuzzer(seed + i).Next();
            declarations += CountDeclarations(source);
            var verdict = FuzzOracle.Check(source, checkDeterminism: i % 20 == 0);
            if (verdict.UserCodeCompiles) compiling++;
            if (verdict.Refused) refused++;
            else if (verdict.UserCodeCompiles) compiledClean++;
            foreach (var rule in verdict.Rules) rules[rule] = rules.GetValueOrDefault(rule) + 1;
            if (verdict.Passed) continue;
            if (++failed <= 5)
                failures.Append($"--- seed {seed + i}:\n{string.Join("\n", verdict.Failures)}\n{source}\n");
        }
        output.WriteLine($"{cases} files ({declarations} kernel declarations) in {watch.Elapsed.TotalSeconds:F1} s: " +
            $"{compiling} whose user code compiles by itself, {compiledClean} of them accepted whole and compiled with the generated code, " +
            $"{refused} refused with KDSL errors, {failed} failed.");
        output.WriteLine("KDSL diagnostics reported: " + string.Join(", ", rules.Select(r => $"{r.Key} ×{r.Value}")));
        Assert.True(failed == 0, $"{failed} of {cases} fuzz cases broke a property (first seed {seed}); the first ones:\n{failures}");
    }

    [Theory]
    [MemberData(nameof(FuzzRegressions.Names), MemberType = typeof(FuzzRegressions))]
    public void FoundByTheFuzzer(string name)
    {
        var verdict = FuzzOracle.Check(FuzzRegressions.Source(name), checkDeterminism: true);
        Assert.True(verdict.Passed, name + ":\n" + string.Join("\n", verdict.Failures));
    }

    private static int CountDeclarations(string source) =>
        new[] { "[SpMM", "[MaxK", "[SpGemm", "[SSpMM", "[DynamicReLU", "[HeteroLayer" }.Sum(a => CountOf(source, a));

    private static int CountOf(string text, string what)
    {
        int count = 0;
        for (int i = text.IndexOf(what, StringComparison.Ordinal); i >= 0; i = text.IndexOf(what, i + 1, StringComparison.Ordinal)) count++;
        return count;
    }
}
