using System.Globalization;
using System.Text.Json;
using ILGPU.Runtime;
using KernelDsl;
using KernelDsl.Distributed;
using KernelDsl.Gnn;
using KernelDsl.Runtime;

// Usage: KernelDsl.Distributed.Worker <scenario> key=value ...
//   train     data=<folder>|sbm:<nodes> arch=gcn|sage act=relu|maxk partition=metis|contiguous|empty-last|no-train-last overlap=auto|on|off
//             epochs=N dropout=P out=<file>: rank 0 writes the loss curve and every parameter's values as JSON
//   halo      data=... partition=...: every rank checks its gathered halo rows (dense and CBSR) and the scattered sums
//   throw     rank=R: rank R throws after start-up
//   mismatch  data=...: rank 1 reads a different split, so the dataset checksums differ
//   too-many  a three-node graph partitioned into the job's ranks
var settings = args.Skip(1).Select(a => a.Split('=', 2)).ToDictionary(p => p[0], p => p.Length > 1 ? p[1] : "");
string Get(string key, string fallback) => settings.TryGetValue(key, out var v) ? v : fallback;
using var cluster = MpiCluster.Start(ref args);
return cluster.RunOrAbort(c =>
{
    switch (args.Length > 0 ? args[0] : "")
    {
        case "train": return Train(c);
        case "halo": return Halo(c);
        case "throw":
            if (c.Rank == int.Parse(Get("rank", "1"), CultureInfo.InvariantCulture)) throw new InvalidOperationException("injected failure on this rank");
            c.Barrier(); // the others wait here: the job must still end
            return 0;
        case "mismatch":
        {
            var data = Load(c.Rank == 1 ? 7 : 0);
            DistributedTraining.CheckSameData(c, data, Get("data", ""));
            return 0;
        }
        case "too-many":
        {
            // A graph of three nodes for a job of more ranks: refused before anything is exchanged.
            var tiny = new CsrMatrix<float>(3, 3, [0, 1, 2, 3], [1, 2, 0], [1f, 1f, 1f]);
            GraphPartition.Contiguous(tiny, c.Size);
            return 0;
        }
        default: throw new ArgumentException($"unknown scenario '{(args.Length > 0 ? args[0] : "")}'");
    }
});

NodeDataset Load(int splitSeed = 0)
{
    string source = Get("data", "sbm:600");
    return source.StartsWith("sbm:", StringComparison.Ordinal)
        ? NodeDataset.StochasticBlockModel(int.Parse(source[4..], CultureInfo.InvariantCulture), classes: 4, degree: 8, featureWords: 64, seed: 3 + splitSeed)
        : NodeDataset.Read(source, splitSeed);
}

GnnOptions Options() => new(
    Architecture: Get("arch", "gcn") == "sage" ? GnnArchitecture.Sage : GnnArchitecture.Gcn,
    Nonlinearity: Get("act", "relu") == "maxk" ? Nonlinearity.MaxK : Nonlinearity.Relu,
    K: 8, Hidden: 32, Layers: 2, Dropout: float.Parse(Get("dropout", "0.5"), CultureInfo.InvariantCulture));

GraphPartition Partition(MpiCluster c, NodeDataset data, GnnOptions options)
{
    var propagation = GnnModel.Propagation(data, options.Architecture);
    switch (Get("partition", "metis"))
    {
        case "metis": return GraphPartition.Shared(c, propagation, PartitionMethod.Metis); // made on rank 0, sent to the others
        case "contiguous": return GraphPartition.Contiguous(propagation, c.Size);       // made by every rank

        case "empty-last":
        {
            // The last rank owns nothing; the others share the nodes round robin.
            var owner = Enumerable.Range(0, data.Nodes).Select(i => c.Size == 1 ? 0 : i % (c.Size - 1)).ToArray();
            return GraphPartition.FromOwners(propagation, owner, c.Size);
        }
        case "no-train-last":
        {
            // The last rank owns only nodes that are not training nodes.
            var train = new HashSet<int>(data.Train);
            var others = Enumerable.Range(0, data.Nodes).Where(i => !train.Contains(i)).Take(data.Nodes / (2 * c.Size)).ToHashSet();
            var owner = Enumerable.Range(0, data.Nodes).Select(i => others.Contains(i) ? c.Size - 1 : i % Math.Max(1, c.Size - 1)).ToArray();
            return GraphPartition.FromOwners(propagation, owner, c.Size);
        }
        default: throw new ArgumentException("partition: metis, contiguous, empty-last or no-train-last");
    }
}

