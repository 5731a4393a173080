using KernelDsl.Native;
using KernelDsl.Runtime;
using KernelDsl.Tests.Kernels;
using KernelDsl.Tests.Support;
using Xunit;

namespace KernelDsl.Tests.Schedules;

/// <summary>
/// The native SpMM's column-tiled traversal (<see cref="ColumnTiles"/>): every generated SpMM (all reduces, messages,
/// pattern and weighted, every schedule) and the generated backward, run in tiles, equals the float64 reference and the
/// row-wise walk bit for bit, on the shape list at dims that put tile edges inside every register tile and the scalar
/// tail, and on every real graph whole; the rule's width, its timed choice on the first call (each way), the decision
/// kept for later calls, and the cache size read from a sysfs-like tree.
/// </summary>
public sealed class ColumnTilesTests : IDisposable
{
    private static readonly int[] Dims = [1, 3, 16, 31, 32, 33, 100, 256];

    private readonly ComputeBackend _backend = ComputeBackend.Create(BackendKind.NativeCpu);

    public static IEnumerable<object[]> KernelsAndShapes =>
        from k in KernelCatalog.All from s in TestGraphs.ShapeNames select new object[] { k.Name, s };

    [Theory]
    [MemberData(nameof(KernelsAndShapes))]
    public void EveryKernelInTilesEqualsTheReferenceAndTheRowWiseWalk(string kernelName, string shape)
    {
        var kernel = KernelCatalog.Get(kernelName);
        var graph = TestGraphs.Shape(shape);
        foreach (int dim in Dims)
            foreach (int width in new[] { 16, 48 })
            {
                Tiled(width, () => KernelChecker.Check(_backend, kernel, graph, dim, $"{shape}, tiles of {width}"));
                Assert.True(BitsOf(kernel, graph, dim, -1).SequenceEqual(BitsOf(kernel, graph, dim, width)), $"{kernelName} on {shape}, dim {dim}, tiles of {width}");
            }
    }

    [Theory]
    [MemberData(nameof(TestGraphs.RealGraphFiles), MemberType = typeof(TestGraphs))]
    public void RealGraphsWholeInTilesEqualTheRowWiseWalk(string file)
    {
        var graph = TestGraphs.RealGraph(file);
        foreach (var kernel in new[] { KernelCatalog.Get("SumAuto"), KernelCatalog.Get("MaxAuto") })
            Tiled(16, () => KernelChecker.Check(_backend, kernel, graph, 40, file + ", tiles of 16"));
        foreach (var kernel in KernelCatalog.All) // every reduce and message, weighted and pattern, every schedule
            Assert.True(BitsOf(kernel, graph, 40, -1).SequenceEqual(BitsOf(kernel, graph, 40, 16)), $"{kernel.Name} on {file}");
    }

    [Theory]
    [InlineData("power-law")]
    [InlineData("empty-rows")]
    [InlineData("one-huge-row")]
    public void TheGeneratedBackwardInTilesEqualsTheRowWiseWalk(string shape)
    {
        var graph = TestGraphs.Shape(shape);
        var backwards = new (string Name, Action<ComputeStream, CsrBuffer<float>, DenseBuffer<float>, DenseBuffer<float>> Run)[]
        {
            ("SumWeighted", BackwardKernels.SumWeightedBackward), ("MeanWeighted", BackwardKernels.MeanWeightedBackward),
            ("MeanPattern", BackwardKernels.MeanPatternBackward), ("SumPatternAuto", BackwardKernels.SumPatternAutoBackward),
        };
        foreach (var (name, run) in backwards)
            foreach (int dim in new[] { 33, 100 })
            {
                var dy = DenseMatrix<float>.Random(graph.Rows, dim, seed: dim + 7);
                int[] Gradient(int width)
                {
                    using var a = _backend.Upload(graph);
                    using var dyb = _backend.Upload(dy);
                    using var dx = _backend.AllocateDense<float>(graph.ColumnCount, dim);
                    dx.CopyFrom(Enumerable.Repeat(float.NaN, (int)dx.Length).ToArray());
                    Tiled(width, () => run(_backend.DefaultStream, a, dyb, dx));
                    return dx.ToHost().Data.Select(BitConverter.SingleToInt32Bits).ToArray();
                }
                var rowWise = Gradient(-1);
                Assert.DoesNotContain(BitConverter.SingleToInt32Bits(float.NaN), rowWise);
                Assert.True(rowWise.SequenceEqual(Gradient(16)), $"{name}Backward on {shape}, dim {dim}");
            }
    }

