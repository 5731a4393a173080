using System.Numerics;
using KernelDsl.Reference;
using KernelDsl.Runtime;
using KernelDsl.Tests.Backends;
using KernelDsl.Tests.Kernels;
using KernelDsl.Tests.Support;
using Xunit;

namespace KernelDsl.Tests.Safety;

/// <summary>
/// The declarations of <see cref="HostileDeclarations"/> and <see cref="MixedPrecisionMessages"/>, built by the real
/// compiler with the generator, run on the native backend and on ILGPU's CPU accelerator against the float64 reference.
/// </summary>
public sealed class HostileDeclarationTests(IlgpuCpuFixture fixture) : IClassFixture<IlgpuCpuFixture>
{
    private delegate void SpMMKernel(ComputeStream stream, CsrBuffer<float> a, DenseBuffer<float> x, DenseBuffer<float> y);

    private ComputeBackend Backend(string which) => which == "native" ? Native : fixture.Warp4;

    private static readonly ComputeBackend Native = ComputeBackend.Create(BackendKind.NativeCpu);

    /// <summary>A graph with an empty row, a long row and self loops; values in [0.5, 1.5).</summary>
    private static CsrMatrix<float> Graph() => TestGraphs.Weighted(TestGraphs.Shape("one-huge-row"), new Random(3));

    private static DenseMatrix<float> Features(int rows, int dim, int seed)
    {
        var rng = new Random(seed);
        var x = new DenseMatrix<float>(rows, dim);
        for (int i = 0; i < x.Data.Length; i++) x.Data[i] = (float)(rng.NextDouble() * 4 - 2);
        return x;
    }

    private static float[] Run(ComputeBackend backend, SpMMKernel kernel, CsrMatrix<float> a, DenseMatrix<float> x)
    {
        using var ab = backend.Upload(a);
        using var xb = backend.Upload(x);
        using var yb = backend.AllocateDense<float>(a.Rows, x.Columns);
        kernel(backend.DefaultStream, ab, xb, yb);
        return yb.ToHost().Data;
    }

    public static TheoryData<string> Backends => new() { "native", "ilgpu-cpu" };

    [Theory]
    [MemberData(nameof(Backends))]
    public void KernelsWhoseNamesDifferOnlyInCaseComputeTheirOwnReduce(string which)
    {
        var a = Graph();
        var x = Features(a.ColumnCount, 13, 1);
        void Against(SpMMKernel kernel, Reduce reduce, string what)
        {
            var (expected, magnitude) = ReferenceSpMM.ComputeWithMagnitude(a, x, reduce);
            Check(Run(Backend(which), kernel, a, x), expected, what, magnitude, Bound(a));
        }
        Against(HostileDeclarations.Aggregate, Reduce.Sum, "Aggregate");
        Against(HostileDeclarations.aggregate, Reduce.Max, "aggregate");
        Against(HostileDeclarations.Unsafe, Reduce.Mean, "Unsafe");
        Against(HostileDerived.Hidden, Reduce.Min, "Hidden");
        Against(@event.@fixed, Reduce.Sum, "@event.@fixed");
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public void AMaxKAndItsBackwardSharingANameRunTheirOwnKernels(string which)
    {
        var backend = Backend(which);
        var x = Features(37, 8, 2);
        using var xb = backend.Upload(x);
        using var yb = backend.AllocateCbsr<float, byte>(x.Rows, 8, 2);
        HostileDeclarations.Pick(backend.DefaultStream, xb, yb);
        var expected = ReferenceMaxK.MaxK<byte>(x, 2);
        var actual = yb.ToHost();
        Assert.Equal(expected.Indices, actual.Indices);
        Assert.Equal(expected.Values, actual.Values);

        using var dx = backend.AllocateDense<float>(x.Rows, 8);
        HostileDeclarations.Pick(backend.DefaultStream, yb, dx); // the backward: scatter the kept values back
        var scattered = new double[x.Rows * 8];
        for (int r = 0; r < x.Rows; r++)
            for (int t = 0; t < 2; t++)
                scattered[r * 8 + expected.Indices[r * 2 + t]] = expected.Values[r * 2 + t];
        Check(dx.ToHost().Data, scattered);
    }

    public static TheoryData<string, string> Messages => new()
    {
        { "Wide", "native" }, { "Wide", "ilgpu-cpu" },
        { "Third", "native" }, { "Third", "ilgpu-cpu" },
        { "Root", "native" }, { "Root", "ilgpu-cpu" },
        { "Plain", "native" }, { "Plain", "ilgpu-cpu" },
    };

    /// <summary>
    /// The message computed by C# itself (the [Message] method called per edge) is the reference; dims cover the SIMD
    /// columns and the scalar tail (2 vectors + 3) and a single column. Before issue 11 the native SIMD columns of Wide
    /// gave 0 or ∞ (float arithmetic) while its tail and the ILGPU kernel gave edge · source.
    /// </summary>
    [Theory]
    [MemberData(nameof(Messages))]
    public void MixedPrecisionMessagesComputeTheSameFunctionOnEveryPath(string message, string which)
    {
        var (kernel, function, reduce) = message switch
        {
            "Wide" => ((SpMMKernel)MixedPrecisionMessages.AggregateWide, (Func<float, float, float>)MixedPrecisionMessages.Wide, Reduce.Sum),
            "Third" => (MixedPrecisionMessages.AggregateThird, MixedPrecisionMessages.Third, Reduce.Max),
            "Root" => (MixedPrecisionMessages.AggregateRoot, MixedPrecisionMessages.Root, Reduce.Mean),
            _ => (MixedPrecisionMessages.AggregatePlain, MixedPrecisionMessages.Plain, Reduce.Sum),
        };
        var a = Graph();
        foreach (int dim in new[] { 1, 2 * Vector<float>.Count + 3, 4 * Vector<float>.Count })
        {
            var x = Features(a.ColumnCount, dim, dim);
            var (expected, magnitude) = ReferenceSpMM.ComputeWithMagnitude(a, x, reduce, message: (e, s) => function((float)e, (float)s));
            Check(Run(Backend(which), kernel, a, x), expected, $"{message} dim {dim}", magnitude, Bound(a));
        }
    }

    /// <summary>
    /// Every output finite, and within float32 summation error of the float64 reference: relative to the magnitude of the
    /// reduced terms when given (a long row's sum rounds relative to its terms), else to the value.
    /// </summary>
    private static void Check(float[] actual, double[] expected, string what = "", double[]? magnitude = null, double bound = 1e-5)
    {
        Assert.Equal(expected.Length, actual.Length);
        Assert.All(actual, v => Assert.True(float.IsFinite(v), $"{what}: non-finite output {v}"));
        double error = magnitude is null ? Compare.MaxRelativeError<float>(actual, expected) : Compare.MaxScaledError<float>(actual, expected, magnitude);
        Assert.True(error < bound, $"{what}: error {error} (bound {bound})");
    }

    /// <summary>Higham's bound for recursive float32 summation over the longest row, as the kernel tests use: max(1e-5, 2·(n−1)·2⁻²⁴).</summary>
    private static double Bound(CsrMatrix<float> a) =>
        Math.Max(1e-5, 2.0 * (Enumerable.Range(0, a.Rows).Max(a.Degree) - 1) * Math.Pow(2, -24));
}
