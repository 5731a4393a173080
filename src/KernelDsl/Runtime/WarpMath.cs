using System.ComponentModel;
using System.Runtime.CompilerServices;

namespace KernelDsl.Runtime;

/// <summary>
/// Warp-wide integer reductions for the warp-cooperative generated kernels (ILGPU compiles them into the
/// kernel). Correct for any power-of-two warp size: ILGPU's CPU accelerator at warp 4 as on a GPU at 32.
/// Every lane of the warp must call them together (they shuffle).
/// </summary>
[EditorBrowsable(EditorBrowsableState.Advanced)]
public static class WarpMath
{
    /// <summary>The sum of <paramref name="value"/> over the warp, returned to every lane (butterfly of xor shuffles).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Sum(int value)
    {
        for (int offset = ILGPU.Warp.WarpSize / 2; offset > 0; offset /= 2)
            value += ILGPU.Warp.ShuffleXor(value, offset);
        return value;
    }

    /// <summary>
    /// The sum of <paramref name="value"/> over this lane and every lower lane (inclusive prefix sum,
    /// Hillis–Steele over up-shuffles); the highest lane holds the warp's total.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int InclusiveSum(int value)
    {
        int lane = ILGPU.Warp.LaneIdx;
        for (int delta = 1; delta < ILGPU.Warp.WarpSize; delta *= 2)
        {
            int lower = ILGPU.Warp.ShuffleUp(value, delta);
            if (lane >= delta) value += lower;
        }
        return value;
    }
}
