using System.Globalization;
using System.Numerics;
using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using ILGPU.Runtime.Cuda;
using ILGPU.Runtime.OpenCL;

namespace KernelDsl.Runtime;

/// <summary>
/// The place generated kernels run: an ILGPU accelerator (CUDA, OpenCL, ILGPU's CPU accelerator)
/// or the native CPU backend. Owns the ILGPU context and accelerator it created; buffers made by
/// <see cref="Upload{T}(CsrMatrix{T})"/> and <see cref="AllocateDense{T}"/> belong to it.
/// </summary>
public sealed class ComputeBackend : IDisposable
{
    /// <summary>The environment variable that overrides <see cref="BackendKind.Auto"/>: cuda, opencl, ilgpu-cpu or native.</summary>
    public const string EnvironmentVariable = "KERNELDSL_BACKEND";

    private readonly Context? _context;
    private readonly bool _ownsAccelerator;
    private bool _disposed;

    private ComputeBackend(BackendKind kind, Context? context, Accelerator? accelerator, bool ownsAccelerator, string reason, int parallelism)
    {
        Kind = kind;
        _context = context;
        Accelerator = accelerator;
        _ownsAccelerator = ownsAccelerator;
        SelectionReason = reason;
        Parallelism = parallelism;
        Instance = Interlocked.Increment(ref _instances);
        DefaultStream = new ComputeStream(this, accelerator?.DefaultStream, ownsStream: false);
    }

    private static int _instances;

    /// <summary>
    /// Which backend object of this process this is (1, 2, … in creation order): two backends of one kind share a
    /// <see cref="Name"/>, and buffers belong to the one that made them, so messages about a mismatch name it.
    /// </summary>
    public int Instance { get; }

    /// <summary>Which backend this is.</summary>
    public BackendKind Kind { get; }

    /// <summary>The ILGPU accelerator, or null for <see cref="BackendKind.NativeCpu"/>.</summary>
    public Accelerator? Accelerator { get; }

    /// <summary>Why this backend was chosen (for logs).</summary>
    public string SelectionReason { get; }

    /// <summary>Worker threads the native backend uses.</summary>
    public int Parallelism { get; }

    /// <summary>The accelerator's default stream (native: a synchronous stream).</summary>
    public ComputeStream DefaultStream { get; }

    /// <summary>A readable name, e.g. "NativeCpu (2 threads)" or "Cuda: NVIDIA H200".</summary>
    public string Name => Accelerator is null
        ? string.Create(CultureInfo.InvariantCulture, $"NativeCpu ({Parallelism} threads)")
        : $"{Kind}: {Accelerator.Name} (warp {Accelerator.WarpSize}, max group {Accelerator.MaxNumThreadsPerGroup})";

    internal bool IsDisposed => _disposed;

