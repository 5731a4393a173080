using KernelDsl.Generators.Tests.Support;
using Xunit;

namespace KernelDsl.Generators.Tests;

/// <summary>
/// One snapshot per generated file, for every schedule × reduce × message combination, plus the
/// pattern, double, view and nesting variants. Each also compiles the generated code without warnings.
/// </summary>
public sealed class GeneratedCodeSnapshotTests
{
    public static IEnumerable<object[]> Combinations =>
        from schedule in new[] { "RowPerThread", "WarpPerRow" }
        from reduce in new[] { "Sum", "Mean", "Max", "Min" }
        from message in new[] { "none", "simd", "scalar", "called" }
        select new object[] { schedule, reduce, message };

    [Theory]
    [MemberData(nameof(Combinations))]
    public void ScheduleReduceMessage(string schedule, string reduce, string message)
    {
        var (result, diagnostics) = GeneratorHarness.Run(Sources.SpMM(schedule, reduce, message));
        Snapshot.Verify($"{schedule}_{reduce}_{message}", GeneratedFiles.Of(result, diagnostics));
    }

    [Theory]
    [InlineData("RowPerThread", "Sum")]
    [InlineData("WarpPerRow", "Max")]
    public void PatternAdjacency(string schedule, string reduce)
    {
        var (result, diagnostics) = GeneratorHarness.Run(Sources.SpMM(schedule, reduce, adjacency: "Pattern"));
        Snapshot.Verify($"Pattern_{schedule}_{reduce}", GeneratedFiles.Of(result, diagnostics));
    }

    [Theory]
    [InlineData("Sum", "none", "")]
    [InlineData("Mean", "simd", ", WarpsPerBlock = 4, MaxEdgesPerWarp = 8")]
    [InlineData("Sum", "called", ", BlockSize = 256")]
    public void DegreeSortedBlocks(string reduce, string message, string parameters)
    {
        var source = Sources.SpMM("DegreeSortedBlocks", reduce, message).Replace("Adjacency = Adjacency.Weighted", "Adjacency = Adjacency.Weighted" + parameters);
        var (result, diagnostics) = GeneratorHarness.Run(source);
        Snapshot.Verify($"DegreeSortedBlocks_{reduce}_{message}", GeneratedFiles.Of(result, diagnostics));
    }

    [Theory]
    [InlineData("Sum", false)]
    [InlineData("Max", false)]
    [InlineData("Mean", true)]
    public void AutoSchedule(string reduce, bool views)
    {
        var (result, diagnostics) = GeneratorHarness.Run(Sources.SpMM("Auto", reduce, views: views));
        Snapshot.Verify($"Auto_{reduce}{(views ? "_Views" : "")}", GeneratedFiles.Of(result, diagnostics));
    }

    [Fact]
    public void DoubleElements()
    {
        var (result, diagnostics) = GeneratorHarness.Run(Sources.SpMM("WarpPerRow", "Mean", "simd", element: "double"));
        Snapshot.Verify("Double_WarpPerRow_Mean_simd", GeneratedFiles.Of(result, diagnostics));
    }

    [Fact]
    public void ViewForm()
    {
        var (result, diagnostics) = GeneratorHarness.Run(Sources.SpMM("WarpPerRow", "Sum", views: true));
        Snapshot.Verify("Views_WarpPerRow_Sum", GeneratedFiles.Of(result, diagnostics));
    }

    [Fact]
    public void NestedGenericTypesInGlobalNamespace()
    {
        const string source = Sources.Usings + """
            public partial class Outer<TKey>
            {
                internal partial struct Inner
                {
                    [SpMM(Reduce = Reduce.Sum)]
                    internal static partial void Propagate(ComputeStream s, CsrBuffer<float> adjacency, DenseBuffer<float> @in, DenseBuffer<float> @out);
                }
            }
            """;
        var (result, diagnostics) = GeneratorHarness.Run(source);
        Snapshot.Verify("Nested_Global", GeneratedFiles.Of(result, diagnostics));
    }

