using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using CircuitGnn;
using KernelDsl.Runtime;
using KernelDsl.Training;
using Spectre.Console;

// Trains a small heterogeneous circuit GNN (two DR-CircuitGNN layers, see CircuitModel) on the two placed
// CircuitNet-N28 designs (target: local pin density) and the ISCAS-85 circuits (target: signal probability),
// once with Dynamic-ReLU and once with plain ReLU, and reports test correlation and error for each.

var dataOption = new Option<DirectoryInfo?>("--data") { Description = "Datasets folder (default: ../shared/data beside the repository)" };
var circuitsOption = new Option<string>("--circuits") { Description = "Which circuits: all, circuitnet, iscas, or a comma list of names (c432,zero-riscy-b-1-c2)", DefaultValueFactory = _ => "all" };
var epochsOption = new Option<int>("--epochs") { Description = "Training epochs per circuit and activation", DefaultValueFactory = _ => 150 };
var lrOption = new Option<float>("--lr") { Description = "Adam learning rate", DefaultValueFactory = _ => 0.005f };
var seedOption = new Option<int>("--seed") { Description = "Seed of the split, the weights and the Monte Carlo vectors", DefaultValueFactory = _ => 1 };
var backendOption = new Option<string>("--backend") { Description = "auto (default: CUDA, else OpenCL GPU, else native CPU), cuda, opencl, native or ilgpu-cpu", DefaultValueFactory = _ => "auto" };
var root = new RootCommand("Train a heterogeneous circuit GNN with KernelDsl's generated DR-CircuitGNN kernels")
{
    dataOption, circuitsOption, epochsOption, lrOption, seedOption, backendOption,
};
root.SetAction(r => Run(r.GetValue(dataOption)?.FullName ?? FindData(), r.GetValue(circuitsOption)!, r.GetValue(epochsOption), r.GetValue(lrOption),
    r.GetValue(seedOption), r.GetValue(backendOption)!));
return root.Parse(args).Invoke();

static int Run(string data, string which, int epochs, float lr, int seed, string backendName)
{
    if (Console.IsOutputRedirected) AnsiConsole.Profile.Width = Math.Max(AnsiConsole.Profile.Width, 150);
    using var backend = ComputeBackend.Create(ComputeBackend.ParseKind(backendName));
    AnsiConsole.MarkupLine($"[bold]Circuit GNN[/] on [green]{Markup.Escape(backend.Name)}[/] ({Markup.Escape(backend.SelectionReason)}), {epochs} epochs, lr {lr.ToString(CultureInfo.InvariantCulture)}, seed {seed}");
    var tasks = Tasks(data, which, seed).ToList();
    if (tasks.Count == 0)
    {
        AnsiConsole.MarkupLine($"[red]No circuit matches '{Markup.Escape(which)}'.[/] Use all, circuitnet, iscas or names such as c432,RISCY-b-1-c2.");
        return 2;
    }
    var table = new Table().Title("Test cells (20 % held out): Pearson r and mean absolute error of the prediction")
        .AddColumns("circuit", "cells", "target", "Dynamic-ReLU r", "ReLU r", "Dynamic-ReLU MAE", "ReLU MAE", "D-ReLU ms/epoch", "ReLU ms/epoch");
    foreach (var taskThunk in tasks)
    {
        var task = taskThunk();
        var rng = new Random(seed);
        var shuffled = task.Labelled.OrderBy(_ => rng.Next()).ToArray();
        int trainCount = (int)(shuffled.Length * 0.8);
        var train = shuffled[..trainCount];
        var test = shuffled[trainCount..];
        // Standardise the target on the training cells; report in the target's own units.
        double mean = train.Average(i => (double)task.Target[i]);
        double sd = Math.Sqrt(train.Average(i => Math.Pow(task.Target[i] - mean, 2)));
        if (sd < 1e-12) sd = 1;
        var z = task.Target.Select(v => (float)((v - mean) / sd)).ToArray();
        var results = new List<(double R, double Mae, double Ms)>();
        foreach (var (label, declaration) in new (string, CircuitModel.Declaration)[] { ("Dynamic-ReLU", Layers.Sparse), ("ReLU", Layers.Dense) })
        {
            using var model = new CircuitModel(backend, task, declaration, seed, lr);
            double lastLoss = 0;
            var watch = Stopwatch.StartNew();
            AnsiConsole.Progress().Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
                .Start(ctx =>
                {
                    var bar = ctx.AddTask(Markup.Escape($"{task.Name} · {label}"), maxValue: epochs);
                    for (int epoch = 1; epoch <= epochs; epoch++)
                    {
                        lastLoss = model.TrainStep(z, train);
                        bar.Description = Markup.Escape($"{task.Name} · {label} · loss {lastLoss:F3}");
                        bar.Increment(1);
                    }
                });
            double ms = watch.Elapsed.TotalMilliseconds / epochs;
            var prediction = model.Forward().Select(v => (float)(v * sd + mean)).ToArray();
            results.Add((Losses.Pearson(prediction, task.Target, test), Losses.MeanAbsoluteError(prediction, task.Target, test), ms));
        }
        var inv = CultureInfo.InvariantCulture;
        table.AddRow(Markup.Escape(task.Name), task.Graph.NodeTypes["cell"].ToString(inv), Markup.Escape(task.TargetName),
            results[0].R.ToString("F3", inv), results[1].R.ToString("F3", inv), results[0].Mae.ToString("G3", inv), results[1].Mae.ToString("G3", inv),
            results[0].Ms.ToString("F1", inv), results[1].Ms.ToString("F1", inv));
    }
    AnsiConsole.Write(table);
    AnsiConsole.MarkupLine("Dynamic-ReLU keeps at most 16 of 64 entries per row and aggregates them with SpGEMM (the DR-CircuitGNN layer); ReLU is the dense path it replaces: ReLU, then a dense SpMM per relation.");
    return 0;
}

static IEnumerable<Func<CircuitTask>> Tasks(string data, string which, int seed)
{
    var names = which.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    bool Wanted(string name, string group) => which is "all" || which == group || names.Any(n => string.Equals(n, name, StringComparison.OrdinalIgnoreCase));
    foreach (var design in new[] { "zero-riscy-b-1-c2", "RISCY-b-1-c2" })
        if (Wanted(design, "circuitnet"))
            yield return () => CircuitTask.FromCircuitNet(Path.Combine(data, "circuitnet", design));
    foreach (var file in Directory.EnumerateFiles(Path.Combine(data, "iscas85"), "*.bench").OrderBy(f => new FileInfo(f).Length))
        if (Wanted(Path.GetFileNameWithoutExtension(file), "iscas"))
            yield return () => CircuitTask.FromBench(file, seed);
}

static string FindData()
{
    for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
    {
        var candidate = Path.Combine(dir.FullName, "..", "shared", "data");
        if (Directory.Exists(Path.Combine(candidate, "circuitnet"))) return Path.GetFullPath(candidate);
    }
    throw new DirectoryNotFoundException("Could not find ../shared/data beside the repository; pass --data.");
}
