using System.ComponentModel;
using System.Numerics;
using ILGPU;
using ILGPU.Runtime;
using KernelDsl.Runtime;

namespace KernelDsl;

/// <summary>A CBSR matrix on a <see cref="ComputeBackend"/> (device memory, or host arrays on the native backend).</summary>
public sealed class CbsrBuffer<T, TIndex> : IDisposable
    where T : unmanaged, INumber<T>
    where TIndex : unmanaged, IBinaryInteger<TIndex>
{
    private readonly MemoryBuffer1D<T, Stride1D.Dense>? _values;
    private readonly MemoryBuffer1D<TIndex, Stride1D.Dense>? _indices;
    private readonly CbsrMatrix<T, TIndex>? _host;
    private bool _disposed;

    internal CbsrBuffer(ComputeBackend backend, CbsrMatrix<T, TIndex> matrix)
    {
        Backend = backend;
        Rows = matrix.Rows;
        Dim = matrix.Dim;
        K = matrix.K;
        if (backend.Accelerator is { } accelerator)
        {
            _values = DeviceArrays.Upload(accelerator, matrix.Values);
            _indices = DeviceArrays.Upload(accelerator, matrix.Indices);
        }
        else
        {
            _host = new CbsrMatrix<T, TIndex>(Rows, Dim, K, (T[])matrix.Values.Clone(), (TIndex[])matrix.Indices.Clone());
        }
    }

    public ComputeBackend Backend { get; }
    public int Rows { get; }
    public int Dim { get; }
    public int K { get; }
    public bool IsDisposed => _disposed;

    /// <summary>The kernel view (ILGPU backends only).</summary>
    public CbsrView<T, TIndex> View
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_values is null) throw new InvalidOperationException("This buffer lives on the native CPU backend; it has no ILGPU view.");
            long n = (long)Rows * K;
            return new CbsrView<T, TIndex>(DeviceArrays.View(_values, n), DeviceArrays.View(_indices!, n), Rows, Dim, K);
        }
    }

    /// <summary>
    /// The private host arrays the native backend computes on, for the code KernelDsl generates (native backend only).
    /// Generated kernels index them without bounds checks, trusting the invariants <see cref="ComputeBackend"/> checked
    /// at upload: writing through them (a column or index out of range, offsets out of order) makes later kernels read or
    /// write outside their buffers. Read a buffer with <see cref="ToHost"/> (a copy), change it by uploading a new one.
    /// </summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public CbsrMatrix<T, TIndex> DangerousGetHostArrays() => Host;

    /// <summary>The host arrays (native backend only), for the runtime's own kernels.</summary>
    internal CbsrMatrix<T, TIndex> Host
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _host ?? throw new InvalidOperationException($"This buffer lives on {Backend.Kind}; host arrays exist only on the native CPU backend.");
        }
    }

    /// <summary>Copies the matrix back to the host (waits for pending work).</summary>
    public CbsrMatrix<T, TIndex> ToHost()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_host is not null) return new CbsrMatrix<T, TIndex>(Rows, Dim, K, (T[])_host.Values.Clone(), (TIndex[])_host.Indices.Clone());
        Backend.Synchronize();
        var view = View;
        return new CbsrMatrix<T, TIndex>(Rows, Dim, K, view.Values.GetAsArray(), view.Indices.GetAsArray());
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _values?.Dispose();
        _indices?.Dispose();
    }
}
