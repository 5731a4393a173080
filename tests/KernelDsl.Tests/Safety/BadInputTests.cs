using KernelDsl.Gnn;
using KernelDsl.Graphs;
using KernelDsl.IO;
using KernelDsl.Runtime;
using KernelDsl.Tests.Support;
using Xunit;

namespace KernelDsl.Tests.Safety;

/// <summary>
/// Issue 11, points 5 and 6: every bad input the hostile review found gets a named error — the file and line where there
/// is a file, the parameter otherwise, and the fix — instead of OutOfMemory, a bare OverflowException, a
/// NullReferenceException, minutes of work, or a normal-looking result computed from NaN.
/// </summary>
public sealed class BadInputTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("kerneldsl-bad-input").FullName;

    private int _count;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static MatrixMarketFormatException MatrixMarketError(string text) =>
        Assert.Throws<MatrixMarketFormatException>(() => MatrixMarket.ReadCsr<float>(new StringReader(text), "bad.mtx"));

    [Fact]
    public void ASizeLineAnnouncingBillionsOfEntriesIsCheckedAgainstTheFileNotAllocated()
    {
        long before = GC.GetTotalAllocatedBytes(precise: true);
        var ex = MatrixMarketError("%%MatrixMarket matrix coordinate real general\n3 3 2000000000\n1 1 1\n");
        Assert.True(GC.GetTotalAllocatedBytes(precise: true) - before < 256L << 20, "the reader reserved memory for the announced entries");
        Assert.StartsWith("bad.mtx:3:", ex.Message, StringComparison.Ordinal);
        Assert.Contains("announces 2000000000 entries but the file has 1", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("2147483647 2147483647 1")]
    [InlineData("2147483647 3 1")]
    public void SizesNoMatrixCanHoldAreNamedOnTheSizeLine(string size)
    {
        var ex = MatrixMarketError($"%%MatrixMarket matrix coordinate real general\n{size}\n1 1 1\n");
        Assert.StartsWith("bad.mtx:2:", ex.Message, StringComparison.Ordinal);
        Assert.Contains("rows and columns are at most", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ADenseSizeLineBeyondOneArrayIsNamed()
    {
        var ex = Assert.Throws<MatrixMarketFormatException>(() =>
            MatrixMarket.ReadDense<float>(new StringReader("%%MatrixMarket matrix array real general\n100000 100000\n1\n"), "dense.mtx"));
        Assert.StartsWith("dense.mtx:2:", ex.Message, StringComparison.Ordinal);
        Assert.Contains("more than one array holds", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("NaN")]
    [InlineData("nan")]
    [InlineData("Infinity")]
    [InlineData("-Infinity")]
    [InlineData("1e300")] // finite as a double, infinite as a float
    public void NonFiniteValuesAreRefusedAtTheirLine(string value)
    {
        var ex = MatrixMarketError($"%%MatrixMarket matrix coordinate real general\n2 2 2\n1 1 1\n2 2 {value}\n");
        Assert.StartsWith("bad.mtx:4:", ex.Message, StringComparison.Ordinal);
        Assert.Contains("not a finite", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void OversizedAllocationsNameTheirParameter()
    {
        using var backend = ComputeBackend.Create(BackendKind.NativeCpu);
        var dense = Assert.Throws<ArgumentOutOfRangeException>(() => backend.AllocateDense<float>(100_000, 100_000));
        Assert.Equal("rows", dense.ParamName);
        Assert.Contains("10,000,000,000 elements", dense.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => new DenseMatrix<float>(100_000, 100_000));
        Assert.Throws<ArgumentOutOfRangeException>(() => backend.AllocateCbsr<float, int>(int.MaxValue, 64, 32));
        var rmat = Assert.Throws<ArgumentOutOfRangeException>(() => RMatGenerator.Generate<float>(int.MaxValue, 10, seed: 1));
        Assert.Equal("nodes", rmat.ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => CsrMatrix<float>.FromCoo(int.MaxValue, 1, [], [], []));
        Assert.Throws<ArgumentException>(() => RMatGenerator.Generate<float>(100, 10, seed: 1, a: double.NaN));
    }

    [Theory]
    [InlineData(200_000_000, 8.0, 0.65, "nodes")]
    [InlineData(1000, double.NaN, 0.65, "degree")]
    [InlineData(1000, -1.0, 0.65, "degree")]
    [InlineData(1000, double.PositiveInfinity, 0.65, "degree")]
    [InlineData(1000, 8.0, 2.0, "homophily")]
    [InlineData(1000, 8.0, double.NaN, "homophily")]
    public void StochasticBlockModelArgumentsAreChecked(int nodes, double degree, double homophily, string parameter)
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => NodeDataset.StochasticBlockModel(nodes, degree: degree, homophily: homophily));
        Assert.Equal(parameter, ex.ParamName);
    }

    [Fact]
    public void RandomSplitRefusesClassCountsNoGraphCanHave()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => NodeDataset.RandomSplit([0, 1, 1000000000], 1000000001, 1));
        Assert.Equal("classes", ex.ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => NodeDataset.RandomSplit([0, 1, 5], 3, 1));
    }

    /// <summary>A dataset folder with the given files; adjacency is a 4-node path unless given.</summary>
    private string Dataset(params (string File, string Text)[] files) => DatasetFolders.Write(_folder, 4, files);

    private static DatasetFormatException DatasetError(string folder) => Assert.Throws<DatasetFormatException>(() => NodeDataset.Read(folder));

    [Fact]
    public void AGraphWithoutNodesIsNamed()
    {
        var ex = DatasetError(Dataset(("adjacency.mtx", "%%MatrixMarket matrix coordinate pattern general\n0 0 0\n"), ("labels.txt", "")));
        Assert.EndsWith("adjacency.mtx", ex.File, StringComparison.Ordinal);
        Assert.Contains("no nodes", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0\n1\n1000000000\n1\n", 3, "1000000000")]
    [InlineData("0\n1\n0\n2147483647\n", 4, "2147483647")]
    [InlineData("0\n\n1\n-7\n1\n", 4, "-7")]
    public void OutOfRangeLabelsAreNamedAtTheirLine(string labels, int line, string label)
    {
        var ex = DatasetError(Dataset(("labels.txt", labels)));
        Assert.Equal(line, ex.Line);
        Assert.Contains("label " + label, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void OneLabelledClassIsNotATask()
    {
        var ex = DatasetError(Dataset(("labels.txt", "0\n0\n-1\n0\n")));
        Assert.Contains("only 1 class is labelled", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NonFiniteFeaturesAreRefusedWithFileAndLine()
    {
        var ex = Assert.Throws<MatrixMarketFormatException>(() => NodeDataset.Read(Dataset(
            ("features.mtx", "%%MatrixMarket matrix coordinate real general\n4 2 3\n1 1 1\n2 2 NaN\n3 1 1\n"))));
        Assert.Contains("features.mtx:4:", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AnEmptySplitFileIsRefused()
    {
        var ex = DatasetError(Dataset(("train.txt", ""), ("val.txt", "1\n"), ("test.txt", "2\n")));
        Assert.EndsWith("train.txt", ex.File, StringComparison.Ordinal);
        Assert.Contains("lists no node", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ValidationAndTestWithoutTrainAreRefusedNotReplacedByARandomSplit()
    {
        var ex = DatasetError(Dataset(("val.txt", "1\n"), ("test.txt", "2\n")));
        Assert.EndsWith("train.txt", ex.File, StringComparison.Ordinal);
        Assert.Contains("val.txt and test.txt are there", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(float.NaN, 0.5f, 5e-4f, "LearningRate")]
    [InlineData(float.PositiveInfinity, 0.5f, 5e-4f, "LearningRate")]
    [InlineData(0.01f, float.NaN, 5e-4f, "Dropout")]
    [InlineData(0.01f, 0.5f, -1e30f, "WeightDecay")]
    [InlineData(0.01f, 0.5f, float.NaN, "WeightDecay")]
    public void NonFiniteTrainingSettingsAreRefused(float lr, float dropout, float decay, string parameter)
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new GnnOptions(LearningRate: lr, Dropout: dropout, WeightDecay: decay).Validate());
        Assert.Equal(parameter, ex.ParamName);
    }

    [Fact]
    public void SizesAreCheckedAgainstTheDataBeforeAnythingIsAllocated()
    {
        var data = NodeDataset.StochasticBlockModel(nodes: 400, classes: 4, seed: 2);
        var wide = Assert.Throws<ArgumentOutOfRangeException>(() => new GnnOptions(Hidden: 2_000_000_000).Validate(data));
        Assert.Equal("Hidden", wide.ParamName);
        var maxk = Assert.Throws<ArgumentOutOfRangeException>(() => new GnnOptions(Nonlinearity: Nonlinearity.MaxK, Hidden: 100_000).Validate(data));
        Assert.Equal("Hidden", maxk.ParamName);
        new GnnOptions(Nonlinearity: Nonlinearity.Relu, Hidden: 100_000).Validate(); // ReLU has no index width limit
    }

    [Fact]
    public void AModelOfAnEmptyDatasetSaysSo()
    {
        var empty = new NodeDataset("empty", new CsrMatrix<float>(0, 0, [0], [], []), new CsrMatrix<float>(0, 1, [0], [], []), [], 2, [], [], [], false);
        using var backend = ComputeBackend.Create(BackendKind.NativeCpu);
        var ex = Assert.Throws<ArgumentException>(() => new GnnModel(backend, empty, new GnnOptions()));
        Assert.Contains("no nodes", ex.Message, StringComparison.Ordinal);
    }

    private string Design(string incidence, string cells = "0\tu0\tINV\t0\t0\t2\t2\n1\tu1\tNAND\t4\t4\t6\t6\n", string nets = "n0\nn1\n")
    {
        string folder = Directory.CreateDirectory(Path.Combine(_folder, "design" + ++_count)).FullName;
        File.WriteAllText(Path.Combine(folder, "cells.tsv"), cells);
        File.WriteAllText(Path.Combine(folder, "nets.txt"), nets);
        File.WriteAllText(Path.Combine(folder, "cell_net.mtx"), incidence);
        return folder;
    }

    [Fact]
    public void ACircuitNetIncidenceWithoutValuesCountsOnePinPerEntry()
    {
        var pattern = CircuitNetDesign.Read(Design("%%MatrixMarket matrix coordinate pattern general\n2 2 3\n1 1\n2 1\n2 2\n"));
        var valued = CircuitNetDesign.Read(Design("%%MatrixMarket matrix coordinate real general\n2 2 3\n1 1 1\n2 1 1\n2 2 1\n"));
        Assert.Equal(valued.Graph.Features["cell"].Data, pattern.Graph.Features["cell"].Data);
        Assert.Equal(2f, pattern.Graph.Features["cell"][1, 0]);
    }

    [Fact]
    public void AnEmptyCircuitNetDesignIsNamed()
    {
        var ex = Assert.Throws<FormatException>(() => CircuitNetDesign.Read(Design("%%MatrixMarket matrix coordinate pattern general\n0 2 0\n", cells: "")));
        Assert.Contains("cells.tsv", ex.Message, StringComparison.Ordinal);
        Assert.Contains("no cells", ex.Message, StringComparison.Ordinal);
    }
}
