using System.ComponentModel;
using System.Numerics;
using ILGPU;
using ILGPU.Runtime;
using KernelDsl.Runtime;

namespace KernelDsl;

/// <summary>A dense row-major matrix stored on a <see cref="ComputeBackend"/>.</summary>
public sealed class DenseBuffer<T> : IDisposable where T : unmanaged, INumber<T>
{
    private readonly MemoryBuffer1D<T, Stride1D.Dense>? _device;
    private readonly Memory<T> _host;
    private readonly bool _onHost;
    private bool _disposed;

    internal DenseBuffer(ComputeBackend backend, int rows, int columns)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfNegative(columns);
        Backend = backend;
        Rows = rows;
        Columns = columns;
        long length = (long)rows * columns;
        if (backend.Accelerator is null) ArraySizes.HostElements(rows, columns, "dense buffer", nameof(rows));
        if (backend.Accelerator is { } accelerator)
        {
            _device = DeviceArrays.Allocate<T>(accelerator, length);
            _device.MemSetToZero();
        }
        else
        {
            _host = HostStorage.Aligned<T>((int)length);
            _onHost = true;
        }
    }

    public ComputeBackend Backend { get; }
    public int Rows { get; }
    public int Columns { get; }
    public long Length => (long)Rows * Columns;
    public bool IsDisposed => _disposed;

    /// <summary>The kernel view (ILGPU backends only).</summary>
    public DenseView<T> View
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_device is null)
                throw new InvalidOperationException("This buffer lives on the native CPU backend; it has no ILGPU view.");
            return new DenseView<T>(DeviceArrays.View(_device, Length), Rows, Columns);
        }
    }

    /// <summary>
    /// The elements the native backend computes on (native backend only): <see cref="Length"/> elements, row-major, in
    /// pinned memory that starts on a 64-byte boundary (<see cref="HostStorage"/>), so a row whose width is a multiple of
    /// 64 bytes never straddles a cache line more than it must.
    /// </summary>
    [EditorBrowsable(EditorBrowsableState.Advanced)]
    public Memory<T> HostMemory
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _onHost ? _host : throw new InvalidOperationException($"This buffer lives on {Backend.Kind}; host memory exists only on the native CPU backend.");
        }
    }

    /// <summary><see cref="HostMemory"/> as a span.</summary>
    [EditorBrowsable(EditorBrowsableState.Advanced)]
    public Span<T> HostSpan => HostMemory.Span;

    /// <summary>Overwrites the contents with <paramref name="source"/> (row-major, exactly <see cref="Length"/> elements).</summary>
    public void CopyFrom(ReadOnlySpan<T> source)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (source.Length != Length)
            throw new ArgumentException($"source has {source.Length} elements but this {Rows} x {Columns} buffer holds {Length}.", nameof(source));
        if (_onHost) source.CopyTo(_host.Span);
        else if (Length > 0) DeviceArrays.View(_device!, Length).CopyFromCPU(source);
    }

    /// <summary>Copies the contents into <paramref name="destination"/>, waiting for pending work first.</summary>
    public void CopyTo(Span<T> destination)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (destination.Length != Length)
            throw new ArgumentException($"destination has {destination.Length} elements but this {Rows} x {Columns} buffer holds {Length}.", nameof(destination));
        if (_onHost) { _host.Span.CopyTo(destination); return; }
        Backend.Synchronize();
        if (Length > 0) DeviceArrays.View(_device!, Length).CopyToCPU(destination);
    }

    /// <summary>Sets every element to zero.</summary>
    public void Clear()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_onHost) _host.Span.Clear();
        else _device!.MemSetToZero();
    }

    /// <summary>Copies the contents to a new host matrix.</summary>
    public DenseMatrix<T> ToHost()
    {
        var m = new DenseMatrix<T>(Rows, Columns);
        CopyTo(m.Data);
        return m;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _device?.Dispose();
    }
}
