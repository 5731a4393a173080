using System.Globalization;
using KernelDsl;
using KernelDsl.Graphs;
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
        GnnArchitecture architecture = GnnArchitecture.Gcn;
        Nonlinearity[] activations;
        BackendKind backendKind;
        GnnOptions Options(Nonlinearity a, int split) =>
            new(architecture, a, s.K, s.Hidden, s.Layers, s.Dropout, s.LearningRate, s.WeightDecay, s.Seed + split);
        try
        {
            architecture = Architecture(s);
            activations = Activations(s);
            if (s.Splits < 1) throw new ArgumentException("--splits must be at least 1.");
            if (s.Epochs < 1) throw new ArgumentException("--epochs must be at least 1.");
            if (s.Order is not ("none" or "rcm" or "auto")) throw new ArgumentException($"--order '{s.Order}' is not none, rcm or auto.");
            backendKind = ComputeBackend.ParseKind(s.Backend);
            foreach (var a in activations)
                Options(a, 0).Validate();
        }
        catch (ArgumentException ex)
        {
            return Refuse(OptionMessage(ex));
        }

        // Read (and check) every split's data before any training.
        var datasets = new List<NodeDataset>();
        try
        {
            for (int split = 0; split < s.Splits; split++)
                datasets.Add(s.Data is null
                    ? NodeDataset.StochasticBlockModel(s.Nodes, s.Classes, s.Degree, seed: s.Seed + split)
                    : NodeDataset.Read(s.Data, s.Seed + split));
        }
        catch (ArgumentOutOfRangeException ex) when (s.Data is null)
        {
            string flag = ex.ParamName switch { "nodes" => "--nodes", "degree" => "--degree", "classes" => "--classes", _ => "--nodes/--degree/--classes" };
            return Refuse($"{flag}: {ex.Message.Split(" (Parameter", 2)[0].Split(Environment.NewLine, 2)[0]}");
        }
        catch (Exception ex) when (ex is DatasetFormatException or FormatException or IOException or UnauthorizedAccessException)
        {
            AnsiConsole.MarkupLine($"[red]Cannot read the dataset:[/] {Markup.Escape(ex.Message)}");
            return 2;
        }

        // The node order, once per dataset: reverse Cuthill-McKee puts neighbours near each other (a faster SpMM).
        // With auto, only where it puts many more edges near their row (LocalityOrder.Auto's rule).
        if (s.Order != "none")
        {
            var watch = System.Diagnostics.Stopwatch.StartNew();
            for (int split = 0; split < datasets.Count; split++)
            {
                var adjacency = datasets[split].Adjacency;
                var order = s.Order == "rcm" ? LocalityOrder.ReverseCuthillMcKee(adjacency) : LocalityOrder.Auto(adjacency);
                double before = LocalityOrder.NearShare(adjacency, LocalityOrder.AutoWindow);
                if (order is not null) datasets[split] = datasets[split].Reordered(order);
                if (split == 0)
                    AnsiConsole.MarkupLine(order is null
                        ? string.Create(Inv, $"Node order: as read (auto: reverse Cuthill-McKee would not put enough more edges near their row; {100 * before:F0} % within {LocalityOrder.AutoWindow} rows)")
                        : string.Create(Inv, $"Node order: reverse Cuthill-McKee, edges within {LocalityOrder.AutoWindow} rows {100 * before:F0} % -> {100 * LocalityOrder.NearShare(datasets[0].Adjacency, LocalityOrder.AutoWindow):F0} % ({watch.Elapsed.TotalMilliseconds:F0} ms)"));
            }
        }

        // Every run's options against every split's data, before the first run starts: a run that could not start
        // must not throw away the results of those before it.
        try
        {
            foreach (var a in activations)
                for (int split = 0; split < s.Splits; split++)
                    Options(a, split).Validate(datasets[split]);
        }
        catch (ArgumentException ex)
        {
            return Refuse(OptionMessage(ex));
        }

        ComputeBackend backend;
        try
        {
            backend = ComputeBackend.Create(backendKind);
        }
        catch (NotSupportedException ex)
        {
            return Refuse("--backend " + s.Backend + ": " + ex.Message);
        }
        using var _ = backend;
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
                        var options = Options(activation, split);
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

    /// <summary>--model as an architecture; throws naming the option.</summary>
    public static GnnArchitecture Architecture(RunSettings s) => s.Model.ToLowerInvariant() switch
    {
        "gcn" => GnnArchitecture.Gcn,
        "sage" or "graphsage" => GnnArchitecture.Sage,
        _ => throw new ArgumentException($"--model '{s.Model}' is not gcn or sage."),
    };

    /// <summary>--activation as the nonlinearities to train, in order; throws naming the option.</summary>
    public static Nonlinearity[] Activations(RunSettings s) => s.Activation.ToLowerInvariant() switch
    {
        "relu" => [Nonlinearity.Relu],
        "maxk" => [Nonlinearity.MaxK],
        "both" => [Nonlinearity.Relu, Nonlinearity.MaxK],
        _ => throw new ArgumentException($"--activation '{s.Activation}' is not relu, maxk or both."),
    };

    private static int Refuse(string message)
    {
        AnsiConsole.MarkupLine($"[red]{Markup.Escape(message)}[/]");
        return 2;
    }

    /// <summary>An option error as the command line names it: GnnOptions' parameter names become the flags.</summary>
    private static string OptionMessage(ArgumentException ex)
    {
        string flag = ex.ParamName switch
        {
            "Hidden" => "--hidden",
            "K" => "--k",
            "Layers" => "--layers",
            "Dropout" => "--dropout",
            "LearningRate" => "--lr",
            "WeightDecay" => "--weight-decay",
            _ => "",
        };
        string message = ex is ArgumentOutOfRangeException { ActualValue: { } value }
            ? $"{value.ToString()?.Replace(",", ".", StringComparison.Ordinal)}: {ex.Message.Split(" (Parameter", 2)[0].Split(Environment.NewLine, 2)[0]}"
            : ex.Message.Split(" (Parameter", 2)[0];
        return flag.Length > 0 ? $"{flag} {message}" : message;
    }

    public static string Label(Nonlinearity activation, int k) => activation == Nonlinearity.MaxK ? $"MaxK (k = {k})" : "ReLU";
}

/// <summary>One finished training.</summary>
public sealed record Run(Nonlinearity Activation, int Seed, TrainingResult Result);
