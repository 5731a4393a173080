using System.ComponentModel;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;

namespace KernelDsl.Native;

/// <summary>
/// Software prefetch for the native kernels' random row accesses (a neighbour's CBSR row, an
/// accumulator row): issued a few edges ahead, it overlaps the memory latency that otherwise bounds
/// these k-wide kernels. A no-op where the CPU has no prefetch instruction. Public for generated code.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Advanced)]
public static class Prefetch
{
    /// <summary>Edges between a prefetch and the use of the data.</summary>
    public const int Distance = 8;

    /// <summary>Bytes in a cache line on x64, the CPUs where <see cref="ReadRange"/> issues prefetches (SSE).</summary>
    public const int LineBytes = 64;

    /// <summary>
    /// Prefetches every cache line of the <paramref name="count"/> elements from <paramref name="first"/> on: a
    /// k-wide row (128 bytes of values at k = 32) spans two or three lines wherever its array put it, and a
    /// line left out is a demand miss in the middle of the row's loop.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void ReadRange<T>(ref T first, int count)
    {
        if (!Sse.IsSupported || count <= 0) return;
        nint start = (nint)Unsafe.AsPointer(ref first);
        nint last = start + (nint)count * Unsafe.SizeOf<T>() - 1;
        for (nint line = start & ~(nint)(LineBytes - 1); line <= last; line += LineBytes) Sse.Prefetch0((void*)line);
    }
}
