using Microsoft.CodeAnalysis;
using Xunit;

namespace KernelDsl.Generators.Tests.Support;

public static class GeneratedFiles
{
    /// <summary>The generated sources as (snapshot name, text, extension), after asserting that they compile cleanly.</summary>
    public static IEnumerable<(string, string, string)> Of(GeneratorRunResult result, IEnumerable<Diagnostic> compilationDiagnostics)
    {
        Assert.Null(result.Exception);
        Assert.Empty(result.Diagnostics);
        var errors = compilationDiagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning).ToList();
        Assert.True(errors.Count == 0, "generated code does not compile cleanly:\n" + string.Join("\n", errors));
        return result.GeneratedSources
            .OrderBy(s => s.HintName, StringComparer.Ordinal)
            .Select(s => (s.HintName[..^".cs".Length], s.SourceText.ToString(), "cs"));
    }
}
