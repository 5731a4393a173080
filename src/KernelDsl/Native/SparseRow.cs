using System.ComponentModel;
using System.Runtime.CompilerServices;

namespace KernelDsl.Native;

/// <summary>
/// The k-wide inner loops of the native MaxK-GNN kernels, for each CBSR index type. Generated code
/// calls them once per edge: unrolled, without bounds checks. Public for generated code.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Advanced)]
public static class SparseRow
{
    /// <summary><c>y[index[t]] += weight · values[t]</c> for t &lt; k (the k columns are distinct).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void ScatterAxpy(ref float y, ref float values, ref byte index, int k, float weight)
    {
        int t = 0;
        for (; t <= k - 4; t += 4)
        {
            Unsafe.Add(ref y, Unsafe.Add(ref index, t)) += weight * Unsafe.Add(ref values, t);
            Unsafe.Add(ref y, Unsafe.Add(ref index, t + 1)) += weight * Unsafe.Add(ref values, t + 1);
            Unsafe.Add(ref y, Unsafe.Add(ref index, t + 2)) += weight * Unsafe.Add(ref values, t + 2);
            Unsafe.Add(ref y, Unsafe.Add(ref index, t + 3)) += weight * Unsafe.Add(ref values, t + 3);
        }
        for (; t < k; t++) Unsafe.Add(ref y, Unsafe.Add(ref index, t)) += weight * Unsafe.Add(ref values, t);
    }

    /// <inheritdoc cref="ScatterAxpy(ref float, ref float, ref byte, int, float)"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void ScatterAxpy(ref float y, ref float values, ref ushort index, int k, float weight)
    {
        int t = 0;
        for (; t <= k - 4; t += 4)
        {
            Unsafe.Add(ref y, Unsafe.Add(ref index, t)) += weight * Unsafe.Add(ref values, t);
            Unsafe.Add(ref y, Unsafe.Add(ref index, t + 1)) += weight * Unsafe.Add(ref values, t + 1);
            Unsafe.Add(ref y, Unsafe.Add(ref index, t + 2)) += weight * Unsafe.Add(ref values, t + 2);
            Unsafe.Add(ref y, Unsafe.Add(ref index, t + 3)) += weight * Unsafe.Add(ref values, t + 3);
        }
        for (; t < k; t++) Unsafe.Add(ref y, Unsafe.Add(ref index, t)) += weight * Unsafe.Add(ref values, t);
    }

    /// <inheritdoc cref="ScatterAxpy(ref float, ref float, ref byte, int, float)"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void ScatterAxpy(ref float y, ref float values, ref int index, int k, float weight)
    {
        int t = 0;
        for (; t <= k - 4; t += 4)
        {
            Unsafe.Add(ref y, Unsafe.Add(ref index, t)) += weight * Unsafe.Add(ref values, t);
            Unsafe.Add(ref y, Unsafe.Add(ref index, t + 1)) += weight * Unsafe.Add(ref values, t + 1);
            Unsafe.Add(ref y, Unsafe.Add(ref index, t + 2)) += weight * Unsafe.Add(ref values, t + 2);
            Unsafe.Add(ref y, Unsafe.Add(ref index, t + 3)) += weight * Unsafe.Add(ref values, t + 3);
        }
        for (; t < k; t++) Unsafe.Add(ref y, Unsafe.Add(ref index, t)) += weight * Unsafe.Add(ref values, t);
    }

    /// <summary>
    /// <c>target[t] += weight · row[index[t]]</c> for t &lt; k: a gather from a dense (cache-resident) row
    /// into a contiguous target. Unrolled scalar code: measured faster than AVX2 gathers on the AMD EPYC
    /// machines here (vpgatherdps is microcoded there).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void GatherAxpy(ref float target, ref float row, ref byte index, int k, float weight)
    {
        int t = 0;
        for (; t <= k - 4; t += 4)
        {
            Unsafe.Add(ref target, t) += weight * Unsafe.Add(ref row, Unsafe.Add(ref index, t));
            Unsafe.Add(ref target, t + 1) += weight * Unsafe.Add(ref row, Unsafe.Add(ref index, t + 1));
            Unsafe.Add(ref target, t + 2) += weight * Unsafe.Add(ref row, Unsafe.Add(ref index, t + 2));
            Unsafe.Add(ref target, t + 3) += weight * Unsafe.Add(ref row, Unsafe.Add(ref index, t + 3));
        }
        for (; t < k; t++) Unsafe.Add(ref target, t) += weight * Unsafe.Add(ref row, Unsafe.Add(ref index, t));
    }

    /// <inheritdoc cref="GatherAxpy(ref float, ref float, ref byte, int, float)"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void GatherAxpy(ref float target, ref float row, ref ushort index, int k, float weight)
    {
        int t = 0;
        for (; t <= k - 4; t += 4)
        {
            Unsafe.Add(ref target, t) += weight * Unsafe.Add(ref row, Unsafe.Add(ref index, t));
            Unsafe.Add(ref target, t + 1) += weight * Unsafe.Add(ref row, Unsafe.Add(ref index, t + 1));
            Unsafe.Add(ref target, t + 2) += weight * Unsafe.Add(ref row, Unsafe.Add(ref index, t + 2));
            Unsafe.Add(ref target, t + 3) += weight * Unsafe.Add(ref row, Unsafe.Add(ref index, t + 3));
        }
        for (; t < k; t++) Unsafe.Add(ref target, t) += weight * Unsafe.Add(ref row, Unsafe.Add(ref index, t));
    }

    /// <inheritdoc cref="GatherAxpy(ref float, ref float, ref byte, int, float)"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void GatherAxpy(ref float target, ref float row, ref int index, int k, float weight)
    {
        int t = 0;
        for (; t <= k - 4; t += 4)
        {
            Unsafe.Add(ref target, t) += weight * Unsafe.Add(ref row, Unsafe.Add(ref index, t));
            Unsafe.Add(ref target, t + 1) += weight * Unsafe.Add(ref row, Unsafe.Add(ref index, t + 1));
            Unsafe.Add(ref target, t + 2) += weight * Unsafe.Add(ref row, Unsafe.Add(ref index, t + 2));
            Unsafe.Add(ref target, t + 3) += weight * Unsafe.Add(ref row, Unsafe.Add(ref index, t + 3));
        }
        for (; t < k; t++) Unsafe.Add(ref target, t) += weight * Unsafe.Add(ref row, Unsafe.Add(ref index, t));
    }
}
