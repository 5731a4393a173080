using KernelDsl.Native;
using KernelDsl.Reference;
using KernelDsl.Runtime;
using KernelDsl.Tests.Kernels;
using KernelDsl.Tests.Support;
using Xunit;

namespace KernelDsl.Tests.MaxK;

/// <summary>
/// The SpGEMM with each output row in registers (<see cref="RowScatter"/>) against its scalar scatter, bit for bit: on the
/// shape list at dims 33–64 (three and four pieces, a partial last piece and whole rows), k 8 to 32 (one register of
/// values and two),
/// byte and ushort indices, weighted and pattern, values full of ±0, NaN and ±∞, and edges into the last rows (whose
/// values end the array); both equal the float64 reference on finite inputs.
/// </summary>
public sealed class RowScatterTests : IDisposable
{
    private readonly ComputeBackend _backend = ComputeBackend.Create(BackendKind.NativeCpu);

    public static IEnumerable<object[]> ShapesAndDims =>
        from s in TestGraphs.ShapeNames from dim in new[] { 33, 48, 63, 64 } select new object[] { s, dim };

    [Theory]
    [MemberData(nameof(ShapesAndDims))]
    public void RegisterRowsEqualTheScalarScatterBitForBit(string shape, int dim)
    {
        var a = TestGraphs.Shape(shape);
        foreach (int k in new[] { 8, 15, 16, 17, 31, 32 })
            foreach (bool hostile in new[] { false, true })
            {
                var x = Values(ReferenceMaxK.MaxK<byte>(MaxKChecker.Features(a.ColumnCount, dim, k, ties: false), k), hostile);
                string context = $"{shape}, dim {dim}, k {k}{(hostile ? ", ±0/NaN/±inf in x" : "")}";
                Assert.True(RowScatter.Supports<byte>(dim, k) == Avx512, context + ": the register path should take these rows");
                var scalar = Run(a, x, vector: false, MaxKKernels.Forward);
                var vector = Run(a, x, vector: true, MaxKKernels.Forward);
                Assert.True(Bits(scalar).SequenceEqual(Bits(vector)), context + ": the register rows differ from the scalar scatter");
                if (!hostile) MaxKChecker.CheckSpGemm(_backend, a, x, context);
            }
    }

    [Fact]
    public void UshortIndicesPatternAndTheLastRowsEqualTheScalarScatter()
    {
        // Every row links to the last two rows of x, whose values end the array (the loads that would pass it).
        const int n = 40;
        var rows = Enumerable.Range(0, n).SelectMany(i => new[] { i, i, i }).ToArray();
        var cols = Enumerable.Range(0, n).SelectMany(i => new[] { n - 1, n - 2, (i * 7) % n }).ToArray();
        var a = CsrMatrix<float>.FromCoo(n, n, rows, cols, rows.Select((_, e) => 0.25f + e % 5).ToArray(), DuplicatePolicy.Sum);
        foreach (int k in new[] { 16, 20, 32 })
        {
            var x = Values(ReferenceMaxK.MaxK<ushort>(MaxKChecker.Features(n, 64, k, ties: true), k), hostile: true);
            Assert.True(Bits(Run(a, x, vector: false, MaxKKernels.Forward)).SequenceEqual(Bits(Run(a, x, vector: true, MaxKKernels.Forward))), $"ushort, k {k}");
        }
        var x16 = ReferenceMaxK.MaxK<byte>(MaxKChecker.Features(n, 64, 5, ties: false), 16);
        var pattern = a.AsPattern();
        Assert.True(Bits(Run(pattern, x16, vector: false, MaxKKernels.ForwardPattern16)).SequenceEqual(Bits(Run(pattern, x16, vector: true, MaxKKernels.ForwardPattern16))), "pattern");
        MaxKChecker.CheckSpGemm(_backend, a, x16, "last rows, pattern", MaxKKernels.ForwardPattern16, Adjacency.Pattern);
        MaxKChecker.CheckSpGemm(_backend, TestGraphs.Shape("power-law"), ReferenceMaxK.MaxK<byte>(MaxKChecker.Features(TestGraphs.Shape("power-law").ColumnCount, 64, 6, ties: false), 16),
            "power-law, pattern", MaxKKernels.ForwardPattern16, Adjacency.Pattern);
    }

