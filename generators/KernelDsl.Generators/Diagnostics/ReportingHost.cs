using System;
using System.Reflection;
using System.Threading;

namespace KernelDsl.Generators.Diagnostics;

/// <summary>
/// Which of the two reports the KDSL rules, so that each mistake is reported once and reaches the user wherever they
/// build. The rules are the same either way (<see cref="Families.KernelFamily.Rules"/>); what differs is the host:
/// <list type="bullet">
/// <item>The <b>command-line compiler</b> (<c>csc</c>, or the <c>VBCSCompiler</c> server that <c>dotnet build</c> uses)
/// drops every analyzer diagnostic as soon as the compilation has one C# error — a kernel in a non-partial type brings
/// CS0751 by itself, and one typo elsewhere would hide every KDSL error of the project. There the <b>generator</b>
/// reports the rules: generator diagnostics are printed whatever else is wrong.</item>
/// <item>Everywhere else — an IDE, a language server, a test — the <b>analyzer</b> reports them live while the user
/// types (a language server such as csharp-ls shows analyzer diagnostics and never the generator's), and the generator
/// reports only its own failure (KDSL9001).</item>
/// </list>
/// </summary>
internal static class ReportingHost
{
    private static readonly bool IsCommandLineCompiler = Detect();
    private static readonly AsyncLocal<bool?> Override = new();

    /// <summary>True when the generator reports the KDSL rules (and the analyzer stays silent).</summary>
    public static bool GeneratorReports => Override.Value ?? IsCommandLineCompiler;

    /// <summary>
    /// For tests: makes the code that runs in this async flow behave as in the command-line compiler
    /// (<paramref name="commandLine"/> true) or as in an IDE, until the returned scope is disposed.
    /// </summary>
    public static IDisposable Simulate(bool commandLine)
    {
        var previous = Override.Value;
        Override.Value = commandLine;
        return new Scope(previous);
    }

    private static bool Detect()
    {
        try
        {
            string? name = Assembly.GetEntryAssembly()?.GetName().Name;
            return string.Equals(name, "csc", StringComparison.OrdinalIgnoreCase) || string.Equals(name, "VBCSCompiler", StringComparison.OrdinalIgnoreCase);
        }
        catch (Exception)
        {
            return false; // unknown host: the analyzer reports, as in an IDE
        }
    }

    private sealed class Scope(bool? previous) : IDisposable
    {
        public void Dispose() => Override.Value = previous;
    }
}
