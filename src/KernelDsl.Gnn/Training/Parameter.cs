using KernelDsl.Runtime;

namespace KernelDsl.Training;

/// <summary>A trainable matrix: its value, its gradient and Adam's two moment estimates, all on one backend.</summary>
public sealed class Parameter : IDisposable
{
    public Parameter(ComputeBackend backend, string name, DenseMatrix<float> initial)
    {
        ArgumentNullException.ThrowIfNull(backend);
        ArgumentNullException.ThrowIfNull(initial);
        Name = name;
        Value = backend.Upload(initial);
        Gradient = backend.AllocateDense<float>(initial.Rows, initial.Columns);
        FirstMoment = backend.AllocateDense<float>(initial.Rows, initial.Columns);
        SecondMoment = backend.AllocateDense<float>(initial.Rows, initial.Columns);
    }

    public string Name { get; }
    public DenseBuffer<float> Value { get; }
    public DenseBuffer<float> Gradient { get; }
    public DenseBuffer<float> FirstMoment { get; }
    public DenseBuffer<float> SecondMoment { get; }

    /// <summary>Glorot (Xavier) uniform initialisation, as GCN uses: U(±√(6 / (fan-in + fan-out))).</summary>
    public static DenseMatrix<float> Glorot(int fanIn, int fanOut, Random rng)
    {
        ArgumentNullException.ThrowIfNull(rng);
        var m = new DenseMatrix<float>(fanIn, fanOut);
        float limit = MathF.Sqrt(6f / (fanIn + fanOut));
        for (int i = 0; i < m.Data.Length; i++) m.Data[i] = (float)(rng.NextDouble() * 2 - 1) * limit;
        return m;
    }

    public void Dispose()
    {
        Value.Dispose();
        Gradient.Dispose();
        FirstMoment.Dispose();
        SecondMoment.Dispose();
    }
}

/// <summary>Adam over a set of parameters: one <see cref="TensorOps.Adam"/> step each per <see cref="Step"/>.</summary>
public sealed class AdamOptimizer(IReadOnlyList<Parameter> parameters, AdamSettings settings)
{
    private int _step;

    public AdamSettings Settings { get; } = settings;

    public IReadOnlyList<Parameter> Parameters { get; } = parameters;

    public void Step(ComputeStream stream)
    {
        _step++;
        foreach (var p in Parameters) TensorOps.Adam(stream, p.Value, p.Gradient, p.FirstMoment, p.SecondMoment, Settings, _step);
    }
}
