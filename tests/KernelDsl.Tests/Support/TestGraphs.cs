using KernelDsl.Graphs;
using KernelDsl.IO;

namespace KernelDsl.Tests.Support;

/// <summary>The shape list of DESIGN.md §5 plus induced subgraphs of real graphs, and the real graphs whole.</summary>
public static class TestGraphs
{
    /// <summary>Names of the small synthetic shapes.</summary>
    public static readonly string[] ShapeNames =
    [
        "empty-graph", "no-edges", "empty-rows", "one-huge-row", "self-loops", "duplicate-edges", "uniform", "rectangular", "power-law",
        "cora-induced", "email-eu-core-induced",
    ];

    public static IEnumerable<object[]> Shapes => ShapeNames.Select(n => new object[] { n });

    /// <summary>A small weighted graph of the named shape (at most a few hundred rows).</summary>
    public static CsrMatrix<float> Shape(string name)
    {
        var rng = new Random(name.GetHashCode(StringComparison.Ordinal) & 0x7fff);
        switch (name)
        {
            case "empty-graph": return CsrMatrix<float>.FromCoo(0, 0, [], [], [], DuplicatePolicy.Keep).WithValues(1f);
            case "no-edges": return CsrMatrix<float>.FromCoo(37, 37, [], [], [], DuplicatePolicy.Keep).WithValues(1f);
            case "empty-rows":
            {
                var (r, c) = (new List<int>(), new List<int>());
                for (int i = 0; i < 120; i += 3)
                    for (int k = 0; k < 1 + i % 7; k++) { r.Add(i); c.Add(rng.Next(120)); }
                return Weighted(CsrMatrix<float>.FromCoo(120, 120, r.ToArray(), c.ToArray(), [], DuplicatePolicy.Keep), rng);
            }
            case "one-huge-row":
            {
                var (r, c) = (new List<int>(), new List<int>());
                for (int k = 0; k < 900; k++) { r.Add(5); c.Add(rng.Next(150)); }
                for (int i = 0; i < 150; i++) if (i % 4 == 0) { r.Add(i); c.Add(rng.Next(150)); }
                return Weighted(CsrMatrix<float>.FromCoo(150, 150, r.ToArray(), c.ToArray(), [], DuplicatePolicy.Keep), rng);
            }
            case "self-loops":
            {
                var (r, c) = (new List<int>(), new List<int>());
                for (int i = 0; i < 90; i++) { r.Add(i); c.Add(i); if (i % 2 == 0) { r.Add(i); c.Add((i + 1) % 90); } }
                return Weighted(CsrMatrix<float>.FromCoo(90, 90, r.ToArray(), c.ToArray(), [], DuplicatePolicy.Keep), rng);
            }
            case "duplicate-edges":
            {
                var (r, c) = (new List<int>(), new List<int>());
                for (int i = 0; i < 80; i++) for (int k = 0; k < 3; k++) { r.Add(i); c.Add((i * 7) % 80); r.Add(i); c.Add(rng.Next(80)); }
                return Weighted(CsrMatrix<float>.FromCoo(80, 80, r.ToArray(), c.ToArray(), [], DuplicatePolicy.Keep), rng);
            }
            case "uniform": return RMatGenerator.Generate<float>(200, 1600, 3, 0.25, 0.25, 0.25);
            case "rectangular":
            {
                var (r, c) = (new List<int>(), new List<int>());
                for (int i = 0; i < 60; i++) for (int k = 0; k < i % 9; k++) { r.Add(i); c.Add(rng.Next(170)); }
                return Weighted(CsrMatrix<float>.FromCoo(60, 170, r.ToArray(), c.ToArray(), [], DuplicatePolicy.Keep), rng);
            }
            case "power-law": return RMatGenerator.Generate<float>(256, 3000, 7);
            case "cora-induced": return Weighted(Induced(RealGraph("cora/adjacency.mtx"), 220), rng);
            case "email-eu-core-induced": return Weighted(Induced(RealGraph("email-eu-core/adjacency.mtx"), 160), rng);
            default: throw new ArgumentException("unknown shape " + name);
        }
    }

    /// <summary>Every adjacency-like .mtx file of ../shared/data (relative paths).</summary>
    public static IEnumerable<object[]> RealGraphFiles => Directory
        .EnumerateFiles(RepoPaths.Data, "*.mtx", SearchOption.AllDirectories)
        .Select(p => Path.GetRelativePath(RepoPaths.Data, p).Replace('\\', '/'))
        .Where(p => !p.EndsWith("features.mtx", StringComparison.Ordinal) && !p.EndsWith("groups.mtx", StringComparison.Ordinal))
        .Order(StringComparer.Ordinal)
        .Select(p => new object[] { p });

    private static readonly Dictionary<string, CsrMatrix<float>> Cache = new();

    /// <summary>A real graph read once per test run; values as stored, or deterministic random weights for pattern files.</summary>
    public static CsrMatrix<float> RealGraph(string relativePath)
    {
        lock (Cache)
        {
            if (!Cache.TryGetValue(relativePath, out var m))
            {
                m = MatrixMarket.ReadCsr<float>(Path.Combine(RepoPaths.Data, relativePath));
                if (!m.HasValues) m = Weighted(m, new Random(relativePath.Length));
                Cache[relativePath] = m;
            }
            return m;
        }
    }

    /// <summary>The subgraph induced by the first <paramref name="nodes"/> nodes.</summary>
    public static CsrMatrix<float> Induced(CsrMatrix<float> graph, int nodes) =>
        graph.InducedSubgraph(Enumerable.Range(0, Math.Min(nodes, Math.Min(graph.Rows, graph.ColumnCount))).ToArray());

    /// <summary>Same pattern, values uniform in [-1, 1).</summary>
    public static CsrMatrix<float> Weighted(CsrMatrix<float> m, Random rng)
    {
        var values = new float[m.Nonzeros];
        for (int i = 0; i < values.Length; i++) values[i] = (float)(rng.NextDouble() * 2 - 1);
        return new CsrMatrix<float>(m.Rows, m.ColumnCount, m.RowOffsets, m.ColumnIndices, values);
    }
}
