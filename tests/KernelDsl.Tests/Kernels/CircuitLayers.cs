using KernelDsl;
using KernelDsl.Hetero;

namespace KernelDsl.Tests.Kernels;

/// <summary>DR-CircuitGNN layers over the circuit graph (cell and net nodes; drives, feeds, near).</summary>
public static partial class CircuitLayers
{
    /// <summary>The three circuit relations, summed per destination; cells get feeds + near.</summary>
    [HeteroLayer("cell", "net", K = 8, Dim = 32, Streams = 3)]
    public static partial HeteroLayer CircuitConv(HeteroExecution execution,
        [Relation("cell", "net")] CsrMatrix<float> drives,
        [Relation("net", "cell")] CsrMatrix<float> feeds,
        [Relation("cell", "cell")] CsrMatrix<float> near);

    /// <summary>Mean combine, a dim that is no multiple of the warp size, k = 3, two streams.</summary>
    [HeteroLayer("cell", "net", K = 3, Dim = 7, Combine = HeteroCombine.Mean, Streams = 2)]
    public static partial HeteroLayer CircuitConvMean(HeteroExecution execution,
        [Relation("cell", "net")] CsrMatrix<float> drives,
        [Relation("net", "cell")] CsrMatrix<float> feeds,
        [Relation("cell", "cell")] CsrMatrix<float> near);

    /// <summary>No reduction: each destination has one relation; k = dim.</summary>
    [HeteroLayer("cell", "net", K = 5, Dim = 5, Combine = HeteroCombine.None)]
    public static partial HeteroLayer CellNet(HeteroExecution execution,
        [Relation("cell", "net", Name = "cell-to-net")] CsrMatrix<float> drives,
        [Relation("net", "cell")] CsrMatrix<float> feeds);

    /// <summary>The width the benchmark and the sample use (dim 64, k 16).</summary>
    [HeteroLayer("cell", "net", K = 16, Dim = 64, Streams = 3)]
    public static partial HeteroLayer CircuitConv64(HeteroExecution execution,
        [Relation("cell", "net")] CsrMatrix<float> drives,
        [Relation("net", "cell")] CsrMatrix<float> feeds,
        [Relation("cell", "cell")] CsrMatrix<float> near);
}
