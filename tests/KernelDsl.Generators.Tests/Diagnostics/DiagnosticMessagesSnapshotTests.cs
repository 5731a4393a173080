using System.Text;
using KernelDsl.Generators.Tests.Support;
using Xunit;

namespace KernelDsl.Generators.Tests.Diagnostics;

/// <summary>The full text users see for every diagnostic case, as one reviewed snapshot.</summary>
public sealed class DiagnosticMessagesSnapshotTests
{
    [Fact]
    public void MessagesAsUsersSeeThem()
    {
        var text = new StringBuilder();
        foreach (var c in DiagnosticCases.All)
        {
            var (source, _) = Markup.Parse(c.Bad);
            var (_, diagnostics) = GeneratorHarness.Diagnose(source);
            text.Append("## ").Append(c.Case).Append('\n');
            foreach (var d in diagnostics.OrderBy(d => d.Location.SourceSpan.Start))
                text.Append(d.ToString()).Append('\n');
            text.Append('\n');
        }
        Snapshot.Verify("Diagnostics", [("messages", text.ToString(), "txt")]);
    }
}
