using KernelDsl.Gnn;
using KernelDsl.Reference;
using KernelDsl.Runtime;
using KernelDsl.Tests.Backends;
using KernelDsl.Training;
using Xunit;

namespace KernelDsl.Tests.Training;

/// <summary>
/// The fused MaxK epilogue (bias, dropout and selection in one pass over each block of a producer's rows): against
/// the float64-free oracle it stands for — the bias added and the dropout mask applied element by element on the host,
/// then <see cref="ReferenceMaxK"/> — bit for bit, on the native backend and the ILGPU CPU accelerators; inside the
/// GEMM (<see cref="Linear"/>); refusals by name; and a model whose forward fuses it trains bit for bit as one that does not.
/// </summary>
public sealed class MaxKEpilogueTests(IlgpuCpuFixture fixture) : IClassFixture<IlgpuCpuFixture>
{
    /// <summary>Rows with the shapes and values the selection must survive: normal, all ties, ±0, NaN, ±∞, one huge entry.</summary>
    private static float[] Rows(int rows, int dim, int seed)
    {
        var rng = new Random(seed);
        var x = new float[rows * dim];
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < dim; c++)
                x[r * dim + c] = (r % 6) switch
                {
                    1 => 0.25f, // all ties
                    2 => c % 3 == 0 ? -0f : c % 3 == 1 ? 0f : (float)rng.NextDouble() - 0.5f,
                    3 => c % 7 == 0 ? float.NaN : c % 7 == 1 ? float.PositiveInfinity : c % 7 == 2 ? float.NegativeInfinity : (float)(rng.NextDouble() * 2 - 1),
                    4 => c == dim / 2 ? 1e30f : (float)(rng.NextDouble() * 2 - 1),
                    _ => (float)(rng.NextDouble() * 4 - 2),
                };
        return x;
    }

    /// <summary>The oracle: x + b then the dropout mask at id(r) · dim + c, each in float as the ops define them, then the reference top-k.</summary>
    private static CbsrMatrix<float, ushort> Expected(float[] x, int rows, int dim, int k, float[]? bias, float p, uint seed, int[]? ids)
    {
        var z = new DenseMatrix<float>(rows, dim);
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < dim; c++)
            {
                float v = x[r * dim + c];
                if (bias is not null) v += bias[c];
                if (p > 0f) v = TensorOps.Uniform(seed, (uint)((ids?[r] ?? r) * dim + c)) < p ? 0f : v / (1f - p);
                z[r, c] = v;
            }
        return ReferenceMaxK.MaxK<ushort>(z, k);
    }

    private static void AssertSame(CbsrMatrix<float, ushort> expected, CbsrMatrix<float, ushort> actual, string what)
    {
        Assert.Equal(expected.Indices, actual.Indices);
        for (int i = 0; i < expected.Values.Length; i++)
            Assert.True(BitConverter.SingleToInt32Bits(expected.Values[i]) == BitConverter.SingleToInt32Bits(actual.Values[i]),
                $"{what}: entry {i} is {actual.Values[i]:R}, expected {expected.Values[i]:R}");
    }

    public static IEnumerable<object[]> Shapes =>
        from shape in new[] { (16, 1), (16, 8), (16, 16), (64, 8), (64, 16), (64, 64), (256, 1), (256, 32), (256, 256), (300, 32), (300, 8), (12, 3) }
        select new object[] { shape.Item1, shape.Item2 };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void ApplyIsTheBiasTheDropoutAndTheTopKOfEveryRow(int dim, int k)
    {
        using var native = ComputeBackend.Create(BackendKind.NativeCpu);
        int rows = 37; // two whole blocks of 16 and a part
        var x = Rows(rows, dim, seed: dim + k);
        var bias = Enumerable.Range(0, dim).Select(c => (float)Math.Sin(c) * 0.5f).ToArray();
        int[] ids = Enumerable.Range(0, rows).Select(r => (r * 11 + 3) % rows).ToArray();
        var backends = dim <= 64 ? new[] { native, fixture.Warp4, fixture.Warp32 } : [native];
        foreach (var backend in backends)
            foreach (bool withBias in new[] { false, true })
                foreach (float p in new[] { 0f, 0.5f })
                    foreach (bool byId in new[] { false, true })
                    {
                        string what = $"{backend.Name}, dim {dim}, k {k}, bias {withBias}, p {p}, ids {byId}";
                        var s = backend.DefaultStream;
                        using var h = backend.AllocateDense<float>(rows, dim);
                        h.CopyFrom(x);
                        using var b = backend.AllocateDense<float>(1, dim);
                        b.CopyFrom(bias);
                        using var rowIds = backend.AllocateDense<int>(rows, 1);
                        rowIds.CopyFrom(ids);
                        using var output = backend.AllocateCbsr<float, ushort>(rows, dim, k);
                        new MaxKEpilogue<ushort>(output, withBias ? b : null, p, 41, byId ? rowIds : null).Apply(s, h, GnnKernels.TopK);
                        s.Synchronize();
                        AssertSame(Expected(x, rows, dim, k, withBias ? bias : null, p, 41, byId ? ids : null), output.ToHost(), what);
                    }
    }

    /// <summary>
    /// The backward in one pass: the input gradient is the CBSR gradient masked by the forward's dropout and scattered
    /// (the host oracle, bit for bit), the bias gradient its column sums — bit for bit the three separate ops (CBSR
    /// dropout, the scatter kernel, BiasGradient over the dense rows), and within float rounding of float64 sums.
    /// </summary>
    [Theory]
    [InlineData(37, 16, 16)]
    [InlineData(37, 256, 32)]
    [InlineData(600, 256, 32)] // several bias-gradient slices
    [InlineData(600, 300, 8)]
    [InlineData(300, 64, 1)]
    [InlineData(40, 33, 33)]
    public void BackwardIsTheMaskedScatterAndItsColumnSums(int rows, int dim, int k)
    {
        using var native = ComputeBackend.Create(BackendKind.NativeCpu, 2);
        var rng = new Random(rows + dim + k);
        var host = new CbsrMatrix<float, ushort>(rows, dim, k);
        for (int r = 0; r < rows; r++)
        {
            var columns = Enumerable.Range(0, dim).OrderBy(_ => rng.Next()).Take(k).Order().ToArray();
            for (int t = 0; t < k; t++)
            {
                host.Indices[r * k + t] = (ushort)columns[t];
                host.Values[r * k + t] = r % 9 == 4 && t == 0 ? float.NaN : r % 9 == 5 ? -0f : (float)(rng.NextDouble() * 2 - 1);
            }
        }
        int[] ids = Enumerable.Range(0, rows).Select(r => (r * 7 + 2) % rows).ToArray();
        var backends = dim <= 64 ? new[] { native, fixture.Warp4 } : [native];
        foreach (var backend in backends)
            foreach (float p in new[] { 0f, 0.5f })
                foreach (bool byId in new[] { false, true })
                    foreach (bool accumulate in new[] { false, true })
                    {
                        string what = $"{backend.Name}, {rows} x {dim}, k {k}, p {p}, ids {byId}, accumulate {accumulate}";
                        var s = backend.DefaultStream;
                        using var rowIds = backend.AllocateDense<int>(rows, 1);
                        rowIds.CopyFrom(ids);
                        using var output = backend.AllocateCbsr<float, ushort>(rows, dim, k);
                        var epilogue = new MaxKEpilogue<ushort>(output, Dropout: p, Seed: 23, RowIds: byId ? rowIds : null);
                        var start = Enumerable.Range(0, dim).Select(c => 0.5f * c).ToArray();

                        // The oracle: mask, scatter, float64 column sums.
                        var expected = new float[rows * dim];
                        var sums = start.Select(v => accumulate ? (double)v : 0).ToArray();
                        for (int r = 0; r < rows; r++)
                            for (int t = 0; t < k; t++)
                            {
                                int c = host.Indices[r * k + t];
                                float v = host.Values[r * k + t];
                                if (p > 0f) v = TensorOps.Uniform(23, (uint)((byId ? ids[r] : r) * dim + c)) < p ? 0f : v / (1f - p);
                                expected[r * dim + c] = v;
                                sums[c] += v;
                            }

                        using var gradient = backend.Upload(host);
                        using var dense = backend.AllocateDense<float>(rows, dim);
                        using var biasGradient = backend.AllocateDense<float>(1, dim);
                        biasGradient.CopyFrom(start);
                        epilogue.Backward(s, gradient, dense, biasGradient, GnnKernels.TopKBackward, accumulate);
                        s.Synchronize();
                        Assert.Equal(expected.Select(BitConverter.SingleToInt32Bits), dense.ToHost().Data.Select(BitConverter.SingleToInt32Bits));
                        var fused = biasGradient.ToHost().Data;
                        for (int c = 0; c < dim; c++)
                            if (double.IsNaN(sums[c])) Assert.True(float.IsNaN(fused[c]), what);
                            else Assert.True(Math.Abs(fused[c] - sums[c]) <= 1e-5 * (1 + Math.Abs(sums[c])) + 2e-7 * rows, $"{what}: column {c} {fused[c]} vs {sums[c]}");

                        // The separate ops, bit for bit.
                        using var separate = backend.Upload(host);
                        using var separateDense = backend.AllocateDense<float>(rows, dim);
                        using var separateBias = backend.AllocateDense<float>(1, dim);
                        separateBias.CopyFrom(start);
                        if (p > 0f) TensorOps.Dropout(s, separate, p, 23, byId ? rowIds : null);
                        GnnKernels.TopKBackward(s, separate, separateDense);
                        TensorOps.BiasGradient(s, separateDense, separateBias, accumulate);
                        s.Synchronize();
                        Assert.Equal(separateBias.ToHost().Data.Select(BitConverter.SingleToInt32Bits), fused.Select(BitConverter.SingleToInt32Bits));
                        if (backend == native)
                            Assert.Equal(host.Values, gradient.ToHost().Values); // the native pass leaves the gradient as it was
                    }
    }

    /// <summary>Inside the GEMM: every row selected once, from the product plus the layer's bias, whatever route the product takes.</summary>
    [Theory]
    [InlineData(37, 20, 256, 32)] // row updates along 256 outputs
    [InlineData(53, 40, 12, 3)] // few outputs: dots against Bᵀ
    [InlineData(16, 7, 64, 16)] // exactly one block
    [InlineData(1, 5, 16, 16)]
    public void TheLinearLayersEpilogueSelectsItsBiasedProduct(int rows, int inputs, int outputs, int k)
    {
        using var native = ComputeBackend.Create(BackendKind.NativeCpu);
        var rng = new Random(rows + outputs);
        var x = Enumerable.Range(0, rows * inputs).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
        var backends = outputs <= 64 ? new[] { native, fixture.Warp4 } : [native];
        foreach (var backend in backends)
            foreach (float p in new[] { 0f, 0.3f })
            {
                var s = backend.DefaultStream;
                using var linear = new Linear(backend, "l", inputs, outputs, bias: true, new Random(5));
                linear.Bias!.Value.CopyFrom(Enumerable.Range(0, outputs).Select(c => 0.01f * c - 0.1f).ToArray());
                using var input = backend.AllocateDense<float>(rows, inputs);
                input.CopyFrom(x);
                using var unfused = backend.AllocateDense<float>(rows, outputs);
                linear.Forward(s, input, unfused); // x · W + b, the layer's own forward
                var expected = Expected(unfused.ToHost().Data, rows, outputs, k, bias: null, p, 9, ids: null);
                using var y = backend.AllocateDense<float>(rows, outputs);
                using var output = backend.AllocateCbsr<float, ushort>(rows, outputs, k);
                linear.Forward(s, input, y, new MaxKEpilogue<ushort>(output, Dropout: p, Seed: 9), GnnKernels.TopK);
                s.Synchronize();
                AssertSame(expected, output.ToHost(), $"{backend.Name}, {rows} x {inputs} · {inputs} x {outputs}, k {k}, p {p}");
            }
    }

    /// <summary>The GEMM's hook: each row of C handed over exactly once, in blocks of at most 16, already complete.</summary>
    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    public void TheGemmHandsEveryCompleteRowToItsEpilogueOnce(bool transposeA, bool transposeB)
    {
        using var backend = ComputeBackend.Create(BackendKind.NativeCpu, 2);
        const int m = 75, k = 30, n = 40;
        var rng = new Random(3);
        using var a = backend.AllocateDense<float>(transposeA ? k : m, transposeA ? m : k);
        using var b = backend.AllocateDense<float>(transposeB ? n : k, transposeB ? k : n);
        a.CopyFrom(Enumerable.Range(0, m * k).Select(_ => (float)rng.NextDouble()).ToArray());
        b.CopyFrom(Enumerable.Range(0, k * n).Select(_ => (float)rng.NextDouble()).ToArray());
        using var reference = backend.AllocateDense<float>(m, n);
        Gemm.Multiply(backend.DefaultStream, a, transposeA, b, transposeB, reference);
        var expected = reference.ToHost().Data;
        using var c = backend.AllocateDense<float>(m, n);
        var seen = new int[m];
        var wrong = new List<string>();
        Gemm.Multiply(backend.DefaultStream, a, transposeA, b, transposeB, c, accumulate: false, (first, last) =>
        {
            lock (seen)
            {
                if (last - first > Gemm.EpilogueRows || last <= first) wrong.Add($"block {first}..{last}");
                var rows = c.HostSpan;
                for (int r = first; r < last; r++)
                {
                    seen[r]++;
                    if (!rows.Slice(r * n, n).SequenceEqual(expected.AsSpan(r * n, n))) wrong.Add($"row {r} incomplete");
                }
            }
        });
        Assert.Empty(wrong);
        Assert.All(seen, count => Assert.Equal(1, count));
    }

    [Fact]
    public void BadOperandsAreRefusedByName()
    {
        using var backend = ComputeBackend.Create(BackendKind.NativeCpu);
        var s = backend.DefaultStream;
        using var h = backend.AllocateDense<float>(10, 32);
        using var output = backend.AllocateCbsr<float, ushort>(10, 32, 4);
        using var narrow = backend.AllocateCbsr<float, ushort>(10, 16, 4);
        using var bias = backend.AllocateDense<float>(1, 31);
        using var ids = backend.AllocateDense<int>(9, 1);
        Assert.Equal("Bias", Assert.Throws<ArgumentException>(() => new MaxKEpilogue<ushort>(output, bias).Apply(s, h, GnnKernels.TopK)).ParamName);
        Assert.Equal("Dropout", Assert.Throws<ArgumentOutOfRangeException>(() => new MaxKEpilogue<ushort>(output, Dropout: 1f).Apply(s, h, GnnKernels.TopK)).ParamName);
        Assert.Equal("Dropout", Assert.Throws<ArgumentOutOfRangeException>(() => new MaxKEpilogue<ushort>(output, Dropout: float.NaN).Apply(s, h, GnnKernels.TopK)).ParamName);
        Assert.Equal("RowIds", Assert.Throws<ArgumentException>(() => new MaxKEpilogue<ushort>(output, RowIds: ids).Apply(s, h, GnnKernels.TopK)).ParamName);
        var shape = Assert.Throws<ArgumentException>(() => new MaxKEpilogue<ushort>(narrow).Apply(s, h, GnnKernels.TopK));
        Assert.Equal("Output", shape.ParamName);
        Assert.Contains("but h has 32 columns", shape.Message);
        Assert.Equal("select", Assert.Throws<ArgumentNullException>(() => new MaxKEpilogue<ushort>(output).Apply(s, h, null!)).ParamName);
        using var gradient = backend.AllocateCbsr<float, ushort>(10, 32, 5);
        using var okGradient = backend.AllocateCbsr<float, ushort>(10, 32, 4);
        Assert.Equal("gradient", Assert.Throws<ArgumentException>(() => new MaxKEpilogue<ushort>(output).Backward(s, gradient, h, null, GnnKernels.TopKBackward)).ParamName);
        using var narrowDense = backend.AllocateDense<float>(10, 31);
        Assert.Equal("inputGradient", Assert.Throws<ArgumentException>(() => new MaxKEpilogue<ushort>(output).Backward(s, okGradient, narrowDense, null, GnnKernels.TopKBackward)).ParamName);
        Assert.Equal("biasGradient", Assert.Throws<ArgumentException>(() => new MaxKEpilogue<ushort>(output).Backward(s, okGradient, h, bias, GnnKernels.TopKBackward)).ParamName);
        Assert.Equal("RowIds", Assert.Throws<ArgumentException>(() => new MaxKEpilogue<ushort>(output, RowIds: ids).Backward(s, okGradient, h, null, GnnKernels.TopKBackward)).ParamName);
        Assert.Equal("scatter", Assert.Throws<ArgumentNullException>(() => new MaxKEpilogue<ushort>(output).Backward(s, okGradient, h, null, null!)).ParamName);
        using var linear = new Linear(backend, "l", 8, 32, bias: true, new Random(1));
        using var x = backend.AllocateDense<float>(10, 8);
        using var layerBias = backend.AllocateDense<float>(1, 32);
        Assert.Equal("epilogue", Assert.Throws<ArgumentException>(() => linear.Forward(s, x, h, new MaxKEpilogue<ushort>(output, layerBias), GnnKernels.TopK)).ParamName);
        using var y = backend.AllocateDense<float>(10, 16);
        Assert.Contains("but y has 16 columns", Assert.Throws<ArgumentException>(() => linear.Forward(s, x, y, new MaxKEpilogue<ushort>(output), GnnKernels.TopK)).Message);
    }

    /// <summary>
    /// A MaxK model that fuses its selections (layer 1 after the aggregation, layer 2 inside layer 1's GEMM for GCN) trains
    /// bit for bit as one running bias, dropout and MaxK as separate passes: the same logits and the same gradients of
    /// every parameter, with dropout, after a few epochs.
    /// </summary>
    [Theory]
    [InlineData(GnnArchitecture.Gcn, 3)]
    [InlineData(GnnArchitecture.Sage, 3)]
    [InlineData(GnnArchitecture.Gcn, 2)]
    public void AFusedModelTrainsBitForBitAsAnUnfusedOne(GnnArchitecture architecture, int layers)
    {
        var data = NodeDataset.StochasticBlockModel(nodes: 150, classes: 3, degree: 6, seed: 4);
        var options = new GnnOptions(architecture, Nonlinearity.MaxK, K: 5, Hidden: 24, Layers: layers, Dropout: 0.5f, Seed: 6);
        (float[] Logits, float[][] Gradients, List<string> Operations) Run(bool fused)
        {
            using var backend = ComputeBackend.Create(BackendKind.NativeCpu, 2);
            using var model = new GnnModel(backend, data, options) { FusedMaxK = fused };
            var result = GnnTrainer.Train(model, 4);
            model.Forward(training: true, dropoutSeed: 3);
            var gradient = new float[data.Nodes * data.Classes];
            Losses.SoftmaxCrossEntropy(model.Logits.ToHost().Data, data.Classes, data.Labels, data.Train, gradient);
            model.SetLogitsGradient(gradient);
            model.Backward();
            return (model.Logits.ToHost().Data, model.Parameters.Select(p => p.Gradient.ToHost().Data).ToArray(),
                result.KernelTimes.Select(t => t.Operation).ToList());
        }
        var fused = Run(true);
        var unfused = Run(false);
        Assert.Equal(unfused.Logits, fused.Logits);
        for (int i = 0; i < fused.Gradients.Length; i++) Assert.Equal(unfused.Gradients[i], fused.Gradients[i]);
        Assert.Contains("bias + dropout + MaxK (fused)", fused.Operations);
        Assert.Equal(architecture == GnnArchitecture.Gcn && layers == 3, fused.Operations.Contains("GEMM + bias + dropout + MaxK (fused)"));
        Assert.DoesNotContain("bias + dropout + MaxK (fused)", unfused.Operations);
        Assert.Contains("dropout + MaxK backward (scatter) (fused)", fused.Operations);
        Assert.DoesNotContain("dropout + MaxK backward (scatter) (fused)", unfused.Operations);
    }
}