    [Fact]
    public void TheWidthIsRowWiseWhereXFitsAndAHalfCacheSliceElsewhere()
    {
        const long cache = 8L << 20;
        Assert.Equal(0, ColumnTiles.Width(1000, 256, 4, cache)); // 1 MB of X fits
        Assert.Equal(0, ColumnTiles.Width(10_000_000, 31, 4, cache)); // under two 16-column steps
        Assert.Equal(0, ColumnTiles.Width(0, 256, 4, cache));
        // soc-slashdot0902 at 256: 82 168 rows × 4 bytes a column; half the cache holds 12 columns, so one step of 16.
        Assert.Equal(16, ColumnTiles.Width(82_168, 256, 4, cache));
        // 10 000 rows of doubles, 80 000 bytes a column: 52 columns in 4 MB, rounded down to 48.
        int width = ColumnTiles.Width(10_000, 512, 8, cache);
        Assert.Equal(48, width);
        Assert.True((long)width * 10_000 * 8 <= cache / 2);
        Assert.Equal(0, ColumnTiles.Width(20_000, 64, 4, 1L << 30)); // a 1 GB cache holds the whole X
        Assert.Throws<ArgumentOutOfRangeException>("elementBytes", () => ColumnTiles.Width(10, 10, 0, cache));
        Assert.Throws<ArgumentOutOfRangeException>("cacheBytes", () => ColumnTiles.Width(10, 10, 4, 0));
        Assert.Throws<ArgumentOutOfRangeException>("sourceRows", () => ColumnTiles.Width(-1, 10, 4, cache));
        Assert.Throws<ArgumentNullException>("adjacency", () => ColumnTiles.Run(null!, 10, 64, 4, (_, _) => { }));
        Assert.Throws<ArgumentNullException>("sweep", () => ColumnTiles.Run(new object(), 10, 64, 4, null!));
    }

