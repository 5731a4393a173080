using KernelDsl.IO;

namespace KernelDsl.Bench;

/// <summary>The benchmark's graphs: every adjacency-like .mtx of the data folder.</summary>
public static class BenchGraphs
{
    public static IEnumerable<string> Files(string data, string? filter) => Directory
        .EnumerateFiles(data, "*.mtx", SearchOption.AllDirectories)
        .Select(p => Path.GetRelativePath(data, p))
        .Where(p => !p.EndsWith("features.mtx", StringComparison.Ordinal) && !p.EndsWith("groups.mtx", StringComparison.Ordinal))
        .Where(p => filter is null || p.Contains(filter, StringComparison.OrdinalIgnoreCase))
        .Order(StringComparer.Ordinal);

    /// <summary>A graph from the data folder, with unit weights when the file is a pattern.</summary>
    public static CsrMatrix<float> LoadWeighted(string data, string file)
    {
        var graph = MatrixMarket.ReadCsr<float>(Path.Combine(data, file));
        return graph.HasValues ? graph : graph.WithValues(1f);
    }

    /// <summary>../shared/data beside the repository.</summary>
    public static string FindData()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "KernelDsl.sln")))
                return Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "data"));
        throw new DirectoryNotFoundException("KernelDsl.sln not found; pass --data.");
    }
}
