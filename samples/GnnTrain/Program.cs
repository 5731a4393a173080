using System.CommandLine;
using System.Globalization;
using GnnTrain;
using KernelDsl.Gnn;
using KernelDsl.Runtime;
using Spectre.Console;

// The main job: train a GNN whose every sparse operation, forward and backward, runs through kernels
// KernelDsl generated (see src/KernelDsl/Gnn/GnnKernels.cs), and show what happened: a live progress bar,
// accuracy at the best validation epoch, where the time went, and a PNG of the learning curves.

var dataOption = new Option<DirectoryInfo?>("--data") { Description = "Dataset folder (adjacency.mtx, labels.txt, optional features.mtx, train/val/test.txt); default: a generated stochastic block model" };
var modelOption = new Option<string>("--model") { Description = "gcn or sage (GraphSAGE, mean aggregation)", DefaultValueFactory = _ => "gcn" };
var activationOption = new Option<string>("--activation") { Description = "relu, maxk, or both (train each and compare)", DefaultValueFactory = _ => "both" };
var kOption = new Option<int>("--k") { Description = "MaxK: entries kept per row", DefaultValueFactory = _ => 32 };
var hiddenOption = new Option<int>("--hidden") { Description = "Hidden width", DefaultValueFactory = _ => 256 };
var layersOption = new Option<int>("--layers") { Description = "Layers (the last one outputs the classes)", DefaultValueFactory = _ => 2 };
var epochsOption = new Option<int>("--epochs") { Description = "Epochs", DefaultValueFactory = _ => 200 };
var lrOption = new Option<float>("--lr") { Description = "Adam learning rate", DefaultValueFactory = _ => 0.01f };
var decayOption = new Option<float>("--weight-decay") { Description = "L2 weight decay", DefaultValueFactory = _ => 5e-4f };
var dropoutOption = new Option<float>("--dropout") { Description = "Dropout before each hidden aggregation", DefaultValueFactory = _ => 0.5f };
var seedOption = new Option<int>("--seed") { Description = "Seed of the weights, dropout and (without split files) the split", DefaultValueFactory = _ => 1 };
var splitsOption = new Option<int>("--splits") { Description = "Repeat with this many seeds (seed, seed+1, ...) and report the mean", DefaultValueFactory = _ => 1 };
var nodesOption = new Option<int>("--nodes") { Description = "Generated graph (no --data): nodes of the stochastic block model", DefaultValueFactory = _ => 3000 };
var degreeOption = new Option<double>("--degree") { Description = "Generated graph (no --data): average degree (64 or more makes aggregation dominate, where MaxK pays)", DefaultValueFactory = _ => 8 };
var classesOption = new Option<int>("--classes") { Description = "Generated graph (no --data): classes (blocks)", DefaultValueFactory = _ => 6 };
var backendOption = new Option<string>("--backend") { Description = "auto (CUDA, else OpenCL GPU, else native CPU), cuda, opencl, native or ilgpu-cpu", DefaultValueFactory = _ => "auto" };
var distributedOption = new Option<bool>("--distributed") { Description = "Train on a graph split over the ranks of an MPI job: mpiexec.mpich -n N dotnet GnnTrain.dll --distributed ... (on by default under mpiexec)" };
var partitionOption = new Option<string>("--partition") { Description = "Distributed: metis (k-way, least edge cut) or contiguous (node ranges balanced by nonzeros)", DefaultValueFactory = _ => "metis" };
var overlapOption = new Option<string>("--overlap") { Description = "Distributed: run the aggregation that needs no halo while it travels: auto (when the ranks span several machines), on or off", DefaultValueFactory = _ => "auto" };
var verifyOption = new Option<int>("--verify-every") { Description = "Distributed: compare the ranks' parameters (a hash) every this many epochs, 0 = never", DefaultValueFactory = _ => 0 };
var orderOption = new Option<string>("--order") { Description = "Node order: none (as read), rcm (reverse Cuthill-McKee: neighbours near each other in memory, a faster SpMM where the ids carry no locality) or auto (rcm where it puts 1.5x as many edges near their row)", DefaultValueFactory = _ => "none" };
var outOption = new Option<DirectoryInfo>("--out") { Description = "Folder for training.png and summary.md", DefaultValueFactory = _ => new DirectoryInfo(Path.Combine("artifacts", "gnn-train")) };
var root = new RootCommand("Train a GCN or GraphSAGE (ReLU or MaxK) with KernelDsl's generated kernels")
{
    dataOption, modelOption, activationOption, kOption, hiddenOption, layersOption, epochsOption, lrOption, decayOption, dropoutOption,
    seedOption, splitsOption, backendOption, outOption, nodesOption, degreeOption, classesOption, orderOption, distributedOption, partitionOption, overlapOption, verifyOption,
};
root.SetAction(r =>
{
    var settings = new RunSettings(
        r.GetValue(dataOption)?.FullName, r.GetValue(modelOption)!, r.GetValue(activationOption)!, r.GetValue(kOption), r.GetValue(hiddenOption),
        r.GetValue(layersOption), r.GetValue(epochsOption), r.GetValue(lrOption), r.GetValue(decayOption), r.GetValue(dropoutOption),
        r.GetValue(seedOption), r.GetValue(splitsOption), r.GetValue(backendOption)!, r.GetValue(outOption)!.FullName,
        r.GetValue(nodesOption), r.GetValue(degreeOption), r.GetValue(classesOption), r.GetValue(orderOption)!);
    // One process without mpiexec runs exactly as before; under mpiexec (or with --distributed) the MPI job runs.
    return r.GetValue(distributedOption) || KernelDsl.Distributed.MpiCluster.LaunchedByMpiexec
        ? DistributedRunner.Run(settings, r.GetValue(partitionOption)!, r.GetValue(overlapOption)!, r.GetValue(verifyOption), args)
        : Runner.Run(settings);
});
return root.Parse(args).Invoke();
