using System.ComponentModel;
using System.Runtime.CompilerServices;

namespace KernelDsl.Runtime;

/// <summary>Small pure functions shared by generated kernels (ILGPU compiles them), native code and the reference.</summary>
[EditorBrowsable(EditorBrowsableState.Advanced)]
public static class KernelMath
{
    /// <summary>
    /// An unsigned key whose order is IEEE-754 totalOrder on <paramref name="value"/>: flip all bits of
    /// negatives, set the sign bit of positives (branch-free: an arithmetic shift of the sign makes the
    /// mask, so random signs cost no mispredictions). Used to select the top k without comparing NaNs.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint OrderedKey(float value)
    {
        uint bits = (uint)ILGPU.Interop.FloatAsInt(value);
        return bits ^ ((uint)((int)bits >> 31) | 0x80000000u);
    }

    /// <summary>
    /// The float whose <see cref="OrderedKey"/> is <paramref name="key"/>, bit for bit (the map is a bijection): a set top
    /// bit marks a non-negative value (clear it), a clear one a negative value (flip every bit back).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float FromOrderedKey(uint key) =>
        ILGPU.Interop.IntAsFloat(key ^ (~(uint)((int)key >> 31) | 0x80000000u));

    /// <summary>
    /// The same key as <see cref="OrderedKey"/> for host code (native backend, reference): reads the
    /// bits with <see cref="BitConverter.SingleToUInt32Bits"/>, which the JIT turns into one move.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint OrderedKeyHost(float value)
    {
        uint bits = BitConverter.SingleToUInt32Bits(value);
        return bits ^ ((uint)((int)bits >> 31) | 0x80000000u);
    }
}
