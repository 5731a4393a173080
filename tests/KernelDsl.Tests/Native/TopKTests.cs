using KernelDsl.Native;
using KernelDsl.Reference;
using Xunit;

namespace KernelDsl.Tests.Native;

/// <summary>
/// The native selection (<see cref="TopK"/>) against the reference's stable sort, for equality (values bit for bit,
/// columns), at every SIMD width forced in turn so a machine without AVX-512 still tests the others: dims that are and
/// are not multiples of the vector width (and the small-row path's 64 and 16 on each side), k = 1, 2, 8, 15, 16, 17, 32
/// and dim, and rows built to break a sample-based estimate —
/// full of ties, all equal, ±0, NaN of both signs, ±∞, sorted, and the largest values hidden between the sampled columns.
/// </summary>
public sealed class TopKTests
{
    public static TheoryData<SimdWidth> Widths => new() { SimdWidth.Scalar, SimdWidth.Vector256, SimdWidth.Vector512 };

    private static readonly int[] Dims = [1, 3, 16, 17, 33, 48, 63, 64, 65, 100, 256, 300];

    /// <summary>The hostile rows (also run through the ILGPU kernels by <c>MaxKCpuAcceleratorTests</c>).</summary>
    internal static IEnumerable<(string Name, float[] Row)> Rows(int dim, int seed)
    {
        var rng = new Random(seed);
        float[] Make(Func<int, float> f) => Enumerable.Range(0, dim).Select(f).ToArray();
        yield return ("uniform", Make(_ => (float)(rng.NextDouble() * 2 - 1)));
        yield return ("ties", Make(_ => rng.Next(3)));
        yield return ("all equal", Make(_ => 0.5f));
        yield return ("signed zeros", Make(c => c % 2 == 0 ? 0f : -0f));
        yield return ("NaN and infinities", Make(c => (c % 7) switch
        {
            0 => float.NaN,
            1 => -float.NaN,
            2 => float.PositiveInfinity,
            3 => float.NegativeInfinity,
            4 => BitConverter.Int32BitsToSingle(0x7FC00001), // a NaN with a payload
            _ => (float)rng.NextDouble(),
        }));
        yield return ("ascending", Make(c => c));
        yield return ("descending", Make(c => -c));
        // The sample takes columns s·dim/count; the largest values sit everywhere else, so the estimate is far too high.
        yield return ("hidden from the sample", Make(c => c % 8 == 0 || c % 16 == 0 ? -1000f - c : (float)rng.NextDouble()));
        yield return ("one large", Make(c => c == dim / 2 ? 1e30f : (float)rng.NextDouble() * 1e-30f));
        // The NaN whose key is 0, the value the small-row path pads a row's last vector with.
        yield return ("NaN of all ones", Make(c => c % 3 == 0 ? BitConverter.Int32BitsToSingle(-1) : -(float)rng.NextDouble()));
        yield return ("denormals", Make(_ => BitConverter.Int32BitsToSingle(rng.Next(1, 1000)) * (rng.Next(2) == 0 ? 1 : -1)));
    }

    [Theory]
    [MemberData(nameof(Widths))]
    public void EqualsTheReferenceOnEveryRow(SimdWidth width)
    {
        foreach (int dim in Dims)
            foreach (int k in new[] { 1, 2, 8, 15, 16, 17, 32, dim }.Where(k => k <= dim).Distinct())
                foreach (var (name, row) in Rows(dim, dim * 31 + k))
                    foreach (bool relu in new[] { false, true })
                    {
                        var x = new DenseMatrix<float>(1, dim, row);
                        var expected = relu ? ReferenceMaxK.DynamicReLU<int>(x, k) : ReferenceMaxK.MaxK<int>(x, k);
                        var values = new float[k];
                        var indices = new int[k];
                        TopK.Select<int>(row, k, values, indices, new uint[TopK.ScratchLength(dim)], relu, width);
                        string what = $"{width}, dim {dim}, k {k}, {name}{(relu ? ", Dynamic-ReLU" : "")}";
                        Assert.True(expected.Indices.SequenceEqual(indices), what + ": columns " + string.Join(",", indices));
                        Assert.True(expected.Values.Select(BitConverter.SingleToInt32Bits).SequenceEqual(values.Select(BitConverter.SingleToInt32Bits)), what + ": values");
                    }
    }