    public static IEnumerable<object[]> MaxKDeclarations =>
    [
        ["MaxK", "[MaxK(K = 32, Dim = 256)] public static partial void TopK(ComputeStream stream, DenseBuffer<float> x, CbsrBuffer<float, byte> y);"],
        ["MaxKBackward", "[MaxKBackward] public static partial void TopKBackward(ComputeStream stream, CbsrBuffer<float, byte> dy, DenseBuffer<float> dx);"],
        ["SpGemm", "[SpGemm(Training = true)] public static partial void Forward(ComputeStream stream, CsrBuffer<float> a, CbsrBuffer<float, byte> x, DenseBuffer<float> y);\n"
            + "    [SSpMM] public static partial void Backward(ComputeStream stream, CsrBuffer<float> a, DenseBuffer<float> dy, CbsrBuffer<float, byte> x, CbsrBuffer<float, byte> dx);"],
        ["SpGemmPatternUshort", "[SpGemm(Adjacency = Adjacency.Pattern, Dim = 300, MaxEdgesPerWarp = 32)] public static partial void Forward(ComputeStream stream, CsrBuffer<float> a, CbsrBuffer<float, ushort> x, DenseBuffer<float> y);"],
        ["DynamicReLU", "[DynamicReLU(K = 8)] public static partial void Activate(ComputeStream stream, DenseBuffer<float> x, CbsrBuffer<float, byte> y);"],
        ["DynamicReLUBackward", "[DynamicReLUBackward] public static partial void ActivateBackward(ComputeStream stream, CbsrBuffer<float, byte> y, CbsrBuffer<float, byte> dy, DenseBuffer<float> dx);"],
        ["SSpMMTransposeGather", "[SSpMM(Schedule = Schedule.TransposeGather)] public static partial void Backward(ComputeStream stream, CsrBuffer<float> a, DenseBuffer<float> dy, CbsrBuffer<float, byte> x, CbsrBuffer<float, byte> dx);"],
        ["SSpMMPattern", "[SSpMM(Adjacency = Adjacency.Pattern)] internal static partial void Backward(ComputeStream stream, CsrBuffer<float> a, DenseBuffer<float> dy, CbsrBuffer<float, int> x, CbsrBuffer<float, int> dx);"],
    ];

    [Theory]
    [MemberData(nameof(MaxKDeclarations))]
    public void MaxKFamily(string name, string declaration)
    {
        var source = Sources.Usings + "namespace Demo;\npublic static partial class MaxKLayer\n{\n    " + declaration + "\n}\n";
        var (result, diagnostics) = GeneratorHarness.Run(source);
        Snapshot.Verify("MaxK_" + name, GeneratedFiles.Of(result, diagnostics));
    }

    public static IEnumerable<object[]> HeteroLayers =>
    [
        ["Sum", "[HeteroLayer(\"cell\", \"net\", K = 16, Dim = 64, Streams = 3)]\n    public static partial HeteroLayer CircuitConv(HeteroExecution execution,\n"
            + "        [Relation(\"cell\", \"net\")] CsrMatrix<float> drives, [Relation(\"net\", \"cell\")] CsrMatrix<float> feeds, [Relation(\"cell\", \"cell\")] CsrMatrix<float> near);"],
        ["Mean_Ushort", "[HeteroLayer(\"cell\", \"net\", \"pin type\", K = 4, Dim = 300, Combine = HeteroCombine.Mean, Streams = 2, MaxEdgesPerWarp = 32)]\n    internal static partial HeteroLayer Pins(HeteroExecution exec,\n"
            + "        [Relation(\"cell\", \"pin type\")] CsrMatrix<float> a, [Relation(\"net\", \"pin type\", Name = \"net-pins\")] CsrMatrix<float> b, [Relation(\"pin type\", \"cell\")] CsrMatrix<float> c);"],
        ["None", "[HeteroLayer(\"cell\", \"net\", K = 8, Dim = 8, Combine = HeteroCombine.None)]\n    public static partial HeteroLayer CellNet(HeteroExecution execution,\n"
            + "        [Relation(\"cell\", \"net\")] CsrMatrix<float> drives, [Relation(\"net\", \"cell\")] CsrMatrix<float> feeds);"],
    ];

    [Theory]
    [MemberData(nameof(HeteroLayers))]
    public void HeteroLayer(string name, string declaration)
    {
        var source = "using KernelDsl.Hetero;\n" + Sources.Usings + "namespace Demo;\npublic static partial class Circuits\n{\n    " + declaration + "\n}\n";
        var (result, diagnostics) = GeneratorHarness.Run(source);
        Snapshot.Verify("Hetero_" + name, GeneratedFiles.Of(result, diagnostics));
    }

    [Theory]
    [InlineData("Sum", "Weighted")]
    [InlineData("Mean", "Pattern")]
    public void SpMMBackward(string reduce, string adjacency)
    {
        var source = Sources.Usings + $"namespace Demo;\npublic static partial class Layer\n{{\n    [SpMM(Reduce = Reduce.{reduce}, Adjacency = Adjacency.{adjacency}, Backward = true)]\n"
            + "    public static partial void Aggregate(ComputeStream stream, CsrBuffer<float> a, DenseBuffer<float> x, DenseBuffer<float> y);\n}\n";
        var (result, diagnostics) = GeneratorHarness.Run(source);
        Snapshot.Verify($"Backward_{reduce}_{adjacency}", GeneratedFiles.Of(result, diagnostics));
    }
}