    [Fact]
    public void TilesReplaceTheRowWiseWalkOnlyWhenClearlyFaster()
    {
        Assert.True(ColumnTiles.PrefersTiles(rowWise: 20, tiled: 10));
        Assert.True(ColumnTiles.PrefersTiles(rowWise: 11, tiled: 10));
        Assert.False(ColumnTiles.PrefersTiles(rowWise: 10.9, tiled: 10));
        Assert.False(ColumnTiles.PrefersTiles(rowWise: 10, tiled: 15));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void TheFirstCallTimesBothWaysAndLaterCallsKeepTheFaster(bool tilesFaster)
    {
        // An X larger than any cache, so the rule tries tiles; the sweeps only record and wait.
        int rows = (int)Math.Min(int.MaxValue, ColumnTiles.CacheBytes / 4 + 1);
        const int dim = 64;
        int width = ColumnTiles.Width(rows, dim, 4, ColumnTiles.CacheBytes);
        Assert.InRange(width, 16, dim - 16);
        var adjacency = new object();
        var calls = new List<(int From, int To)>();
        int tileCount = (dim + width - 1) / width;
        void Sweep(int from, int to)
        {
            calls.Add((from, to));
            bool whole = from == 0 && to == dim;
            // The slower way waits: the row-wise walk as long as all the tiles would take at 40 ms each, or each tile 40 ms.
            if (whole == tilesFaster) Thread.Sleep(whole ? 40 * tileCount : 40);
        }
        Assert.Null(ColumnTiles.Decision(adjacency, dim, width));
        ColumnTiles.Run(adjacency, rows, dim, 4, Sweep);
        var tiles = Enumerable.Range(0, tileCount).Select(t => (t * width, Math.Min(dim, (t + 1) * width))).ToList();
        Assert.Equal([(0, width), (0, dim)], calls); // one tile timed first, then the row-wise walk that writes every column
        Assert.Equal(tilesFaster, ColumnTiles.Decision(adjacency, dim, width));
        calls.Clear();
        ColumnTiles.Run(adjacency, rows, dim, 4, Sweep);
        Assert.Equal(tilesFaster ? tiles : [(0, dim)], calls);
    }

    [Fact]
    public void XThatFitsRunsRowWiseWithoutTiming()
    {
        var calls = new List<(int, int)>();
        var adjacency = new object();
        ColumnTiles.Run(adjacency, 100, 256, 4, (from, to) => calls.Add((from, to)));
        Assert.Equal([(0, 256)], calls);
        Assert.Null(ColumnTiles.Decision(adjacency, 256, 16));
    }

    [Fact]
    public void TheCacheSizeIsTheLargestLevelTwoOrHigherCacheInSysfs()
    {
        string root = Path.Combine(Path.GetTempPath(), "kdsl-cache-" + Guid.NewGuid().ToString("N"));
        try
        {
            void Index(int i, string level, string type, string size)
            {
                string dir = Path.Combine(root, "index" + i);
                Directory.CreateDirectory(dir);
                File.WriteAllText(Path.Combine(dir, "level"), level + "\n");
                File.WriteAllText(Path.Combine(dir, "type"), type + "\n");
                File.WriteAllText(Path.Combine(dir, "size"), size + "\n");
            }
            Index(0, "1", "Data", "48K");
            Index(1, "1", "Instruction", "32K");
            Index(2, "2", "Unified", "1024K");
            Assert.Equal(1L << 20, ColumnTiles.LargestCache(root));
            Index(3, "3", "Unified", "32768K");
            Assert.Equal(32L << 20, ColumnTiles.LargestCache(root));
            Index(4, "4", "Instruction", "1G"); // not a data cache
            Assert.Equal(32L << 20, ColumnTiles.LargestCache(root));
        }
        finally
        {
            if (Directory.Exists(root)) Directory.Delete(root, recursive: true);
        }
        Assert.Null(ColumnTiles.LargestCache(root)); // no such directory: the caller falls back to the default
        Assert.Equal(2L << 20, ColumnTiles.ParseSize("2M"));
        Assert.Equal(512L, ColumnTiles.ParseSize("512"));
        Assert.Null(ColumnTiles.ParseSize("lots"));
        Assert.Null(ColumnTiles.ParseSize("-4K"));
        Assert.True(ColumnTiles.CacheBytes > 0);
    }

    /// <summary>Runs <paramref name="action"/> with the SpMMs on this thread in tiles of <paramref name="width"/> (&lt; 0: row-wise).</summary>
    private static void Tiled(int width, Action action)
    {
        ColumnTiles.ForcedWidth = width;
        try
        {
            action();
        }
        finally
        {
            ColumnTiles.ForcedWidth = 0;
        }
    }

    /// <summary>The kernel's output bits on the graph at <paramref name="dim"/>, in tiles of <paramref name="width"/> (&lt; 0: row-wise).</summary>
    private int[] BitsOf(KernelCase kernel, CsrMatrix<float> graph, int dim, int width)
    {
        var input = kernel.Adjacency == Adjacency.Pattern ? graph.AsPattern() : graph;
        var x = DenseMatrix<float>.Random(graph.ColumnCount, dim, seed: dim * 13 + 1);
        float[] specials = [0f, -0f, float.NaN, float.PositiveInfinity, float.NegativeInfinity];
        for (long i = 0; i < x.Data.LongLength; i += 41) x.Data[i] = specials[i % specials.Length];
        using var a = _backend.Upload(input);
        using var xb = _backend.Upload(x);
        using var y = _backend.AllocateDense<float>(graph.Rows, dim);
        y.CopyFrom(Enumerable.Repeat(float.NaN, (int)y.Length).ToArray());
        Tiled(width, () => kernel.Run(_backend.DefaultStream, a, xb, y));
        return y.ToHost().Data.Select(BitConverter.SingleToInt32Bits).ToArray();
    }

    public void Dispose() => _backend.Dispose();
}
