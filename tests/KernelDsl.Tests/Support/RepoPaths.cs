namespace KernelDsl.Tests.Support;

/// <summary>Locates the repository and the shared datasets (../shared/data beside the checkout).</summary>
public static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    /// <summary>The datasets folder: $KERNELDSL_DATA, else ../shared/data next to the repository.</summary>
    public static string Data
    {
        get
        {
            var env = Environment.GetEnvironmentVariable("KERNELDSL_DATA");
            var path = !string.IsNullOrEmpty(env) ? env : Path.GetFullPath(Path.Combine(Root, "..", "shared", "data"));
            if (!Directory.Exists(path))
                throw new DirectoryNotFoundException($"The shared datasets are not at '{path}'; check out ../shared beside the repository or set KERNELDSL_DATA.");
            return path;
        }
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "KernelDsl.sln"))) return dir.FullName;
        throw new InvalidOperationException("KernelDsl.sln not found above " + AppContext.BaseDirectory);
    }
}
