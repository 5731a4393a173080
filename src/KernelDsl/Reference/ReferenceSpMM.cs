using System.Numerics;

namespace KernelDsl.Reference;

/// <summary>
/// Plain, obviously correct SpMM: the test oracle. Accumulates in float64 and returns the result
/// in float64, so kernels can be compared by relative error.
/// </summary>
public static class ReferenceSpMM
{
    /// <summary>
    /// <c>y[i,c] = ⊕_{e in row i} message(a_e, x[col_e, c])</c>; empty rows give 0; Mean divides the sum by the row's entry count.
    /// </summary>
    /// <param name="a">The sparse operand.</param>
    /// <param name="x">The dense operand, <c>a.ColumnCount</c> rows.</param>
    /// <param name="reduce">The reduction.</param>
    /// <param name="adjacency">Weighted uses <c>a</c>'s values; Pattern passes edge value 1.</param>
    /// <param name="message">The message (default: edge × source).</param>
    public static double[] Compute<T>(CsrMatrix<T> a, DenseMatrix<T> x, Reduce reduce, Adjacency adjacency = Adjacency.Weighted,
        Func<double, double, double>? message = null) where T : unmanaged, INumber<T> =>
        ComputeWithMagnitude(a, x, reduce, adjacency, message).Values;

    /// <summary>
    /// Like <see cref="Compute{T}"/>, and also the magnitude of each output element: Σ|m| over the
    /// row's messages (divided by the degree for Mean; max |m| for Max and Min). Rounding error of a
    /// floating-point reduction is bounded relative to that magnitude, not to the result, which can
    /// cancel to near zero.
    /// </summary>
    public static (double[] Values, double[] Magnitudes) ComputeWithMagnitude<T>(CsrMatrix<T> a, DenseMatrix<T> x, Reduce reduce,
        Adjacency adjacency = Adjacency.Weighted, Func<double, double, double>? message = null) where T : unmanaged, INumber<T>
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(x);
        if (x.Rows != a.ColumnCount) throw new ArgumentException($"x has {x.Rows} rows, a has {a.ColumnCount} columns.", nameof(x));
        if (adjacency == Adjacency.Weighted && a.Values is null) throw new ArgumentException("a weighted product needs values.", nameof(a));
        message ??= static (edge, source) => edge * source;
        int dim = x.Columns;
        var y = new double[(long)a.Rows * dim];
        var magnitude = new double[y.Length];
        for (int i = 0; i < a.Rows; i++)
        {
            int start = a.RowOffsets[i], end = a.RowOffsets[i + 1];
            for (int c = 0; c < dim; c++)
            {
                if (start == end) { y[(long)i * dim + c] = 0; continue; }
                double size = 0;
                double acc = reduce switch
                {
                    Reduce.Max => double.NegativeInfinity,
                    Reduce.Min => double.PositiveInfinity,
                    _ => 0.0,
                };
                for (int e = start; e < end; e++)
                {
                    double edge = adjacency == Adjacency.Weighted ? double.CreateChecked(a.Values![e]) : 1.0;
                    double m = message(edge, double.CreateChecked(x[a.ColumnIndices[e], c]));
                    size = reduce is Reduce.Max or Reduce.Min ? Math.Max(size, Math.Abs(m)) : size + Math.Abs(m);
                    acc = reduce switch
                    {
                        Reduce.Max => Math.Max(acc, m),
                        Reduce.Min => Math.Min(acc, m),
                        _ => acc + m,
                    };
                }
                if (reduce == Reduce.Mean) { acc /= end - start; size /= end - start; }
                y[(long)i * dim + c] = acc;
                magnitude[(long)i * dim + c] = size;
            }
        }
        return (y, magnitude);
    }
}
