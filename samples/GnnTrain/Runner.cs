using System.Globalization;
using KernelDsl.Gnn;
using KernelDsl.Runtime;
using Spectre.Console;

namespace GnnTrain;

/// <summary>Runs the requested trainings with a live progress bar, then prints the tables and writes the plot.</summary>
public static class Runner
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static int Run(RunSettings s)
    {
        if (Console.IsOutputRedirected) AnsiConsole.Profile.Width = Math.Max(AnsiConsole.Profile.Width, 140);
        GnnArchitecture architecture;
        Nonlinearity[] activations;
        try
        {
            architecture = s.Model.ToLowerInvariant() switch
            {
                "gcn" => GnnArchitecture.Gcn,
                "sage" or "graphsage" => GnnArchitecture.Sage,
                _ => throw new ArgumentException($"--model '{s.Model}' is not gcn or sage."),
            };
            activations = s.Activation.ToLowerInvariant() switch
            {
                "relu" => [Nonlinearity.Relu],
                "maxk" => [Nonlinearity.MaxK],
                "both" => [Nonlinearity.Relu, Nonlinearity.MaxK],
                _ => throw new ArgumentException($"--activation '{s.Activation}' is not relu, maxk or both."),
            };
            if (s.Splits < 1) throw new ArgumentException("--splits must be at least 1.");
            if (s.Epochs < 1) throw new ArgumentException("--epochs must be at least 1.");
            foreach (var a in activations)
                new GnnOptions(architecture, a, s.K, s.Hidden, s.Layers, s.Dropout, s.LearningRate, s.WeightDecay, s.Seed).Validate();
        }
        catch (ArgumentException ex)
        {
            AnsiConsole.MarkupLine($"[red]{Markup.Escape(ex.Message)}[/]");
            return 2;
        }

        // Read (and check) every split's data before any training.
        var datasets = new List<NodeDataset>();
        try
        {
            for (int split = 0; split < s.Splits; split++)
                datasets.Add(s.Data is null ? NodeDataset.StochasticBlockModel(seed: s.Seed + split) : NodeDataset.Read(s.Data, s.Seed + split));
        }
        catch (Exception ex) when (ex is DatasetFormatException or FormatException or IOException)
        {
            AnsiConsole.MarkupLine($"[red]Cannot read the dataset:[/] {Markup.Escape(ex.Message)}");
            return 2;
        }

        using var backend = ComputeBackend.Create(ComputeBackend.ParseKind(s.Backend));
        var first = datasets[0];
        AnsiConsole.MarkupLine($"[bold]{Markup.Escape(first.Name)}[/]: {first.Nodes} nodes, {first.Adjacency.Nonzeros} edges, {first.Features.ColumnCount} features, {first.Classes} classes; " +
            $"split {first.Train.Length}/{first.Validation.Length}/{first.Test.Length} ({(first.PublicSplit ? "public" : "random, 20 per class")})");
        AnsiConsole.MarkupLine($"[bold]{architecture.ToString().ToUpperInvariant()}[/], {s.Layers} layers, hidden {s.Hidden}, {s.Epochs} epochs, lr {s.LearningRate.ToString(Inv)}, " +
            $"weight decay {s.WeightDecay.ToString(Inv)}, dropout {s.Dropout.ToString(Inv)} on [green]{Markup.Escape(backend.Name)}[/] ({Markup.Escape(backend.SelectionReason)})");

        var runs = new List<Run>();
        AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                foreach (var activation in activations)
                    for (int split = 0; split < s.Splits; split++)
                    {
                        string label = $"{architecture.ToString().ToUpperInvariant()} · {Label(activation, s.K)}" + (s.Splits > 1 ? $" · seed {s.Seed + split}" : "");
                        var task = ctx.AddTask(Markup.Escape(label), maxValue: s.Epochs);
                        var options = new GnnOptions(architecture, activation, s.K, s.Hidden, s.Layers, s.Dropout, s.LearningRate, s.WeightDecay, s.Seed + split);
                        using var model = new GnnModel(backend, datasets[split], options);
                        var result = GnnTrainer.Train(model, s.Epochs, epoch =>
                        {
                            task.Description = Markup.Escape(string.Create(Inv, $"{label} · epoch {epoch.Epoch} · loss {epoch.Loss:F3} · val {100 * epoch.ValidationAccuracy:F1}%"));
                            task.Increment(1);
                        });
                        runs.Add(new Run(activation, s.Seed + split, result));
                    }
            });

        Report.Write(runs, s, architecture, first, backend);
        return 0;
    }

    public static string Label(Nonlinearity activation, int k) => activation == Nonlinearity.MaxK ? $"MaxK (k = {k})" : "ReLU";
}

/// <summary>One finished training.</summary>
public sealed record Run(Nonlinearity Activation, int Seed, TrainingResult Result);
