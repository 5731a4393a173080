namespace KernelDsl.Tests.Support;

/// <summary>Small dataset folders written for a test: a ring of nodes with alternating labels, any file replaced.</summary>
public static class DatasetFolders
{
    /// <summary>
    /// Writes adjacency.mtx (a ring of <paramref name="nodes"/> nodes) and labels.txt (0, 1, 0, …) into a new folder under
    /// <paramref name="parent"/>, then <paramref name="files"/> over them (a new file, or a replacement); returns the folder.
    /// </summary>
    public static string Write(string parent, int nodes, params (string File, string Text)[] files)
    {
        string folder = Directory.CreateDirectory(Path.Combine(parent, "dataset-" + Guid.NewGuid().ToString("N")[..8])).FullName;
        var all = new Dictionary<string, string>
        {
            ["adjacency.mtx"] = $"%%MatrixMarket matrix coordinate pattern symmetric\n{nodes} {nodes} {nodes - 1}\n"
                + string.Concat(Enumerable.Range(1, nodes - 1).Select(i => $"{i + 1} {i}\n")),
            ["labels.txt"] = string.Concat(Enumerable.Range(0, nodes).Select(i => $"{i % 2}\n")),
        };
        foreach (var (file, text) in files) all[file] = text;
        foreach (var (file, text) in all) File.WriteAllText(Path.Combine(folder, file), text);
        return folder;
    }
}
