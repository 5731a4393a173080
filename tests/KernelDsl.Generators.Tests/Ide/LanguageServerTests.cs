using System.Diagnostics;
using Xunit;
using Xunit.Abstractions;

namespace KernelDsl.Generators.Tests.Ide;

/// <summary>
/// What an editor really shows: csharp-ls (a Roslyn language server, pinned in the repository's tool manifest) opens a
/// consumer project that uses the KernelDsl runtime and the built generator, and pulls the diagnostics of a file with
/// three mistakes: each KDSL rule appears once, at the token that is wrong, beside C#'s own errors and nothing else.
/// </summary>
public sealed class LanguageServerTests(ITestOutputHelper output)
{
    private const string Mistakes = """
        using KernelDsl;
        using KernelDsl.Runtime;

        namespace Consumer;

        public static class NotPartial
        {
            [SpMM]
            public static partial void Aggregate(ComputeStream stream, CsrBuffer<float> a, DenseBuffer<float> x, DenseBuffer<float> y);
        }

        public static partial class Kernels
        {
            [SpMM]
            public static partial void WrongOperand(ComputeStream stream, CsrBuffer<float> a, float[] x, DenseBuffer<float> y);

            [SpMM(Reduce = Reduce.Max, Backward = true)]
            public static partial void MaxWithBackward(ComputeStream stream, CsrBuffer<float> a, DenseBuffer<float> x, DenseBuffer<float> y);
        }
        """;

    private static string Repository([System.Runtime.CompilerServices.CallerFilePath] string thisFile = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(thisFile)!, "..", "..", ".."));

    [Fact]
    public void CsharpLsShowsEachKdslRuleOnceAtItsToken()
    {
        var root = Directory.CreateTempSubdirectory("kerneldsl-lsp-");
        try
        {
            // The consumer references what this test project was built with: the runtime (and ILGPU, which generated
            // kernels use) and the generator's DLL as an analyzer — the generator must be built for csharp-ls to run it.
            string bin = AppContext.BaseDirectory;
            string generator = typeof(KernelDslGenerator).Assembly.Location;
            File.WriteAllText(Path.Combine(root.FullName, "Consumer.csproj"), $"""
                <Project Sdk="Microsoft.NET.Sdk">
                  <PropertyGroup><TargetFramework>net10.0</TargetFramework><Nullable>enable</Nullable></PropertyGroup>
                  <ItemGroup>
                    <Reference Include="{Path.Combine(bin, "KernelDsl.dll")}" />
                    <Reference Include="{Path.Combine(bin, "ILGPU.dll")}" />
                    <Reference Include="{Path.Combine(bin, "ILGPU.Algorithms.dll")}" />
                    <Analyzer Include="{generator}" />
                  </ItemGroup>
                </Project>
                """);
            string file = Path.Combine(root.FullName, "Kernels.cs");
            File.WriteAllText(file, Mistakes);
            Run(root.FullName, "restore"); // the project's assets, as an editor finds them after its first restore

            using var server = LanguageServer.Start(Repository(), root.FullName);
            server.Open(file);
            var watch = Stopwatch.StartNew();
            IReadOnlyList<(string Code, int Line, int Character, int EndLine, int EndCharacter, string Message)> shown;
            do
            {
                shown = server.Diagnostics(file);
                if (shown.Count(d => d.Code.StartsWith("KDSL", StringComparison.Ordinal)) >= 3) break;
                Thread.Sleep(1000);
            } while (watch.Elapsed < TimeSpan.FromSeconds(90));
            foreach (var d in shown) output.WriteLine($"{d.Code} {d.Line}:{d.Character}-{d.EndLine}:{d.EndCharacter} {d.Message}");
            output.WriteLine($"after {watch.Elapsed.TotalSeconds:F1} s");

            string[] lines = Mistakes.Split('\n');
            (int Line, int Start, int End) At(int line, string token)
            {
                int start = lines[line].IndexOf(token, StringComparison.Ordinal);
                Assert.True(start >= 0, $"'{token}' is not on line {line}");
                return (line, start, start + token.Length);
            }
            var expected = new[]
            {
                ("KDSL1002", At(5, "NotPartial")),
                ("KDSL1004", At(14, "float[] x")),
                ("KDSL3005", At(16, "true")),
            };
            var kdsl = shown.Where(d => d.Code.StartsWith("KDSL", StringComparison.Ordinal)).Select(d => (d.Code, (d.Line, d.Character, d.EndCharacter))).ToList();
            Assert.Equal(expected.OrderBy(e => e.Item1), kdsl.OrderBy(e => e.Code));
            // C#'s own errors are the two a partial method in a non-partial type always brings; the refused kernels of
            // the partial class get the generator's throwing stubs, so they add no C# error.
            Assert.Equal(["CS0751", "CS8795"], shown.Where(d => d.Code.StartsWith("CS", StringComparison.Ordinal)).Select(d => d.Code).Order());
            Assert.All(shown.Where(d => d.Code.StartsWith("CS", StringComparison.Ordinal)), d => Assert.Equal(8, d.Line));
        }
        finally
        {
            root.Delete(recursive: true);
        }
    }

    private void Run(string directory, params string[] args)
    {
        var process = Process.Start(new ProcessStartInfo("dotnet", args) { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true })!;
        string text = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
        process.WaitForExit();
        output.WriteLine($"$ dotnet {string.Join(' ', args)}\n{text}");
        Assert.True(process.ExitCode == 0, text);
    }
}
