using System.ComponentModel;
using System.Runtime.CompilerServices;

namespace KernelDsl.Runtime;

/// <summary>Small pure functions shared by generated kernels (ILGPU compiles them), native code and the reference.</summary>
[EditorBrowsable(EditorBrowsableState.Advanced)]
public static class KernelMath
{
    /// <summary>
    /// An unsigned key whose order is IEEE-754 totalOrder on <paramref name="value"/>: flip all bits of
    /// negatives, set the sign bit of positives. Used to select the top k without comparisons of NaN.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint OrderedKey(float value)
    {
        uint bits = (uint)ILGPU.Interop.FloatAsInt(value);
        return (bits & 0x80000000u) != 0 ? ~bits : bits | 0x80000000u;
    }
}
