using KernelDsl;
using KernelDsl.Runtime;

namespace KernelDsl.Tests.Kernels;

public static partial class DynamicReLUKernels
{
    [DynamicReLU]
    public static partial void Activate(ComputeStream stream, DenseBuffer<float> x, CbsrBuffer<float, byte> y);

    [DynamicReLUBackward]
    public static partial void ActivateBackward(ComputeStream stream, CbsrBuffer<float, byte> y, CbsrBuffer<float, byte> dy, DenseBuffer<float> dx);

    [DynamicReLU(K = 16, Dim = 300)]
    public static partial void ActivateWide(ComputeStream stream, DenseBuffer<float> x, CbsrBuffer<float, ushort> y);

    /// <summary>Any width, ushort columns: rows wider than the GPU kernels stage in shared memory.</summary>
    [DynamicReLU]
    public static partial void ActivateAnyWidth(ComputeStream stream, DenseBuffer<float> x, CbsrBuffer<float, ushort> y);
}
