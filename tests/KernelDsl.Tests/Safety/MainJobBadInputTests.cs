using System.Diagnostics;
using KernelDsl.Tests.Support;
using Xunit;

namespace KernelDsl.Tests.Safety;

/// <summary>
/// Issue 11, points 6 and 7, through the main job as a user runs it (samples/GnnTrain, built with the tests): every bad
/// option or file ends with exit code 2 and a message that names the option or the file and line — no stack trace,
/// no training on NaN, and no run started that a later run's bad option would throw away.
/// </summary>
public sealed class MainJobBadInputTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("kerneldsl-main-job").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    /// <summary>The main job's build beside this test assembly's configuration.</summary>
    private static string MainJob()
    {
        string configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";
        string path = Path.Combine(RepoPaths.Root, "samples", "GnnTrain", "bin", configuration, "net10.0", "GnnTrain.dll");
        Assert.True(File.Exists(path), $"{path} is missing; the test project builds it (ProjectReference).");
        return path;
    }

    private (int ExitCode, string Output) Run(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(MainJob());
        foreach (var a in args) start.ArgumentList.Add(a);
        start.ArgumentList.Add("--out");
        start.ArgumentList.Add(Path.Combine(_folder, "out"));
        start.Environment["KERNELDSL_BACKEND"] = "native";
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd() + stderr.GetAwaiter().GetResult();
        Assert.True(process.WaitForExit(120_000), "the main job did not finish");
        return (process.ExitCode, output);
    }

    private void Refused(string[] args, params string[] expected)
    {
        var (exit, output) = Run(args);
        Assert.True(exit == 2, $"exit code {exit}:\n{output}");
        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal); // no stack trace
        Assert.DoesNotContain("Unhandled", output, StringComparison.Ordinal);
        Assert.DoesNotContain("epoch", output, StringComparison.Ordinal); // nothing trained
        foreach (var e in expected) Assert.Contains(e, output, StringComparison.Ordinal);
    }

    /// <summary>A 12-node, 2-class dataset with the given files replaced.</summary>
    private string Dataset(params (string File, string Text)[] files) => DatasetFolders.Write(_folder, 12, files);

    [Theory]
    [InlineData("--lr", "NaN")]
    [InlineData("--lr", "Infinity")]
    [InlineData("--lr", "-1")]
    [InlineData("--dropout", "NaN")]
    [InlineData("--weight-decay", "-1e30")]
    [InlineData("--hidden", "2000000000")]
    [InlineData("--k", "0")]
    [InlineData("--order", "bfs")]
    public void BadOptionsAreRefusedByName(string option, string value) =>
        Refused(["--data", Dataset(), "--epochs", "2", option, value], option);

    [Fact]
    public void AnOptionOnlyTheSecondRunCannotUseIsRefusedBeforeTheFirstRuns() =>
        Refused(["--data", Dataset(), "--epochs", "2", "--activation", "both", "--hidden", "100000", "--k", "8"], "--hidden", "65536");

    [Fact]
    public void NonFiniteFeaturesAreRefusedWithFileAndLine() =>
        Refused(["--data", Dataset(("features.mtx", "%%MatrixMarket matrix coordinate real general\n12 2 2\n1 1 1\n2 2 Infinity\n"))], "features.mtx:4:");

    [Fact]
    public void AnEmptyTrainingSplitIsRefused() =>
        Refused(["--data", Dataset(("train.txt", "\n"), ("val.txt", "1\n"), ("test.txt", "2\n"))], "train.txt", "lists no node");

    [Fact]
    public void ValidationAndTestWithoutTrainingAreRefused() =>
        Refused(["--data", Dataset(("val.txt", "1\n"), ("test.txt", "2\n"))], "train.txt", "missing");

    [Fact]
    public void ALabelTypoIsRefusedAtItsLine() =>
        Refused(["--data", Dataset(("labels.txt", "0\n1\n0\n1\n0\n1\n1000000000\n1\n0\n1\n0\n1\n"))], "labels.txt:7:", "1000000000");

    [Fact]
    public void AGraphWithoutNodesIsRefused() =>
        Refused(["--data", Dataset(("adjacency.mtx", "%%MatrixMarket matrix coordinate pattern general\n0 0 0\n"), ("labels.txt", ""))], "no nodes");

    [Fact]
    public void ASizeLineNoMatrixHoldsIsRefused() =>
        Refused(["--data", Dataset(("adjacency.mtx", "%%MatrixMarket matrix coordinate pattern general\n2147483647 2147483647 1\n1 1\n"))], "adjacency.mtx:2:");

    [Theory]
    [InlineData("--nodes", "10")]
    [InlineData("--degree", "NaN")]
    [InlineData("--classes", "1")]
    public void BadGeneratedGraphSettingsAreRefusedByName(string option, string value) => Refused(["--epochs", "2", option, value], option);

    [Fact]
    public void TheGeneratedGraphTakesItsSizeFromTheCommandLine()
    {
        var (exit, output) = Run("--nodes", "600", "--degree", "16", "--classes", "4", "--epochs", "2", "--hidden", "16", "--k", "4");
        Assert.True(exit == 0, output);
        Assert.Contains("SBM (600 nodes, 4 classes)", output, StringComparison.Ordinal);
    }

    [Fact]
    public void TheNodeOrderIsAppliedOrDeclinedAndSaysSo()
    {
        var (exit, output) = Run("--data", Dataset(), "--epochs", "2", "--hidden", "16", "--k", "4", "--order", "rcm");
        Assert.True(exit == 0, output);
        Assert.Contains("Node order: reverse Cuthill-McKee", output, StringComparison.Ordinal);
        (exit, output) = Run("--nodes", "600", "--degree", "8", "--classes", "4", "--epochs", "2", "--hidden", "16", "--k", "4", "--order", "auto");
        Assert.True(exit == 0, output);
        Assert.Contains("Node order: as read (auto:", output, StringComparison.Ordinal); // 600 nodes: every edge within the window
    }

    [Fact]
    public void AGoodDatasetTrains()
    {
        var (exit, output) = Run("--data", Dataset(), "--epochs", "3", "--hidden", "16", "--k", "4");
        Assert.True(exit == 0, output);
        Assert.Contains("MaxK (k = 4)", output, StringComparison.Ordinal);
    }
}
