namespace KernelDsl.Tests.Support;

/// <summary>Central finite differences of a scalar loss, compared with an analytic gradient.</summary>
public static class FiniteDifferences
{
    /// <summary>Largest |numeric − analytic| / max(1, |numeric|) over every element of <paramref name="x"/>.</summary>
    public static double MaxError(Func<DenseMatrix<float>, double> loss, DenseMatrix<float> x, DenseMatrix<float> analytic, float step = 1e-3f)
    {
        double worst = 0;
        for (int r = 0; r < x.Rows; r++)
            for (int c = 0; c < x.Columns; c++)
            {
                var plus = new DenseMatrix<float>(x.Rows, x.Columns, (float[])x.Data.Clone());
                var minus = new DenseMatrix<float>(x.Rows, x.Columns, (float[])x.Data.Clone());
                plus[r, c] += step;
                minus[r, c] -= step;
                double numeric = (loss(plus) - loss(minus)) / ((double)plus[r, c] - minus[r, c]);
                worst = Math.Max(worst, Math.Abs(numeric - analytic[r, c]) / Math.Max(1, Math.Abs(numeric)));
            }
        return worst;
    }
}
