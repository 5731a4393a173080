using KernelDsl.Runtime;

namespace KernelDsl.Hetero;

/// <summary>
/// Where heterogeneous layers run: a backend, a pool of streams, the host worker threads that
/// prepare relation inputs, and the <see cref="LaunchMode"/>.
/// <para>
/// Joins: ILGPU 1.5.3 streams have no events, so a wave ends by synchronizing, on the host, every
/// stream it used (<see cref="ComputeStream.Synchronize"/>), in stream order. Binding
/// <c>cuStreamWaitEvent</c> would let the next wave start on the device without the host round trip,
/// but only on CUDA and outside ILGPU's API; one host join per wave (two or three per layer pass)
/// costs microseconds next to the kernels, so KernelDsl keeps the portable form.
/// </para>
/// </summary>
public sealed class HeteroExecution : IDisposable
{
    /// <summary>The most streams a pool holds (and a [HeteroLayer] may ask for).</summary>
    public const int MaxStreams = 16;

    private readonly ComputeStream[] _streams;
    private bool _disposed;

    /// <summary>Creates a pool of <paramref name="streams"/> streams on <paramref name="backend"/>.</summary>
    /// <param name="backend">The backend every layer of this execution runs on.</param>
    /// <param name="streams">Streams in the pool, 1 .. <see cref="MaxStreams"/>.</param>
    /// <param name="hostThreads">Host worker threads for input preparation (default: one per core).</param>
    /// <param name="mode">Serial or concurrent waves.</param>
    public HeteroExecution(ComputeBackend backend, int streams = 4, int? hostThreads = null, LaunchMode mode = LaunchMode.Concurrent)
    {
        ArgumentNullException.ThrowIfNull(backend);
        backend.ThrowIfDisposed();
        if (streams < 1 || streams > MaxStreams)
            throw new ArgumentOutOfRangeException(nameof(streams), streams, $"a stream pool holds 1 to {MaxStreams} streams.");
        int threads = hostThreads ?? Environment.ProcessorCount;
        if (threads < 1) throw new ArgumentOutOfRangeException(nameof(hostThreads), threads, "at least one host thread is needed.");
        Backend = backend;
        HostThreads = threads;
        Mode = mode;
        _streams = new ComputeStream[streams];
        for (int i = 0; i < streams; i++) _streams[i] = backend.CreateStream();
    }

    /// <summary>The backend.</summary>
    public ComputeBackend Backend { get; }

    /// <summary>The stream pool.</summary>
    public IReadOnlyList<ComputeStream> Streams => _streams;

    /// <summary>Host threads that prepare relation inputs.</summary>
    public int HostThreads { get; }

    /// <summary>Serial or concurrent waves; may be changed between passes.</summary>
    public LaunchMode Mode { get; set; }

    /// <summary>
    /// Whether a concurrent wave runs its items at once. On an accelerator, yes: streams let small relation kernels fill
    /// one device together. On the native backend only where the kernels leave cores idle — each kernel already runs on
    /// <see cref="ComputeBackend.Parallelism"/> threads, and items at once would share the same cores, each waking and
    /// spinning threads the others need: measured on 2 cores with kernels on both, concurrent waves took 2–5× as long as
    /// serial ones (<c>--suite hetero</c>: 0.18–0.51×) and a circuit GNN's epoch 20 % longer. So natively the items
    /// overlap only when at least two of them fit beside each other (Parallelism × 2 ≤ cores); otherwise they run in
    /// order on the calling thread, which is what <see cref="LaunchMode.Serial"/> does, without its per-item join.
    /// </summary>
    public bool OverlapsItems => Backend.Accelerator is not null || Backend.Parallelism * 2 <= Environment.ProcessorCount;

    /// <summary>
    /// Runs <paramref name="prepare"/> for 0 .. <paramref name="count"/> - 1 on up to
    /// <see cref="HostThreads"/> worker threads and waits for all of them; the first failure is rethrown.
    /// </summary>
    public void Prepare(int count, Action<int> prepare)
    {
        ThrowIfDisposed();
        ArgumentNullException.ThrowIfNull(prepare);
        if (HostThreads == 1 || count <= 1)
        {
            for (int i = 0; i < count; i++) prepare(i);
            return;
        }
        try
        {
            Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = HostThreads }, prepare);
        }
        catch (AggregateException ex) when (ex.InnerExceptions.Count > 0)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(ex.InnerExceptions[0]).Throw();
        }
    }

    /// <summary>
    /// Runs a wave of independent work items and returns when all have finished. Item i goes to stream
    /// i mod <paramref name="streams"/> (at most the pool's size); items on one stream run in order.
    /// </summary>
    /// <param name="streams">Streams the caller may use (its declared budget).</param>
    /// <param name="work">The items; none may read what another writes.</param>
    public void Wave(int streams, params Action<ComputeStream>[] work)
    {
        ThrowIfDisposed();
        ArgumentNullException.ThrowIfNull(work);
        int used = Math.Max(1, Math.Min(Math.Min(streams, _streams.Length), work.Length));
        if (Mode == LaunchMode.Serial || used == 1)
        {
            foreach (var item in work)
            {
                item(_streams[0]);
                _streams[0].Synchronize();
            }
            return;
        }
        if (Backend.Accelerator is not null)
        {
            for (int i = 0; i < work.Length; i++) work[i](_streams[i % used]);
            for (int s = 0; s < used; s++) _streams[s].Synchronize();
            return;
        }
        if (!OverlapsItems)
        {
            // Every core is already busy inside each kernel: the items one after another (see OverlapsItems).
            for (int i = 0; i < work.Length; i++) work[i](_streams[i % used]);
            return;
        }
        // Native backend with idle cores: calls complete before they return, so each stream's items get a pool task,
        // as many at once as fit beside each other.
        used = Math.Max(1, Math.Min(used, Environment.ProcessorCount / Backend.Parallelism));
        var tasks = new Task[used];
        for (int s = 0; s < used; s++)
        {
            int stream = s;
            tasks[s] = Task.Run(() =>
            {
                for (int i = stream; i < work.Length; i += used) work[i](_streams[stream]);
            });
        }
        try
        {
            Task.WaitAll(tasks);
        }
        catch (AggregateException ex) when (ex.InnerExceptions.Count > 0)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(ex.InnerExceptions[0]).Throw();
        }
    }

    internal void ThrowIfDisposed()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        Backend.ThrowIfDisposed();
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        foreach (var stream in _streams) stream.Dispose();
    }
}
