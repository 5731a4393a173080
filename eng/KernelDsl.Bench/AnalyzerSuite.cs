extern alias KernelDslGenerators;

using System.Collections.Immutable;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using KernelDeclarationAnalyzer = KernelDslGenerators::KernelDsl.Generators.Analyzers.KernelDeclarationAnalyzer;

namespace KernelDsl.Bench;

/// <summary>
/// The analyzer's cost on a file of 200 kernel declarations (SpMM with messages, the MaxK family, heterogeneous
/// layers; one in ten with a mistake), as a ratio to what the compiler itself spends on the same file's diagnostics
/// (binding every method) in the same run.
/// </summary>
public static class AnalyzerSuite
{
    public static int Run(int repeats, FileInfo? outFile)
    {
        var inv = CultureInfo.InvariantCulture;
        var report = new Report();
        void Emit(string line) => report.Line(line);
        var source = Source(200);
        var references = Basic.Reference.Assemblies.Net100.References.All.Cast<MetadataReference>()
            .Append(MetadataReference.CreateFromFile(typeof(KernelDsl.Runtime.ComputeBackend).Assembly.Location))
            .Append(MetadataReference.CreateFromFile(typeof(ILGPU.Context).Assembly.Location)).ToImmutableArray();
        var parse = new CSharpParseOptions(LanguageVersion.Preview);
        CSharpCompilation Compile() => CSharpCompilation.Create("Declarations", [CSharpSyntaxTree.ParseText(source, parse, "Declarations.cs")], references,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        var analyzers = ImmutableArray.Create<DiagnosticAnalyzer>(new KernelDeclarationAnalyzer());
        int reported = 0;
        TimeSpan analyzerTime = TimeSpan.Zero;
        var (compiler, withAnalyzer, ratio) = Harness.Interleaved(
            () => Compile().GetDiagnostics(),
            () =>
            {
                var run = Compile().WithAnalyzers(analyzers, new CompilationWithAnalyzersOptions(new AnalyzerOptions([]), null, concurrentAnalysis: true, logAnalyzerExecutionTime: true));
                reported = run.GetAnalyzerDiagnosticsAsync().GetAwaiter().GetResult().Length;
                analyzerTime = run.GetAnalyzerTelemetryInfoAsync(analyzers[0], CancellationToken.None).GetAwaiter().GetResult().ExecutionTime;
            },
            repeats);
        Emit($"# Analyzer cost ({DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} threads)");
        Emit("");
        Emit("| file | compiler diagnostics ms | compilation + analyzer ms | analyzer execution ms | KDSL diagnostics | analyzer / compiler |");
        Emit("|---|---:|---:|---:|---:|---:|");
        Emit(string.Create(inv, $"| 200 declarations | {compiler:F1} | {withAnalyzer:F1} | {analyzerTime.TotalMilliseconds:F1} | {reported} | {analyzerTime.TotalMilliseconds / compiler:F2} |"));
        Emit("");
        Emit("The analyzer runs the generator's parsers on each declaration; its execution time (Roslyn's telemetry) is compared with the compiler's own diagnostics pass over the same file.");
        report.Save(outFile);
        return 0;
    }

    /// <summary><paramref name="count"/> declarations cycling through the attribute kinds; every tenth has a mistake.</summary>
    private static string Source(int count)
    {
        var sb = new StringBuilder("using KernelDsl;\nusing KernelDsl.Runtime;\nusing KernelDsl.Hetero;\nnamespace Demo;\npublic static partial class Kernels\n{\n");
        sb.Append("    [Message] public static float Gate(float edge, float source) => edge * System.MathF.Max(source, 0) + 0.5f;\n");
        for (int i = 0; i < count; i++)
        {
            bool bad = i % 10 == 9;
            sb.Append((i % 5) switch
            {
                0 => $"    [SpMM(Reduce = Reduce.{(bad ? "Max, Backward = true" : "Sum")}, Message = nameof(Gate))] public static partial void S{i}(ComputeStream s, CsrBuffer<float> a, DenseBuffer<float> x, DenseBuffer<float> y);\n",
                1 => $"    [SpMM(Reduce = Reduce.Mean, Schedule = Schedule.DegreeSortedBlocks{(bad ? ", BlockSize = 100" : "")})] public static partial void D{i}(ComputeStream s, CsrBuffer<float> a, DenseBuffer<float> x, DenseBuffer<float> y);\n",
                2 => $"    [MaxK(K = {(bad ? 300 : 32)}, Dim = 256)] public static partial void M{i}(ComputeStream s, DenseBuffer<float> x, CbsrBuffer<float, byte> y);\n",
                3 => $"    [SSpMM] public static partial void B{i}(ComputeStream s, CsrBuffer<float> a, DenseBuffer<float> dy, CbsrBuffer<float, byte> x, CbsrBuffer<float, byte> dx);\n",
                _ => $"    [HeteroLayer(\"cell\", \"net\", K = 8, Dim = 32{(bad ? ", Streams = 0" : "")})] public static partial HeteroLayer H{i}(HeteroExecution e, [Relation(\"cell\", \"net\")] CsrMatrix<float> d, [Relation(\"net\", \"cell\")] CsrMatrix<float> f);\n",
            });
        }
        return sb.Append("}\n").ToString();
    }
}
