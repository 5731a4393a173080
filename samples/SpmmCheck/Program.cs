using System.CommandLine;
using System.Diagnostics;
using KernelDsl;
using KernelDsl.Graphs;
using KernelDsl.IO;
using KernelDsl.Reference;
using KernelDsl.Runtime;
using Spectre.Console;
using SpmmCheck;

// Loads a graph (a Matrix Market file, or a generated R-MAT power-law graph), runs the KernelDsl
// kernels of Aggregations.cs on the chosen backend, checks each against the float64 reference and
// prints a table of times.

var graphOption = new Option<FileInfo?>("--graph") { Description = "Adjacency in Matrix Market format (default: a generated R-MAT power-law graph)" };
var nodesOption = new Option<int>("--nodes") { Description = "Nodes of the generated graph", DefaultValueFactory = _ => 100_000 };
var edgesOption = new Option<long>("--edges") { Description = "Edges drawn for the generated graph", DefaultValueFactory = _ => 1_000_000 };
var skewOption = new Option<double>("--skew") { Description = "R-MAT top-left probability a (0.25 = uniform, 0.57 = Graph500)", DefaultValueFactory = _ => 0.57 };
var dimOption = new Option<int>("--dim") { Description = "Feature width", DefaultValueFactory = _ => 64 };
var backendOption = new Option<string>("--backend") { Description = "auto, native, ilgpu-cpu, cuda or opencl", DefaultValueFactory = _ => "auto" };
var repeatsOption = new Option<int>("--repeats") { Description = "Timed runs per kernel (the median is shown)", DefaultValueFactory = _ => 5 };
var seedOption = new Option<int>("--seed") { Description = "Random seed for the generated graph and features", DefaultValueFactory = _ => 42 };
var kOption = new Option<int>("--k") { Description = "MaxK: entries kept per feature row (0 skips the MaxK-GNN table; needs dim <= 256)", DefaultValueFactory = _ => 8 };
var maxRowsOption = new Option<int>("--ilgpu-cpu-rows") { Description = "On ILGPU's (slow) CPU accelerator, keep only the subgraph induced by this many nodes", DefaultValueFactory = _ => 2000 };

var root = new RootCommand("KernelDsl SpMM check: runs generated kernels on a graph, checks them against the float64 reference, prints times.")
{
    graphOption, nodesOption, edgesOption, skewOption, dimOption, backendOption, repeatsOption, seedOption, maxRowsOption, kOption,
};
root.SetAction(result => Run(
    result.GetValue(graphOption), result.GetValue(nodesOption), result.GetValue(edgesOption), result.GetValue(skewOption),
    result.GetValue(dimOption), result.GetValue(backendOption)!, result.GetValue(repeatsOption), result.GetValue(seedOption),
    result.GetValue(maxRowsOption), result.GetValue(kOption)));
return root.Parse(args).Invoke();

