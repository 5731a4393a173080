namespace KernelDsl.Runtime;

/// <summary>Where generated kernels run.</summary>
public enum BackendKind
{
    /// <summary>Choose automatically: CUDA, else an OpenCL GPU, else <see cref="NativeCpu"/>.</summary>
    Auto = 0,
    /// <summary>An NVIDIA GPU through ILGPU's CUDA backend.</summary>
    Cuda = 1,
    /// <summary>A GPU through ILGPU's OpenCL backend (CPU OpenCL devices are not used).</summary>
    OpenCL = 2,
    /// <summary>ILGPU's CPU accelerator: runs the GPU kernels' exact semantics with emulated threads; slow, for checking.</summary>
    IlgpuCpu = 3,
    /// <summary>The generated native C# implementation: multi-threaded over rows, SIMD over feature columns.</summary>
    NativeCpu = 4,
}
