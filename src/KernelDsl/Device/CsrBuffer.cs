using System.ComponentModel;
using System.Numerics;
using ILGPU;
using ILGPU.Runtime;
using KernelDsl.Native;
using KernelDsl.Runtime;

namespace KernelDsl;

/// <summary>
/// A CSR matrix stored on a <see cref="ComputeBackend"/>: ILGPU device memory on an accelerator,
/// private host arrays on the native backend. Created by <see cref="ComputeBackend.Upload{T}(CsrMatrix{T})"/>,
/// which has already checked every CSR invariant.
/// </summary>
public sealed class CsrBuffer<T> : IDisposable where T : unmanaged, INumber<T>
{
    private readonly MemoryBuffer1D<int, Stride1D.Dense>? _rowOffsets;
    private readonly MemoryBuffer1D<int, Stride1D.Dense>? _columns;
    private readonly MemoryBuffer1D<T, Stride1D.Dense>? _values;
    private readonly CsrMatrix<T>? _host;
    private readonly DerivedCache _derived = new();
    private bool _disposed;

    internal CsrBuffer(ComputeBackend backend, CsrMatrix<T> matrix)
    {
        Backend = backend;
        Rows = matrix.Rows;
        ColumnCount = matrix.ColumnCount;
        Nonzeros = matrix.Nonzeros;
        HasValues = matrix.HasValues;
        Statistics = matrix.DegreeStatistics();
        Fingerprint = DegreeSortedPartition.FingerprintOf(matrix.RowOffsets, matrix.ColumnIndices);
        if (backend.Accelerator is { } accelerator)
        {
            _rowOffsets = DeviceArrays.Upload(accelerator, matrix.RowOffsets);
            _columns = DeviceArrays.Upload(accelerator, matrix.ColumnIndices);
            _values = matrix.Values is null ? null : DeviceArrays.Upload(accelerator, matrix.Values);
        }
        else
        {
            _host = new CsrMatrix<T>(matrix.Rows, matrix.ColumnCount, (int[])matrix.RowOffsets.Clone(),
                (int[])matrix.ColumnIndices.Clone(), (T[]?)matrix.Values?.Clone());
        }
    }

    /// <summary>The backend that holds the data.</summary>
    public ComputeBackend Backend { get; }
    public int Rows { get; }
    public int ColumnCount { get; }
    public int Nonzeros { get; }

    /// <summary>True when the matrix stores values (a weighted adjacency).</summary>
    public bool HasValues { get; }

    /// <summary>Degree statistics, computed at upload.</summary>
    public DegreeStatistics Statistics { get; }

    /// <summary>Hash of the structure (row offsets and columns), computed at upload; plans are checked against it.</summary>
    public ulong Fingerprint { get; }

    /// <summary>True after <see cref="Dispose"/>.</summary>
    public bool IsDisposed => _disposed;

