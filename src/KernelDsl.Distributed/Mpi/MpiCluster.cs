using System.Runtime.InteropServices;
using MPI;
using Environment = System.Environment;

namespace KernelDsl.Distributed;

/// <summary>
/// The processes of one MPI job (MPI.NET over Debian's MPICH) and the collectives the distributed model needs, each
/// counting the bytes it moves. MPI.NET binds the MS-MPI library name (<c>msmpi.dll</c>); MS-MPI shares MPICH's ABI,
/// so <see cref="Start"/> first points that name at MPICH's <c>libmpich.so.12</c> (see DESIGN: toolchain §8).
/// </summary>
public sealed class MpiCluster : IDisposable
{
    private static readonly object ResolverLock = new();
    private static bool _resolverInstalled;
    private readonly MPI.Environment _environment;
    private readonly Intracommunicator _world;
    private float[] _reduced = [];
    private bool _disposed;

    private MpiCluster(MPI.Environment environment, Intracommunicator world)
    {
        _environment = environment;
        _world = world;
        Rank = world.Rank;
        Size = world.Size;
        Hosts = Size == 1 ? 1 : world.Allgather(HostKey(Environment.MachineName)).Distinct().Count();
    }

    /// <summary>A hash of the host name: MPI.NET sends strings through a serializer .NET no longer has, so ranks compare numbers.</summary>
    private static ulong HostKey(string name)
    {
        var h = Hash64.Start();
        foreach (char ch in name) h.Add(ch);
        return h.Value;
    }

    /// <summary>This process's rank, 0 .. <see cref="Size"/> − 1.</summary>
    public int Rank { get; }

    /// <summary>The number of processes.</summary>
    public int Size { get; }

    /// <summary>The machines the ranks run on (distinct host names): 1 when every rank shares this one's memory.</summary>
    public int Hosts { get; }

    /// <summary>What the collectives of this process have moved so far.</summary>
    public TrafficCounters Traffic { get; } = new();

    /// <summary>
    /// True when this process was started by an MPI launcher (<c>mpiexec</c> sets <c>PMI_RANK</c> or, for Hydra,
    /// <c>PMI_SIZE</c>/<c>MPI_LOCALRANKID</c>): a program can then default to its distributed mode.
    /// </summary>
    public static bool LaunchedByMpiexec =>
        Environment.GetEnvironmentVariable("PMI_RANK") is not null || Environment.GetEnvironmentVariable("PMI_SIZE") is not null
        || Environment.GetEnvironmentVariable("MPI_LOCALRANKID") is not null;

    /// <summary>
    /// Initialises MPI (once per process). Throws <see cref="DllNotFoundException"/> naming the fix when MPICH is not
    /// installed. Without <c>mpiexec</c> MPICH starts a job of one process.
    /// </summary>
    public static MpiCluster Start(ref string[] args)
    {
        InstallResolver();
        MPI.Environment environment;
        try
        {
            environment = new MPI.Environment(ref args, Threading.Funneled); // MPI from this thread; kernels may run on others meanwhile (HaloExchange)
        }
        catch (DllNotFoundException ex)
        {
            throw new DllNotFoundException(
                "MPICH's libmpich.so.12 was not found; install it with 'apt-get install -y mpich' (Debian) and start the job with 'mpiexec.mpich -n N ...'.", ex);
        }
        return new MpiCluster(environment, Communicator.world);
    }

    private static void InstallResolver()
    {
        lock (ResolverLock)
        {
            if (_resolverInstalled) return;
            NativeLibrary.SetDllImportResolver(typeof(Communicator).Assembly, static (name, _, _) =>
                name.StartsWith("msmpi", StringComparison.OrdinalIgnoreCase) && NativeLibrary.TryLoad("libmpich.so.12", out var handle) ? handle : IntPtr.Zero);
            _resolverInstalled = true;
        }
    }

    /// <summary>
    /// Runs <paramref name="body"/> on this rank; if it throws, prints the rank's error to stderr and aborts the whole
    /// job (<c>MPI_Abort</c>), so the other ranks stop too instead of waiting forever in a collective.
    /// </summary>
    public int RunOrAbort(Func<MpiCluster, int> body)
    {
        ArgumentNullException.ThrowIfNull(body);
        try
        {
            return body(this);
        }
        catch (Exception ex)
        {
            Console.Error.WriteLine($"rank {Rank} of {Size} failed: {ex.GetType().Name}: {ex.Message}");
            Console.Error.Flush();
            Console.Out.Flush();
            Thread.Sleep(200); // let the launcher forward this line before MPI_Abort tears the job down
            _world.Abort(3);
            return 3;
        }
    }

