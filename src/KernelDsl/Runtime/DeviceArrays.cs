using ILGPU;
using ILGPU.Runtime;

namespace KernelDsl.Runtime;

/// <summary>
/// Device allocations that also work for zero elements (ILGPU refuses empty buffers): one element
/// is allocated, and <see cref="View{T}"/> trims the view back to the real length.
/// </summary>
internal static class DeviceArrays
{
    public static MemoryBuffer1D<T, Stride1D.Dense> Allocate<T>(Accelerator accelerator, long length) where T : unmanaged =>
        accelerator.Allocate1D<T>(Math.Max(1, length));

    public static MemoryBuffer1D<T, Stride1D.Dense> Upload<T>(Accelerator accelerator, T[] data) where T : unmanaged
    {
        var buffer = Allocate<T>(accelerator, data.Length);
        if (data.Length > 0) View(buffer, data.Length).CopyFromCPU(data);
        return buffer;
    }

    public static ArrayView<T> View<T>(MemoryBuffer1D<T, Stride1D.Dense> buffer, long length) where T : unmanaged =>
        ((ArrayView<T>)buffer.View).SubView(0, length);
}
