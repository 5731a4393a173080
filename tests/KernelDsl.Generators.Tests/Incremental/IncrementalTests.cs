using KernelDsl.Generators.Families;
using KernelDsl.Generators.Tests.Support;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;

namespace KernelDsl.Generators.Tests.Incremental;

/// <summary>The pipeline stays cached across unrelated edits, and output is byte-identical run to run.</summary>
public sealed class IncrementalTests
{
    private static readonly string Declarations = Sources.SpMM("WarpPerRow", "Sum", "simd");

    [Fact]
    public void UnrelatedEditLeavesEveryTrackedStepCachedOrUnchanged()
    {
        var compilation = GeneratorHarness.Compilation(Declarations, "namespace Other { public class A { public int X; } }");
        var driver = GeneratorHarness.Driver(trackSteps: true).RunGenerators(compilation);

        var edited = compilation.ReplaceSyntaxTree(compilation.SyntaxTrees.Last(),
            CSharpSyntaxTree.ParseText("namespace Other { public class A { public int X; public int Y => X + 1; } }", GeneratorHarness.ParseOptions, path: "Source1.cs"));
        var result = driver.RunGenerators(edited).GetRunResult().Results.Single();

        var steps = result.TrackedSteps[KernelFamilies.SpMM.TrackingName];
        Assert.NotEmpty(steps);
        Assert.All(steps.SelectMany(s => s.Outputs), o => Assert.True(o.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, $"parse step was {o.Reason}"));
        Assert.All(result.TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(s => s.Outputs),
            o => Assert.True(o.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, $"output step was {o.Reason}"));
    }

    [Fact]
    public void EditInsideTheDeclaringFileReparsesButKeepsTheOutputWhenTheSpecIsEqual()
    {
        var compilation = GeneratorHarness.Compilation(Declarations);
        var driver = GeneratorHarness.Driver(trackSteps: true).RunGenerators(compilation);
        var tree = compilation.SyntaxTrees.Single();
        var edited = compilation.ReplaceSyntaxTree(tree, tree.WithChangedText(Microsoft.CodeAnalysis.Text.SourceText.From(tree.ToString() + "\n// a comment\n")));
        var result = driver.RunGenerators(edited).GetRunResult().Results.Single();
        Assert.All(result.TrackedSteps[KernelFamilies.SpMM.TrackingName].SelectMany(s => s.Outputs),
            o => Assert.Equal(IncrementalStepRunReason.Unchanged, o.Reason));
    }

    [Fact]
    public void ChangingTheDeclarationRegenerates()
    {
        var compilation = GeneratorHarness.Compilation(Declarations);
        var driver = GeneratorHarness.Driver(trackSteps: true).RunGenerators(compilation);
        var tree = compilation.SyntaxTrees.Single();
        var edited = compilation.ReplaceSyntaxTree(tree, tree.WithChangedText(Microsoft.CodeAnalysis.Text.SourceText.From(tree.ToString().Replace("Reduce.Sum", "Reduce.Max"))));
        var result = driver.RunGenerators(edited).GetRunResult().Results.Single();
        Assert.Contains(result.TrackedSteps[KernelFamilies.SpMM.TrackingName].SelectMany(s => s.Outputs), o => o.Reason == IncrementalStepRunReason.Modified);
        Assert.Contains(result.GeneratedSources, s => s.SourceText.ToString().Contains("reduce Max", StringComparison.Ordinal));
    }

    [Fact]
    public void TwoRunsAreByteIdentical()
    {
        string[] Run() => GeneratorHarness.Run(Declarations, Sources.SpMM("RowPerThread", "Mean", "called").Replace("namespace Demo;", "namespace Demo2;"))
            .Result.GeneratedSources.OrderBy(s => s.HintName, StringComparer.Ordinal)
            .Select(s => s.HintName + "\n" + s.SourceText).ToArray();
        var first = Run();
        Assert.NotEmpty(first);
        Assert.Equal(first, Run());
        Assert.All(first, text => Assert.DoesNotContain("\r", text, StringComparison.Ordinal));
    }