    /// <summary>
    /// A block of rows selected where it is (a fused epilogue's buffer), its outputs at the block's own offset: the
    /// reference top-k of each row, at the small-row width (pairs and an odd last row) and a wide one; bad shapes refused
    /// by name. The row split the epilogue runs on refuses a negative count and no workers.
    /// </summary>
    [Fact]
    public void SelectBlockEqualsTheReferenceAndRefusesBadShapes()
    {
        foreach (var (rows, dim, k) in new[] { (7, 64, 16), (5, 300, 32), (1, 16, 16) })
        {
            var x = DenseMatrix<float>.Random(rows, dim, rows + dim);
            for (int c = 0; c < dim; c += 2) x[0, c] = 0.5f; // ties
            var values = new float[rows * k];
            var indices = new ushort[rows * k];
            TopK.SelectBlock<ushort>(x.Data, dim, k, values, indices, new uint[TopK.ScratchLength(dim)], relu: false);
            var expected = ReferenceMaxK.MaxK<ushort>(x, k);
            Assert.Equal(expected.Indices, indices);
            Assert.Equal(expected.Values.Select(BitConverter.SingleToInt32Bits), values.Select(BitConverter.SingleToInt32Bits));
        }
        var scratch = new uint[TopK.ScratchLength(16)];
        Assert.Equal("rows", Assert.Throws<ArgumentException>(() => TopK.SelectBlock<ushort>(new float[33], 16, 4, new float[8], new ushort[8], scratch, false)).ParamName);
        Assert.Equal("k", Assert.Throws<ArgumentOutOfRangeException>(() => TopK.SelectBlock<ushort>(new float[32], 16, 17, new float[34], new ushort[34], scratch, false)).ParamName);
        Assert.Equal("values", Assert.Throws<ArgumentException>(() => TopK.SelectBlock<ushort>(new float[32], 16, 4, new float[7], new ushort[8], scratch, false)).ParamName);
        Assert.Equal("scratch", Assert.Throws<ArgumentException>(() => TopK.SelectBlock<ushort>(new float[32], 16, 4, new float[8], new ushort[8], new uint[3], false)).ParamName);
        Assert.Equal("rows", Assert.Throws<ArgumentOutOfRangeException>(() => RowPartition.ForBlocks(-1, 2, (_, _) => { })).ParamName);
        Assert.Equal("parallelism", Assert.Throws<ArgumentOutOfRangeException>(() => RowPartition.ForBlocks(10, 0, (_, _) => { })).ParamName);
        var seen = new int[100];
        RowPartition.ForBlocks(100, 3, (first, last) => { for (int r = first; r < last; r++) Interlocked.Increment(ref seen[r]); });
        Assert.All(seen, count => Assert.Equal(1, count));
    }

    [Theory]
    [MemberData(nameof(Widths))]
    public void SelectRowsEqualsTheReferenceRowByRow(SimdWidth width)
    {
        const int rows = 37, dim = 100, k = 9;
        var x = DenseMatrix<float>.Random(rows, dim, 11);
        for (int c = 0; c < dim; c += 3) x[5, c] = 0.25f; // a row with ties
        var values = new float[rows * k];
        var indices = new ushort[rows * k];
        TopK.SelectRows(x.Data, dim, k, values, indices, 3, rows, new uint[TopK.ScratchLength(dim)], relu: false, width);
        var expected = ReferenceMaxK.MaxK<ushort>(x, k);
        Assert.Equal(expected.Indices.Skip(3 * k), indices.Skip(3 * k));
        Assert.Equal(expected.Values.Skip(3 * k), values.Skip(3 * k));
        Assert.All(indices.Take(3 * k), i => Assert.Equal(0, i)); // rows before 'first' untouched
        Assert.Throws<ArgumentOutOfRangeException>(() => TopK.SelectRows(x.Data, dim, k, values, indices, 0, rows + 1, new uint[TopK.ScratchLength(dim)], false));
        Assert.Throws<ArgumentException>(() => TopK.SelectRows(x.Data, dim, k, new float[k], indices, 0, rows, new uint[TopK.ScratchLength(dim)], false));
    }

