using System.ComponentModel;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace KernelDsl.Native;

/// <summary>
/// The k-wide inner loops of the native MaxK-GNN kernels, generic over the CBSR index type (the JIT
/// compiles one specialized copy per byte, ushort and int). Generated code calls them once per edge:
/// unrolled, without bounds checks. Scalar on purpose: AVX2 gathers measured slower than this on the
/// AMD EPYC machines here (vpgatherdps is microcoded there). Public for generated code.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Advanced)]
public static class SparseRow
{
    /// <summary><c>y[index[t]] += weight · values[t]</c> for t &lt; k (the k columns are distinct).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void ScatterAxpy<TIndex>(ref float y, ref float values, ref TIndex index, int k, float weight)
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        int t = 0;
        for (; t <= k - 4; t += 4)
        {
            Unsafe.Add(ref y, int.CreateTruncating(Unsafe.Add(ref index, t))) += weight * Unsafe.Add(ref values, t);
            Unsafe.Add(ref y, int.CreateTruncating(Unsafe.Add(ref index, t + 1))) += weight * Unsafe.Add(ref values, t + 1);
            Unsafe.Add(ref y, int.CreateTruncating(Unsafe.Add(ref index, t + 2))) += weight * Unsafe.Add(ref values, t + 2);
            Unsafe.Add(ref y, int.CreateTruncating(Unsafe.Add(ref index, t + 3))) += weight * Unsafe.Add(ref values, t + 3);
        }
        for (; t < k; t++) Unsafe.Add(ref y, int.CreateTruncating(Unsafe.Add(ref index, t))) += weight * Unsafe.Add(ref values, t);
    }

    /// <summary><c>target[t] += weight · row[index[t]]</c> for t &lt; k: a gather from a dense (cache-resident) row into a contiguous target.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void GatherAxpy<TIndex>(ref float target, ref float row, ref TIndex index, int k, float weight)
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        int t = 0;
        for (; t <= k - 4; t += 4)
        {
            Unsafe.Add(ref target, t) += weight * Unsafe.Add(ref row, int.CreateTruncating(Unsafe.Add(ref index, t)));
            Unsafe.Add(ref target, t + 1) += weight * Unsafe.Add(ref row, int.CreateTruncating(Unsafe.Add(ref index, t + 1)));
            Unsafe.Add(ref target, t + 2) += weight * Unsafe.Add(ref row, int.CreateTruncating(Unsafe.Add(ref index, t + 2)));
            Unsafe.Add(ref target, t + 3) += weight * Unsafe.Add(ref row, int.CreateTruncating(Unsafe.Add(ref index, t + 3)));
        }
        for (; t < k; t++) Unsafe.Add(ref target, t) += weight * Unsafe.Add(ref row, int.CreateTruncating(Unsafe.Add(ref index, t)));
    }
}
