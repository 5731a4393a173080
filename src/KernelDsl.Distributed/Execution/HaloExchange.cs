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
/// written in place; on a GPU the buffer is staged through the host.
/// </summary>
public sealed class HaloExchange : INodeExchange
{
    private readonly MpiCluster _cluster;
    private readonly RankGraph _graph;
    private float[] _gradients = [];

    public HaloExchange(MpiCluster cluster, RankGraph graph)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        ArgumentNullException.ThrowIfNull(graph);
        if (graph.Ranks != cluster.Size || graph.Rank != cluster.Rank)
            throw new ArgumentException($"the rank graph is rank {graph.Rank} of {graph.Ranks} but this process is rank {cluster.Rank} of {cluster.Size}.", nameof(graph));
        _cluster = cluster;
        _graph = graph;
    }

    public int Rows => _graph.Rows;
    public int OwnedRows => _graph.Owned;
    public IReadOnlyList<int> GlobalIds => _graph.GlobalIds;

    public void Gather(DenseBuffer<float> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        CheckRows(rows.Rows, nameof(rows));
        WithHost(rows, data => GatherRows(data, rows.Columns, TrafficKind.HaloForward));
    }

    public void Gather(CbsrBuffer<float, ushort> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        CheckRows(rows.Rows, nameof(rows));
        if (rows.Backend.Kind == BackendKind.NativeCpu)
        {
            var host = rows.DangerousGetHostArrays();
            GatherRows(host.Values, rows.K, TrafficKind.HaloForward);
            GatherRows(host.Indices, rows.K, TrafficKind.HaloForward);
            return;
        }
        var copy = rows.ToHost();
        GatherRows(copy.Values, rows.K, TrafficKind.HaloForward);
        GatherRows(copy.Indices, rows.K, TrafficKind.HaloForward);
        rows.View.Values.CopyFromCPU(copy.Values);
        rows.View.Indices.CopyFromCPU(copy.Indices);
    }

    public void Scatter(DenseBuffer<float> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        CheckRows(rows.Rows, nameof(rows));
        WithHost(rows, data => ScatterRows(data, rows.Columns));
    }

    public void Scatter(CbsrBuffer<float, ushort> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        CheckRows(rows.Rows, nameof(rows));
        if (rows.Backend.Kind == BackendKind.NativeCpu)
        {
            ScatterRows(rows.DangerousGetHostArrays().Values, rows.K);
            return;
        }
        var copy = rows.ToHost();
        ScatterRows(copy.Values, rows.K);
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
    private void GatherRows<T>(T[] data, int width, TrafficKind kind) where T : unmanaged
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
        int w = 0;
        for (int q = 0; q < ranks; q++)
            foreach (int row in _graph.SendTo(q))
            {
                data.AsSpan(row * width, width).CopyTo(send.AsSpan(w, width));
                w += width;
            }
        var received = _cluster.Exchange(send, sendCounts, receiveCounts, kind);
        received.CopyTo(data.AsSpan(_graph.Owned * width, _graph.Halo * width)); // halo rows are grouped by rank, in rank order
    }

    /// <summary>Each rank sends its halo rows to their owners, who add them to the owned rows; then the halo rows are zeroed.</summary>
    private void ScatterRows(float[] data, int width)
    {
        int ranks = _cluster.Size;
        var sendCounts = new int[ranks];
        var receiveCounts = new int[ranks];
        for (int q = 0; q < ranks; q++)
        {
            sendCounts[q] = _graph.HaloFrom(q).Count * width;
            receiveCounts[q] = _graph.SendTo(q).Count * width;
        }
        var halo = data.AsSpan(_graph.Owned * width, _graph.Halo * width);
        var received = _cluster.Exchange(halo.ToArray(), sendCounts, receiveCounts, TrafficKind.HaloBackward);
        halo.Clear();
        int at = 0;
        for (int q = 0; q < ranks; q++)
            foreach (int row in _graph.SendTo(q))
            {
                var target = data.AsSpan(row * width, width);
                var source = received.AsSpan(at, width);
                for (int j = 0; j < width; j++) target[j] += source[j];
                at += width;
            }
    }

    private void CheckRows(int rows, string paramName)
    {
        if (rows != _graph.Rows)
            throw new ArgumentException($"the buffer has {rows} rows but rank {_graph.Rank} holds {_graph.Rows} (owned {_graph.Owned} + halo {_graph.Halo}).", paramName);
    }

    private static void WithHost(DenseBuffer<float> buffer, Action<float[]> body)
    {
        if (buffer.Backend.Kind == BackendKind.NativeCpu)
        {
            body(buffer.HostArray);
            return;
        }
        var host = new float[buffer.Length];
        buffer.CopyTo(host);
        body(host);
        buffer.CopyFrom(host);
    }
}