    /// <summary>
    /// Rows of at most 64 go through the small-row networks two at a time (<see cref="TopK.SelectRows{TIndex}(ReadOnlySpan{float}, int, int, float[], TIndex[], int, int, uint[], bool)"/>
    /// pairs them, the odd last one alone): every hostile row beside every other kind in a pair, an even and an odd
    /// number of rows from an odd first row, each dim of the path (a whole or a partial last vector) and k up to 16,
    /// with and without Dynamic-ReLU; each row equals the reference, and the rows outside first..last stay untouched.
    /// </summary>
    [Theory]
    [MemberData(nameof(Widths))]
    public void SmallRowsInPairsEqualTheReference(SimdWidth width)
    {
        foreach (int dim in Dims.Where(d => d <= 64))
        {
            var kinds = Rows(dim, dim).Select(r => r.Row).ToList();
            // Every kind first and second in a pair: the kinds in order, then shifted by one.
            var rows = kinds.Concat(kinds.Skip(1)).Concat(kinds.Take(1)).Append(kinds[0]).ToList();
            var x = new DenseMatrix<float>(rows.Count, dim, rows.SelectMany(r => r).ToArray());
            foreach (int k in new[] { 1, 2, 8, 15, 16 }.Where(k => k < dim))
                foreach (bool relu in new[] { false, true })
                    foreach (int last in new[] { rows.Count, rows.Count - 1 })
                    {
                        const int first = 1;
                        var expected = relu ? ReferenceMaxK.DynamicReLU<ushort>(x, k) : ReferenceMaxK.MaxK<ushort>(x, k);
                        var values = Enumerable.Repeat(-7f, rows.Count * k).ToArray();
                        var indices = Enumerable.Repeat((ushort)999, rows.Count * k).ToArray();
                        TopK.SelectRows(x.Data, dim, k, values, indices, first, last, new uint[TopK.ScratchLength(dim)], relu, width);
                        // The byte columns (the generated kernels' CBSR) and the int ones take their own stores: the same rows.
                        var bytes = Enumerable.Repeat((byte)99, rows.Count * k).ToArray();
                        var ints = Enumerable.Repeat(999, rows.Count * k).ToArray();
                        var otherValues = Enumerable.Repeat(-7f, rows.Count * k).ToArray();
                        TopK.SelectRows(x.Data, dim, k, otherValues, bytes, first, last, new uint[TopK.ScratchLength(dim)], relu, width);
                        TopK.SelectRows(x.Data, dim, k, new float[rows.Count * k], ints, first, last, new uint[TopK.ScratchLength(dim)], relu, width);
                        Assert.True(indices.Select(i => i == 999 ? 99 : i).SequenceEqual(bytes.Select(i => (int)i)), $"{width}, dim {dim}, k {k}: byte columns");
                        Assert.True(indices.Select(i => (int)i).SequenceEqual(ints), $"{width}, dim {dim}, k {k}: int columns");
                        Assert.True(values.Select(BitConverter.SingleToInt32Bits).SequenceEqual(otherValues.Select(BitConverter.SingleToInt32Bits)), $"{width}, dim {dim}, k {k}: values with byte columns");
                        for (int r = 0; r < rows.Count; r++)
                        {
                            string what = $"{width}, dim {dim}, k {k}, row {r} of {first}..{last}{(relu ? ", Dynamic-ReLU" : "")}";
                            var got = (values.Skip(r * k).Take(k).ToArray(), indices.Skip(r * k).Take(k).ToArray());
                            if (r < first || r >= last)
                            {
                                Assert.True(got.Item1.All(v => v == -7f) && got.Item2.All(i => i == 999), what + ": written outside the rows asked for");
                                continue;
                            }
                            Assert.True(expected.Indices.Skip(r * k).Take(k).SequenceEqual(got.Item2), what + ": columns " + string.Join(",", got.Item2));
                            Assert.True(expected.Values.Skip(r * k).Take(k).Select(BitConverter.SingleToInt32Bits).SequenceEqual(got.Item1.Select(BitConverter.SingleToInt32Bits)), what + ": values");
                        }
                    }
        }
    }