    /// <summary>The kernel view (ILGPU backends only).</summary>
    public CsrView<T> View
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_rowOffsets is null)
                throw new InvalidOperationException("This buffer lives on the native CPU backend; it has no ILGPU view.");
            return new CsrView<T>(DeviceArrays.View(_rowOffsets, Rows + 1L), DeviceArrays.View(_columns!, Nonzeros),
                _values is null ? ArrayView<T>.Empty : DeviceArrays.View(_values, Nonzeros), Rows, ColumnCount);
        }
    }

    /// <summary>
    /// The private host arrays the native backend computes on, for the code KernelDsl generates (native backend only).
    /// Generated kernels index them without bounds checks, trusting the invariants <see cref="ComputeBackend"/> checked
    /// at upload: writing through them (a column or index out of range, offsets out of order) makes later kernels read or
    /// write outside their buffers. Read a buffer with <see cref="ToHost"/> (a copy), change it by uploading a new one.
    /// </summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public CsrMatrix<T> DangerousGetHostArrays() => Host;

    /// <summary>The host arrays (native backend only), for the runtime's own kernels.</summary>
    internal CsrMatrix<T> Host
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _host ?? throw new InvalidOperationException($"This buffer lives on {Backend.Kind}; host arrays exist only on the native CPU backend.");
        }
    }

    /// <summary>
    /// Row blocks of about equal work for <paramref name="blocks"/> parallel tasks (native backend),
    /// computed once and cached.
    /// </summary>
    [EditorBrowsable(EditorBrowsableState.Advanced)]
    public int[] RowBlocks(int blocks)
    {
        var bounds = _derived.GetOrAdd(new RowBlocksKey(blocks), () => RowPartition.BalanceByNonzeros(Host.RowOffsets, blocks));
        return (int[])bounds.Clone(); // a copy: the cache stays as computed
    }

    /// <summary>
    /// Aᵀ on the same backend, built on first use and cached (the buffer is immutable, so it stays
    /// valid); disposed with this buffer. Backward kernels gather over it instead of scattering
    /// atomically over A.
    /// </summary>
    public CsrBuffer<T> Transposed()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _derived.GetOrAdd(new TransposedKey(), () => new CsrBuffer<T>(Backend, ToHost().Transpose()));
    }

    /// <summary>
    /// The operand of an [SpMM]'s backward with respect to its dense input, built on first use and cached:
    /// Aᵀ with value (j, i) = w_ij · s_i, where w_ij = a_ij for a weighted product (1 for a pattern one) and
    /// s_i = 1 / deg(i) for Reduce.Mean (1 for Sum), so that dX = adjointᵀ-product = Σ_i w_ij s_i dY[i,:].
    /// </summary>
    [EditorBrowsable(EditorBrowsableState.Advanced)]
    public CsrBuffer<T> Adjoint(bool mean, bool weighted)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _derived.GetOrAdd(new AdjointKey(mean, weighted), () =>
        {
            var a = ToHost();
            if (weighted && a.Values is null)
                throw new InvalidOperationException("a weighted backward needs the adjacency's values; this buffer is a pattern.");
            var values = new T[a.Nonzeros];
            for (int i = 0; i < a.Rows; i++)
            {
                int start = a.RowOffsets[i], end = a.RowOffsets[i + 1];
                T scale = mean && end > start ? T.One / T.CreateChecked(end - start) : T.One;
                for (int e = start; e < end; e++) values[e] = (weighted ? a.Values![e] : T.One) * scale;
            }
            return new CsrBuffer<T>(Backend, new CsrMatrix<T>(a.Rows, a.ColumnCount, a.RowOffsets, a.ColumnIndices, values).Transpose());
        });
    }

    /// <summary>
    /// The degree-sorted block partition for <paramref name="options"/>: the one given to
    /// <see cref="UsePlan"/>, else built on first use and cached (reused across layers and epochs).
    /// </summary>
    public DegreeSortedPartition DegreeSortedPlan(PartitionOptions options) => GetPlan(options).Plan;

    /// <summary>
    /// Makes the kernels use <paramref name="plan"/> (built by <see cref="DegreeSortedPartition.Build"/>,
    /// for example once and shared by several buffers of the same graph). Refused with an
    /// <see cref="ArgumentException"/> when the plan was built for another graph.
    /// </summary>
    public void UsePlan(DegreeSortedPartition plan)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentNullException.ThrowIfNull(plan);
        plan.EnsureBuiltFor(Rows, Nonzeros, Fingerprint, nameof(plan));
        _derived.Replace(new PlanKey(plan.Options), new PlanEntry(plan, UploadPlan(plan)));
    }

    /// <summary>The device view of <see cref="DegreeSortedPlan"/> (ILGPU backends only).</summary>
    [EditorBrowsable(EditorBrowsableState.Advanced)]
    public PartitionView PlanView(PartitionOptions options)
    {
        var (plan, device) = GetPlan(options);
        if (device is null) throw new InvalidOperationException("This buffer lives on the native CPU backend; it has no ILGPU view.");
        long n = plan.BlockCount;
        return new PartitionView(DeviceArrays.View(device[0], plan.Rows), DeviceArrays.View(device[1], n), DeviceArrays.View(device[2], n),
            DeviceArrays.View(device[3], n), DeviceArrays.View(device[4], n), DeviceArrays.View(device[5], n), DeviceArrays.View(device[6], n),
            plan.BlockCount, plan.Options.WarpsPerBlock);
    }

    private PlanEntry GetPlan(PartitionOptions options)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _derived.GetOrAdd(new PlanKey(options), () =>
        {
            var offsets = _host?.RowOffsets ?? DeviceArrays.View(_rowOffsets!, Rows + 1L).GetAsArray();
            options.Validate();
            var plan = DegreeSortedPartition.Build(offsets, Rows, options, Fingerprint);
            return new PlanEntry(plan, UploadPlan(plan));
        });
    }

    private MemoryBuffer1D<int, Stride1D.Dense>[]? UploadPlan(DegreeSortedPartition plan) => Backend.Accelerator is { } accelerator
        ? [DeviceArrays.Upload(accelerator, plan.PermutationArray), DeviceArrays.Upload(accelerator, plan.BlockFirstRowArray),
           DeviceArrays.Upload(accelerator, plan.BlockRowCountArray), DeviceArrays.Upload(accelerator, plan.BlockWarpsPerRowArray),
           DeviceArrays.Upload(accelerator, plan.BlockEdgesPerWarpArray), DeviceArrays.Upload(accelerator, plan.BlockSegmentStartArray),
           DeviceArrays.Upload(accelerator, plan.BlockSegmentLengthArray)]
        : null;

    /// <summary>The row-chunk work list for chunks of at most <paramref name="maxEdges"/> edges, cached per size.</summary>
    [EditorBrowsable(EditorBrowsableState.Advanced)]
    public RowChunks Chunks(int maxEdges) => GetChunks(maxEdges).Host;

    /// <summary>The device view of <see cref="Chunks"/> (ILGPU backends only).</summary>
    [EditorBrowsable(EditorBrowsableState.Advanced)]
    public RowChunkView ChunkView(int maxEdges)
    {
        var (host, device) = GetChunks(maxEdges);
        if (device is null) throw new InvalidOperationException("This buffer lives on the native CPU backend; it has no ILGPU view.");
        return new RowChunkView(DeviceArrays.View(device[0], host.Count), DeviceArrays.View(device[1], host.Count),
            DeviceArrays.View(device[2], host.Count), DeviceArrays.View(device[3], host.Count), host.Count);
    }

    private ChunksEntry GetChunks(int maxEdges)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _derived.GetOrAdd(new ChunksKey(maxEdges), () =>
        {
            var offsets = _host?.RowOffsets ?? DeviceArrays.View(_rowOffsets!, Rows + 1L).GetAsArray();
            var host = RowChunks.Build(offsets, maxEdges);
            MemoryBuffer1D<int, Stride1D.Dense>[]? device = null;
            if (Backend.Accelerator is { } accelerator)
                device = [DeviceArrays.Upload(accelerator, host.RowsArray), DeviceArrays.Upload(accelerator, host.StartsArray),
                          DeviceArrays.Upload(accelerator, host.EndsArray), DeviceArrays.Upload(accelerator, host.SoleChunkArray)];
            return new ChunksEntry(host, device);
        });
    }

    /// <summary>Copies the matrix back to the host.</summary>
    public CsrMatrix<T> ToHost()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_host is not null)
            return new CsrMatrix<T>(Rows, ColumnCount, (int[])_host.RowOffsets.Clone(), (int[])_host.ColumnIndices.Clone(), (T[]?)_host.Values?.Clone());
        Backend.Synchronize();
        return new CsrMatrix<T>(Rows, ColumnCount, DeviceArrays.View(_rowOffsets!, Rows + 1L).GetAsArray(),
            DeviceArrays.View(_columns!, Nonzeros).GetAsArray(), _values is null ? null : DeviceArrays.View(_values, Nonzeros).GetAsArray());
    }

    // The derived cache's keys (one record type per kind of entry) and its entries that own device copies.
    private sealed record RowBlocksKey(int Blocks);
    private sealed record TransposedKey;
    private sealed record AdjointKey(bool Mean, bool Weighted);
    private sealed record PlanKey(PartitionOptions Options);
    private sealed record ChunksKey(int MaxEdges);

    /// <summary>A cache entry with device copies (null on the native backend), freed with the entry.</summary>
    private abstract record WithDeviceCopies(MemoryBuffer1D<int, Stride1D.Dense>[]? Device) : IDisposable
    {
        public void Dispose() { foreach (var buffer in Device ?? []) buffer.Dispose(); }
    }

    private sealed record PlanEntry(DegreeSortedPartition Plan, MemoryBuffer1D<int, Stride1D.Dense>[]? Device) : WithDeviceCopies(Device);

    private sealed record ChunksEntry(RowChunks Host, MemoryBuffer1D<int, Stride1D.Dense>[]? Device) : WithDeviceCopies(Device);

    /// <inheritdoc />
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _rowOffsets?.Dispose();
        _columns?.Dispose();
        _values?.Dispose();
        _derived.Dispose();
    }
}
