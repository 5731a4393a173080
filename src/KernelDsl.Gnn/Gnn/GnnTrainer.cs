using System.Diagnostics;
using KernelDsl.Training;

namespace KernelDsl.Gnn;

/// <summary>One epoch of training: the training loss and the accuracies measured after the step (no dropout).</summary>
public sealed record EpochResult(int Epoch, double Loss, double TrainAccuracy, double ValidationAccuracy, double TestAccuracy, double Milliseconds);

/// <summary>A finished run: the history, the epoch with the best validation accuracy and the test accuracy there, and where the time went.</summary>
public sealed record TrainingResult(
    IReadOnlyList<EpochResult> History,
    int BestEpoch,
    double BestValidationAccuracy,
    double TestAccuracyAtBestValidation,
    IReadOnlyList<(string Operation, Phase Phase, double Milliseconds, int Calls)> KernelTimes,
    double TotalMilliseconds);

/// <summary>Full-batch training of a <see cref="GnnModel"/> with Adam on the cross-entropy of the training nodes.</summary>
public static class GnnTrainer
{
    /// <summary>
    /// Trains for <paramref name="epochs"/> epochs. Each epoch: forward with dropout (seeded by the epoch), loss and its
    /// gradient on the training nodes, backward, one Adam step; then a forward without dropout for the accuracies.
    /// The kernel profile covers the training step (the evaluation forward is not timed per kernel).
    /// </summary>
    public static TrainingResult Train(GnnModel model, int epochs, Action<EpochResult>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentOutOfRangeException.ThrowIfLessThan(epochs, 1);
        var data = model.Data;
        var history = new List<EpochResult>(epochs);
        var gradient = new float[data.Nodes * data.Classes];
        var total = Stopwatch.StartNew();
        model.Timer.Reset();
        int best = 0;
        double bestValidation = -1, testAtBest = 0;
        for (int epoch = 1; epoch <= epochs; epoch++)
        {
            var watch = Stopwatch.StartNew();
            model.Timer.Enabled = true;
            model.Forward(training: true, dropoutSeed: (uint)(model.Options.Seed * 7919 + epoch));
            double loss = 0;
            model.Timer.Time(model.Logits.Backend.DefaultStream, "loss (host)", Phase.Forward, () =>
            {
                var logits = model.Logits.ToHost().Data;
                loss = Losses.SoftmaxCrossEntropy(logits, data.Classes, data.Labels, data.Train, gradient);
                model.SetLogitsGradient(gradient);
            });
            model.Backward();
            model.Step();
            model.Timer.Enabled = false;
            var (trainAccuracy, validation, test) = Evaluate(model);
            var result = new EpochResult(epoch, loss, trainAccuracy, validation, test, watch.Elapsed.TotalMilliseconds);
            history.Add(result);
            if (validation > bestValidation)
            {
                bestValidation = validation;
                testAtBest = test;
                best = epoch;
            }
            progress?.Invoke(result);
        }
        return new TrainingResult(history, best, bestValidation, testAtBest, model.Timer.Totals, total.Elapsed.TotalMilliseconds);
    }

    /// <summary>Accuracies on the train, validation and test nodes from a forward without dropout.</summary>
    public static (double Train, double Validation, double Test) Evaluate(GnnModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        bool timing = model.Timer.Enabled;
        model.Timer.Enabled = false;
        model.Forward(training: false);
        model.Timer.Enabled = timing;
        var logits = model.Logits.ToHost().Data;
        var d = model.Data;
        return (Losses.Accuracy(logits, d.Classes, d.Labels, d.Train), Losses.Accuracy(logits, d.Classes, d.Labels, d.Validation),
            Losses.Accuracy(logits, d.Classes, d.Labels, d.Test));
    }
}