    /// <summary>
    /// The AVX-512 bracket path (rows wider than 64) on many rows of the distributions a layer produces and of ones built
    /// to miss its estimate: normal at several means and scales, uniform, exponential (skewed), bimodal (the estimate
    /// falls between the modes), values on a coarse grid (ties at the k-th largest, which the path hands to the general
    /// one), tiny and huge scales, and a trained layer's shape (about k values clustered at the top, where the normal
    /// estimate misses and the interpolated ones take over), dropout's exact zeros (the k-th largest +0 and tied), dropout over
    /// such a cluster (the estimate from the nonzero entries, later attempts over the candidates) — so that
    /// every branch runs: exact at a threshold, the whole band ranked, either half filtered then ranked or sorted, a later
    /// attempt, ties at the k-th placed by column, and each way back to the general path. Every row equals the reference, for every
    /// index type the width allows and with and without Dynamic-ReLU.
    /// </summary>
    [Theory]
    [InlineData(64)]
    [InlineData(100)]
    [InlineData(256)]
    [InlineData(300)]
    [InlineData(512)]
    public void WideRowsOfManyDistributionsEqualTheReference(int dim)
    {
        var rng = new Random(dim);
        double Normal() => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
        var scratch = new uint[TopK.ScratchLength(dim)];
        foreach (int k in new[] { 1, 8, 17, 32, 64, dim - 1 }.Where(k => k < dim).Distinct())
        {
            double cluster = Math.Min(1, (k + 4.0) / dim);
            var distributions = new (string Name, Func<float> Draw)[]
            {
                ("normal", () => (float)Normal()),
                ("normal, shifted and scaled", () => (float)(3 + 0.01 * Normal())),
                ("uniform", () => (float)(rng.NextDouble() * 2 - 1)),
                ("exponential", () => (float)-Math.Log(1 - rng.NextDouble())),
                ("bimodal", () => (float)(rng.Next(2) == 0 ? Normal() - 8 : Normal() + 8)),
                ("coarse grid", () => MathF.Round((float)Normal() * 4) / 4),
                ("tiny", () => (float)(1e-30 * Normal())),
                ("huge", () => (float)(1e18 * Normal())),
                // A trained MaxK layer's pre-activations: about k values in a tight cluster at the top, the rest near 0.
                ("cluster of about k at the top", () => (float)(rng.NextDouble() < cluster ? 1 + 0.02 * Normal() : 0.05 * Normal())),
                // Dropout before the selection: half the entries exact zeros. With the rest mostly negative, fewer than k
                // entries are positive and the k-th largest is +0, tied across about half the row (the lowest columns win).
                ("dropout", () => rng.Next(2) == 0 ? 0f : (float)(2 * Normal())),
                ("dropout, mostly negative", () => rng.Next(2) == 0 ? 0f : (float)(2 * Normal() - 3)),
                // A trained layer after dropout (Cora's hidden layer): half exact zeros, about 2k of the rest in a tight
                // cluster near 1, the others negative. The nonzero entries' moments put the first estimate below the
                // cluster, so more than k keys reach it and the later attempts count over those candidates alone.
                ("dropout over a cluster of about 2k", () => rng.Next(2) == 0 ? 0f
                    : (float)(rng.NextDouble() < 4 * cluster ? 1 + 0.02 * Normal() : -0.5 + 0.3 * Normal())),
            };
            foreach (var (name, draw) in distributions)
                for (int r = 0; r < 25; r++)
                {
                    var row = Enumerable.Range(0, dim).Select(_ => draw()).ToArray();
                    foreach (bool relu in new[] { false, true })
                    {
                        var x = new DenseMatrix<float>(1, dim, row);
                        var expected = relu ? ReferenceMaxK.DynamicReLU<int>(x, k) : ReferenceMaxK.MaxK<int>(x, k);
                        string what = $"dim {dim}, k {k}, {name} row {r}{(relu ? ", Dynamic-ReLU" : "")}";
                        var values = new float[k];
                        var asInt = new int[k];
                        TopK.Select<int>(row, k, values, asInt, scratch, relu, SimdWidth.Vector512);
                        Assert.True(expected.Indices.SequenceEqual(asInt), what + ": columns " + string.Join(",", asInt));
                        Assert.True(expected.Values.Select(BitConverter.SingleToInt32Bits).SequenceEqual(values.Select(BitConverter.SingleToInt32Bits)), what + ": values");
                        var asUshort = new ushort[k];
                        TopK.Select<ushort>(row, k, new float[k], asUshort, scratch, relu, SimdWidth.Vector512);
                        Assert.True(expected.Indices.Select(i => (ushort)i).SequenceEqual(asUshort), what + ": ushort columns");
                        if (dim <= 256)
                        {
                            var asByte = new byte[k];
                            TopK.Select<byte>(row, k, new float[k], asByte, scratch, relu, SimdWidth.Vector512);
                            Assert.True(expected.Indices.Select(i => (byte)i).SequenceEqual(asByte), what + ": byte columns");
                        }
                        var asLong = new long[k];
                        TopK.Select<long>(row, k, new float[k], asLong, scratch, relu, SimdWidth.Vector512);
                        Assert.True(expected.Indices.Select(i => (long)i).SequenceEqual(asLong), what + ": long columns");
                    }
                }
        }
    }

