using System.ComponentModel;
using System.Reflection;
using KernelDsl.Reference;
using KernelDsl.Runtime;
using KernelDsl.Tests.Kernels;
using KernelDsl.Tests.Support;
using Xunit;

namespace KernelDsl.Tests.Safety;

/// <summary>
/// Issue 11, point 2: data validated at upload stays validated. Generated native kernels index a buffer's arrays without
/// bounds checks, so no ordinary public member may hand those arrays (or the plans and work lists derived from them)
/// out for writing: the public API gives copies or read-only views, and the one accessor for generated code is named
/// Dangerous* and hidden from IntelliSense.
/// </summary>
public sealed class BufferIsolationTests
{
    private static readonly Type[] Holders =
        [typeof(CsrBuffer<float>), typeof(CbsrBuffer<float, byte>), typeof(DenseBuffer<float>), typeof(DegreeSortedPartition), typeof(RowChunks)];

    private static bool Exposes(Type type) =>
        type.IsArray || (type.IsGenericType && (type.GetGenericTypeDefinition() == typeof(CsrMatrix<>) || type.GetGenericTypeDefinition() == typeof(CbsrMatrix<,>)))
        || (type.IsGenericType && type.GetGenericArguments().Any(Exposes)); // e.g. (int[] Order, int[] Bounds)

    [Fact]
    public void NoOrdinaryPublicMemberHandsOutTheArraysKernelsTrust()
    {
        var allowed = new HashSet<string>
        {
            "CsrBuffer`1.ToHost", "CbsrBuffer`2.ToHost", "DenseBuffer`1.ToHost", // copies
            "CsrBuffer`1.RowBlocks", "DegreeSortedPartition.WorkOrder", // copies of cached arrays (tested below)
            "DenseBuffer`1.HostMemory", "DenseBuffer`1.HostSpan", // dense values: any float is memory-safe, shapes are fixed at allocation
        };
        var offenders = new List<string>();
        foreach (var type in Holders)
        {
            foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
                if (Exposes(property.PropertyType) && !allowed.Contains(type.Name + "." + property.Name)) offenders.Add(type.Name + "." + property.Name);
            foreach (var method in type.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly).Where(m => !m.IsSpecialName))
            {
                if (!Exposes(method.ReturnType) || allowed.Contains(type.Name + "." + method.Name)) continue;
                bool dangerous = method.Name.StartsWith("Dangerous", StringComparison.Ordinal)
                    && method.GetCustomAttribute<EditorBrowsableAttribute>()?.State == EditorBrowsableState.Never;
                if (!dangerous) offenders.Add(type.Name + "." + method.Name);
            }
        }
        Assert.True(offenders.Count == 0, "public members that expose kernel-trusted arrays: " + string.Join(", ", offenders));
    }

    [Fact]
    public void PlansAndWorkListsAreReadOnly()
    {
        var a = TestGraphs.Shape("power-law");
        using var backend = ComputeBackend.Create(BackendKind.NativeCpu);
        using var buffer = backend.Upload(a);
        var plan = buffer.DegreeSortedPlan(new PartitionOptions(12, 32));
        var chunks = buffer.Chunks(4);
        foreach (var list in new[] { plan.Permutation, plan.BlockFirstRow, plan.BlockSegmentLength, chunks.Rows, chunks.Starts, chunks.Ends, chunks.SoleChunk })
        {
            Assert.IsNotType<int[]>(list);
            Assert.Throws<NotSupportedException>(() => ((IList<int>)list)[0] = int.MaxValue);
        }
    }

    /// <summary>Everything mutable that the public API returns is written with out-of-range values; kernels still compute the reference.</summary>
    [Fact]
    public void WritingWhatThePublicApiReturnsCannotReachTheKernels()
    {
        var a = TestGraphs.Weighted(TestGraphs.Shape("power-law"), new Random(4));
        var x = new DenseMatrix<float>(a.ColumnCount, 8);
        var rng = new Random(5);
        for (int i = 0; i < x.Data.Length; i++) x.Data[i] = (float)rng.NextDouble();
        using var backend = ComputeBackend.Create(BackendKind.NativeCpu);
        using var ab = backend.Upload(a);
        using var xb = backend.Upload(x);
        using var y = backend.AllocateDense<float>(a.Rows, 8);
        var cbsr = ReferenceMaxK.MaxK<byte>(x, 3);
        using var cb = backend.Upload(cbsr);

        void Corrupt(int[] array) => Array.Fill(array, 50_000_000);
        var host = ab.ToHost();
        Corrupt(host.ColumnIndices);
        Corrupt(host.RowOffsets);
        var cbHost = cb.ToHost();
        Array.Fill(cbHost.Indices, (byte)250);
        Corrupt(ab.RowBlocks(backend.Parallelism * global::KernelDsl.Native.RowPartition.BlocksPerWorker));
        var (order, bounds) = ab.DegreeSortedPlan(new PartitionOptions(12, 32)).WorkOrder(backend.Parallelism * global::KernelDsl.Native.RowPartition.BlocksPerWorker);
        Corrupt(order);
        Corrupt(bounds);

        var (expected, magnitude) = ReferenceSpMM.ComputeWithMagnitude(a, x, Reduce.Sum);
        TestKernels.SumWarpPerRow(backend.DefaultStream, ab, xb, y);
        Assert.True(Compare.MaxScaledError<float>(y.ToHost().Data, expected, magnitude) < 1e-5);
        TestKernels.SumDegreeSorted(backend.DefaultStream, ab, xb, y);
        Assert.True(Compare.MaxScaledError<float>(y.ToHost().Data, expected, magnitude) < 1e-5);
        MaxKKernels.Forward(backend.DefaultStream, ab, cb, y);
        Assert.True(Compare.MaxRelativeError<float>(y.ToHost().Data, ReferenceMaxK.SpGemm(a, cbsr)) < 1e-5);
    }
}
