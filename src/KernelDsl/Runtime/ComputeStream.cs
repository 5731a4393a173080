using ILGPU.Runtime;

namespace KernelDsl.Runtime;

/// <summary>
/// An ordered queue of work on a <see cref="ComputeBackend"/>. On an ILGPU backend it wraps an
/// <see cref="ILGPU.Runtime.AcceleratorStream"/> and launches are asynchronous until
/// <see cref="Synchronize"/>; on the native backend every call completes before it returns.
/// </summary>
public sealed class ComputeStream : IDisposable
{
    private readonly bool _ownsStream;

    internal ComputeStream(ComputeBackend backend, AcceleratorStream? stream, bool ownsStream)
    {
        Backend = backend;
        AcceleratorStream = stream;
        _ownsStream = ownsStream;
    }

    /// <summary>The backend this stream belongs to.</summary>
    public ComputeBackend Backend { get; }

    /// <summary>The ILGPU stream, or null on the native backend.</summary>
    public AcceleratorStream? AcceleratorStream { get; }

    /// <summary>Waits until everything queued on this stream has finished.</summary>
    public void Synchronize()
    {
        Backend.ThrowIfDisposed();
        AcceleratorStream?.Synchronize();
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_ownsStream) AcceleratorStream?.Dispose();
    }
}
