using ILGPU;
using ILGPU.Runtime;
using KernelDsl.Gnn;
using KernelDsl.Runtime;
using KernelDsl.Training;

namespace KernelDsl.Distributed;

/// <summary>
/// The <see cref="INodeExchange"/> of one rank over MPI: before an aggregation each owner sends the rows its
/// neighbours' halos hold (dense rows, or MaxK's CBSR rows: k values + k indices, dim/k less than dense), after an
/// aggregation's backward each rank sends its halo rows' gradients back to their owners, who add them; weight gradients
/// are summed with one all-reduce. Every exchange is one <c>MPI_Alltoallv</c>. On the native backend rows are read and
/// written in place, and with <see cref="Overlaps"/> the model's aggregation work runs while the rows travel; on a GPU
/// the buffer is staged through the host and the work runs before the exchange.
/// </summary>
public sealed class HaloExchange : INodeExchange
{
    private readonly MpiCluster _cluster;
    private readonly RankGraph _graph;
    private float[] _gradients = [];

    /// <param name="cluster">The job.</param>
    /// <param name="graph">This rank's share of the graph.</param>
    /// <param name="overlap">
    /// Run the model's interior aggregation (forward) and owned-row aggregation (backward) on another thread while the
    /// rows travel (native backend; on a GPU the work runs first, then the exchange). MPI is called from the calling
    /// thread only (MPI_THREAD_FUNNELED).
    /// </param>
    public HaloExchange(MpiCluster cluster, RankGraph graph, bool overlap = false)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        ArgumentNullException.ThrowIfNull(graph);
        if (graph.Ranks != cluster.Size || graph.Rank != cluster.Rank)
            throw new ArgumentException($"the rank graph is rank {graph.Rank} of {graph.Ranks} but this process is rank {cluster.Rank} of {cluster.Size}.", nameof(graph));
        _cluster = cluster;
        _graph = graph;
        Overlaps = overlap;
    }

    public bool Overlaps { get; }

    public int Rows => _graph.Rows;
    public int OwnedRows => _graph.Owned;
    public IReadOnlyList<int> GlobalIds => _graph.GlobalIds;

    public void Gather(DenseBuffer<float> rows) => Gather(rows, null);

    public void Gather(DenseBuffer<float> rows, Action? concurrently)
    {
        ArgumentNullException.ThrowIfNull(rows);
        CheckRows(rows.Rows, nameof(rows));
        if (rows.Backend.Kind != BackendKind.NativeCpu)
        {
            concurrently?.Invoke(); // one stream: the work first, then the staged exchange
            WithHost(rows, data => GatherRows(data, rows.Columns, TrafficKind.HaloForward));
            return;
        }
        Concurrently(concurrently, () => GatherRows(rows.HostMemory, rows.Columns, TrafficKind.HaloForward));
    }

    public void Gather(CbsrBuffer<float, ushort> rows) => Gather(rows, null);

    public void Gather(CbsrBuffer<float, ushort> rows, Action? concurrently)
    {
        ArgumentNullException.ThrowIfNull(rows);
        CheckRows(rows.Rows, nameof(rows));
        if (rows.Backend.Kind == BackendKind.NativeCpu)
        {
            var host = rows.DangerousGetHostArrays();
            Concurrently(concurrently, () =>
            {
                GatherRows(host.Values.AsMemory(), rows.K, TrafficKind.HaloForward);
                GatherRows(host.Indices.AsMemory(), rows.K, TrafficKind.HaloForward);
            });
            return;
        }
        concurrently?.Invoke();
        var copy = rows.ToHost();
        GatherRows(copy.Values.AsMemory(), rows.K, TrafficKind.HaloForward);
        GatherRows(copy.Indices.AsMemory(), rows.K, TrafficKind.HaloForward);
        rows.View.Values.CopyFromCPU(copy.Values);
        rows.View.Indices.CopyFromCPU(copy.Indices);
    }

    public void Scatter(DenseBuffer<float> rows) => Scatter(rows, null);

    public void Scatter(DenseBuffer<float> rows, Action? concurrently)
    {
        ArgumentNullException.ThrowIfNull(rows);
        CheckRows(rows.Rows, nameof(rows));
        if (rows.Backend.Kind != BackendKind.NativeCpu)
        {
            var halo = rows.ToHost().Data.AsSpan(_graph.Owned * rows.Columns, _graph.Halo * rows.Columns).ToArray(); // before the work
            concurrently?.Invoke();
            WithHost(rows, data => ScatterRows(data, rows.Columns, halo, null));
            return;
        }
        ScatterRows(rows.HostMemory, rows.Columns, null, concurrently);
    }

    public void Scatter(CbsrBuffer<float, ushort> rows) => Scatter(rows, null);

    public void Scatter(CbsrBuffer<float, ushort> rows, Action? concurrently)
    {
        ArgumentNullException.ThrowIfNull(rows);
        CheckRows(rows.Rows, nameof(rows));
        if (rows.Backend.Kind == BackendKind.NativeCpu)
        {
            ScatterRows(rows.DangerousGetHostArrays().Values, rows.K, null, concurrently);
            return;
        }
        var halo = rows.ToHost().Values.AsSpan(_graph.Owned * rows.K, _graph.Halo * rows.K).ToArray();
        concurrently?.Invoke();
        var copy = rows.ToHost();
        ScatterRows(copy.Values, rows.K, halo, null);
        rows.View.Values.CopyFromCPU(copy.Values);
    }

    public void SumGradients(IReadOnlyList<Parameter> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        long total = parameters.Sum(p => p.Gradient.Length);
        if (_gradients.Length != total) _gradients = new float[total];
        long at = 0;
        foreach (var p in parameters)
        {
            p.Gradient.CopyTo(_gradients.AsSpan((int)at, (int)p.Gradient.Length));
            at += p.Gradient.Length;
        }
        _cluster.SumInPlace(_gradients);
        at = 0;
        foreach (var p in parameters)
        {
            p.Gradient.CopyFrom(_gradients.AsSpan((int)at, (int)p.Gradient.Length));
            at += p.Gradient.Length;
        }
    }

    /// <summary>Owners send the rows in each rank's halo; the received rows land in this rank's halo rows.</summary>
    private void GatherRows<T>(Memory<T> data, int width, TrafficKind kind) where T : unmanaged
    {
        int ranks = _cluster.Size;
        var sendCounts = new int[ranks];
        var receiveCounts = new int[ranks];
        for (int q = 0; q < ranks; q++)
        {
            sendCounts[q] = _graph.SendTo(q).Count * width;
            receiveCounts[q] = _graph.HaloFrom(q).Count * width;
        }
        var send = new T[sendCounts.Sum()];
        var rows = data.Span;
        int w = 0;
        for (int q = 0; q < ranks; q++)
            foreach (int row in _graph.SendTo(q))
            {
                rows.Slice(row * width, width).CopyTo(send.AsSpan(w, width));
                w += width;
            }
        var received = _cluster.Exchange(send, sendCounts, receiveCounts, kind);
        received.CopyTo(rows.Slice(_graph.Owned * width, _graph.Halo * width)); // halo rows are grouped by rank, in rank order
    }

    /// <summary>
    /// Each rank sends its halo rows (<paramref name="halo"/>, or read from <paramref name="data"/>) to their owners, who
    /// add them to the owned rows once <paramref name="concurrently"/> is done; then the halo rows are zeroed.
    /// </summary>
    private void ScatterRows(Memory<float> data, int width, float[]? halo, Action? concurrently)
    {
        int ranks = _cluster.Size;
        var sendCounts = new int[ranks];
        var receiveCounts = new int[ranks];
        for (int q = 0; q < ranks; q++)
        {
            sendCounts[q] = _graph.HaloFrom(q).Count * width;
            receiveCounts[q] = _graph.SendTo(q).Count * width;
        }
        halo ??= data.Span.Slice(_graph.Owned * width, _graph.Halo * width).ToArray(); // taken before the work may overwrite it
        float[] received = [];
        Concurrently(concurrently, () => received = _cluster.Exchange(halo, sendCounts, receiveCounts, TrafficKind.HaloBackward));
        var rows = data.Span;
        rows.Slice(_graph.Owned * width, _graph.Halo * width).Clear();
        int at = 0;
        for (int q = 0; q < ranks; q++)
            foreach (int row in _graph.SendTo(q))
            {
                var target = rows.Slice(row * width, width);
                var source = received.AsSpan(at, width);
                for (int j = 0; j < width; j++) target[j] += source[j];
                at += width;
            }
    }

    /// <summary>
    /// Runs <paramref name="exchange"/> (MPI, on this thread) while <paramref name="work"/> runs on the thread pool;
    /// returns when both are done, rethrowing the exchange's error first, else the work's.
    /// </summary>
    private static void Concurrently(Action? work, Action exchange)
    {
        if (work is null)
        {
            exchange();
            return;
        }
        var task = Task.Run(work);
        try
        {
            exchange();
        }
        catch
        {
            try { task.Wait(); } catch (AggregateException) { } // the exchange's error is the one to report
            throw;
        }
        task.GetAwaiter().GetResult();
    }

    private void CheckRows(int rows, string paramName)
    {
        if (rows != _graph.Rows)
            throw new ArgumentException($"the buffer has {rows} rows but rank {_graph.Rank} holds {_graph.Rows} (owned {_graph.Owned} + halo {_graph.Halo}).", paramName);
    }

    private static void WithHost(DenseBuffer<float> buffer, Action<Memory<float>> body)
    {
        if (buffer.Backend.Kind == BackendKind.NativeCpu)
        {
            body(buffer.HostMemory);
            return;
        }
        var host = new float[buffer.Length];
        buffer.CopyTo(host);
        body(host);
        buffer.CopyFrom(host);
    }
}
