namespace KernelDsl.Generators.Tests.Support;

/// <summary>Source texts of declarations under test.</summary>
public static class Sources
{
    public const string Usings = "using System;\nusing ILGPU.Runtime;\nusing KernelDsl;\nusing KernelDsl.Runtime;\n";

    /// <summary>The three kinds of message: SIMD-inlined, scalar-inlined, called.</summary>
    public static string Messages(string t = "float") => $$"""
            [Message] public static {{t}} Simd({{t}} edge, {{t}} source) => edge * Math.Max(source, 0) + 0.5{{(t == "float" ? "f" : "")}};
            [Message] public static {{t}} Scalar({{t}} edge, {{t}} source) => edge * {{(t == "float" ? "MathF" : "Math")}}.Tanh(source);
            [Message] public static {{t}} Called({{t}} edge, {{t}} source)
            {
                {{t}} product = edge * source;
                return product > 0 ? product : product / 10;
            }
        """;

    /// <summary>A class Demo.Kernels with one [SpMM] declaration.</summary>
    public static string SpMM(string schedule = "WarpPerRow", string reduce = "Sum", string message = "none",
        string adjacency = "Weighted", string element = "float", bool views = false)
    {
        string messageArg = message == "none" ? "" : $", Message = nameof({char.ToUpperInvariant(message[0]) + message[1..]})";
        string parameters = views
            ? $"AcceleratorStream stream, CsrView<{element}> a, DenseView<{element}> x, DenseView<{element}> y"
            : $"ComputeStream stream, CsrBuffer<{element}> a, DenseBuffer<{element}> x, DenseBuffer<{element}> y";
        return Usings + $$"""
            namespace Demo;

            public static partial class Kernels
            {
            {{Messages(element)}}

                [SpMM(Reduce = Reduce.{{reduce}}, Schedule = Schedule.{{schedule}}, Adjacency = Adjacency.{{adjacency}}{{messageArg}})]
                public static partial void Aggregate({{parameters}});
            }
            """;
    }
}