    [Fact]
    public void PipelineModelHoldsNoSymbolsOrSyntax()
    {
        // The parse step's output type is plain data: records of strings, enums and equatable arrays.
        var forbidden = new[] { typeof(ISymbol), typeof(SyntaxNode), typeof(Compilation), typeof(SemanticModel), typeof(Location) };
        var seen = new HashSet<Type>();
        void Walk(Type t)
        {
            if (!seen.Add(t) || t.IsPrimitive || t == typeof(string) || t.IsEnum) return;
            Assert.DoesNotContain(forbidden, f => f.IsAssignableFrom(t));
            foreach (var p in t.GetProperties()) Walk(p.PropertyType);
            if (t.IsGenericType) foreach (var a in t.GetGenericArguments()) Walk(a);
        }
        Walk(typeof(KernelDsl.Generators.Model.ParseResult<KernelDsl.Generators.Model.SpMMSpec>));
        Walk(typeof(KernelDsl.Generators.Model.ParseResult<KernelDsl.Generators.Model.CbsrKernelSpec>));
        Walk(typeof(KernelDsl.Generators.Model.ParseResult<KernelDsl.Generators.Model.HeteroLayerSpec>));
        Assert.Contains(seen, t => t.Name == "SpMMSpec");
        Assert.Contains(seen, t => t.Name == "HeteroRelationSpec");
    }

    /// <summary>One declaration of each family, named by the family (the registry's name).</summary>
    public static TheoryData<string> Families => new(KernelFamilies.All.Select(f => f.Name));

    private static string DeclarationOf(string family) => family switch
    {
        "SpMM" => Declarations,
        "HeteroLayer" => "using KernelDsl.Hetero;\n" + Sources.Usings + """
            namespace Demo;
            public static partial class Circuits
            {
                [HeteroLayer("cell", "net", K = 8, Dim = 32)]
                public static partial HeteroLayer L(HeteroExecution e, [Relation("cell", "net")] CsrMatrix<float> drives, [Relation("net", "cell")] CsrMatrix<float> feeds);
            }
            """,
        _ => Sources.Usings + "namespace Demo;\npublic static partial class Layer\n{\n    " + family switch
        {
            "MaxK" => "[MaxK] public static partial void TopK(ComputeStream s, DenseBuffer<float> x, CbsrBuffer<float, byte> y);",
            "MaxKBackward" => "[MaxKBackward] public static partial void TopKBackward(ComputeStream s, CbsrBuffer<float, byte> dy, DenseBuffer<float> dx);",
            "SpGemm" => "[SpGemm] public static partial void Forward(ComputeStream s, CsrBuffer<float> a, CbsrBuffer<float, byte> x, DenseBuffer<float> y);",
            "SSpMM" => "[SSpMM] public static partial void Backward(ComputeStream s, CsrBuffer<float> a, DenseBuffer<float> dy, CbsrBuffer<float, byte> x, CbsrBuffer<float, byte> dx);",
            "DynamicReLU" => "[DynamicReLU] public static partial void Activate(ComputeStream s, DenseBuffer<float> x, CbsrBuffer<float, byte> y);",
            "DynamicReLUBackward" => "[DynamicReLUBackward] public static partial void ActivateBackward(ComputeStream s, CbsrBuffer<float, byte> y, CbsrBuffer<float, byte> dy, DenseBuffer<float> dx);",
            _ => throw new ArgumentException("no test declaration for the family " + family + ": add one here"),
        } + "\n}\n",
    };

    /// <summary>Every family of the registry has its own tracking name, and its parse and output steps stay cached across an unrelated edit.</summary>
    [Theory]
    [MemberData(nameof(Families))]
    public void EveryFamilyStaysCachedAcrossUnrelatedEdits(string name)
    {
        var family = KernelFamilies.All.Single(f => f.Name == name);
        var compilation = GeneratorHarness.Compilation(DeclarationOf(name), "namespace Other { public class A { public int X; } }");
        var driver = GeneratorHarness.Driver(trackSteps: true).RunGenerators(compilation);
        Assert.NotEmpty(driver.GetRunResult().Results.Single().GeneratedSources);
        var edited = compilation.ReplaceSyntaxTree(compilation.SyntaxTrees.Last(),
            CSharpSyntaxTree.ParseText("namespace Other { public class A { public int X; public int Y => X + 2; } }", GeneratorHarness.ParseOptions, path: "Source1.cs"));
        var result = driver.RunGenerators(edited).GetRunResult().Results.Single();
        var steps = result.TrackedSteps[family.TrackingName];
        Assert.Single(steps.SelectMany(s => s.Outputs)); // this family's one declaration, under its own name
        Assert.All(steps.SelectMany(s => s.Outputs), o => Assert.True(o.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, $"{name} parse step was {o.Reason}"));
        Assert.All(result.TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(s => s.Outputs),
            o => Assert.True(o.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, $"{name} output step was {o.Reason}"));
    }

    [Fact]
    public void TrackingNamesAreOnePerFamily() =>
        Assert.Equal(KernelFamilies.All.Length, KernelFamilies.All.Select(f => f.TrackingName).Distinct().Count());
}
