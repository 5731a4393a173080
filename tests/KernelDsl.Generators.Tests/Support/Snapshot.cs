using System.Runtime.CompilerServices;
using System.Text;
using DiffPlex.DiffBuilder;
using DiffPlex.DiffBuilder.Model;
using Xunit.Sdk;

namespace KernelDsl.Generators.Tests.Support;

/// <summary>
/// Snapshot files with Verify's conventions: <c>Snapshots/&lt;Test&gt;.&lt;Name&gt;.verified.&lt;ext&gt;</c> beside
/// this project; a mismatch writes <c>.received.&lt;ext&gt;</c> next to it and fails with a unified
/// diff. <c>KERNELDSL_ACCEPT=1</c> (or <c>eng/accept-snapshots</c>) accepts the received text.
/// </summary>
public static class Snapshot
{
    public const string AcceptVariable = "KERNELDSL_ACCEPT";

    public static string Directory([CallerFilePath] string thisFile = "") =>
        Path.Combine(Path.GetDirectoryName(Path.GetDirectoryName(thisFile)!)!, "Snapshots");

    /// <summary>Compares every (name, text) with its verified file; reports all mismatches at once.</summary>
    public static void Verify(string test, IEnumerable<(string Name, string Text, string Extension)> files)
    {
        var failures = new StringBuilder();
        bool accept = Environment.GetEnvironmentVariable(AcceptVariable) == "1";
        foreach (var (name, text, extension) in files)
        {
            string stem = Path.Combine(Directory(), $"{test}.{name}");
            string verified = $"{stem}.verified.{extension}";
            string received = $"{stem}.received.{extension}";
            string actual = Normalize(text);
            string? expected = File.Exists(verified) ? Normalize(File.ReadAllText(verified)) : null;
            if (expected == actual)
            {
                if (File.Exists(received)) File.Delete(received);
                continue;
            }
            if (accept)
            {
                File.WriteAllText(verified, actual, new UTF8Encoding(false));
                if (File.Exists(received)) File.Delete(received);
                continue;
            }
            File.WriteAllText(received, actual, new UTF8Encoding(false));
            failures.Append(expected is null
                ? $"New snapshot {Path.GetFileName(verified)}: review {Path.GetFileName(received)} and accept it.\n"
                : $"Snapshot {Path.GetFileName(verified)} differs (received file written):\n{UnifiedDiff(expected, actual)}\n");
        }
        if (failures.Length > 0)
            throw new XunitException(failures + $"Accept with {AcceptVariable}=1 dotnet test, or eng/accept-snapshots.");
    }

    private static string Normalize(string text) => text.Replace("\r\n", "\n").TrimStart('\uFEFF');

    private static string UnifiedDiff(string expected, string actual)
    {
        var diff = InlineDiffBuilder.Diff(expected, actual);
        var sb = new StringBuilder("--- verified\n+++ received\n");
        int shown = 0;
        for (int i = 0; i < diff.Lines.Count && shown < 60; i++)
        {
            var line = diff.Lines[i];
            if (line.Type == ChangeType.Unchanged) continue;
            sb.Append(line.Type == ChangeType.Inserted ? "+" : "-").Append(line.Position is { } p ? $"{p,5}: " : "       ").Append(line.Text).Append('\n');
            shown++;
        }
        return sb.ToString();
    }
}
