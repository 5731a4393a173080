using System.Globalization;
using System.Text;
using KernelDsl.Gnn;
using KernelDsl.Runtime;
using Spectre.Console;

namespace GnnTrain;

/// <summary>The tables (console and summary.md) and the PNG of the curves.</summary>
public static class Report
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static void Write(IReadOnlyList<Run> runs, RunSettings s, GnnArchitecture architecture, NodeDataset data, ComputeBackend backend)
    {
        var md = new StringBuilder();
        md.Append(Inv, $"# {architecture.ToString().ToUpperInvariant()} on {data.Name} ({backend.Name})\n\n");

        // Accuracy.
        var accuracy = new Table().Title("Accuracy (test at the epoch of best validation accuracy)")
            .AddColumns("activation", "seed", "best epoch", "validation", "test", "median ms / epoch");
        md.Append("| activation | seed | best epoch | validation | test | median ms / epoch |\n|---|---:|---:|---:|---:|---:|\n");
        foreach (var run in runs)
        {
            var r = run.Result;
            string[] row = [Runner.Label(run.Activation, s.K), run.Seed.ToString(Inv), r.BestEpoch.ToString(Inv), Percent(r.BestValidationAccuracy),
                Percent(r.TestAccuracyAtBestValidation), MedianEpoch(r).ToString("F1", Inv)];
            accuracy.AddRow(row.Select(Markup.Escape).ToArray());
            md.Append("| ").Append(string.Join(" | ", row)).Append(" |\n");
        }
        if (s.Splits > 1)
            foreach (var group in runs.GroupBy(r => r.Activation))
            {
                var tests = group.Select(r => r.Result.TestAccuracyAtBestValidation).ToArray();
                double mean = tests.Average(), sd = Math.Sqrt(tests.Sum(t => (t - mean) * (t - mean)) / Math.Max(1, tests.Length - 1));
                string summary = string.Create(Inv, $"{100 * mean:F1}% ± {100 * sd:F1}");
                accuracy.AddRow($"[bold]{Markup.Escape(Runner.Label(group.Key, s.K))} mean of {tests.Length}[/]", "", "", "", $"[bold]{Markup.Escape(summary)}[/]", "");
                md.Append(Inv, $"| **{Runner.Label(group.Key, s.K)}: mean of {tests.Length}** | | | | **{summary}** | |\n");
            }
        AnsiConsole.Write(accuracy);

        // Where the time went: the first run of each activation.
        foreach (var run in runs.GroupBy(r => r.Activation).Select(g => g.First()))
        {
            var r = run.Result;
            double epochs = r.History.Count;
            double step = r.KernelTimes.Sum(t => t.Milliseconds);
            var profile = new Table().Title(Markup.Escape($"Training step per epoch, {Runner.Label(run.Activation, s.K)} (each operation waits for its stream)"))
                .AddColumns("operation", "phase", "ms / epoch", "share", "calls / epoch");
            md.Append(Inv, $"\n## Training step per epoch, {Runner.Label(run.Activation, s.K)}\n\n| operation | phase | ms / epoch | share | calls / epoch |\n|---|---|---:|---:|---:|\n");
            foreach (var (operation, phase, ms, calls) in r.KernelTimes)
            {
                string[] row = [operation, phase.ToString().ToLowerInvariant(), (ms / epochs).ToString("F2", Inv), Percent(ms / step), (calls / epochs).ToString("F0", Inv)];
                profile.AddRow(row.Select(Markup.Escape).ToArray());
                md.Append("| ").Append(string.Join(" | ", row)).Append(" |\n");
            }
            foreach (var phase in new[] { Phase.Forward, Phase.Backward, Phase.Optimizer })
            {
                double ms = r.KernelTimes.Where(t => t.Phase == phase).Sum(t => t.Milliseconds);
                string[] row = [$"all {phase.ToString().ToLowerInvariant()}", "", (ms / epochs).ToString("F2", Inv), Percent(ms / step), ""];
                profile.AddRow(row.Select(v => $"[bold]{Markup.Escape(v)}[/]").ToArray());
                md.Append("| **").Append(row[0]).Append("** | | ").Append(row[2]).Append(" | ").Append(row[3]).Append(" | |\n");
            }
            AnsiConsole.Write(profile);
        }

        Directory.CreateDirectory(s.OutputFolder);
        string png = Path.Combine(s.OutputFolder, "training.png");
        Plot(runs, s, data, architecture, png);
        File.WriteAllText(Path.Combine(s.OutputFolder, "summary.md"), md.ToString());
        AnsiConsole.MarkupLine($"Learning curves: [link]{Markup.Escape(png)}[/]; tables: {Markup.Escape(Path.Combine(s.OutputFolder, "summary.md"))}");
    }

    /// <summary>
    /// The median epoch: the first epochs pay for compiling the kernels, most of it in whichever model trains first, so a
    /// mean would make that one look slower than it runs.
    /// </summary>
    private static double MedianEpoch(TrainingResult r)
    {
        var sorted = r.History.Select(e => e.Milliseconds).Order().ToArray();
        return sorted.Length == 0 ? 0 : sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private static string Percent(double v) => (100 * v).ToString("F1", Inv) + "%";

    /// <summary>Training loss (left axis) and validation accuracy (right axis) per epoch, one colour per activation (first seed).</summary>
    private static void Plot(IReadOnlyList<Run> runs, RunSettings s, NodeDataset data, GnnArchitecture architecture, string path)
    {
        var plot = new ScottPlot.Plot();
        plot.Title($"{architecture.ToString().ToUpperInvariant()} on {data.Name}");
        plot.XLabel("epoch");
        plot.Axes.Left.Label.Text = "training loss";
        plot.Axes.Right.Label.Text = "validation accuracy";
        var colors = new[] { ScottPlot.Colors.Blue, ScottPlot.Colors.OrangeRed, ScottPlot.Colors.Green, ScottPlot.Colors.Purple };
        int c = 0;
        foreach (var run in runs.GroupBy(r => r.Activation).Select(g => g.First()))
        {
            var h = run.Result.History;
            double[] epochs = h.Select(e => (double)e.Epoch).ToArray();
            var loss = plot.Add.Scatter(epochs, h.Select(e => e.Loss).ToArray());
            loss.LegendText = $"{Runner.Label(run.Activation, s.K)} loss";
            loss.Color = colors[c % colors.Length];
            loss.MarkerSize = 0;
            var accuracy = plot.Add.Scatter(epochs, h.Select(e => e.ValidationAccuracy).ToArray());
            accuracy.LegendText = $"{Runner.Label(run.Activation, s.K)} validation accuracy";
            accuracy.Color = colors[c % colors.Length];
            accuracy.LinePattern = ScottPlot.LinePattern.Dashed;
            accuracy.MarkerSize = 0;
            accuracy.Axes.YAxis = plot.Axes.Right;
            c++;
        }
        plot.Axes.SetLimitsY(0, 1, plot.Axes.Right);
        plot.ShowLegend(ScottPlot.Alignment.MiddleRight);
        plot.SavePng(path, 1000, 560);
    }
}