static int Run(FileInfo? graphFile, int nodes, long edges, double skew, int dim, string backendName, int repeats, int seed, int maxRows, int k)
{
    if (Console.IsOutputRedirected) AnsiConsole.Profile.Width = Math.Max(AnsiConsole.Profile.Width, 120);
    if (dim < 1) return Fail("--dim must be at least 1.");
    if (repeats < 1) return Fail("--repeats must be at least 1.");
    BackendKind kind;
    try { kind = ComputeBackend.ParseKind(backendName); }
    catch (ArgumentException ex) { return Fail(ex.Message); }

    CsrMatrix<float> graph;
    string source;
    var load = Stopwatch.StartNew();
    try
    {
        if (graphFile is not null)
        {
            graph = MatrixMarket.ReadCsr<float>(graphFile.FullName);
            source = graphFile.Name;
        }
        else
        {
            double rest = (1 - skew) / 3;
            graph = RMatGenerator.Generate<float>(nodes, edges, seed, skew, rest, rest);
            source = $"R-MAT(nodes {nodes}, edges {edges}, a {skew})";
        }
    }
    catch (Exception ex) when (ex is FormatException or IOException or ArgumentException)
    {
        return Fail(ex.Message);
    }
    if (!graph.HasValues) graph = WithUnitWeights(graph);

    using var backend = ComputeBackend.Create(kind);
    if (backend.Kind == BackendKind.IlgpuCpu && Math.Min(graph.Rows, graph.ColumnCount) > maxRows && graph.Rows == graph.ColumnCount)
    {
        graph = graph.InducedSubgraph(Enumerable.Range(0, maxRows).ToArray());
        source += $", induced on the first {maxRows} nodes for ILGPU's CPU accelerator";
    }
    AnsiConsole.MarkupLine($"[bold]Graph[/] {Markup.Escape(source)} loaded in {load.ElapsedMilliseconds} ms: {Markup.Escape(graph.DegreeStatistics().ToString())}");
    AnsiConsole.MarkupLine($"[bold]Backend[/] {Markup.Escape(backend.Name)} ({Markup.Escape(backend.SelectionReason)}); dim {dim}, {repeats} timed runs each");

    var features = DenseMatrix<float>.Random(graph.ColumnCount, dim, seed + 1);
    using var a = backend.Upload(graph);
    using var pattern = backend.Upload(graph.AsPattern());
    using var x = backend.Upload(features);
    using var y = backend.AllocateDense<float>(graph.Rows, dim);

    var kernels = new (string Name, string Schedule, Reduce Reduce, Adjacency Adjacency, Func<double, double, double>? Message, Action Run)[]
    {
        ("WeightedSumRowPerThread", "RowPerThread", Reduce.Sum, Adjacency.Weighted, null, () => Aggregations.WeightedSumRowPerThread(backend.DefaultStream, a, x, y)),
        ("WeightedSum", "WarpPerRow", Reduce.Sum, Adjacency.Weighted, null, () => Aggregations.WeightedSum(backend.DefaultStream, a, x, y)),
        ("NeighbourMean", "WarpPerRow", Reduce.Mean, Adjacency.Pattern, null, () => Aggregations.NeighbourMean(backend.DefaultStream, pattern, x, y)),
        ("NeighbourMax", "WarpPerRow", Reduce.Max, Adjacency.Pattern, null, () => Aggregations.NeighbourMax(backend.DefaultStream, pattern, x, y)),
        ("GatedSum", "WarpPerRow", Reduce.Sum, Adjacency.Weighted, (e, s) => e * Math.Max(s, 0), () => Aggregations.GatedSum(backend.DefaultStream, a, x, y)),
    };

    var table = new Table().AddColumns("kernel", "schedule", "reduce", "median ms", "GB/s (model)", "max error", "check");
    bool allOk = true;
    foreach (var kernel in kernels)
    {
        kernel.Run();                         // warm-up: loads the kernel on an accelerator, touches memory
        backend.Synchronize();
        var times = new double[repeats];
        for (int i = 0; i < repeats; i++)
        {
            var sw = Stopwatch.StartNew();
            kernel.Run();
            backend.Synchronize();
            times[i] = sw.Elapsed.TotalMilliseconds;
        }
        Array.Sort(times);
        double median = times[repeats / 2];
        var input = kernel.Adjacency == Adjacency.Pattern ? graph.AsPattern() : graph;
        var (expected, magnitude) = ReferenceSpMM.ComputeWithMagnitude(input, features, kernel.Reduce, kernel.Adjacency, kernel.Message);
        double error = Compare.MaxScaledError<float>(y.ToHost().Data, expected, magnitude);
        double tolerance = Math.Max(1e-5, 2 * graph.DegreeStatistics().Max * Math.Pow(2, -24));
        bool ok = error <= tolerance;
        allOk &= ok;
        // Traffic model: CSR arrays once, one feature row per nonzero, the output once.
        double bytes = 4.0 * (graph.Rows + 1 + graph.Nonzeros * (kernel.Adjacency == Adjacency.Weighted ? 2 : 1)) + 4.0 * dim * ((double)graph.Nonzeros + graph.Rows);
        table.AddRow(kernel.Name, kernel.Schedule, kernel.Reduce.ToString(), $"{median:F2}", $"{bytes / (median * 1e6):F1}", $"{error:E1}", ok ? "[green]ok[/]" : "[red]MISMATCH[/]");
    }
    AnsiConsole.Write(table);
    if (k > 0 && k <= dim && dim <= 256 && graph.Rows == graph.ColumnCount)
        allOk &= MaxKTable(backend, graph, features, k, repeats);
    AnsiConsole.MarkupLine(allOk ? "[green]All kernels match the float64 reference.[/]" : "[red]Some kernels do not match the reference.[/]");
    return allOk ? 0 : 1;
}

