using System.Numerics;

namespace KernelDsl.Reference;

/// <summary>Plain references for the MaxK-GNN operations (float64 accumulation where there is a sum).</summary>
public static class ReferenceMaxK
{
    /// <summary>Top-k of each row by a stable sort on (value descending by totalOrder, column ascending); output columns ascending.</summary>
    public static CbsrMatrix<float, TIndex> MaxK<TIndex>(DenseMatrix<float> x, int k) where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        var values = new float[(long)x.Rows * k];
        var indices = new TIndex[(long)x.Rows * k];
        for (int r = 0; r < x.Rows; r++)
        {
            var row = x.Row(r).ToArray();
            var kept = Enumerable.Range(0, x.Columns)
                .OrderByDescending(c => TotalOrder(row[c])).ThenBy(c => c)
                .Take(k).Order().ToArray();
            for (int t = 0; t < k; t++)
            {
                values[(long)r * k + t] = row[kept[t]];
                indices[(long)r * k + t] = TIndex.CreateTruncating(kept[t]);
            }
        }
        return new CbsrMatrix<float, TIndex>(x.Rows, x.Columns, k, values, indices);
    }

    /// <summary>
    /// IEEE-754 totalOrder as a signed number, written independently of the kernels' key (so the oracle does not share
    /// their code): non-negative bit patterns in their own order (+0 … +∞ … +NaN), negative ones by decreasing magnitude
    /// below them (−0 just below +0, −NaN lowest).
    /// </summary>
    private static long TotalOrder(float value)
    {
        int bits = BitConverter.SingleToInt32Bits(value);
        return bits >= 0 ? bits : -(long)(bits & 0x7FFFFFFF) - 1;
    }

    /// <summary>Dynamic-ReLU: MaxK, then every kept value that is not positive set to 0 (its column stays).</summary>
    public static CbsrMatrix<float, TIndex> DynamicReLU<TIndex>(DenseMatrix<float> x, int k) where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        var y = MaxK<TIndex>(x, k);
        for (long i = 0; i < y.Values.LongLength; i++) if (!(y.Values[i] > 0)) y.Values[i] = 0f;
        return y;
    }

    /// <summary>Dynamic-ReLU backward: dx[i, idx[i,t]] = dy[i,t] where y[i,t] &gt; 0; zeros elsewhere.</summary>
    public static DenseMatrix<float> DynamicReLUBackward<TIndex>(CbsrMatrix<float, TIndex> y, CbsrMatrix<float, TIndex> dy)
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        var dx = new DenseMatrix<float>(y.Rows, y.Dim);
        for (int r = 0; r < y.Rows; r++)
            for (int t = 0; t < y.K; t++)
            {
                long slot = (long)r * y.K + t;
                if (y.Values[slot] > 0) dx[r, int.CreateTruncating(y.Indices[slot])] = dy.Values[slot];
            }
        return dx;
    }

    /// <summary>Y = A · dense(X), float64.</summary>
    public static double[] SpGemm<TIndex>(CsrMatrix<float> a, CbsrMatrix<float, TIndex> x, Adjacency adjacency = Adjacency.Weighted)
        where TIndex : unmanaged, IBinaryInteger<TIndex> =>
        ReferenceSpMM.Compute(a, x.ToDense(), Reduce.Sum, adjacency);

    /// <summary>dX[j,t] = Σ_i A[i,j] · dY[i, idx[j,t]], float64, by walking A's edges (the outer product).</summary>
    public static double[] SSpMM<TIndex>(CsrMatrix<float> a, DenseMatrix<float> dy, CbsrMatrix<float, TIndex> x, Adjacency adjacency = Adjacency.Weighted)
        where TIndex : unmanaged, IBinaryInteger<TIndex> => SSpMMWithMagnitude(a, dy, x, adjacency).Values;

    /// <summary>Σ|terms| of each SSpMM output, for the error measure.</summary>
    public static double[] SSpMMMagnitude<TIndex>(CsrMatrix<float> a, DenseMatrix<float> dy, CbsrMatrix<float, TIndex> x, Adjacency adjacency = Adjacency.Weighted)
        where TIndex : unmanaged, IBinaryInteger<TIndex> => SSpMMWithMagnitude(a, dy, x, adjacency).Magnitudes;

    /// <summary>SSpMM and the magnitude Σ|terms| of each output, in one pass over A's edges.</summary>
    public static (double[] Values, double[] Magnitudes) SSpMMWithMagnitude<TIndex>(CsrMatrix<float> a, DenseMatrix<float> dy,
        CbsrMatrix<float, TIndex> x, Adjacency adjacency = Adjacency.Weighted) where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        var dx = new double[(long)x.Rows * x.K];
        var magnitude = new double[dx.Length];
        for (int i = 0; i < a.Rows; i++)
            for (int e = a.RowOffsets[i]; e < a.RowOffsets[i + 1]; e++)
            {
                int j = a.ColumnIndices[e];
                double w = adjacency == Adjacency.Weighted ? a.Values![e] : 1.0;
                for (int t = 0; t < x.K; t++)
                {
                    long slot = (long)j * x.K + t;
                    double term = w * dy[i, int.CreateTruncating(x.Indices[slot])];
                    dx[slot] += term;
                    magnitude[slot] += Math.Abs(term);
                }
            }
        return (dx, magnitude);
    }
}
