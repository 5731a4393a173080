using KernelDsl.Generators.Diagnostics;
using Xunit;

namespace KernelDsl.Generators.Tests.Diagnostics;

/// <summary>Every descriptor has its page, every page has its descriptor, and the help link points at it.</summary>
public sealed class DiagnosticDocsTests
{
    private static string DocsDirectory([System.Runtime.CompilerServices.CallerFilePath] string thisFile = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(thisFile)!, "..", "..", "..", "generators", "KernelDsl.Generators", "docs", "diagnostics"));

    [Fact]
    public void PagesAndDescriptorsMatchOneToOne()
    {
        var pages = Directory.GetFiles(DocsDirectory(), "KDSL*.md").Select(Path.GetFileNameWithoutExtension).Order().ToArray();
        var ids = DiagnosticDescriptors.All.Select(d => d.Id).Order().ToArray();
        Assert.Equal(ids, pages);
    }

    [Fact]
    public void EachPageNamesItsRuleAndShowsAnExampleAndAFix()
    {
        foreach (var descriptor in DiagnosticDescriptors.All)
        {
            var text = File.ReadAllText(Path.Combine(DocsDirectory(), descriptor.Id + ".md"));
            Assert.StartsWith($"# {descriptor.Id}: {descriptor.Title}", text, StringComparison.Ordinal);
            Assert.Contains("## Example that fires", text, StringComparison.Ordinal);
            Assert.Contains("## How to fix it", text, StringComparison.Ordinal);
            Assert.Equal("", descriptor.HelpLinkUri); // no public address exists: the pages ship in the package instead
        }
    }

    [Fact]
    public void ReleaseTrackingListsEveryRule()
    {
        var unshipped = File.ReadAllText(Path.Combine(DocsDirectory(), "..", "..", "AnalyzerReleases.Unshipped.md"));
        foreach (var descriptor in DiagnosticDescriptors.All)
            Assert.Contains($"{descriptor.Id} | KernelDsl | Error | {descriptor.Title}", unshipped, StringComparison.Ordinal);
    }
}
