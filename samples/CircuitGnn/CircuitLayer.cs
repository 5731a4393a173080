using KernelDsl;
using KernelDsl.Hetero;

namespace CircuitGnn;

/// <summary>One aggregation layer of <see cref="CircuitModel"/>: the sparse DR-CircuitGNN layer or its dense baseline.</summary>
public interface ICircuitLayer : IDisposable
{
    /// <summary>Hidden width (columns of every feature buffer).</summary>
    int Dim { get; }

    /// <summary>y[destination] = Σ over relations into it of A · activation(x[source]).</summary>
    void Forward(HeteroFeatures x, HeteroFeatures y);

    /// <summary>The gradient of every source type's features from the gradient of every destination type's output.</summary>
    void Backward(HeteroFeatures dy, HeteroFeatures dx);
}

/// <summary>A generated <c>[HeteroLayer]</c> (Dynamic-ReLU → SpGEMM per relation, summed) as an <see cref="ICircuitLayer"/>.</summary>
public sealed class GeneratedCircuitLayer(HeteroLayer layer) : ICircuitLayer
{
    public int Dim => layer.Dim;
    public void Forward(HeteroFeatures x, HeteroFeatures y) => layer.Forward(x, y);
    public void Backward(HeteroFeatures dy, HeteroFeatures dx) => layer.Backward(dy, dx);
    public void Dispose() => layer.Dispose();
}
