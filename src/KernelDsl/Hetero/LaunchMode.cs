namespace KernelDsl.Hetero;

/// <summary>How a <see cref="HeteroExecution"/> runs a wave of independent work.</summary>
public enum LaunchMode
{
    /// <summary>One item after another on the first stream, waiting for each: the reference order.</summary>
    Serial = 0,

    /// <summary>
    /// Items on different streams of the pool at once: ILGPU launches are queued on their streams and
    /// joined by synchronizing each stream on the host; on the native backend each stream's items run
    /// on their own host task where the kernels leave cores idle, else in order (<see cref="HeteroExecution.OverlapsItems"/>).
    /// </summary>
    Concurrent = 1,
}
