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
    /// select that decides the answer two bits at a time, most significant first, by counting the keys
    /// at or above each of the three candidates with SIMD compares. Branch-free over the data (random keys would make
    /// a comparison-based quickselect mispredict about half its branches); the span is not modified.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static uint KthLargest(ReadOnlySpan<uint> keys, int k)
    {
        if ((uint)(k - 1) >= (uint)keys.Length)
            throw new ArgumentOutOfRangeException(nameof(k), $"k = {k} is outside 1..{keys.Length}.");
        // Two bits per pass: three independent counts shorten the chain of dependent passes from 32 to 16.
        uint threshold = 0;
        for (int bit = 30; bit >= 0; bit -= 2)
        {
            uint c1 = threshold | (1u << bit), c2 = threshold | (2u << bit), c3 = threshold | (3u << bit);
            var (n1, n2, n3) = CountAtLeast(keys, c1, c2, c3);
            threshold = n3 >= k ? c3 : n2 >= k ? c2 : n1 >= k ? c1 : threshold;
        }
        return threshold;
    }

    /// <summary>How many keys are ≥ each of three values, in one pass.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (int, int, int) CountAtLeast(ReadOnlySpan<uint> keys, uint a, uint b, uint c)
    {
        int i = 0, na = 0, nb = 0, nc = 0;
        if (Vector.IsHardwareAccelerated && keys.Length >= Vector<uint>.Count)
        {
            Vector<uint> va = new(a), vb = new(b), vc = new(c), ta = Vector<uint>.Zero, tb = Vector<uint>.Zero, tc = Vector<uint>.Zero;
            ref uint start = ref MemoryMarshal.GetReference(keys);
            for (; i <= keys.Length - Vector<uint>.Count; i += Vector<uint>.Count)
            {
                var key = Vector.LoadUnsafe(ref start, (nuint)i);
                ta -= Vector.GreaterThanOrEqual(key, va);
                tb -= Vector.GreaterThanOrEqual(key, vb);
                tc -= Vector.GreaterThanOrEqual(key, vc);
            }
            na = (int)Vector.Sum(ta);
            nb = (int)Vector.Sum(tb);
            nc = (int)Vector.Sum(tc);
        }
        for (; i < keys.Length; i++)
        {
            na += keys[i] >= a ? 1 : 0;
            nb += keys[i] >= b ? 1 : 0;
            nc += keys[i] >= c ? 1 : 0;
        }
        return (na, nb, nc);
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