// MaxK-GNN: top-k of the features as CBSR, the SpGEMM forward against the dense SpMM on the same
// (densified) features, and the SSpMM backward; each checked against the float64 reference.
static bool MaxKTable(ComputeBackend backend, CsrMatrix<float> graph, DenseMatrix<float> features, int k, int repeats)
{
    int dim = features.Columns;
    using var a = backend.Upload(graph);
    using var x = backend.Upload(features);
    using var kept = backend.AllocateCbsr<float, byte>(graph.Rows, dim, k);
    using var y = backend.AllocateDense<float>(graph.Rows, dim);
    using var dy = backend.Upload(DenseMatrix<float>.Random(graph.Rows, dim, 7));
    using var dx = backend.AllocateCbsr<float, byte>(graph.Rows, dim, k);
    double Time(Action run)
    {
        run();
        backend.Synchronize();
        var times = new double[repeats];
        for (int i = 0; i < repeats; i++)
        {
            var sw = Stopwatch.StartNew();
            run();
            backend.Synchronize();
            times[i] = sw.Elapsed.TotalMilliseconds;
        }
        Array.Sort(times);
        return times[repeats / 2];
    }

    double topk = Time(() => MaxKLayer.TopK(backend.DefaultStream, x, kept));
    var keptHost = kept.ToHost();
    bool topkOk = keptHost.Indices.SequenceEqual(ReferenceMaxK.MaxK<byte>(features, k).Indices);
    using var densified = backend.Upload(keptHost.ToDense());
    double dense = Time(() => Aggregations.WeightedSum(backend.DefaultStream, a, densified, y));
    double spgemm = Time(() => MaxKLayer.Forward(backend.DefaultStream, a, kept, y));
    var (expected, magnitude) = ReferenceSpMM.ComputeWithMagnitude(graph, keptHost.ToDense(), Reduce.Sum);
    double tolerance = Math.Max(1e-5, 2 * graph.DegreeStatistics().Max * Math.Pow(2, -24));
    double forwardError = Compare.MaxScaledError<float>(y.ToHost().Data, expected, magnitude);
    double sspmm = Time(() => MaxKLayer.Backward(backend.DefaultStream, a, dy, kept, dx));
    var dyHost = dy.ToHost();
    double backwardError = Compare.MaxScaledError<float>(dx.ToHost().Values, ReferenceMaxK.SSpMM(graph, dyHost, keptHost),
        ReferenceMaxK.SSpMMMagnitude(graph, dyHost, keptHost));
    double backwardTolerance = Math.Max(1e-5, 2 * graph.Transpose().DegreeStatistics().Max * Math.Pow(2, -24));

    var table = new Table().AddColumns("MaxK-GNN (k " + k + " of " + dim + ")", "median ms", "vs dense SpMM", "max error", "check");
    table.AddRow("MaxK top-k", $"{topk:F2}", "", "exact", topkOk ? "[green]ok[/]" : "[red]MISMATCH[/]");
    table.AddRow("SpGEMM forward (CBSR)", $"{spgemm:F2}", $"{dense / spgemm:F2}x (limit {dim / (double)k:F0}x)", $"{forwardError:E1}", forwardError <= tolerance ? "[green]ok[/]" : "[red]MISMATCH[/]");
    table.AddRow("SSpMM backward (k kept)", $"{sspmm:F2}", "", $"{backwardError:E1}", backwardError <= backwardTolerance ? "[green]ok[/]" : "[red]MISMATCH[/]");
    AnsiConsole.Write(table);
    return topkOk && forwardError <= tolerance && backwardError <= backwardTolerance;
}

static CsrMatrix<float> WithUnitWeights(CsrMatrix<float> graph) => graph.WithValues(1f);

static int Fail(string message)
{
    AnsiConsole.MarkupLine($"[red]error:[/] {Markup.Escape(message)}");
    return 2;
}
