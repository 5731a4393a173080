using KernelDsl.Reference;
using KernelDsl.Runtime;
using Xunit;

namespace KernelDsl.Tests.Support;

/// <summary>Runs a generated kernel on a backend and compares it with <see cref="ReferenceSpMM"/>.</summary>
public static class KernelChecker
{
    /// <summary>
    /// Error allowed for float kernels against the float64 reference, relative to the magnitude of
    /// the reduced terms (Σ|m|, floor 1): 1e-5, or twice Higham's bound (n - 1) · 2⁻²⁴ for rows of n &gt; 80 terms.
    /// </summary>
    public static double FloatTolerance(int maxDegree) => Math.Max(1e-5, 2 * maxDegree * Math.Pow(2, -24));

    public static void Check(ComputeBackend backend, KernelCase kernel, CsrMatrix<float> graph, int dim, string context)
    {
        var input = graph;
        if (kernel.Adjacency == Adjacency.Pattern) input = graph.AsPattern();
        var x = DenseMatrix<float>.Random(graph.ColumnCount, dim, seed: dim * 31 + graph.Nonzeros);
        var (expected, magnitude) = ReferenceSpMM.ComputeWithMagnitude(input, x, kernel.Reduce, kernel.Adjacency, kernel.Message);

        using var a = backend.Upload(input);
        using var xb = backend.Upload(x);
        using var yb = backend.AllocateDense<float>(graph.Rows, dim);
        // Poison the output: every element must be written, empty rows included.
        yb.CopyFrom(Enumerable.Repeat(float.NaN, (int)yb.Length).ToArray());
        kernel.Run(backend.DefaultStream, a, xb, yb);
        var actual = yb.ToHost().Data;
        if (graph.Rows == 0 || dim == 0) return;
        double error = Compare.MaxScaledError<float>(actual, expected, magnitude);
        double tolerance = FloatTolerance(graph.DegreeStatistics().Max);
        Assert.True(error <= tolerance,
            $"{kernel.Name} on {context} (dim {dim}, {backend.Name}): max error {error:E3} (relative to Σ|terms|) > {tolerance:E1}");
    }
}