    /// <summary>Waits until every rank reaches this point.</summary>
    public void Barrier() => _world.Barrier();

    /// <summary>
    /// Rank 0 runs <paramref name="work"/> alone while the other ranks wait without spinning (MPI's blocking calls poll a
    /// core, which would take it from rank 0 on a machine with few cores): for timing a one-process baseline in the
    /// same job. Every rank gets rank 0's result.
    /// </summary>
    public double OnRankZeroAlone(Func<double> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        const int tag = 7301;
        if (Rank == 0)
        {
            double result = work();
            for (int q = 1; q < Size; q++) _world.Send(result, q, tag);
            return result;
        }
        var request = _world.ImmediateReceive<double>(0, tag);
        while (request.Test() is null) Thread.Sleep(2);
        return (double)request.GetValue();
    }

    /// <summary>Rank <paramref name="root"/>'s array, on every rank (the others pass null or anything: it is replaced).</summary>
    public int[] Broadcast(int[]? values, int root = 0)
    {
        int length = Rank == root ? (values ?? throw new ArgumentNullException(nameof(values))).Length : 0;
        _world.Broadcast(ref length, root);
        var result = Rank == root ? values! : new int[length];
        if (Size > 1) _world.Broadcast(ref result, root);
        return result;
    }

    /// <summary>Each rank's <paramref name="value"/>, in rank order, on every rank.</summary>
    public T[] AllGather<T>(T value) => _world.Allgather(value);

    /// <summary>The sum of <paramref name="value"/> over the ranks.</summary>
    public double Sum(double value) => _world.Allreduce(value, Operation<double>.Add);

    /// <summary>The sum of <paramref name="value"/> over the ranks.</summary>
    public long Sum(long value) => _world.Allreduce(value, Operation<long>.Add);

    /// <summary>The maximum of <paramref name="value"/> over the ranks.</summary>
    public double Max(double value) => _world.Allreduce(value, Operation<double>.Max);

    /// <summary>Replaces <paramref name="values"/> by its element-wise sum over the ranks (an all-reduce).</summary>
    public void SumInPlace(float[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (Size == 1 || values.Length == 0) return;
        if (_reduced.Length != values.Length) _reduced = new float[values.Length]; // MPI refuses aliased send and receive buffers
        float[] result = _reduced;
        _world.Allreduce(values, Operation<float>.Add, ref result);
        result.CopyTo(values, 0);
        Traffic.AddAllReduce((long)values.Length * sizeof(float), Size);
    }

    /// <summary>
    /// All-to-all with counts per rank (<c>MPI_Alltoallv</c>): <paramref name="send"/> holds, in rank order,
    /// <paramref name="sendCounts"/>[q] elements for rank q; the result holds, in rank order, what each rank sent here.
    /// </summary>
    public T[] Exchange<T>(T[] send, int[] sendCounts, int[] receiveCounts, TrafficKind kind) where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(send);
        ArgumentNullException.ThrowIfNull(sendCounts);
        ArgumentNullException.ThrowIfNull(receiveCounts);
        if (sendCounts.Length != Size || receiveCounts.Length != Size)
            throw new ArgumentException($"one send and one receive count per rank ({Size}).", nameof(sendCounts));
        if (sendCounts.Any(n => n < 0) || receiveCounts.Any(n => n < 0))
            throw new ArgumentOutOfRangeException(nameof(sendCounts), "counts are numbers of elements, 0 or more.");
        if (send.Length < sendCounts.Sum())
            throw new ArgumentException($"send holds {send.Length} elements but the send counts add up to {sendCounts.Sum()}.", nameof(send));
        T[] received = new T[receiveCounts.Sum()];
        if (Size == 1)
        {
            send.AsSpan(0, sendCounts[0]).CopyTo(received);
            return received;
        }
        _world.AlltoallFlattened(send, sendCounts, receiveCounts, ref received);
        long sentElsewhere = 0;
        for (int q = 0; q < Size; q++) if (q != Rank) sentElsewhere += sendCounts[q];
        Traffic.Add(kind, sentElsewhere * Marshal.SizeOf<T>());
        return received;
    }

    /// <summary>Finalises MPI.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _environment.Dispose();
    }
}
