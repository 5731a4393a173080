namespace KernelDsl.Generators.Tests.Fuzz;

/// <summary>
/// Every input that ever broke a property of <see cref="FuzzOracle"/> — found by the fuzzer or by the hostile review
/// of issue 11 — reduced to a small file and kept under a name that says what it broke.
/// </summary>
public static class FuzzRegressions
{
    private const string Usings = "using System;\nusing ILGPU.Runtime;\nusing KernelDsl;\nusing KernelDsl.Runtime;\nusing KernelDsl.Hetero;\n";

    private const string SpMMParameters = "(ComputeStream s, CsrBuffer<float> a, DenseBuffer<float> x, DenseBuffer<float> y)";

    private static readonly Dictionary<string, string> Cases = new()
    {
        // Hint names that Roslyn compares case-insensitively: one threw and dropped every generated file (CS8785).
        ["NamesDifferingOnlyInCase"] = $$"""
            namespace Demo;
            public static partial class Kernels
            {
                [SpMM] public static partial void Aggregate{{SpMMParameters}};
                [SpMM(Reduce = Reduce.Max)] public static partial void aggregate{{SpMMParameters}};
            }
            """,
        ["TypesDifferingOnlyInCase"] = $$"""
            namespace Demo
            {
                public static partial class Kernels { [SpMM] public static partial void Aggregate{{SpMMParameters}}; }
                public static partial class kernels { [SpMM] public static partial void Aggregate{{SpMMParameters}}; }
            }
            """,
        ["MaxKAndItsBackwardShareAName"] = """
            public static partial class Layer
            {
                [MaxK(K = 4, Dim = 16)] public static partial void TopK(ComputeStream s, DenseBuffer<float> x, CbsrBuffer<float, byte> y);
                [MaxKBackward] public static partial void TopK(ComputeStream s, CbsrBuffer<float, byte> dy, DenseBuffer<float> dx);
            }
            """,
        ["SpGemmAndSSpMMShareAName"] = """
            public static partial class Layer
            {
                [SpGemm(K = 4, Dim = 16)] public static partial void Product(ComputeStream s, CsrBuffer<float> a, CbsrBuffer<float, byte> x, DenseBuffer<float> y);
                [SSpMM] public static partial void Product(ComputeStream s, CsrBuffer<float> a, DenseBuffer<float> dy, CbsrBuffer<float, byte> x, CbsrBuffer<float, byte> dx);
            }
            """,
        ["OverloadedHeteroLayers"] = """
            public static partial class Circuits
            {
                [HeteroLayer("cell", "net", K = 4, Dim = 16)]
                public static partial HeteroLayer Conv(HeteroExecution e, [Relation("cell", "net")] CsrMatrix<float> drives);
                [HeteroLayer("cell", "net", K = 4, Dim = 16)]
                public static partial HeteroLayer Conv(HeteroExecution e, [Relation("cell", "net")] CsrMatrix<float> drives, [Relation("net", "cell")] CsrMatrix<float> sinks);
            }
            """,
        ["TwoRefusedOverloadsBesideAValidKernel"] = $$"""
            public static partial class Kernels
            {
                [SpMM(Reduce = (Reduce)9)] public static partial void Broken{{SpMMParameters}};
                [SpMM(Reduce = (Reduce)9)] public static partial void Broken(ComputeStream s, CsrBuffer<double> a, DenseBuffer<double> x, DenseBuffer<double> y);
                [SpMM] public static partial void Fine{{SpMMParameters}};
            }
            """,
        ["ForwardAndUserMethodNamedLikeItsBackward"] = $$"""
            public static partial class Kernels
            {
                [SpMM(Backward = true)] public static partial void Aggregate{{SpMMParameters}};
                public static int AggregateBackward;
            }
            """,
        ["KeywordContainingType"] = $$"""
            namespace Demo;
            public static partial class @event
            {
                [SpMM] public static partial void @fixed(ComputeStream @in, CsrBuffer<float> @out, DenseBuffer<float> @class, DenseBuffer<float> @ref);
                [MaxK(K = 2, Dim = 8)] public static partial void @checked(ComputeStream s, DenseBuffer<float> x, CbsrBuffer<float, byte> y);
            }
            """,
        ["UnicodeEscapedName"] = $$"""
            public static partial class Kernels
            {
                [SpMM] public static partial void \u0041ggregate{{SpMMParameters}};
            }
            """,
        ["FileLocalType"] = $$"""
            file static partial class Kernels
            {
                [SpMM] public static partial void Aggregate{{SpMMParameters}};
            }
            """,
        // Found by the fuzzer (seed 502482): 'file' on one part of a partial type makes the whole type file-local.
        ["FileLocalOnAnotherPart"] = $$"""
            namespace Demo
            {
                file partial struct Kernels { }
                partial struct Kernels
                {
                    [SpMM] public static partial void Aggregate{{SpMMParameters}};
                }
            }
            """,
        // Found by the fuzzer: a method declared twice (CS0111, the user's error) gave two outputs one hint name.
        ["RepeatedDeclarations"] = $$"""
            public static partial class Kernels
            {
                [SpMM] public static partial void Aggregate{{SpMMParameters}};
                [SpMM(Reduce = Reduce.Max)] public static partial void Aggregate{{SpMMParameters}};
                [MaxK(K = 2, Dim = 8), DynamicReLUBackward] public static partial void Twice(ComputeStream s, DenseBuffer<float> x, CbsrBuffer<float, long> y);
                [DynamicReLU(K = 2, Dim = 8)] public static partial void Twice(ComputeStream s, DenseBuffer<float> x, CbsrBuffer<float, long> y);
            }
            """,
        // Found by the fuzzer: the stub of a generic kernel in a generic type repeated the user's CS0693 warning.
        ["GenericKernelInGenericType"] = $$"""
            public partial class Kernels<T>
            {
                [SpMM] public static partial void Aggregate<T>{{SpMMParameters}};
            }
            """,
        // Found by the fuzzer: the backward's <see cref="Aggregate"/> was ambiguous (CS0419) beside an overload.
        ["OverloadedForwardsWithBackward"] = """
            public static partial class Kernels
            {
                [SpMM(Backward = true)] public static partial void Aggregate(ComputeStream s, CsrBuffer<float> a, DenseBuffer<float> x, DenseBuffer<float> y);
                [SpMM(Backward = true)] public static partial void Aggregate(ComputeStream s, CsrBuffer<double> a, DenseBuffer<double> x, DenseBuffer<double> y);
            }
            """,
        ["UnsafeAndNewModifiers"] = $$"""
            public class Base { public static void Aggregate() { } }
            public partial class Derived : Base
            {
                [SpMM] public static unsafe new partial void Aggregate{{SpMMParameters}};
                [MaxK(K = 2, Dim = 8)] internal unsafe static partial void TopK(ComputeStream s, DenseBuffer<float> x, CbsrBuffer<float, byte> y);
            }
            """,
        ["TwoKernelAttributesOnOneMethod"] = """
            public static partial class Kernels
            {
                [SpMM, MaxK(K = 2, Dim = 8)] public static partial void Both(ComputeStream s, DenseBuffer<float> x, CbsrBuffer<float, byte> y);
                [MaxK(K = 2, Dim = 8)][SpMM] public static partial void Other(ComputeStream s, CsrBuffer<float> a, DenseBuffer<float> x, DenseBuffer<float> y);
            }
            """,
        ["ArglistParameter"] = $$"""
            public static partial class Kernels
            {
                [SpMM] public static partial void Aggregate(ComputeStream s, CsrBuffer<float> a, DenseBuffer<float> x, DenseBuffer<float> y, __arglist);
                [MaxK(K = 2, Dim = 8)] public static partial void TopK(ComputeStream s, DenseBuffer<float> x, CbsrBuffer<float, byte> y, __arglist);
            }
            """,
        ["UserTypeNamedLikeOurHelper"] = $$"""
            public static partial class Kernels
            {
                private sealed class __KernelDsl_F_float { }
                [SpMM] public static partial void F{{SpMMParameters}};
            }
            """,
        ["LineTerminatorsInHeteroStrings"] = """
            public static partial class Circuits
            {
                [HeteroLayer("ce\nll", "n\u2028et", "a\u2029b", "c\u0085d", "*/ KDSL_INJECTED(); /*", K = 4, Dim = 16)]
                public static partial HeteroLayer Conv(HeteroExecution e,
                    [Relation("ce\nll", "n\u2028et", Name = "\nKDSL_INJECTED();\n//")] CsrMatrix<float> drives,
                    [Relation("*/ KDSL_INJECTED(); /*", "c\u0085d", Name = "\");KDSL_INJECTED();//")] CsrMatrix<float> sinks);
            }
            """,
        ["RepeatedNamedArgument"] = """
            public static partial class Layer
            {
                [MaxK(K = 4, K = 8, Dim = 16)] public static partial void TopK(ComputeStream s, DenseBuffer<float> x, CbsrBuffer<float, byte> y);
                [HeteroLayer("cell", "net", K = 4, K = 2, Dim = 16)]
                public static partial HeteroLayer Conv(HeteroExecution e, [Relation("cell", "net", Name = "a", Name = "b")] CsrMatrix<float> drives);
            }
            """,
        ["NullableOperands"] = """
            #nullable enable
            public static partial class Kernels
            {
                [SpMM] public static partial void Aggregate(ComputeStream? s, CsrBuffer<float>? a, DenseBuffer<float>? x, DenseBuffer<float>? y);
                [MaxK(K = 2, Dim = 8)] public static partial void TopK(ComputeStream s, DenseBuffer<float>? x, CbsrBuffer<float, byte>? y);
            }
            """,
        ["LongMessageChain"] = "public static partial class Kernels\n{\n    [Message] public static float Long(float edge, float source) => "
            + string.Join(" + ", Enumerable.Range(0, 10_000).Select(i => i % 2 == 0 ? "edge" : "source")) + ";\n"
            + $"    [SpMM(Message = nameof(Long))] public static partial void Aggregate{SpMMParameters};\n}}\n",
        ["MixedPrecisionMessage"] = $$"""
            public static partial class Kernels
            {
                [Message] public static float Wide(float edge, float source) => (float)(edge * 1e-40 * 1e40) * source;
                [SpMM(Message = nameof(Wide))] public static partial void Aggregate{{SpMMParameters}};
            }
            """,
        ["ThrowingMessage"] = $$"""
            public static partial class Kernels
            {
                [Message] public static float Bad(float edge, float source) => throw new ArgumentException();
                [SpMM(Message = nameof(Bad))] public static partial void Aggregate{{SpMMParameters}};
            }
            """,
        ["HostileMessageName"] = $$"""
            public static partial class Kernels
            {
                [SpMM(Message = "\");KDSL_INJECTED();//\n")] public static partial void Aggregate{{SpMMParameters}};
            }
            """,
    };

    public static IEnumerable<object[]> Names => Cases.Keys.Select(k => new object[] { k });

    public static string Source(string name) => Usings + Cases[name];
}
