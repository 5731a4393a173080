using System.ComponentModel;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace KernelDsl.Native;

/// <summary>Order statistics for the native MaxK. Public for generated code.</summary>
[EditorBrowsable(EditorBrowsableState.Advanced)]
public static class Selection
{
    /// <summary>
    /// The <paramref name="k"/>-th largest of <paramref name="keys"/> (1 ≤ k ≤ length): a bitwise radix
    /// select that decides the answer one bit at a time, most significant first, by counting the keys
    /// at or above each candidate with SIMD compares. Branch-free over the data (random keys would make
    /// a comparison-based quickselect mispredict about half its branches); the span is not modified.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static uint KthLargest(ReadOnlySpan<uint> keys, int k)
    {
        if ((uint)(k - 1) >= (uint)keys.Length)
            throw new ArgumentOutOfRangeException(nameof(k), $"k = {k} is outside 1..{keys.Length}.");
        uint threshold = 0;
        for (int bit = 31; bit >= 0; bit--)
        {
            uint candidate = threshold | (1u << bit);
            if (CountAtLeast(keys, candidate) >= k) threshold = candidate;
        }
        return threshold;
    }

    /// <summary>How many keys are ≥ <paramref name="value"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int CountAtLeast(ReadOnlySpan<uint> keys, uint value)
    {
        int i = 0, count = 0;
        if (Vector.IsHardwareAccelerated && keys.Length >= Vector<uint>.Count)
        {
            var target = new Vector<uint>(value);
            var total = Vector<uint>.Zero;
            ref uint start = ref MemoryMarshal.GetReference(keys);
            for (; i <= keys.Length - Vector<uint>.Count; i += Vector<uint>.Count)
                total -= Vector.GreaterThanOrEqual(Vector.LoadUnsafe(ref start, (nuint)i), target); // -1 per hit
            count = (int)Vector.Sum(total);
        }
        for (; i < keys.Length; i++) count += keys[i] >= value ? 1 : 0;
        return count;
    }
}
