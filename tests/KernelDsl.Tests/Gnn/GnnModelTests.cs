using KernelDsl.Gnn;
using KernelDsl.Runtime;
using KernelDsl.Tests.Backends;
using KernelDsl.Tests.Support;
using KernelDsl.Training;
using Xunit;

namespace KernelDsl.Tests.Gnn;

/// <summary>GCN and GraphSAGE with ReLU and MaxK: they learn, their gradients match finite differences, and both backends agree.</summary>
public sealed class GnnModelTests(IlgpuCpuFixture fixture) : IClassFixture<IlgpuCpuFixture>
{
    public static IEnumerable<object[]> Variants =>
        from a in new[] { GnnArchitecture.Gcn, GnnArchitecture.Sage } from n in new[] { Nonlinearity.Relu, Nonlinearity.MaxK } select new object[] { a, n };

    [Theory]
    [MemberData(nameof(Variants))]
    public void TrainingOnAStochasticBlockModelLowersTheLossAndBeatsChance(GnnArchitecture architecture, Nonlinearity nonlinearity)
    {
        var data = NodeDataset.StochasticBlockModel(nodes: 600, classes: 4, homophily: 0.8, seed: 3);
        using var backend = ComputeBackend.Create(BackendKind.NativeCpu);
        using var model = new GnnModel(backend, data, new GnnOptions(architecture, nonlinearity, K: 8, Hidden: 32, Layers: 2, Seed: 2));
        var result = GnnTrainer.Train(model, 40);
        Assert.True(result.History[^1].Loss < 0.5 * result.History[0].Loss, $"loss {result.History[0].Loss:F3} → {result.History[^1].Loss:F3}");
        Assert.True(result.TestAccuracyAtBestValidation > 0.25 + 0.4, $"test accuracy {result.TestAccuracyAtBestValidation:F3} (chance 0.25)");
        Assert.Contains(result.KernelTimes, t => t.Operation.StartsWith(nonlinearity == Nonlinearity.MaxK ? "SpGEMM" : "SpMM Â", StringComparison.Ordinal));
    }

    /// <summary>
    /// The matrix a MaxK layer selected from (what the selection benchmark replays): training with dropout, the dropout
    /// output (about half its entries exact zeros, the rest the hidden layer's entries scaled by 1 / (1 − p)); otherwise
    /// the hidden layer itself.
    /// </summary>
    [Fact]
    public void SelectionInputIsWhatTheMaxKLayerRead()
    {
        var data = NodeDataset.StochasticBlockModel(nodes: 200, classes: 3, seed: 7);
        using var backend = ComputeBackend.Create(BackendKind.NativeCpu);
        using var model = new GnnModel(backend, data, new GnnOptions(GnnArchitecture.Gcn, Nonlinearity.MaxK, K: 8, Hidden: 32, Dropout: 0.5f, Seed: 3));
        model.Forward(training: false);
        Assert.Throws<InvalidOperationException>(() => model.SelectionInput(1)); // a fused forward never writes it
        model.FusedMaxK = false;
        model.Forward(training: false);
        var hidden = model.SelectionInput(1).HostSpan.ToArray();
        Assert.True(hidden.Count(v => v == 0f) < hidden.Length / 20, "without dropout: the hidden layer, few exact zeros");
        model.Forward(training: true, dropoutSeed: 9);
        var dropped = model.SelectionInput(1).HostSpan.ToArray();
        int zeros = dropped.Count(v => v == 0f);
        Assert.InRange(zeros, hidden.Length * 2 / 5, hidden.Length * 3 / 5);
        for (int i = 0; i < hidden.Length; i++)
            if (dropped[i] != 0f) Assert.Equal(2 * hidden[i], dropped[i], 1e-4f * Math.Max(1f, Math.Abs(dropped[i])));
    }

    [Theory]
    [MemberData(nameof(Variants))]
    public void ParameterGradientsMatchFiniteDifferences(GnnArchitecture architecture, Nonlinearity nonlinearity) => CheckGradients(architecture, nonlinearity, 3);

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void ShallowGcnGradientsMatchFiniteDifferences(int layers) => CheckGradients(GnnArchitecture.Gcn, Nonlinearity.Relu, layers);