    [Fact]
    public void TheRegisterPathTakesDims33To64WithKFrom8To32()
    {
        Assert.Equal(Avx512, RowScatter.Supports<byte>(64, 16));
        Assert.Equal(Avx512, RowScatter.Supports<ushort>(33, 32));
        Assert.Equal(Avx512, RowScatter.Supports<int>(50, 8));
        Assert.False(RowScatter.Supports<byte>(32, 16)); // two pieces: not faster everywhere
        Assert.False(RowScatter.Supports<byte>(65, 16)); // wider than four registers
        Assert.False(RowScatter.Supports<byte>(64, 7)); // a few scatters cost about what four permutes do
        Assert.False(RowScatter.Supports<byte>(64, 33)); // more values than two registers
        Assert.False(RowScatter.Supports<long>(64, 16));
    }

    [Fact]
    public void TheSlotTableRefusesBadArgumentsByName()
    {
        var indices = new byte[32];
        Assert.Throws<ArgumentNullException>("indices", () => RowScatter.RentSlots<byte>(null!, 1, 16, 1));
        Assert.Throws<ArgumentOutOfRangeException>("rows", () => RowScatter.RentSlots(indices, -1, 16, 1));
        Assert.Throws<ArgumentOutOfRangeException>("k", () => RowScatter.RentSlots(indices, 1, 0, 1));
        Assert.Throws<ArgumentOutOfRangeException>("k", () => RowScatter.RentSlots(indices, 1, 33, 1));
        Assert.Throws<ArgumentOutOfRangeException>("parallelism", () => RowScatter.RentSlots(indices, 1, 16, 0));
        Assert.Throws<ArgumentException>("indices", () => RowScatter.RentSlots(indices, 3, 16, 1)); // 48 indices needed
        var slots = RowScatter.RentSlots(new byte[] { 3, 60 }, 1, 2, 1);
        Assert.Equal(0, slots[3]);
        Assert.Equal(1, slots[60]);
        Assert.Equal(0xFF, slots[0]);
        RowScatter.ReturnSlots(slots);
    }

    private static bool Avx512 => System.Runtime.Intrinsics.X86.Avx512F.IsSupported && System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated;

    private float[] Run<TIndex>(CsrMatrix<float> a, CbsrMatrix<float, TIndex> x, bool vector,
        Action<ComputeStream, CsrBuffer<float>, CbsrBuffer<float, TIndex>, DenseBuffer<float>> run)
        where TIndex : unmanaged, System.Numerics.IBinaryInteger<TIndex>
    {
        using var ab = _backend.Upload(a);
        using var xb = _backend.Upload(x);
        using var y = _backend.AllocateDense<float>(a.Rows, x.Dim);
        y.CopyFrom(Enumerable.Repeat(float.NaN, (int)y.Length).ToArray()); // every entry must be written
        RowScatter.Enabled = vector;
        try
        {
            run(_backend.DefaultStream, ab, xb, y);
        }
        finally
        {
            RowScatter.Enabled = true;
        }
        return y.ToHost().Data;
    }

    /// <summary>x as it is, or with every 5th kept value ±0, NaN, +∞ or −∞ (the columns unchanged).</summary>
    private static CbsrMatrix<float, TIndex> Values<TIndex>(CbsrMatrix<float, TIndex> x, bool hostile) where TIndex : unmanaged, System.Numerics.IBinaryInteger<TIndex>
    {
        if (!hostile) return x;
        float[] special = [0f, -0f, float.NaN, float.PositiveInfinity, float.NegativeInfinity];
        var values = (float[])x.Values.Clone();
        for (int i = 0; i < values.Length; i += 5) values[i] = special[i / 5 % special.Length];
        return new CbsrMatrix<float, TIndex>(x.Rows, x.Dim, x.K, values, x.Indices);
    }

    private static int[] Bits(float[] values) => values.Select(BitConverter.SingleToInt32Bits).ToArray();

    public void Dispose() => _backend.Dispose();
}
