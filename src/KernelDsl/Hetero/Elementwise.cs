using System.Numerics;
using ILGPU;
using ILGPU.Runtime;
using KernelDsl.Native;
using KernelDsl.Runtime;

namespace KernelDsl.Hetero;

/// <summary>
/// The element-wise steps of a heterogeneous layer: combining relation outputs per destination type
/// and relation gradients per source type (CBSR gradients of one source share its sparsity pattern, so
/// their values add slot by slot). ILGPU kernel on accelerators, SIMD loop on the native backend.
/// </summary>
public static class Elementwise
{
    /// <summary><c>destination = scale · (Σ parts)</c>, parts added in the order given (deterministic).</summary>
    public static void Combine(ComputeStream stream, DenseBuffer<float> destination, float scale, params DenseBuffer<float>[] parts)
    {
        OperandChecks.Stream(stream, nameof(stream));
        OperandChecks.Dense(destination, stream.Backend, nameof(destination));
        ArgumentNullException.ThrowIfNull(parts);
        if (parts.Length == 0) throw new ArgumentException("at least one part is needed.", nameof(parts));
        foreach (var part in parts)
        {
            OperandChecks.Dense(part, stream.Backend, nameof(parts));
            if (part.Rows != destination.Rows || part.Columns != destination.Columns)
                throw new ArgumentException($"a part is {part.Rows} x {part.Columns} but {nameof(destination)} is {destination.Rows} x {destination.Columns}.", nameof(parts));
            if (ReferenceEquals(part, destination)) throw new ArgumentException($"{nameof(destination)} is also a part; combine into its own buffer.", nameof(parts));
        }
        if (destination.Length == 0) return;
        if (stream.Backend.Kind == BackendKind.NativeCpu)
        {
            Memory<float> target = destination.HostMemory;
            Vectorized.Chunks(target.Length, stream.Backend.Parallelism, (from, to) =>
            {
                Span<float> slice = target.Span.Slice(from, to - from);
                parts[0].HostSpan.Slice(from, to - from).CopyTo(slice);
                for (int p = 1; p < parts.Length; p++) Vectorized.Axpy(slice, parts[p].HostSpan.Slice(from, to - from), 1f);
                if (scale != 1f) Vectorized.Scale(slice, scale);
            });
            return;
        }
        var s = stream.AcceleratorStream!;
        Launch(s, "copy", destination.View.Data, parts[0].View.Data, 1f);
        for (int p = 1; p < parts.Length; p++) Launch(s, "add", destination.View.Data, parts[p].View.Data, 1f);
        if (scale != 1f) Launch(s, "scale", destination.View.Data, destination.View.Data, scale);
    }

    /// <summary><c>destination += scale · source</c>, element by element (same shape, distinct buffers).</summary>
    public static void Add(ComputeStream stream, DenseBuffer<float> destination, DenseBuffer<float> source, float scale = 1f)
    {
        OperandChecks.Stream(stream, nameof(stream));
        OperandChecks.Dense(destination, stream.Backend, nameof(destination));
        OperandChecks.Dense(source, stream.Backend, nameof(source));
        if (source.Rows != destination.Rows || source.Columns != destination.Columns)
            throw new ArgumentException($"{nameof(source)} is {source.Rows} x {source.Columns} but {nameof(destination)} is {destination.Rows} x {destination.Columns}.", nameof(source));
        if (ReferenceEquals(source, destination)) throw new ArgumentException($"{nameof(source)} is {nameof(destination)}; scale the buffer instead.", nameof(source));
        if (destination.Length == 0) return;
        if (stream.Backend.Kind == BackendKind.NativeCpu)
        {
            Memory<float> target = destination.HostMemory, from = source.HostMemory;
            Vectorized.Chunks(target.Length, stream.Backend.Parallelism, (lo, hi) => Vectorized.Axpy(target.Span.Slice(lo, hi - lo), from.Span.Slice(lo, hi - lo), scale));
            return;
        }
        Launch(stream.AcceleratorStream!, "add", destination.View.Data, source.View.Data, scale);
    }

    /// <summary><c>destination.Values = destination.Values · first + Σ scale_p · parts[p].Values</c> for CBSR buffers of one pattern.</summary>
    public static void CombineCbsr<TIndex>(ComputeStream stream, CbsrBuffer<float, TIndex> destination, float destinationScale,
        params (CbsrBuffer<float, TIndex> Part, float Scale)[] parts)
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        OperandChecks.Stream(stream, nameof(stream));
        OperandChecks.Cbsr(destination, stream.Backend, nameof(destination));
        ArgumentNullException.ThrowIfNull(parts);
        foreach (var (part, _) in parts)
        {
            OperandChecks.Cbsr(part, stream.Backend, nameof(parts));
            if (part.Rows != destination.Rows || part.K != destination.K || part.Dim != destination.Dim)
                throw new ArgumentException($"a part is {part.Rows} rows, dim {part.Dim}, k {part.K} but {nameof(destination)} is {destination.Rows}, {destination.Dim}, {destination.K}.", nameof(parts));
            if (ReferenceEquals(part, destination)) throw new ArgumentException($"{nameof(destination)} is also a part.", nameof(parts));
        }
        long length = (long)destination.Rows * destination.K;
        if (length == 0) return;
        if (stream.Backend.Kind == BackendKind.NativeCpu)
        {
            float[] target = destination.Host.Values;
            Vectorized.Chunks(target.Length, stream.Backend.Parallelism, (from, to) =>
            {
                var span = target.AsSpan(from, to - from);
                if (destinationScale != 1f) Vectorized.Scale(span, destinationScale);
                foreach (var (part, scale) in parts) Vectorized.Axpy(span, part.Host.Values.AsSpan(from, to - from), scale);
            });
            return;
        }
        var s = stream.AcceleratorStream!;
        var values = destination.View.Values;
        if (destinationScale != 1f) Launch(s, "scale", values, values, destinationScale);
        foreach (var (part, scale) in parts) Launch(s, "add", values, part.View.Values, scale);
    }

    // ILGPU: one kernel with the operation as a constant (copy 0, add 1, scale 2).
    private static void Launch(AcceleratorStream stream, string op, ArrayView<float> target, ArrayView<float> source, float scale)
    {
        int code = op switch { "copy" => 0, "add" => 1, _ => 2 };
        var kernel = KernelCache.GetOrLoad(stream.Accelerator, "KernelDsl.Hetero.Elementwise",
            static acc => acc.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<float>, float, int>(ElementwiseKernel));
        kernel(stream, (int)target.Length, target, source, scale, code);
    }

    private static void ElementwiseKernel(Index1D i, ArrayView<float> target, ArrayView<float> source, float scale, int code)
    {
        if (code == 0) target[i] = source[i];
        else if (code == 1) target[i] += scale * source[i];
        else target[i] *= scale;
    }
}
