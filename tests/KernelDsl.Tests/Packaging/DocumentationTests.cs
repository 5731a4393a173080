using System.Reflection;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Xunit;

namespace KernelDsl.Tests.Packaging;

/// <summary>
/// What IntelliSense shows of the three runtime packages: each ships its XML documentation file, every entry in it parses,
/// every public type has a summary, and no entry carries the marks of a garbled comment (a stray "///" inside the text,
/// an entity without its '&amp;' such as "blocklt;", an empty summary).
/// </summary>
public sealed class DocumentationTests
{
    public static TheoryData<string> Assemblies => new() { "KernelDsl", "KernelDsl.Gnn", "KernelDsl.Circuits" };

    private static readonly Regex BrokenEntity = new(@"(?<!&)(?:lt|gt|amp|quot);", RegexOptions.Compiled);

    [Theory]
    [MemberData(nameof(Assemblies))]
    public void EveryDocumentedMemberReadsCleanly(string name)
    {
        var assembly = Assembly.Load(name);
        var file = Path.ChangeExtension(assembly.Location, ".xml");
        Assert.True(File.Exists(file), $"{name}.xml (GenerateDocumentationFile) is missing beside {assembly.Location}");
        var members = XDocument.Load(file).Descendants("member").ToList();
        Assert.NotEmpty(members);
        foreach (var member in members)
        {
            string id = member.Attribute("name")!.Value;
            string text = string.Concat(member.DescendantNodes().OfType<XText>().Select(t => t.Value));
            Assert.False(text.Contains("///", StringComparison.Ordinal), $"{id}: a '///' inside the documentation text");
            Assert.False(BrokenEntity.IsMatch(text), $"{id}: an entity without its '&' ({BrokenEntity.Match(text).Value})");
            if (member.Element("summary") is { } summary)
                Assert.False(string.IsNullOrWhiteSpace(summary.Value) && !summary.Elements().Any(), $"{id}: an empty summary");
        }
        var documented = members.Select(m => m.Attribute("name")!.Value).ToHashSet(StringComparer.Ordinal);
        foreach (var type in assembly.GetExportedTypes())
        {
            if (type.Name.StartsWith("__KernelDsl", StringComparison.Ordinal)) continue;
            Assert.True(documented.Contains("T:" + type.FullName!.Replace('+', '.')), $"public type {type.FullName} has no documentation");
        }
    }
}
