namespace KernelDsl.Distributed;

/// <summary>What a byte moved between ranks was for.</summary>
public enum TrafficKind
{
    /// <summary>Feature (or activation) rows of halo nodes, sent by their owners before an aggregation.</summary>
    HaloForward,

    /// <summary>Gradient rows of halo nodes, sent back to their owners after an aggregation's backward.</summary>
    HaloBackward,

    /// <summary>Weight gradients summed over the ranks.</summary>
    AllReduce,
}

/// <summary>Bytes this rank sent to other ranks, by purpose (a rank's sends to itself are not counted).</summary>
public sealed class TrafficCounters
{
    private long _forward, _backward, _allReduce;

    public long HaloForwardBytes => Interlocked.Read(ref _forward);
    public long HaloBackwardBytes => Interlocked.Read(ref _backward);
    public long AllReduceBytes => Interlocked.Read(ref _allReduce);

    /// <summary>Halo bytes in both directions.</summary>
    public long HaloBytes => HaloForwardBytes + HaloBackwardBytes;

    public void Add(TrafficKind kind, long bytes)
    {
        switch (kind)
        {
            case TrafficKind.HaloForward: Interlocked.Add(ref _forward, bytes); break;
            case TrafficKind.HaloBackward: Interlocked.Add(ref _backward, bytes); break;
            default: Interlocked.Add(ref _allReduce, bytes); break;
        }
    }

    /// <summary>
    /// An all-reduce of <paramref name="payload"/> bytes: what a ring all-reduce sends per rank, 2·(p − 1)/p of the payload,
    /// is counted (MPICH picks its own algorithm; this is the bandwidth-optimal volume it approaches for large payloads).
    /// </summary>
    internal void AddAllReduce(long payload, int ranks) => Add(TrafficKind.AllReduce, ranks <= 1 ? 0 : 2 * payload * (ranks - 1) / ranks);

    /// <summary>A copy of the counts now.</summary>
    public (long HaloForward, long HaloBackward, long AllReduce) Snapshot() => (HaloForwardBytes, HaloBackwardBytes, AllReduceBytes);
}
