using System.Runtime.CompilerServices;

namespace KernelDsl;

/// <summary>
/// Host memory for the native backend's dense buffers: a pinned array (it never moves) of which a window that starts on a
/// 64-byte boundary is used. A managed array's elements start wherever the GC placed it (8-byte aligned; large arrays
/// in practice never on a cache line), so every 512-bit load of a row spanned two cache lines: the generated SpMM's
/// AVX-512 row body ran 1.11–1.55× slower with X and Y 16 bytes off a line than on lines, on soc-slashdot0902,
/// soc-brightkite and ca-AstroPh at dims 64 and 256 (alternated in one process: benchmark suite rowbody).
/// </summary>
public static class HostStorage
{
    /// <summary>The boundary the window starts on: a cache line, and one 512-bit vector.</summary>
    public const int Alignment = 64;

    /// <summary>A zeroed window of <paramref name="length"/> elements starting on an <see cref="Alignment"/>-byte boundary.</summary>
    public static Memory<T> Aligned<T>(int length) where T : unmanaged
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        int size = Unsafe.SizeOf<T>();
        int slack = (Alignment + size - 1) / size;
        var array = GC.AllocateArray<T>(checked(length + slack), pinned: true);
        // Every unmanaged element size stored here (1, 2, 4, 8) divides the GC's 8-byte alignment gap.
        int lead = (Alignment - Misalignment<T>(array)) % Alignment / size;
        return new Memory<T>(array, lead, length);
    }

    /// <summary>How many bytes past a 64-byte boundary a buffer's host elements start (0 for every buffer this type made).</summary>
    public static int Misalignment<T>(Memory<T> memory) where T : unmanaged
    {
        using var handle = memory.Pin();
        unsafe { return (int)((nuint)handle.Pointer % Alignment); }
    }
}
