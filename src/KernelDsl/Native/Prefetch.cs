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

    /// <summary>Prefetches the cache line holding <paramref name="location"/> into all cache levels.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void Read<T>(ref T location)
    {
        if (Sse.IsSupported) Sse.Prefetch0(Unsafe.AsPointer(ref location));
    }
}
