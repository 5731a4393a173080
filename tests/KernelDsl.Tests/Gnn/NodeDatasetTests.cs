using KernelDsl.Gnn;
using KernelDsl.Tests.Support;
using Xunit;

namespace KernelDsl.Tests.Gnn;

/// <summary>Node-classification datasets: the real folders read with their stated sizes and splits; bad files refused with file, line and fix.</summary>
public sealed class NodeDatasetTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("kerneldsl-dataset").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void CoraReadsWithARandomSplitOf20PerClass()
    {
        var cora = NodeDataset.Read(Path.Combine(RepoPaths.Data, "cora"), splitSeed: 3);
        Assert.Equal((2708, 1433, 7), (cora.Nodes, cora.Features.ColumnCount, cora.Classes));
        Assert.Equal((140, 500, 1000), (cora.Train.Length, cora.Validation.Length, cora.Test.Length));
        Assert.All(Enumerable.Range(0, 7), c => Assert.Equal(20, cora.Train.Count(i => cora.Labels[i] == c)));
        Assert.Empty(cora.Train.Intersect(cora.Validation).Concat(cora.Train.Intersect(cora.Test)).Concat(cora.Validation.Intersect(cora.Test)));
        Assert.NotEqual(cora.Train, NodeDataset.Read(Path.Combine(RepoPaths.Data, "cora"), splitSeed: 4).Train);
        Assert.Equal(cora.Train, NodeDataset.Read(Path.Combine(RepoPaths.Data, "cora"), splitSeed: 3).Train);
    }

    [Fact]
    public void PlanetoidFoldersUseTheirPublicSplitAndFeaturelessOnesGetIdentityFeatures()
    {
        var cora = NodeDataset.Read(Path.Combine(RepoPaths.Data, "planetoid-cora"));
        Assert.True(cora.PublicSplit);
        Assert.Equal((140, 500, 1000), (cora.Train.Length, cora.Validation.Length, cora.Test.Length));
        var pubmed = NodeDataset.Read(Path.Combine(RepoPaths.Data, "planetoid-pubmed"));
        Assert.Equal((19717, 19717, 3), (pubmed.Nodes, pubmed.Features.ColumnCount, pubmed.Classes));
        Assert.Equal(pubmed.Nodes, pubmed.Features.Nonzeros);
    }

    private string Write(string file, string text)
    {
        File.WriteAllText(Path.Combine(_folder, file), text);
        return Path.Combine(_folder, file);
    }

    private void Graph(int nodes = 4) =>
        Write("adjacency.mtx", $"%%MatrixMarket matrix coordinate pattern general\n{nodes} {nodes} 3\n1 2\n2 3\n3 4\n");

    [Fact]
    public void LabelsThatDoNotMatchTheGraphAreRefusedWithTheFix()
    {
        Graph();
        var path = Write("labels.txt", "0\n1\n0\n");
        var ex = Assert.Throws<DatasetFormatException>(() => NodeDataset.Read(_folder));
        Assert.Equal(path, ex.File);
        Assert.Contains("has 3 labels but the adjacency has 4 nodes", ex.Message, StringComparison.Ordinal);

        Write("labels.txt", "0\n1\nx\n1\n");
        ex = Assert.Throws<DatasetFormatException>(() => NodeDataset.Read(_folder));
        Assert.Equal(3, ex.Line);

        Write("labels.txt", "0\n1\n2\n1\n");
        Write("classes.txt", "a\nb\n");
        ex = Assert.Throws<DatasetFormatException>(() => NodeDataset.Read(_folder));
        Assert.Equal((path, 3), (ex.File, ex.Line));
        Assert.Contains("out of range", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void OverlappingOrInvalidSplitsAndMisshapenFeaturesAreRefused()
    {
        Graph();
        Write("labels.txt", "0\n1\n0\n1\n");
        Write("train.txt", "0\n1\n");
        Write("val.txt", "2\n");
        var test = Write("test.txt", "3\n1\n");
        var ex = Assert.Throws<DatasetFormatException>(() => NodeDataset.Read(_folder));
        Assert.Equal(test, ex.File);
        Assert.Contains("node 1 is also in train.txt", ex.Message, StringComparison.Ordinal);

        Write("test.txt", "3\n9\n");
        ex = Assert.Throws<DatasetFormatException>(() => NodeDataset.Read(_folder));
        Assert.Equal((test, 2), (ex.File, ex.Line));

        Write("test.txt", "3\n");
        var features = Write("features.mtx", "%%MatrixMarket matrix coordinate real general\n3 5 1\n1 1 1\n");
        ex = Assert.Throws<DatasetFormatException>(() => NodeDataset.Read(_folder));
        Assert.Equal(features, ex.File);
        Assert.Contains("features need one row per node", ex.Message, StringComparison.Ordinal);

        File.Delete(Path.Combine(_folder, "features.mtx"));
        var good = NodeDataset.Read(_folder);
        Assert.Equal((4, 2, 4), (good.Nodes, good.Classes, good.Features.ColumnCount));
    }

    [Fact]
    public void AMissingGraphOrLabelFileSaysWhichFileIsNeeded()
    {
        var ex = Assert.Throws<DatasetFormatException>(() => NodeDataset.Read(_folder));
        Assert.EndsWith("adjacency.mtx", ex.File, StringComparison.Ordinal);
        Graph();
        ex = Assert.Throws<DatasetFormatException>(() => NodeDataset.Read(_folder));
        Assert.EndsWith("labels.txt", ex.File, StringComparison.Ordinal);
    }
}