    [Fact]
    public void ByteAndUshortIndicesMatchTheIntOnes()
    {
        var row = Enumerable.Range(0, 256).Select(c => (float)Math.Sin(c * 1.7)).ToArray();
        var scratch = new uint[TopK.ScratchLength(256)];
        var asInt = new int[32];
        var asByte = new byte[32];
        var asUshort = new ushort[32];
        TopK.Select<int>(row, 32, new float[32], asInt, scratch, relu: false);
        TopK.Select<byte>(row, 32, new float[32], asByte, scratch, relu: false);
        TopK.Select<ushort>(row, 32, new float[32], asUshort, scratch, relu: false);
        Assert.Equal(asInt, asByte.Select(b => (int)b));
        Assert.Equal(asInt, asUshort.Select(u => (int)u));
    }

    [Fact]
    public void BadArgumentsAreNamed()
    {
        var row = new float[16];
        Assert.Equal("k", Assert.Throws<ArgumentOutOfRangeException>(() => TopK.Select<int>(row, 0, new float[1], new int[1], new uint[TopK.ScratchLength(16)], false)).ParamName);
        Assert.Equal("k", Assert.Throws<ArgumentOutOfRangeException>(() => TopK.Select<int>(row, 17, new float[17], new int[17], new uint[TopK.ScratchLength(16)], false)).ParamName);
        Assert.Equal("scratch", Assert.Throws<ArgumentException>(() => TopK.Select<int>(row, 4, new float[4], new int[4], new uint[8], false)).ParamName);
        Assert.Equal("values", Assert.Throws<ArgumentException>(() => TopK.Select<int>(row, 4, new float[3], new int[4], new uint[TopK.ScratchLength(16)], false)).ParamName);
    }
}