    private static void CheckGradients(GnnArchitecture architecture, Nonlinearity nonlinearity, int layers)
    {
        var data = NodeDataset.StochasticBlockModel(nodes: 40, classes: 3, degree: 4, featureWords: 30, seed: 5);
        using var backend = ComputeBackend.Create(BackendKind.NativeCpu);
        using var model = new GnnModel(backend, data, new GnnOptions(architecture, nonlinearity, K: 3, Hidden: 6, Layers: layers, Dropout: 0f, WeightDecay: 0f, Seed: 4));
        model.Timer.Enabled = false;
        // Biases start at zero, which makes whole rows of a hidden layer exactly 0 (a node whose neighbours' ReLU rows
        // are all zero) and puts the loss on a ReLU kink; random biases move every pre-activation off zero.
        var init = new Random(9);
        foreach (var bias in model.Parameters.Where(p => p.Value.Rows == 1))
            bias.Value.CopyFrom(Enumerable.Range(0, bias.Value.Columns).Select(_ => (float)(init.NextDouble() * 0.2 - 0.1)).ToArray());
        var gradient = new float[data.Nodes * data.Classes];
        double Loss()
        {
            model.Forward(training: true);
            return Losses.SoftmaxCrossEntropy(model.Logits.ToHost().Data, data.Classes, data.Labels, data.Train, gradient);
        }
        Loss();
        model.SetLogitsGradient(gradient);
        model.Backward();
        foreach (var parameter in model.Parameters)
        {
            var analytic = parameter.Gradient.ToHost().Data;
            var value = parameter.Value.ToHost().Data;
            double Numeric(int i, float step)
            {
                var changed = (float[])value.Clone();
                changed[i] = value[i] + step;
                parameter.Value.CopyFrom(changed);
                double plus = Loss();
                changed[i] = value[i] - step;
                parameter.Value.CopyFrom(changed);
                double minus = Loss();
                parameter.Value.CopyFrom(value);
                return (plus - minus) / ((double)(value[i] + step) - (value[i] - step));
            }
            // Pre-activations are small, so a step may cross a ReLU kink or change a MaxK selection: a probe counts
            // only where two step sizes agree (the loss is smooth there). Probes go to the entries with the largest
            // gradients, so the comparison is well above the float noise of the loss; a wrong gradient fails there.
            double scale = analytic.Max(v => Math.Abs((double)v));
            Assert.True(scale > 0, $"{parameter.Name}: the gradient is zero everywhere");
            var candidates = Enumerable.Range(0, value.Length).OrderByDescending(i => Math.Abs(analytic[i])).Take(24).ToArray();
            int checkedProbes = 0;
            foreach (int i in candidates)
            {
                if (checkedProbes == 5) break;
                double coarse = Numeric(i, 2.5e-4f), fine = Numeric(i, 6e-5f);
                if (Math.Abs(coarse - fine) > 0.002 * scale + 0.01 * Math.Abs(fine)) continue;
                checkedProbes++;
                Assert.True(Math.Abs(fine - analytic[i]) <= 0.02 * scale + 0.03 * Math.Abs(fine),
                    $"{architecture} {nonlinearity} {parameter.Name}[{i}]: numeric {fine:E3}, analytic {analytic[i]:E3} (largest {scale:E3})");
            }
            Assert.True(checkedProbes >= 3, $"{parameter.Name}: only {checkedProbes} smooth probes");
        }
    }

    [Theory]
    [MemberData(nameof(Variants))]
    public void TheIlgpuKernelsGiveTheNativeModelsLogits(GnnArchitecture architecture, Nonlinearity nonlinearity)
    {
        var data = NodeDataset.StochasticBlockModel(nodes: 48, classes: 3, degree: 4, featureWords: 40, seed: 6);
        var options = new GnnOptions(architecture, nonlinearity, K: 4, Hidden: 12, Layers: 2, Seed: 3);
        float[] Run(ComputeBackend backend)
        {
            using var model = new GnnModel(backend, data, options);
            GnnTrainer.Train(model, 3);
            model.Forward(training: false);
            return model.Logits.ToHost().Data;
        }
        using var native = ComputeBackend.Create(BackendKind.NativeCpu);
        var expected = Run(native).Select(v => (double)v).ToArray();
        var actual = Run(fixture.Warp32);
        Assert.True(KernelDsl.Reference.Compare.MaxRelativeError<float>(actual, expected) < 1e-3, $"{architecture} {nonlinearity}");
    }

    [Theory]
    [MemberData(nameof(Variants))]
    public void TrainingIsDeterministicForASeedOnTheNativeBackend(GnnArchitecture architecture, Nonlinearity nonlinearity)
    {
        var data = NodeDataset.StochasticBlockModel(nodes: 300, classes: 3, seed: 8);
        float[] Train()
        {
            using var backend = ComputeBackend.Create(BackendKind.NativeCpu);
            using var model = new GnnModel(backend, data, new GnnOptions(architecture, nonlinearity, K: 8, Hidden: 32, Seed: 5));
            GnnTrainer.Train(model, 5);
            model.Forward(training: false);
            return model.Logits.ToHost().Data;
        }
        Assert.Equal(Train(), Train());
    }
}
