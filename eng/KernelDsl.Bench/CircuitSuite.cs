using System.Globalization;
using System.Numerics;
using KernelDsl.IO;
using KernelDsl.Runtime;

namespace KernelDsl.Bench;

/// <summary>
/// Dynamic-ReLU on the CircuitNet designs' relations, native backend: the activation and its sparse
/// aggregation (Dynamic-ReLU → SpGEMM) against the dense path (ReLU → SpMM), and the activations
/// (MaxK top-k, Dynamic-ReLU, and both backwards) against a plain dense ReLU pass; all ratios from
/// interleaved runs in the same process. Feature width 64, k = 16.
/// </summary>
public static class CircuitSuite
{
    public const int Dim = 64, K = 16;

    public static int Run(string data, int repeats, FileInfo? outFile)
    {
        var inv = CultureInfo.InvariantCulture;
        var report = new Report();
        void Emit(string line) => report.Line(line);
        using var backend = ComputeBackend.Create(BackendKind.NativeCpu);
        Emit($"# Dynamic-ReLU on CircuitNet relations ({backend.Name}, dim {Dim}, k {K}, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC)");
        Emit("");
        Emit("| design / relation | nnz | dense ReLU → SpMM ms | Dynamic-ReLU → SpGEMM ms | speed-up | Dynamic-ReLU vs dense ReLU | MaxK vs dense ReLU | D-ReLU backward vs dense ReLU | MaxK backward vs dense ReLU |");
        Emit("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var design in new[] { "zero-riscy-b-1-c2", "RISCY-b-1-c2" })
        {
            var (graph, _, _) = CircuitNetDesign.Read(Path.Combine(data, "circuitnet", design));
            foreach (var relation in graph.Relations)
            {
                var a = relation.Adjacency;
                var features = DenseMatrix<float>.Random(a.ColumnCount, Dim, 3);
                using var ab = backend.Upload(a);
                using var x = backend.Upload(features);
                using var relu = backend.AllocateDense<float>(a.ColumnCount, Dim);
                using var y = backend.AllocateDense<float>(a.Rows, Dim);
                using var sparse = backend.AllocateCbsr<float, byte>(a.ColumnCount, Dim, K);
                using var dSparse = backend.AllocateCbsr<float, byte>(a.ColumnCount, Dim, K);
                using var dDense = backend.AllocateDense<float>(a.ColumnCount, Dim);
                var input = x.HostMemory;
                var output = relu.HostMemory;
                void DenseRelu() => Relu(input, output);
                var (dense, dynamicSparse, speedUp) = Harness.Interleaved(
                    () => { DenseRelu(); BenchKernels.SumWarpPerRow(backend.DefaultStream, ab, relu, y); },
                    () => { BenchKernels.DynamicReLU(backend.DefaultStream, x, sparse); BenchKernels.MaxKForward(backend.DefaultStream, ab, sparse, y); },
                    repeats);
                var (_, _, dynamicRatio) = Harness.Interleaved(DenseRelu, () => BenchKernels.DynamicReLU(backend.DefaultStream, x, sparse), repeats);
                var (_, _, maxkRatio) = Harness.Interleaved(DenseRelu, () => BenchKernels.TopK(backend.DefaultStream, x, sparse), repeats);
                BenchKernels.DynamicReLU(backend.DefaultStream, x, sparse);
                var (_, _, backwardRatio) = Harness.Interleaved(DenseRelu, () => BenchKernels.DynamicReLUBackward(backend.DefaultStream, sparse, dSparse, dDense), repeats);
                var (_, _, maxkBackwardRatio) = Harness.Interleaved(DenseRelu, () => BenchKernels.TopKBackward(backend.DefaultStream, dSparse, dDense), repeats);
                Emit(string.Create(inv, $"| {design} / {relation.Name} ({relation.Source} → {relation.Destination}) | {a.Nonzeros} | {dense:F2} | {dynamicSparse:F2} | {speedUp:F2}x | {dynamicRatio:F2}x | {maxkRatio:F2}x | {backwardRatio:F2}x | {maxkBackwardRatio:F2}x |"));
            }
        }
        Emit("");
        Emit("Ratios are time(dense) / time(sparse): above 1 the sparse side is faster. The activations select k of 64 per row; a dense ReLU is one streaming pass.");
        report.Save(outFile);
        return 0;
    }

    /// <summary>The dense baseline: y = max(x, 0), SIMD, two threads.</summary>
    private static void Relu(Memory<float> input, Memory<float> output) => Parallel.For(0, Environment.ProcessorCount * 4, part =>
    {
        ReadOnlySpan<float> x = input.Span;
        Span<float> y = output.Span;
        int parts = Environment.ProcessorCount * 4;
        int lo = (int)((long)x.Length * part / parts), hi = (int)((long)x.Length * (part + 1) / parts);
        int i = lo;
        for (; i <= hi - Vector<float>.Count; i += Vector<float>.Count)
            Vector.Max(new Vector<float>(x[i..]), Vector<float>.Zero).CopyTo(y[i..]);
        for (; i < hi; i++) y[i] = Math.Max(x[i], 0f);
    });
}
