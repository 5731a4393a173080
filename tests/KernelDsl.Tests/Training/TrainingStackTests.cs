using KernelDsl.Runtime;
using KernelDsl.Tests.Backends;
using KernelDsl.Tests.Support;
using KernelDsl.Training;
using Xunit;

namespace KernelDsl.Tests.Training;

/// <summary>The training stack (GEMM, element-wise ops, Adam, Linear, losses) on the native backend and the ILGPU CPU accelerator, against plain float64 loops.</summary>
public sealed class TrainingStackTests(IlgpuCpuFixture fixture) : IClassFixture<IlgpuCpuFixture>
{
    private IEnumerable<ComputeBackend> Backends(ComputeBackend native) => [native, fixture.Warp4, fixture.Warp32];

    private static double[] Product(DenseMatrix<float> a, bool ta, DenseMatrix<float> b, bool tb)
    {
        int m = ta ? a.Columns : a.Rows, k = ta ? a.Rows : a.Columns, n = tb ? b.Rows : b.Columns;
        var c = new double[m * n];
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                double sum = 0;
                for (int p = 0; p < k; p++) sum += (double)(ta ? a[p, i] : a[i, p]) * (tb ? b[j, p] : b[p, j]);
                c[i * n + j] = sum;
            }
        return c;
    }

    [Theory]
    [InlineData(1, 1, 1)]
    [InlineData(5, 3, 7)]
    [InlineData(17, 33, 16)]
    [InlineData(40, 600, 9)]
    [InlineData(0, 4, 3)]
    [InlineData(50, 7, 40)]
    [InlineData(24, 700, 3)]
    public void GemmMatchesTheReferenceForEveryTransposition(int m, int k, int n)
    {
        using var native = ComputeBackend.Create(BackendKind.NativeCpu);
        double tolerance = Math.Max(1e-5, 2.0 * k * Math.Pow(2, -24)); // Higham's bound for a k-term float sum
        foreach (var backend in Backends(native))
            foreach (var (ta, tb) in new[] { (false, false), (true, false), (false, true), (true, true) })
            {
                var a = ta ? DenseMatrix<float>.Random(k, m, 1) : DenseMatrix<float>.Random(m, k, 1);
                var b = tb ? DenseMatrix<float>.Random(n, k, 2) : DenseMatrix<float>.Random(k, n, 2);
                using var ab = backend.Upload(a);
                using var bb = backend.Upload(b);
                using var c = backend.Upload(DenseMatrix<float>.Random(m, n, 3));
                var start = c.ToHost().Data;
                Gemm.Multiply(backend.DefaultStream, ab, ta, bb, tb, c);
                var expected = Product(a, ta, b, tb);
                Assert.True(KernelDsl.Reference.Compare.MaxRelativeError<float>(c.ToHost().Data, expected) < tolerance, $"{backend.Name} ta={ta} tb={tb}");
                Gemm.Multiply(backend.DefaultStream, ab, ta, bb, tb, c, accumulate: true);
                Assert.True(KernelDsl.Reference.Compare.MaxRelativeError<float>(c.ToHost().Data, expected.Select(v => 2 * v).ToArray()) < tolerance, $"{backend.Name} ta={ta} tb={tb} accumulate: {KernelDsl.Reference.Compare.MaxRelativeError<float>(c.ToHost().Data, expected.Select(v => 2 * v).ToArray())}");
            }
    }

    [Fact]
    public void GemmRefusesMismatchedShapes()
    {
        using var native = ComputeBackend.Create(BackendKind.NativeCpu);
        using var a = native.AllocateDense<float>(3, 4);
        using var b = native.AllocateDense<float>(5, 2);
        using var c = native.AllocateDense<float>(3, 2);
        var ex = Assert.Throws<ArgumentException>(() => Gemm.Multiply(native.DefaultStream, a, false, b, false, c));
        Assert.Equal("b", ex.ParamName);
        using var wrong = native.AllocateDense<float>(2, 2);
        Assert.Equal("c", Assert.Throws<ArgumentException>(() => Gemm.Multiply(native.DefaultStream, a, true, a, false, wrong)).ParamName);
    }

    [Fact]
    public void ElementwiseOpsAgreeAcrossBackendsAndWithTheirDefinitions()
    {
        using var native = ComputeBackend.Create(BackendKind.NativeCpu);
        var x = DenseMatrix<float>.Random(37, 11, 4);
        var g = DenseMatrix<float>.Random(37, 11, 5);
        var bias = DenseMatrix<float>.Random(1, 11, 6);
        float[]? nativeDropout = null;
        foreach (var backend in Backends(native))
        {
            var s = backend.DefaultStream;
            using var xb = backend.Upload(x);
            using var gb = backend.Upload(g);
            using var y = backend.AllocateDense<float>(37, 11);
            TensorOps.Relu(s, xb, y);
            Assert.Equal(x.Data.Select(v => MathF.Max(v, 0)), y.ToHost().Data);
            TensorOps.ReluBackward(s, xb, gb, y);
            Assert.Equal(x.Data.Zip(g.Data, (v, d) => v > 0 ? d : 0f), y.ToHost().Data);

            TensorOps.Dropout(s, xb, y, 0.4f, 99);
            var dropped = y.ToHost().Data;
            Assert.Equal(x.Data.Select((v, i) => TensorOps.Uniform(99, (uint)i) < 0.4f ? 0f : v / (1f - 0.4f)), dropped);
            nativeDropout ??= dropped;
            Assert.Equal(nativeDropout, dropped);
            double kept = dropped.Count(v => v != 0) / (double)dropped.Length;
            Assert.InRange(kept, 0.45, 0.75);

            using var bb = backend.Upload(bias);
            TensorOps.AddBias(s, xb, bb);
            Assert.Equal(x.Data.Select((v, i) => v + bias.Data[i % 11]), xb.ToHost().Data);
            using var db = backend.AllocateDense<float>(1, 11);
            TensorOps.BiasGradient(s, gb, db);
            var sums = Enumerable.Range(0, 11).Select(c => Enumerable.Range(0, 37).Sum(r => (double)g[r, c])).ToArray();
            Assert.True(KernelDsl.Reference.Compare.MaxRelativeError<float>(db.ToHost().Data, sums) < 1e-5);
        }
    }

    /// <summary>
    /// Dropout on a CBSR matrix's kept values (the MaxK layer's gradient before its scatter) equals, bit for bit, dropout
    /// on its dense form: every index type, k from 1 to dim, dims not a multiple of 16, an empty matrix, p of 0 and 0.9,
    /// with and without row ids (the entries of rows {5, 0, 36, …} of the whole matrix), on each backend.
    /// </summary>
    [Fact]
    public void CbsrDropoutIsTheDenseDropoutOfTheDenseForm()
    {
        using var native = ComputeBackend.Create(BackendKind.NativeCpu);
        foreach (var backend in Backends(native))
            foreach (var (rows, dim, k) in new[] { (37, 11, 1), (37, 11, 11), (23, 100, 8), (9, 256, 32), (0, 16, 4) })
                foreach (float p in new[] { 0f, 0.4f, 0.9f })
                {
                    string what = $"{backend.Name}, {rows} x {dim}, k {k}, p {p}";
                    var x = RandomCbsr<ushort>(rows, dim, k, seed: rows + dim + k);
                    Check(backend, x, p, what);
                    Check(backend, RandomCbsr<byte>(rows, dim, k, seed: 3), p, what + ", byte");
                    Check(backend, RandomCbsr<int>(rows, dim, k, seed: 4), p, what + ", int");
                }

        static CbsrMatrix<float, TIndex> RandomCbsr<TIndex>(int rows, int dim, int k, int seed) where TIndex : unmanaged, System.Numerics.IBinaryInteger<TIndex>
        {
            var rng = new Random(seed);
            var x = new CbsrMatrix<float, TIndex>(rows, dim, k);
            for (int r = 0; r < rows; r++)
            {
                var columns = Enumerable.Range(0, dim).OrderBy(_ => rng.Next()).Take(k).Order().ToArray();
                for (int t = 0; t < k; t++)
                {
                    x.Indices[r * k + t] = TIndex.CreateTruncating(columns[t]);
                    x.Values[r * k + t] = (float)(rng.NextDouble() * 2 - 1);
                }
            }
            return x;
        }

        static void Check<TIndex>(ComputeBackend backend, CbsrMatrix<float, TIndex> x, float p, string what) where TIndex : unmanaged, System.Numerics.IBinaryInteger<TIndex>
        {
            var s = backend.DefaultStream;
            int[] ids = Enumerable.Range(0, x.Rows).Select(r => (r * 7 + 5) % Math.Max(1, x.Rows)).ToArray();
            foreach (bool byId in new[] { false, true })
            {
                using var dense = backend.Upload(x.ToDense());
                using var rowIds = backend.AllocateDense<int>(x.Rows, 1);
                rowIds.CopyFrom(ids);
                TensorOps.Dropout(s, dense, dense, p, 77, byId ? rowIds : null);
                using var cbsr = backend.Upload(x);
                TensorOps.Dropout(s, cbsr, p, 77, byId ? rowIds : null);
                var expected = dense.ToHost();
                var got = cbsr.ToHost().ToDense();
                Assert.True(expected.Data.Select(BitConverter.SingleToInt32Bits).SequenceEqual(got.Data.Select(BitConverter.SingleToInt32Bits)),
                    $"{what}{(byId ? ", by row ids" : "")}");
                if (p > 0 && x.Rows * x.K >= 64)
                    Assert.Contains(got.Data, v => v == 0f); // something was dropped
            }
        }
    }

    [Fact]
    public void CbsrDropoutRefusesBadOperandsByName()
    {
        using var backend = ComputeBackend.Create(BackendKind.NativeCpu);
        var s = backend.DefaultStream;
        using var x = backend.AllocateCbsr<float, ushort>(5, 16, 4);
        Assert.Equal("p", Assert.Throws<ArgumentOutOfRangeException>(() => TensorOps.Dropout(s, x, 1f, 1)).ParamName);
        Assert.Equal("p", Assert.Throws<ArgumentOutOfRangeException>(() => TensorOps.Dropout(s, x, -0.1f, 1)).ParamName);
        using var wrong = backend.AllocateDense<int>(4, 1);
        Assert.Equal("rowIds", Assert.Throws<ArgumentException>(() => TensorOps.Dropout(s, x, 0.5f, 1, wrong)).ParamName);
        Assert.Equal("x", Assert.Throws<ArgumentNullException>(() => TensorOps.Dropout(s, (CbsrBuffer<float, ushort>)null!, 0.5f, 1)).ParamName);
        // A buffer of another backend, and on a device an index type without a kernel.
        Assert.Equal("x", Assert.ThrowsAny<ArgumentException>(() => TensorOps.Dropout(fixture.Warp4.DefaultStream, x, 0.5f, 1)).ParamName);
        using var wide = fixture.Warp4.AllocateCbsr<float, long>(5, 16, 4);
        Assert.Equal("x", Assert.Throws<ArgumentException>(() => TensorOps.Dropout(fixture.Warp4.DefaultStream, wide, 0.5f, 1)).ParamName);
    }

    [Fact]
    public void DropoutByRowIdsDropsWhatTheWholeMatrixDropsAtThoseRows()
    {
        // A process holding rows {5, 0, 36, 17, ...} of a 37 x 11 matrix, in that order, must drop exactly the entries the
        // one-process dropout drops at those rows (the mask follows the global row id, not the local position).
        // Width 11: every vector straddles rows (element by element); width 48: whole 16- and 8-lane vectors inside a row.
        using var native = ComputeBackend.Create(BackendKind.NativeCpu);
        int[] ids = [5, 0, 36, 17, 9, 9, 30, 1, 2, 3, 35, 18, 24];
        foreach (var backend in Backends(native))
        foreach (int width in new[] { 11, 48 })
        {
            var whole = DenseMatrix<float>.Random(37, width, 4);
            var part = new DenseMatrix<float>(ids.Length, width);
            for (int r = 0; r < ids.Length; r++) for (int c = 0; c < width; c++) part[r, c] = whole[ids[r], c];
            var s = backend.DefaultStream;
            using var wb = backend.Upload(whole);
            using var wy = backend.AllocateDense<float>(37, width);
            TensorOps.Dropout(s, wb, wy, 0.4f, 1234);
            var expected = wy.ToHost();
            using var pb = backend.Upload(part);
            using var py = backend.AllocateDense<float>(ids.Length, width);
            using var rowIds = backend.AllocateDense<int>(ids.Length, 1);
            rowIds.CopyFrom(ids);
            TensorOps.Dropout(s, pb, py, 0.4f, 1234, rowIds);
            var got = py.ToHost();
            for (int r = 0; r < ids.Length; r++) for (int c = 0; c < width; c++) Assert.Equal(expected[ids[r], c], got[r, c]);
            Assert.Equal(whole.Data.Select((v, i) => TensorOps.Uniform(1234, (uint)i) < 0.4f ? 0f : v / (1f - 0.4f)), expected.Data);
            using var wrong = backend.AllocateDense<int>(3, 1);
            Assert.Equal("rowIds", Assert.Throws<ArgumentException>(() => TensorOps.Dropout(s, pb, py, 0.4f, 1, wrong)).ParamName);
        }
    }

    [Fact]
    public void AdamFollowsThePaperOnBothBackends()
    {
        using var native = ComputeBackend.Create(BackendKind.NativeCpu);
        var settings = new AdamSettings(LearningRate: 0.1f, WeightDecay: 0.01f);
        var w0 = DenseMatrix<float>.Random(3, 5, 7);
        var grads = Enumerable.Range(0, 4).Select(i => DenseMatrix<float>.Random(3, 5, 20 + i)).ToArray();
        // Reference in float64.
        var w = w0.Data.Select(v => (double)v).ToArray();
        var m = new double[w.Length];
        var v2 = new double[w.Length];
        for (int t = 1; t <= grads.Length; t++)
            for (int i = 0; i < w.Length; i++)
            {
                double gi = grads[t - 1].Data[i] + 0.01 * w[i];
                m[i] = 0.9 * m[i] + 0.1 * gi;
                v2[i] = 0.999 * v2[i] + 0.001 * gi * gi;
                w[i] -= 0.1 * (m[i] / (1 - Math.Pow(0.9, t))) / (Math.Sqrt(v2[i] / (1 - Math.Pow(0.999, t))) + 1e-8);
            }
        foreach (var backend in Backends(native))
            Assert.True(KernelDsl.Reference.Compare.MaxRelativeError<float>(AdamSteps(backend, w0, grads, settings), w) < 1e-5, backend.Name);
    }

    /// <summary>The parameter <paramref name="w0"/> after one Adam step per gradient on <paramref name="backend"/>.</summary>
    private static float[] AdamSteps(ComputeBackend backend, DenseMatrix<float> w0, DenseMatrix<float>[] grads, AdamSettings settings)
    {
        using var p = new Parameter(backend, "w", w0);
        var optimizer = new AdamOptimizer([p], settings);
        foreach (var g in grads)
        {
            p.Gradient.CopyFrom(g.Data);
            optimizer.Step(backend.DefaultStream);
        }
        return p.Value.ToHost().Data;
    }

    /// <summary>
    /// Natively Adam runs whole vectors, then the tail element by element: on a parameter of many vectors and a
    /// remainder, over several steps, it equals a plain float loop of the same formula bit for bit (every lane does the
    /// scalar operations in their order), and the ILGPU kernel within rounding.
    /// </summary>
    [Fact]
    public void AdamVectorsEqualTheScalarFormulaBitForBit()
    {
        using var native = ComputeBackend.Create(BackendKind.NativeCpu);
        var settings = new AdamSettings(LearningRate: 0.01f, WeightDecay: 5e-4f);
        var w0 = DenseMatrix<float>.Random(37, 29, 3); // 1073 elements: vectors and a tail
        var grads = Enumerable.Range(0, 5).Select(i => DenseMatrix<float>.Random(37, 29, 40 + i)).ToArray();
        grads[2].Data[5] = 0f;
        grads[3].Data[17] = -1e-30f;
        float[] w = (float[])w0.Data.Clone(), m = new float[w.Length], v = new float[w.Length];
        for (int t = 1; t <= grads.Length; t++)
        {
            float c1 = 1f - MathF.Pow(settings.Beta1, t), c2 = 1f - MathF.Pow(settings.Beta2, t);
            for (int i = 0; i < w.Length; i++)
            {
                float g = grads[t - 1].Data[i];
                g += settings.WeightDecay * w[i];
                m[i] = settings.Beta1 * m[i] + (1f - settings.Beta1) * g;
                v[i] = settings.Beta2 * v[i] + (1f - settings.Beta2) * g * g;
                float mHat = m[i] / c1, vHat = v[i] / c2;
                w[i] -= settings.LearningRate * mHat / (MathF.Sqrt(vHat) + settings.Epsilon);
            }
        }
        foreach (var backend in Backends(native))
        {
            var got = AdamSteps(backend, w0, grads, settings);
            if (backend.Kind == BackendKind.NativeCpu)
                Assert.Equal(w.Select(BitConverter.SingleToInt32Bits), got.Select(BitConverter.SingleToInt32Bits));
            else
                Assert.True(KernelDsl.Reference.Compare.MaxRelativeError<float>(got, w.Select(x => (double)x).ToArray()) < 1e-5, backend.Name);
        }
    }

    [Fact]
    public void LinearGradientsMatchFiniteDifferences()
    {
        using var backend = ComputeBackend.Create(BackendKind.NativeCpu);
        var s = backend.DefaultStream;
        using var layer = new Linear(backend, "l", 4, 3, bias: true, new Random(1));
        var x = DenseMatrix<float>.Random(6, 4, 2);
        var w = DenseMatrix<float>.Random(6, 3, 3);
        using var xb = backend.Upload(x);
        using var y = backend.AllocateDense<float>(6, 3);
        using var dy = backend.Upload(w);
        using var dx = backend.AllocateDense<float>(6, 4);
        double Loss(DenseMatrix<float> input)
        {
            using var ib = backend.Upload(input);
            layer.Forward(s, ib, y);
            return y.ToHost().Data.Select((v, i) => (double)v * w.Data[i]).Sum();
        }
        layer.ZeroGradients();
        layer.Forward(s, xb, y);
        layer.Backward(s, xb, dy, dx);
        Assert.True(FiniteDifferences.MaxError(Loss, x, dx.ToHost()) < 1e-3);
        var weight = layer.Weight.Value.ToHost();
        var weightGradient = layer.Weight.Gradient.ToHost();
        double WeightLoss(DenseMatrix<float> candidate)
        {
            layer.Weight.Value.CopyFrom(candidate.Data);
            double loss = Loss(x);
            layer.Weight.Value.CopyFrom(weight.Data);
            return loss;
        }
        Assert.True(FiniteDifferences.MaxError(WeightLoss, weight, weightGradient) < 1e-3);
        var biasGradient = layer.Bias!.Gradient.ToHost().Data;
        Assert.Equal(Enumerable.Range(0, 3).Select(c => (float)Enumerable.Range(0, 6).Sum(r => (double)w[r, c])), biasGradient, (a, b) => Math.Abs(a - b) < 1e-5);
    }

    [Fact]
    public void LossesAndMetricsMatchTheirDefinitions()
    {
        var logits = new float[] { 1f, 2f, 0.5f, -1f, 0f, 3f };
        var labels = new[] { 1, 0 };
        var gradient = new float[6];
        double loss = Losses.SoftmaxCrossEntropy(logits, 3, labels, [0, 1], gradient);
        double Lse(int r) => Math.Log(Enumerable.Range(0, 3).Sum(c => Math.Exp(logits[r * 3 + c])));
        Assert.Equal(((Lse(0) - 2) + (Lse(1) + 1)) / 2, loss, 1e-6);
        for (int i = 0; i < 6; i++)
        {
            var plus = (float[])logits.Clone(); plus[i] += 1e-3f;
            var minus = (float[])logits.Clone(); minus[i] -= 1e-3f;
            double numeric = (Losses.SoftmaxCrossEntropy(plus, 3, labels, [0, 1], new float[6]) - Losses.SoftmaxCrossEntropy(minus, 3, labels, [0, 1], new float[6])) / 2e-3;
            Assert.Equal(numeric, gradient[i], 1e-3);
        }
        Assert.Equal(0.5, Losses.Accuracy(logits, 3, labels, [0, 1]));
        Assert.Throws<ArgumentException>(() => Losses.SoftmaxCrossEntropy(logits, 3, [3, 0], [0], new float[6]));

        var p = new float[] { 1, 2, 3, 4 };
        var t = new float[] { 2, 4, 6, 8.5f };
        var mse = new float[4];
        Assert.Equal((1 + 4 + 9 + 4.5 * 4.5) / 4, Losses.MeanSquaredError(p, t, [0, 1, 2, 3], mse), 1e-9);
        Assert.Equal(2 * (1 - 2) / 4.0, mse[0], 1e-6);
        Assert.True(Losses.Pearson(p, t, [0, 1, 2, 3]) > 0.99);
        Assert.Equal(-1, Losses.Pearson(p, p.Select(v => -v).ToArray(), [0, 1, 2, 3]), 1e-9);
        Assert.Equal(0, Losses.Pearson(p, [1, 1, 1, 1], [0, 1, 2, 3]));
    }
}
