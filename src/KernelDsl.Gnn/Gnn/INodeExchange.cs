using KernelDsl.Training;

namespace KernelDsl.Gnn;

/// <summary>
/// How a model's node rows relate to other processes when the graph is split over several (KernelDsl.Distributed
/// implements it over MPI). Every per-node buffer of the model then has <see cref="Rows"/> rows: first the
/// <see cref="OwnedRows"/> nodes this process owns, then the halo — the remote nodes its rows of the propagation matrix
/// reference, whose rows the owners send. The model calls <see cref="Gather(DenseBuffer{float})"/> right before each
/// aggregation reads a buffer and <see cref="Scatter(DenseBuffer{float})"/> right after each aggregation backward
/// writes one, and <see cref="SumGradients"/> after its backward, so the generated kernels run unchanged on the local
/// matrix whose columns index [owned | halo].
/// </summary>
public interface INodeExchange
{
    /// <summary>The rows of every per-node buffer: owned rows, then halo rows.</summary>
    int Rows { get; }

    /// <summary>The nodes this process owns: rows 0 .. OwnedRows − 1.</summary>
    int OwnedRows { get; }

    /// <summary>The global node id of each of the <see cref="Rows"/> rows (dropout draws its mask by them).</summary>
    IReadOnlyList<int> GlobalIds { get; }

    /// <summary>Fills the halo rows of <paramref name="rows"/> with their owners' rows.</summary>
    void Gather(DenseBuffer<float> rows);

    /// <summary>Fills the halo rows of a CBSR activation with their owners' rows (k values and k indices each).</summary>
    void Gather(CbsrBuffer<float, ushort> rows);

    /// <summary>Adds the halo rows of a gradient to the owners' rows, then zeroes them here.</summary>
    void Scatter(DenseBuffer<float> rows);

    /// <summary>Adds the halo rows of a CBSR gradient (the owners' kept entries) to the owners' rows, then zeroes them here.</summary>
    void Scatter(CbsrBuffer<float, ushort> rows);

    /// <summary>
    /// Whether the model should overlap its aggregations with the exchanges through the overloads taking work (see
    /// <see cref="HaloSplit"/>); when false it calls the plain ones, one after the other.
    /// </summary>
    bool Overlaps { get; }

    /// <summary>
    /// <see cref="Gather(DenseBuffer{float})"/> while <paramref name="concurrently"/> runs on another thread; that work
    /// must not read the halo rows of <paramref name="rows"/> nor write its owned rows. Returns when both are done.
    /// </summary>
    void Gather(DenseBuffer<float> rows, Action concurrently);

    /// <summary>The CBSR form of <see cref="Gather(DenseBuffer{float}, Action)"/>.</summary>
    void Gather(CbsrBuffer<float, ushort> rows, Action concurrently);

    /// <summary>
    /// Sends the halo rows of <paramref name="rows"/> (final when called) to their owners while
    /// <paramref name="concurrently"/> runs on another thread and writes the owned rows (it may write the halo rows too);
    /// then adds what the other processes sent to the owned rows and zeroes the halo rows.
    /// </summary>
    void Scatter(DenseBuffer<float> rows, Action concurrently);

    /// <summary>The CBSR form of <see cref="Scatter(DenseBuffer{float}, Action)"/> (values only: the kept columns are the owners').</summary>
    void Scatter(CbsrBuffer<float, ushort> rows, Action concurrently);

    /// <summary>Sums every parameter's gradient over the processes, so each takes the same optimizer step.</summary>
    void SumGradients(IReadOnlyList<Parameter> parameters);
}
