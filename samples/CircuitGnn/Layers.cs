using KernelDsl;
using KernelDsl.Hetero;

namespace CircuitGnn;

/// <summary>
/// The DR-CircuitGNN aggregation over a circuit graph, declared once per activation: the relations
/// cell → net (a net hears the cells on it), net → cell (a cell hears its nets) and cell → cell (a cell hears
/// its neighbours in the placement), summed per destination.
/// </summary>
public static partial class Layers
{
    /// <summary>Hidden width of the model.</summary>
    public const int Hidden = 64;

    /// <summary>Dynamic-ReLU: each row keeps at most its 16 largest positive entries.</summary>
    [HeteroLayer("cell", "net", K = 16, Dim = Hidden, Combine = HeteroCombine.Sum, Streams = 3)]
    public static partial HeteroLayer DynamicReLU(HeteroExecution execution,
        [Relation("cell", "net")] CsrMatrix<float> cellToNet,
        [Relation("net", "cell")] CsrMatrix<float> netToCell,
        [Relation("cell", "cell")] CsrMatrix<float> near);

    /// <summary>The sparse layer as the model takes it.</summary>
    public static ICircuitLayer Sparse(HeteroExecution execution, CsrMatrix<float> cellToNet, CsrMatrix<float> netToCell, CsrMatrix<float> near) =>
        new GeneratedCircuitLayer(DynamicReLU(execution, cellToNet, netToCell, near));

    /// <summary>
    /// The baseline: what a user runs without Dynamic-ReLU — ReLU, then a dense SpMM per relation (<see cref="DenseReluLayer"/>).
    /// </summary>
    public static ICircuitLayer Dense(HeteroExecution execution, CsrMatrix<float> cellToNet, CsrMatrix<float> netToCell, CsrMatrix<float> near) =>
        new DenseReluLayer(execution.Backend, Hidden, new() { ["cell"] = near.Rows, ["net"] = cellToNet.Rows },
            ("cell", "net", cellToNet), ("net", "cell", netToCell), ("cell", "cell", near));
}
