using System.Numerics;

namespace KernelDsl.Reference;

/// <summary>Error measures between a kernel's output and a float64 reference.</summary>
public static class Compare
{
    /// <summary>
    /// Largest <c>|actual - expected| / max(|expected|, floor)</c> over all elements; the floor
    /// keeps near-zero expected values from dominating (it acts as an absolute tolerance there).
    /// Returns +∞ if the lengths differ or an element is NaN where the reference is not.
    /// </summary>
    public static double MaxRelativeError<T>(ReadOnlySpan<T> actual, ReadOnlySpan<double> expected, double floor = 1.0)
        where T : unmanaged, INumber<T>
    {
        if (actual.Length != expected.Length) return double.PositiveInfinity;
        double worst = 0;
        for (int i = 0; i < actual.Length; i++)
        {
            double a = double.CreateChecked(actual[i]), e = expected[i];
            if (double.IsNaN(a) != double.IsNaN(e)) return double.PositiveInfinity;
            if (double.IsNaN(a)) continue;
            double err = Math.Abs(a - e) / Math.Max(Math.Abs(e), floor);
            if (err > worst) worst = err;
        }
        return worst;
    }

    /// <summary>
    /// Largest <c>|actual - expected| / max(magnitude, floor)</c>: the error relative to the
    /// magnitude of the terms that were reduced (see <see cref="ReferenceSpMM.ComputeWithMagnitude{T}"/>).
    /// Recursive float32 summation of n terms stays below (n - 1) · 6e-8 on this measure (Higham);
    /// the floor covers messages that cancel internally (their own rounding is relative to their inputs).
    /// Returns +∞ on a length mismatch or a NaN where the reference has none.
    /// </summary>
    public static double MaxScaledError<T>(ReadOnlySpan<T> actual, ReadOnlySpan<double> expected, ReadOnlySpan<double> magnitude,
        double floor = 1.0) where T : unmanaged, INumber<T>
    {
        if (actual.Length != expected.Length || magnitude.Length != expected.Length) return double.PositiveInfinity;
        double worst = 0;
        for (int i = 0; i < actual.Length; i++)
        {
            double a = double.CreateChecked(actual[i]), e = expected[i];
            if (double.IsNaN(a) != double.IsNaN(e)) return double.PositiveInfinity;
            if (double.IsNaN(a)) continue;
            double err = Math.Abs(a - e) / Math.Max(magnitude[i], floor);
            if (err > worst) worst = err;
        }
        return worst;
    }
}