    /// <summary>
    /// Creates a backend. <paramref name="kind"/> wins when it is not <see cref="BackendKind.Auto"/>;
    /// else the <see cref="EnvironmentVariable"/>; else CUDA, then an OpenCL GPU, then the native CPU backend.
    /// </summary>
    /// <param name="kind">The backend to create, or Auto.</param>
    /// <param name="parallelism">Worker threads for the native backend (default: processor count).</param>
    public static ComputeBackend Create(BackendKind kind = BackendKind.Auto, int? parallelism = null)
    {
        int threads = parallelism ?? Environment.ProcessorCount;
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1, nameof(parallelism));
        string origin = "requested";
        if (kind == BackendKind.Auto)
        {
            var env = Environment.GetEnvironmentVariable(EnvironmentVariable);
            if (!string.IsNullOrWhiteSpace(env))
            {
                kind = ParseKind(env);
                origin = $"{EnvironmentVariable}={env}";
            }
        }
        return kind switch
        {
            BackendKind.Auto => CreateAutomatic(threads),
            BackendKind.NativeCpu => new ComputeBackend(BackendKind.NativeCpu, null, null, false, origin, threads),
            BackendKind.IlgpuCpu => CreateIlgpuCpu(null, origin),
            BackendKind.Cuda => CreateGpu(BackendKind.Cuda, origin, threads)
                ?? throw new NotSupportedException($"No CUDA device was found ({origin}); use {EnvironmentVariable}=native or BackendKind.Auto."),
            BackendKind.OpenCL => CreateGpu(BackendKind.OpenCL, origin, threads)
                ?? throw new NotSupportedException($"No OpenCL GPU usable by ILGPU was found ({origin}); use {EnvironmentVariable}=native or BackendKind.Auto."),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown backend kind."),
        };
    }

    /// <summary>
    /// ILGPU's CPU accelerator, to run the GPU kernels' exact semantics (warps, groups) on the CPU.
    /// <paramref name="device"/> sets the emulated warp and group size; default warp 4, group 16.
    /// </summary>
    public static ComputeBackend CreateIlgpuCpu(CPUDevice? device = null) => CreateIlgpuCpu(device, "requested");

    /// <summary>Wraps an accelerator the caller owns (it is not disposed with this backend).</summary>
    public static ComputeBackend FromAccelerator(Accelerator accelerator)
    {
        ArgumentNullException.ThrowIfNull(accelerator);
        var kind = accelerator.AcceleratorType switch
        {
            AcceleratorType.Cuda => BackendKind.Cuda,
            AcceleratorType.OpenCL => BackendKind.OpenCL,
            _ => BackendKind.IlgpuCpu,
        };
        return new ComputeBackend(kind, null, accelerator, ownsAccelerator: false, "wrapped", Environment.ProcessorCount);
    }

    /// <summary>Parses a backend name: cuda, opencl, ilgpu-cpu (or cpu-accelerator), native (or cpu), auto.</summary>
    public static BackendKind ParseKind(string name) => name.Trim().ToLowerInvariant() switch
    {
        "auto" => BackendKind.Auto,
        "cuda" => BackendKind.Cuda,
        "opencl" => BackendKind.OpenCL,
        "ilgpu-cpu" or "ilgpucpu" or "cpu-accelerator" => BackendKind.IlgpuCpu,
        "native" or "nativecpu" or "cpu" => BackendKind.NativeCpu,
        _ => throw new ArgumentException($"Unknown backend '{name}'; use auto, cuda, opencl, ilgpu-cpu or native.", nameof(name)),
    };

    /// <summary>Creates a stream: its own ILGPU stream on an accelerator, a synchronous one on the native backend.</summary>
    public ComputeStream CreateStream()
    {
        ThrowIfDisposed();
        return Accelerator is null ? new ComputeStream(this, null, false) : new ComputeStream(this, Accelerator.CreateStream(), true);
    }

    /// <summary>Waits for all work on the accelerator (no-op on the native backend).</summary>
    public void Synchronize()
    {
        ThrowIfDisposed();
        Accelerator?.Synchronize();
    }

    /// <summary>Copies a host CSR matrix to this backend after checking it (<see cref="CsrMatrix{T}.Validate"/>).</summary>
    public CsrBuffer<T> Upload<T>(CsrMatrix<T> matrix) where T : unmanaged, INumber<T>
    {
        ThrowIfDisposed();
        ArgumentNullException.ThrowIfNull(matrix);
        matrix.Validate(nameof(matrix));
        return new CsrBuffer<T>(this, matrix);
    }

    /// <summary>Copies a host dense matrix to this backend.</summary>
    public DenseBuffer<T> Upload<T>(DenseMatrix<T> matrix) where T : unmanaged, INumber<T>
    {
        ThrowIfDisposed();
        ArgumentNullException.ThrowIfNull(matrix);
        var buffer = new DenseBuffer<T>(this, matrix.Rows, matrix.Columns);
        buffer.CopyFrom(matrix.Data);
        return buffer;
    }

    /// <summary>Copies a CBSR matrix to this backend after checking it (<see cref="CbsrMatrix{T, TIndex}.Validate"/>).</summary>
    public CbsrBuffer<T, TIndex> Upload<T, TIndex>(CbsrMatrix<T, TIndex> matrix)
        where T : unmanaged, INumber<T> where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        ThrowIfDisposed();
        ArgumentNullException.ThrowIfNull(matrix);
        matrix.Validate(nameof(matrix));
        return new CbsrBuffer<T, TIndex>(this, matrix);
    }

    /// <summary>A CBSR matrix of <paramref name="rows"/> × <paramref name="dim"/> keeping <paramref name="k"/> per row (zeros at columns 0..k-1), e.g. for MaxK's output.</summary>
    public CbsrBuffer<T, TIndex> AllocateCbsr<T, TIndex>(int rows, int dim, int k)
        where T : unmanaged, INumber<T> where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        ThrowIfDisposed();
        // Each argument blamed for its own fault: the index type cannot hold dim's columns → dim; k outside 1..dim → k.
        Cbsr.CheckIndexType<TIndex>(dim, nameof(dim));
        if (rows > 0 && (k < 1 || k > dim))
            throw new ArgumentOutOfRangeException(nameof(k), k, $"k = {k} must be in 1..dim = {dim}: a CBSR row keeps k of its dim columns.");
        var empty = new CbsrMatrix<T, TIndex>(rows, dim, k);
        empty.Validate(nameof(k));
        return new CbsrBuffer<T, TIndex>(this, empty);
    }

    /// <summary>A zero-filled dense matrix on this backend.</summary>
    public DenseBuffer<T> AllocateDense<T>(int rows, int columns) where T : unmanaged, INumber<T>
    {
        ThrowIfDisposed();
        return new DenseBuffer<T>(this, rows, columns);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        if (_ownsAccelerator) Accelerator?.Dispose();
        _context?.Dispose();
    }

    internal void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);

    private static ComputeBackend CreateAutomatic(int threads)
    {
        var gpu = CreateGpu(BackendKind.Cuda, "auto: CUDA device found", threads)
            ?? CreateGpu(BackendKind.OpenCL, "auto: OpenCL GPU found", threads);
        return gpu ?? new ComputeBackend(BackendKind.NativeCpu, null, null, false, "auto: no CUDA or OpenCL GPU, using the native CPU backend", threads);
    }

    private static ComputeBackend CreateIlgpuCpu(CPUDevice? device, string origin)
    {
        var dev = device ?? CPUDevice.Default;
        var context = Context.Create(b => b.CPU(dev).Optimize(OptimizationLevel.O1));
        try
        {
            var accelerator = context.GetCPUDevice(0).CreateCPUAccelerator(context, CPUAcceleratorMode.Parallel);
            return new ComputeBackend(BackendKind.IlgpuCpu, context, accelerator, true, origin, Environment.ProcessorCount);
        }
        catch
        {
            context.Dispose();
            throw;
        }
    }

    private static ComputeBackend? CreateGpu(BackendKind kind, string origin, int threads)
    {
        Context? context = null;
        try
        {
            context = kind == BackendKind.Cuda
                ? Context.Create(b => b.Cuda().Optimize(OptimizationLevel.O2))
                : Context.Create(b => b.OpenCL(d => d.DeviceType == CLDeviceType.CL_DEVICE_TYPE_GPU).Optimize(OptimizationLevel.O2));
            foreach (var device in context)
            {
                if (device.AcceleratorType is AcceleratorType.CPU) continue;
                try
                {
                    var accelerator = device.CreateAccelerator(context);
                    return new ComputeBackend(kind, context, accelerator, true, origin, threads);
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    // e.g. ILGPU refuses an OpenCL device without generic address space: try the next.
                }
            }
        }
        catch (Exception ex) when (ex is DllNotFoundException or TypeInitializationException or InvalidOperationException or NotSupportedException or EntryPointNotFoundException or CudaException or CLException)
        {
            // No driver: fall through to the next backend.
        }
        context?.Dispose();
        return null;
    }
}
