using System.Diagnostics;
using KernelDsl.Runtime;

namespace KernelDsl.Gnn;

/// <summary>Which half of a training step an operation belongs to.</summary>
public enum Phase { Forward, Backward, Optimizer }

/// <summary>
/// Wall time per operation and phase. Each timed call waits for its stream before the clock stops, so on a
/// GPU the figures include the launch and exclude overlap (the profile costs a little speed).
/// </summary>
public sealed class KernelTimer
{
    private readonly Dictionary<(string Operation, Phase Phase), (double Milliseconds, int Calls)> _totals = [];

    public bool Enabled { get; set; } = true;

    public void Time(ComputeStream stream, string operation, Phase phase, Action action)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(action);
        if (!Enabled) { action(); return; }
        long start = Stopwatch.GetTimestamp();
        action();
        stream.Synchronize();
        double ms = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        _totals.TryGetValue((operation, phase), out var total);
        _totals[(operation, phase)] = (total.Milliseconds + ms, total.Calls + 1);
    }

    /// <summary>Totals so far, largest first.</summary>
    public IReadOnlyList<(string Operation, Phase Phase, double Milliseconds, int Calls)> Totals =>
        _totals.Select(p => (p.Key.Operation, p.Key.Phase, p.Value.Milliseconds, p.Value.Calls)).OrderByDescending(t => t.Milliseconds).ToList();

    public void Reset() => _totals.Clear();
}