int Train(MpiCluster c)
{
    var data = Load();
    DistributedTraining.CheckSameData(c, data, Get("data", ""));
    var options = Options();
    using var backend = ComputeBackend.Create(BackendKind.NativeCpu);
    var (model, graph) = DistributedTraining.CreateModel(c, backend, data, options, Partition(c, data, options), overlap: Get("overlap", "auto") switch { "on" => ExchangeOverlap.On, "off" => ExchangeOverlap.Off, _ => ExchangeOverlap.Auto });
    using (model)
    {
        var result = DistributedTraining.Train(c, model, graph, int.Parse(Get("epochs", "20"), CultureInfo.InvariantCulture), verifyEvery: 5);
        if (c.Rank == 0)
        {
            var output = new
            {
                Loss = result.History.Select(e => e.Result.Loss).ToArray(),
                Parameters = model.Parameters.Select(p => p.Value.ToHost().Data).ToArray(),
                Halo = result.History.Sum(e => e.HaloForwardBytes + e.HaloBackwardBytes),
            };
            File.WriteAllText(Get("out", "result.json"), JsonSerializer.Serialize(output));
        }
    }
    return 0;
}

int Halo(MpiCluster c)
{
    var data = Load();
    var options = Options();
    var propagation = GnnModel.Propagation(data, options.Architecture);
    var graph = RankGraph.Build(propagation, Partition(c, data, options), c.Rank);
    var exchange = new HaloExchange(c, graph);
    var owner = Partition(c, data, options).Owner;
    // The native backend exchanges in place; the ILGPU CPU accelerator stands in for a GPU (staged through the host).
    // Each with the plain calls and with the overloads that run work concurrently (what an overlapped model calls).
    foreach (var kind in new[] { BackendKind.NativeCpu, BackendKind.IlgpuCpu })
        foreach (bool concurrent in new[] { false, true })
        {
            using var backend = ComputeBackend.Create(kind);
            CheckHalo(c, graph, exchange, backend, concurrent, data, propagation, owner);
        }
    Console.WriteLine($"rank {c.Rank}: owned {graph.Owned}, halo {graph.Halo}: gather, CBSR gather and scatter agree with the global matrix");
    return 0;
}

