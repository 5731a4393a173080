using System.ComponentModel;
using System.Runtime.Intrinsics;

namespace KernelDsl.Native;

/// <summary>
/// The SIMD width the generated native SpMM kernels use: <see cref="SimdWidth.Vector512"/> (register tiles of 8 × 512 bits)
/// where the machine runs AVX-512, else <see cref="SimdWidth.Vector256"/> (<c>Vector&lt;T&gt;</c>, 4 × 256 bits). Both widths
/// give bit-identical results (each lane does the same operations in the same order), so switching never changes an
/// answer: tests force the narrower one so a machine with AVX-512 still runs the code every other machine runs.
/// Public for generated code.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Advanced)]
public static class NativeSimd
{
    private static SimdWidth _width = Supported(SimdWidth.Vector512);

    /// <summary>The width the native SpMM kernels use; setting a width the machine cannot run selects the widest it can.</summary>
    public static SimdWidth Width
    {
        get => _width;
        set => _width = Supported(value);
    }

    private static SimdWidth Supported(SimdWidth width) =>
        width == SimdWidth.Vector512 && Vector512.IsHardwareAccelerated ? SimdWidth.Vector512 : SimdWidth.Vector256;
}
