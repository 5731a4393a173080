namespace KernelDsl.Distributed;

/// <summary>Whether a distributed model runs the aggregation work that needs no halo while the halo travels (see <see cref="HaloExchange"/>).</summary>
public enum ExchangeOverlap
{
    /// <summary>Overlap when the ranks span more than one machine (<see cref="ExchangeOverlapRule"/>).</summary>
    Auto,

    /// <summary>Always overlap (native backend).</summary>
    On,

    /// <summary>Exchange, then compute, in turn.</summary>
    Off,
}

/// <summary>
/// The one place that decides <see cref="ExchangeOverlap.Auto"/>. Measured (distributed benchmark suite, 2 ranks on one
/// 2-core machine, soc-slashdot0902 and an SBM, ReLU and MaxK): overlapping gained 0.97–1.01× — nothing. Between ranks on
/// one machine MPICH moves the rows through shared memory with the same cores that run the kernels, and a rank waiting
/// in MPI polls a core, so there is no idle transfer time to hide. Across machines the rows cross a network while the
/// cores are free, which is what overlapping hides; so Auto overlaps exactly when the job spans several hosts. (Not
/// measured here: one machine only.) Overlapping also keeps four more pieces of the local matrix (see HaloSplit).
/// </summary>
public static class ExchangeOverlapRule
{
    /// <summary>Whether to overlap, for <paramref name="mode"/> and a job whose ranks run on <paramref name="hosts"/> machines.</summary>
    public static bool Overlaps(ExchangeOverlap mode, int hosts)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(hosts, 1);
        return mode switch
        {
            ExchangeOverlap.On => true,
            ExchangeOverlap.Off => false,
            ExchangeOverlap.Auto => hosts > 1,
            _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, "overlap is Auto, On or Off."),
        };
    }
}