static void CheckHalo(MpiCluster c, RankGraph graph, HaloExchange exchange, ComputeBackend backend, bool concurrent, NodeDataset data,
    CsrMatrix<float> propagation, IReadOnlyList<int> owner)
{
    string where = $"rank {c.Rank} ({backend.Kind}{(concurrent ? ", with concurrent work" : "")})";
    const int width = 5;
    static float Value(int node, int column) => node * 10 + column + 0.5f;
    int ran = 0;
    // The work a model runs meanwhile: here it only counts, so the exchange's result is checked alone (Scatter's work
    // writes the owned rows below).
    Action? work = concurrent ? () => Interlocked.Increment(ref ran) : null;
    // Dense gather: owned rows hold the global rows; after the exchange the halo rows must too.
    using var dense = backend.AllocateDense<float>(graph.Rows, width);
    var host = new float[graph.Rows * width];
    for (int i = 0; i < graph.Owned; i++) for (int j = 0; j < width; j++) host[i * width + j] = Value(graph.GlobalIds[i], j);
    dense.CopyFrom(host);
    if (work is null) exchange.Gather(dense); else exchange.Gather(dense, work);
    var gathered = dense.ToHost().Data;
    for (int i = 0; i < graph.Rows; i++)
        for (int j = 0; j < width; j++)
            if (gathered[i * width + j] != Value(graph.GlobalIds[i], j))
                throw new InvalidOperationException($"{where}: local row {i} (node {graph.GlobalIds[i]}) column {j} is {gathered[i * width + j]}, expected {Value(graph.GlobalIds[i], j)}");
    // CBSR gather: k values and indices per row.
    var values = new float[graph.Rows * 3];
    var indices = new ushort[graph.Rows * 3];
    for (int i = 0; i < graph.Rows; i++)
        for (int t = 0; t < 3; t++)
        {
            bool owned = i < graph.Owned; // halo rows start as NaN at columns 0, 1, 2 (a valid CBSR row the gather must replace)
            values[i * 3 + t] = owned ? Value(graph.GlobalIds[i], t) : float.NaN;
            indices[i * 3 + t] = (ushort)(owned ? (graph.GlobalIds[i] + t * 5) % 16 : t);
        }
    using var cbsr = backend.Upload(new CbsrMatrix<float, ushort>(graph.Rows, 16, 3, values, indices));
    if (work is null) exchange.Gather(cbsr); else exchange.Gather(cbsr, work);
    var arrays = cbsr.ToHost();
    for (int i = 0; i < graph.Rows; i++)
        for (int t = 0; t < 3; t++)
            if (arrays.Values[i * 3 + t] != Value(graph.GlobalIds[i], t) || arrays.Indices[i * 3 + t] != (graph.GlobalIds[i] + t * 5) % 16)
                throw new InvalidOperationException($"{where}: CBSR row {i} (node {graph.GlobalIds[i]}) entry {t} differs from the owner's");
    // Scatter: every rank puts 1 in each halo row; each owned row must then hold 1 + the number of ranks whose halo holds
    // it. With concurrent work the halo rows are sent as they were when called, and the work writes the owned rows' own
    // 1 (and garbage into the halo rows, which the scatter must not send and must zero).
    var ones = new float[graph.Rows * width];
    for (int i = 0; i < graph.Rows * width; i++) ones[i] = concurrent && i < graph.Owned * width ? 0f : 1f;
    dense.CopyFrom(ones);
    if (!concurrent) exchange.Scatter(dense);
    else
        exchange.Scatter(dense, () =>
        {
            Interlocked.Increment(ref ran);
            var written = new float[graph.Rows * width];
            for (int i = 0; i < written.Length; i++) written[i] = i < graph.Owned * width ? 1f : 99f;
            if (backend.Kind == BackendKind.NativeCpu) written.CopyTo(dense.HostSpan);
            else dense.CopyFrom(written);
        });
    var summed = dense.ToHost().Data;
    // The CBSR scatter (values only) the same way, its k = 3 entries per row standing for the dense row's first three.
    var cbsrOnes = new float[graph.Rows * 3];
    for (int i = 0; i < cbsrOnes.Length; i++) cbsrOnes[i] = concurrent && i < graph.Owned * 3 ? 0f : 1f;
    using var cbsrGradient = backend.Upload(new CbsrMatrix<float, ushort>(graph.Rows, 16, 3, cbsrOnes, indices));
    if (!concurrent) exchange.Scatter(cbsrGradient);
    else
        exchange.Scatter(cbsrGradient, () =>
        {
            Interlocked.Increment(ref ran);
            var written = new float[graph.Rows * 3];
            for (int i = 0; i < written.Length; i++) written[i] = i < graph.Owned * 3 ? 1f : 99f;
            if (backend.Kind == BackendKind.NativeCpu) written.CopyTo(cbsrGradient.DangerousGetHostArrays().Values, 0);
            else cbsrGradient.View.Values.CopyFromCPU(written);
        });
    var cbsrSummed = cbsrGradient.ToHost().Values;
    for (int i = 0; i < graph.Rows; i++)
        for (int t = 0; t < 3; t++)
            if (cbsrSummed[i * 3 + t] != summed[i * width])
                throw new InvalidOperationException($"{where}: CBSR scatter row {i} entry {t} is {cbsrSummed[i * 3 + t]}, the dense scatter gave {summed[i * width]}");
    for (int i = 0; i < graph.Owned; i++)
    {
        int node = graph.GlobalIds[i];
        int holders = 0;
        for (int q = 0; q < c.Size; q++)
        {
            if (q == c.Rank) continue;
            bool referenced = false;
            for (int r = 0; r < data.Nodes && !referenced; r++)
                if (owner[r] == q)
                    for (int e = propagation.RowOffsets[r]; e < propagation.RowOffsets[r + 1]; e++)
                        if (propagation.ColumnIndices[e] == node) { referenced = true; break; }
            if (referenced) holders++;
        }
        if (summed[i * width] != 1 + holders) throw new InvalidOperationException($"{where}: node {node} summed {summed[i * width]}, expected {1 + holders}");
    }
    for (int i = graph.Owned; i < graph.Rows; i++) if (summed[i * width] != 0) throw new InvalidOperationException($"{where}: halo row {i} not zeroed after the scatter");
    if (concurrent && ran != 4) throw new InvalidOperationException($"{where}: the concurrent work ran {ran} times in four exchanges");
}
