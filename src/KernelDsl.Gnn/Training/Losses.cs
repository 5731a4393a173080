namespace KernelDsl.Training;

/// <summary>
/// Losses and metrics, on host arrays (the outputs they read are small: nodes × classes or nodes × 1).
/// Each loss returns its value and writes the gradient with respect to its input.
/// </summary>
public static class Losses
{
    /// <summary>
    /// Mean cross-entropy of log-softmax(<paramref name="logits"/>) over the rows in <paramref name="rows"/>;
    /// <paramref name="gradient"/> gets (softmax − one-hot) / |rows| on those rows and 0 elsewhere.
    /// </summary>
    public static double SoftmaxCrossEntropy(float[] logits, int classes, int[] labels, IReadOnlyList<int> rows, float[] gradient) =>
        SoftmaxCrossEntropy(logits, classes, labels, rows, gradient, rows?.Count ?? 0);

    /// <summary>
    /// As above, but the mean is over <paramref name="meanOver"/> rows, of which <paramref name="rows"/> are the ones
    /// here: a process holding part of the training rows passes the global count, and the sum of the processes' losses
    /// and gradients is the one-process loss and gradient.
    /// </summary>
    public static double SoftmaxCrossEntropy(float[] logits, int classes, int[] labels, IReadOnlyList<int> rows, float[] gradient, int meanOver)
    {
        ArgumentNullException.ThrowIfNull(logits);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(gradient);
        if (gradient.Length != logits.Length) throw new ArgumentException("gradient and logits differ in length.", nameof(gradient));
        Array.Clear(gradient);
        if (rows.Count == 0) return 0;
        ArgumentOutOfRangeException.ThrowIfLessThan(meanOver, rows.Count);
        double loss = 0;
        float inv = 1f / meanOver;
        foreach (int r in rows)
        {
            int label = labels[r];
            if ((uint)label >= (uint)classes) throw new ArgumentException($"row {r} has label {label}, outside 0..{classes - 1}.", nameof(labels));
            var row = logits.AsSpan(r * classes, classes);
            float max = float.NegativeInfinity;
            foreach (var v in row) max = MathF.Max(max, v);
            double sum = 0;
            foreach (var v in row) sum += Math.Exp(v - max);
            double logSum = Math.Log(sum) + max;
            loss += logSum - row[label];
            for (int c = 0; c < classes; c++)
                gradient[r * classes + c] = (float)((Math.Exp(row[c] - logSum) - (c == label ? 1 : 0)) * inv);
        }
        return loss / meanOver;
    }

    /// <summary>Mean squared error over <paramref name="rows"/> of a one-column prediction; gradient 2(p − t)/|rows| there.</summary>
    public static double MeanSquaredError(float[] prediction, float[] target, IReadOnlyList<int> rows, float[] gradient)
    {
        ArgumentNullException.ThrowIfNull(prediction);
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(gradient);
        Array.Clear(gradient);
        if (rows.Count == 0) return 0;
        double loss = 0;
        foreach (int r in rows)
        {
            double d = prediction[r] - target[r];
            loss += d * d;
            gradient[r] = (float)(2 * d / rows.Count);
        }
        return loss / rows.Count;
    }

    /// <summary>Share of <paramref name="rows"/> whose arg-max logit is the label.</summary>
    public static double Accuracy(float[] logits, int classes, int[] labels, IReadOnlyList<int> rows)
    {
        if (rows.Count == 0) return 0;
        int correct = 0;
        foreach (int r in rows)
        {
            int best = 0;
            for (int c = 1; c < classes; c++) if (logits[r * classes + c] > logits[r * classes + best]) best = c;
            if (best == labels[r]) correct++;
        }
        return (double)correct / rows.Count;
    }

    /// <summary>Pearson correlation of prediction and target over <paramref name="rows"/> (0 when either is constant).</summary>
    public static double Pearson(float[] prediction, float[] target, IReadOnlyList<int> rows)
    {
        if (rows.Count < 2) return 0;
        double mp = rows.Average(r => (double)prediction[r]), mt = rows.Average(r => (double)target[r]);
        double cov = 0, vp = 0, vt = 0;
        foreach (int r in rows)
        {
            double a = prediction[r] - mp, b = target[r] - mt;
            cov += a * b;
            vp += a * a;
            vt += b * b;
        }
        return vp == 0 || vt == 0 ? 0 : cov / Math.Sqrt(vp * vt);
    }

    /// <summary>Mean absolute error over <paramref name="rows"/>.</summary>
    public static double MeanAbsoluteError(float[] prediction, float[] target, IReadOnlyList<int> rows) =>
        rows.Count == 0 ? 0 : rows.Average(r => Math.Abs((double)prediction[r] - target[r]));
}
